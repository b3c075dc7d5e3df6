"""Making the documents a case's steps call for, and filing them into the case."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import sop
from .archive import Archive
from .errors import IkaError, StepError, StorageError, TemplateError
from .extract import docx_text
from .filing import Filed, Metadata, documents_of, file_document
from .letterfields import document_of

REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def templates_dir(arc: Archive) -> Path:
    """The archive's own templates when ika.toml names a folder, else the shipped ones."""
    custom = arc.settings.raw.get("documents", {}).get("templates")
    return (arc.root / custom) if custom else REPO_TEMPLATES


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
    by: str | None = None,
) -> list[Filed]:
    """`_make`, with the disk's refusals (read-only or full disk, no permission, a file where
    files/ should be a folder) as one StorageError that names the path and the reason."""
    try:
        return _make(arc, case_id, key, to=to, overrides=overrides, pdf=pdf, by=by)
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
    by: str | None = None,
) -> list[Filed]:
    """Render document `key` for the case — one letter per addressee where the SOP says so —
    and file each (and its PDF) into the case's step. All PDFs come from one LibreOffice run."""
    from . import letters
    from .cases import get_case
    from .clock import today

    step, doc = document_of(key)
    case = get_case(arc, case_id)
    if not sop.applies(step, case["decision"]):
        raise StepError(
            f"{case['id']}: {key} belongs to step {step.n}, which is skipped on this case's "
            f"branch (decision {case['decision']})"
        )
    addressees = [_addressee_key(arc, t) for t in dict.fromkeys(to)]
    if doc.per_addressee and not addressees:
        keys = ", ".join(arc.settings.directory)
        raise TemplateError(f"{key} is one letter per addressee: give --to KEY ({keys})")
    if not doc.per_addressee and len(addressees) > 1:
        raise TemplateError(f"{key} is one document: give at most one --to")
    letters_to: list[str | None] = list(addressees) or [None]
    contexts = [
        letters.build_context(case, key, arc.settings, to_key=t,
                              overrides=dict(overrides or {}), today=today())
        for t in letters_to  # every letter's fields are checked before any is filed
    ]
    work = arc.root / ".work"
    work.mkdir(exist_ok=True)
    filed: list[Filed] = []
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        names = [f"{key}-{t}" if t and doc.per_addressee else key for t in letters_to]
        docs = [
            letters.render(key, ctx, Path(tmp) / f"{name}.docx", templates_dir=templates_dir(arc))
            for name, ctx in zip(names, contexts, strict=True)
        ]
        pdfs: list[Path | None] = [None] * len(docs)
        if pdf:
            from .pdf import to_pdf

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
    return filed


def _addressee_key(arc: Archive, key: str) -> str:
    """The directory's own spelling of an addressee key, given in any case."""
    by_upper = {k.upper(): k for k in arc.settings.directory}
    if key.upper() not in by_upper:
        keys = ", ".join(arc.settings.directory)
        raise TemplateError(f"no addressee {key!r} in ika.toml [directory]; known: {keys}")
    return by_upper[key.upper()]


def listing(arc: Archive, case_id: str) -> dict[str, Any]:
    """What the case's steps call for, and the versions made or filed for each."""
    from .cases import get_case

    case = get_case(arc, case_id)
    docs = documents_of(arc, case["id"])
    rows = []
    for s in sop.STEPS:
        state = next(x for x in case["steps"] if x["n"] == s.n)
        for d in s.documents:
            made = [x for x in docs if x["kind"] == "generated" and
                    (x["name"] == d.key or x["name"].startswith(d.key + "-"))]
            rows.append({
                "step": s.n, "document": d.key, "title": d.title,
                "per_addressee": d.per_addressee, "step_status": state["status"],
                "made": [{"doc_id": x["doc_id"], "name": x["name"], "version": x["version"],
                          "format": Path(x["path"]).suffix.lstrip("."), "path": x["path"]}
                         for x in made],
            })
    others = [x for x in docs if x["kind"] != "generated"]
    return {"case": case["id"], "documents": rows, "filed": others}
