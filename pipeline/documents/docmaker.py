"""Making the documents a case's steps call for, and filing them into the case."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline import workdir
from pipeline.archive import Archive
from pipeline.documents import TEMPLATES_DIR
from pipeline.documents.directory import find_addressee
from pipeline.documents.letterfields import document_of, fields
from pipeline.errors import IkaError, StepError, StorageError, TemplateError
from pipeline.filing.extract_docx import docx_text
from pipeline.filing.store import Filed, Metadata, documents_of, file_document
from pipeline.register import sop


def templates_dir(arc: Archive) -> Path:
    """The archive's own templates when ika.toml names a folder, else the shipped ones."""
    custom = arc.settings.raw.get("documents", {}).get("templates")
    return (arc.root / custom) if custom else TEMPLATES_DIR


def parse_sets(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise IkaError(f"--set {pair!r}: use KEY=VALUE")
        values[key.strip()] = value
    return values


def make(
    arc: Archive,
    case_id: str,
    key: str,
    *,
    to: Sequence[str] = (),
    overrides: Mapping[str, str] | None = None,
    pdf: bool = False,
    security: str | None = None,
    by: str | None = None,
) -> list[Filed]:
    """`_make`, with the disk's refusals (read-only or full disk, no permission, a file where
    files/ should be a folder) as one StorageError that names the path and the reason."""
    try:
        return _make(arc, case_id, key, to=to, overrides=overrides, pdf=pdf, security=security,
                     by=by)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise StorageError(
            f"{key}: could not write{where}: {exc.strerror or exc} — the archive's folders "
            f"({arc.root}) must be writable folders with free space"
        ) from None


def _make(
    arc: Archive,
    case_id: str,
    key: str,
    *,
    to: Sequence[str] = (),
    overrides: Mapping[str, str] | None = None,
    pdf: bool = False,
    security: str | None = None,
    by: str | None = None,
) -> list[Filed]:
    """Render document `key` for the case — one letter per addressee where the SOP says so —
    and file each (and its PDF) into the case's step. All PDFs come from one LibreOffice run.
    What the case keeps (`--set` of a kept field) is stored on it once the letters are filed;
    `security` marks these documents (else the case's marking is printed)."""
    from pipeline.clock import today
    from pipeline.documents import letters
    from pipeline.documents.letterfields import kept_fields, security_level
    from pipeline.register.cases import get_case, set_case_values
    from pipeline.serialize import to_json

    step, doc = document_of(key)
    case = to_json(get_case(arc, case_id))  # a letter's context reads the case's JSON shape
    if not sop.applies(step, case["decision"]):
        raise StepError(
            f"{case['id']}: {key} belongs to step {step.n}, which is skipped on this case's "
            f"branch (decision {case['decision']})"
        )
    addressees = [_addressee_key(arc, t) for t in dict.fromkeys(to)]
    if doc.needs_to and not addressees:
        keys = ", ".join(arc.settings.directory)
        raise TemplateError(f"{key} is one letter per addressee: give --to KEY ({keys})")
    if not doc.per_addressee and len(addressees) > 1:
        raise TemplateError(f"{key} is one document: give at most one --to")
    sets = dict(overrides or {})
    marking = security_level(security, f"{key}: --security") if security else None
    if marking:
        sets["keselamatan"] = marking
    letters_to: list[str | None] = list(addressees) or [None]
    contexts = [
        letters.build_context(case, key, arc.settings, to_key=t, overrides=sets,
                              today=today(), recipients=addressees, archive_root=arc.root)
        for t in letters_to  # every letter's fields are checked before any is filed
    ]
    filed: list[Filed] = []
    # In this process's own work folder: a watcher starting meanwhile cleans only the
    # folders of dead processes (pipeline.workdir), never this one.
    with tempfile.TemporaryDirectory(dir=workdir.own(arc.root)) as tmp:
        names = [f"{key}-{t}" if t and doc.per_addressee else key for t in letters_to]
        docs = [
            letters.render(key, ctx, Path(tmp) / f"{name}.docx", templates_dir=templates_dir(arc))
            for name, ctx in zip(names, contexts, strict=True)
        ]
        pdfs: list[Path | None] = [None] * len(docs)
        if pdf:
            from pipeline.documents.pdf import to_pdf

            pdfs = list(to_pdf(docs, Path(tmp) / "pdf"))
        for name, docx, rendition in zip(names, docs, pdfs, strict=True):
            meta = Metadata(text=docx_text(docx), title=f"{doc.title}: {case['title']}",
                            countries=tuple(case["countries"]), type=case["type"],
                            level=case["level"], language="ms", method="generated")
            first = file_document(arc, docx, kind="generated", name=name, case_id=case["id"],
                                  step=step.n, meta=meta, by=by)
            filed.append(first)
            if rendition is not None:  # the PDF shares the version of its .docx
                filed.append(file_document(arc, rendition, kind="generated", name=name,
                                           case_id=case["id"], step=step.n, meta=meta, by=by,
                                           version=first.version))
    marked = sets.get("keselamatan")
    if marked and str(marked).strip():
        _mark(arc, [f.doc_id for f in filed], security_level(marked, key))
    kept = kept_fields()
    known = {k: v for k, v in sets.items() if k in kept and k in {f.name for f in fields(key)}}
    if known:
        set_case_values(arc, case["id"], known, by=by)
    return filed


def _mark(arc: Archive, doc_ids: Sequence[str], marking: str | None) -> None:
    """The documents' own security marking, in the register beside them."""
    from sqlalchemy import update

    from pipeline.register.store import documents

    with arc.register.write() as conn:
        conn.execute(update(documents).where(documents.c.id.in_(list(doc_ids)))
                     .values(security=marking))


def _addressee_key(arc: Archive, key: str) -> str:
    """The directory's own spelling of an addressee key, given in any case."""
    found = find_addressee(arc.settings.directory, key)
    if found is None:
        keys = ", ".join(arc.settings.directory)
        raise TemplateError(f"no addressee {key!r} in ika.toml [directory]; known: {keys}")
    return found[0]


def listing(arc: Archive, case_id: str) -> dict[str, Any]:
    """What the case's steps call for, the versions made or filed for each, and the values
    the case keeps that each will use ("uses": field -> value as stored)."""
    from pipeline.register.cases import get_case
    from pipeline.serialize import to_json

    case = to_json(get_case(arc, case_id))
    docs = to_json(documents_of(arc, case["id"]))
    stored = dict(case.get("values") or {})
    if case.get("their_ref"):
        stored["ruj_surat"] = case["their_ref"]
    rows = []
    for s in sop.STEPS:
        state = next(x for x in case["steps"] if x["n"] == s.n)
        for d in s.documents:
            made = [x for x in docs if x["kind"] == "generated" and
                    (x["name"] == d.key or x["name"].startswith(d.key + "-"))]
            uses = {f.name: stored[f.name] for f in fields(d.key) if f.kept and f.name in stored}
            rows.append({
                "step": s.n, "document": d.key, "title": d.title, "uses": uses,
                "per_addressee": d.per_addressee, "step_status": state["status"],
                "made": [{"doc_id": x["doc_id"], "name": x["name"], "version": x["version"],
                          "format": Path(x["path"]).suffix.lstrip("."), "path": x["path"]}
                         for x in made],
            })
    others = [x for x in docs if x["kind"] != "generated"]
    return {"case": case["id"], "documents": rows, "filed": others}
