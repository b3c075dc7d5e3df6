"""The one function that files every document: generated letters and dropped files alike.

Order matters for crash safety: hash; copy into files/ (temp file, fsync, atomic rename);
then register in one transaction; then index. A crash before the transaction leaves at most
an unregistered copy that the next attempt reuses; the register never points at a file that
is not there. `source` (the inbox path) lets a restart finish work it had already registered.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from .archive import Archive
from .cases import complete_by_filing
from .clock import now, today
from .errors import DuplicateDocument, FilingError
from .register import cases, documents, log_event, texts

CHUNK = 1 << 20
MAX_STEM = 80  # characters of the original name kept in the stored name


@dataclass(frozen=True)
class Filed:
    doc_id: str
    path: Path
    case_id: str | None
    step: int | None
    version: int
    sha256: str
    resumed: bool = False  # it had been filed already by an interrupted run
    completed_steps: tuple[int, ...] = ()
    inherited: tuple[str, ...] = ()  # fields taken from the case (its text gave none)


@dataclass(frozen=True)
class Metadata:
    """What is known about a document's content (from extraction and classification)."""

    text: str = ""
    title: str | None = None
    countries: tuple[str, ...] = ()
    type: str | None = None
    level: str | None = None
    language: str | None = None
    signed_date: date | None = None
    signed_place: str | None = None
    method: str | None = None
    media: str | None = None
    ocr_pdf: Path | None = None  # a searchable copy to keep beside the original


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def safe_name(name: str, limit: int = MAX_STEM) -> str:
    """A recognisable, portable version of a file name: letters kept (Malay, Unicode),
    separators and control characters replaced, the stem cut to `limit` characters."""
    name = unicodedata.normalize("NFC", Path(name).name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 8:
        stem, ext = name, ""
    stem = re.sub(r"[\s/\\:*?\"<>|\x00-\x1f]+", "_", stem).strip("._") or "document"
    ext = re.sub(r"[^\w]", "", ext).lower()
    return stem[:limit] + (f".{ext}" if ext else "")


def find_by_sha(arc: Archive, sha: str) -> Any | None:
    with arc.register.read() as conn:
        return conn.execute(
            select(documents).where(documents.c.sha256 == sha).order_by(documents.c.id)
        ).first()


def store(src: Path, dest: Path, sha: str) -> None:
    """Copy src to dest durably: temp file in the same folder, fsync, atomic rename.

    An identical file already at dest (left by an interrupted run) is kept as it is.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        if sha256_of(dest) == sha:
            return
        raise FilingError(f"{dest} exists with other content; refusing to overwrite — "
                          "run `ika verify` and tell IT", "error")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
        if sha256_of(tmp) != sha:
            raise FilingError(f"{src.name} changed while it was being filed; try again", "busy")
        os.chmod(tmp, 0o444)  # filed documents are immutable
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_document(
    arc: Archive,
    src: Path,
    *,
    kind: str = "filed",
    name: str | None = None,
    case_id: str | None = None,
    step: int | None = None,
    source: str | None = None,
    meta: Metadata | None = None,
    by: str | None = None,
    on: date | None = None,
    version: int | None = None,
    index: bool = True,
    extra_events: tuple[tuple[str, str], ...] = (),
) -> Filed:
    """File `src` into the archive and the register; return where it went.

    kind "generated": a letter made by `ika doc make`, named `name` (its document key), with
    versions. kind "filed": a document from the inbox or `ika file`; refused as a duplicate when
    the same bytes were filed before (unless it is the same `source`: an interrupted run).
    `version` files a rendition (the PDF) under the version of the document it was made from.
    `index=False` leaves indexing to the caller, who indexes a whole batch in one commit.
    `extra_events` are (action, note) pairs recorded on the new document in the same
    transaction (e.g. why it waits unassigned).

    A case's documents are stored under files/<CASE-ID>/, documents with no case under
    files/unassigned/<YYYY>/. A dropped document filed into a case takes the case's
    counterparts, type and level where its own text gives none, and completes steps 8 and 9
    only when it is the negotiated instrument (the case's type and counterparts).
    """
    meta = meta or Metadata()
    src = Path(src)
    sha = sha256_of(src)
    size = src.stat().st_size
    filed_on = on or today()
    if kind == "filed":
        earlier = find_by_sha(arc, sha)
        if earlier is not None:
            if source is not None and earlier.source == source:
                return _filed(arc, earlier, resumed=True)
            raise DuplicateDocument(
                f"duplicate of {earlier.id} ({earlier.name}, filed {earlier.filed_at:%Y-%m-%d})",
                earlier.id,
            )
    folder = arc.files / case_id if case_id else arc.files / "unassigned" / f"{filed_on.year}"
    if kind == "generated":
        key = name or src.stem
        version = version or _next_version(arc, case_id, key, src.suffix.lower())
        dest = folder / f"{key}-v{version}{src.suffix.lower()}"
    else:
        key = name or src.name
        version = 1
        stored = safe_name(key)
        stem, _, ext = stored.rpartition(".")
        dest = folder / (f"{stem}-{sha[:8]}.{ext}" if stem else f"{stored}-{sha[:8]}")
    store(src, dest, sha)
    ocr_rel = ocr_sha = None
    if meta.ocr_pdf is not None:
        ocr_dest = dest.with_name(dest.stem + ".ocr.pdf")
        ocr_sha = sha256_of(meta.ocr_pdf)
        store(meta.ocr_pdf, ocr_dest, ocr_sha)
        ocr_rel = ocr_dest.relative_to(arc.root).as_posix()
    clash = None
    with arc.register.write() as conn:
        if kind == "filed":  # checked again under the write lock: two filers may race here
            clash = conn.execute(select(documents).where(documents.c.sha256 == sha)).first()
        if clash is not None:
            return _lost_race(arc, clash, dest, source)
        completes, meta, inherited = _with_case(conn, case_id, meta, kind)
        doc_id = _next_doc_id(conn)
        conn.execute(
            insert(documents).values(
                id=doc_id, case_id=case_id, step=step, kind=kind, name=key, version=version,
                path=dest.relative_to(arc.root).as_posix(), sha256=sha, size=size,
                source=source, media=meta.media or src.suffix.lower().lstrip("."),
                title=meta.title, countries=json.dumps(list(meta.countries)),
                type=meta.type, level=meta.level, language=meta.language,
                signed_date=meta.signed_date, signed_place=meta.signed_place,
                method=meta.method, ocr_path=ocr_rel, ocr_sha256=ocr_sha, filed_at=now(),
            )
        )
        conn.execute(insert(texts).values(doc_id=doc_id, text=meta.text or ""))
        note = f"{key} v{version}" if kind == "generated" else f"{key} ({size} bytes)"
        log_event(conn, f"doc.{kind}", by=by, case_id=case_id, doc_id=doc_id, note=note)
        if inherited:
            log_event(conn, "doc.inherited", by="system", case_id=case_id, doc_id=doc_id,
                      note=inherited_note(inherited, case_id))
        for action, text in extra_events:
            log_event(conn, action, by=by, case_id=case_id, doc_id=doc_id, note=text)
        completed: tuple[int, ...] = ()
        if completes and case_id:
            completed = complete_by_filing(arc, conn, case_id, filed_on)
    if index:
        from .search_sync import index_documents

        index_documents(arc, [doc_id])
    return Filed(doc_id, dest, case_id, step, version, sha, completed_steps=completed,
                 inherited=inherited)


def _with_case(
    conn: Connection, case_id: str | None, meta: Metadata, kind: str
) -> tuple[bool, Metadata, tuple[str, ...]]:
    """For a dropped document filed into a case: is it the negotiated instrument (judged on
    its own text), and its metadata completed from the case where its text gives none."""
    if kind != "filed" or not case_id:
        return False, meta, ()
    from dataclasses import replace

    from .caselink import facts, inherit, is_negotiated_instrument

    row = conn.execute(select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        return False, meta, ()
    case = facts(row)
    completes = is_negotiated_instrument(case, meta.type, meta.countries)
    countries, type_, level, taken = inherit(case, countries=meta.countries, type_=meta.type,
                                             level=meta.level)
    if taken:
        meta = replace(meta, countries=countries, type=type_, level=level)
    return completes, meta, taken


def inherited_note(fields: tuple[str, ...], case_id: str) -> str:
    """The note of a doc.inherited event: 'countries, type, level from IKA-2026-0001'."""
    return f"{', '.join(fields)} from {case_id}"


def inherited_fields(note: str | None) -> tuple[str, ...]:
    """The fields named by a doc.inherited event's note."""
    if not note or " from " not in note:
        return ()
    return tuple(f.strip() for f in note.rsplit(" from ", 1)[0].split(","))


def _lost_race(arc: Archive, earlier: Any, stored: Path, source: str | None) -> Filed:
    """Another process registered the same bytes first: ours is the duplicate."""
    if source is not None and earlier.source == source:
        return _filed(arc, earlier, resumed=True)
    if (arc.root / earlier.path) != stored:
        stored.unlink(missing_ok=True)  # our copy is referenced by nothing
    raise DuplicateDocument(f"duplicate of {earlier.id} ({earlier.name})", earlier.id)


def _filed(arc: Archive, row: Any, *, resumed: bool = False) -> Filed:
    return Filed(row.id, arc.root / row.path, row.case_id, row.step, row.version, row.sha256,
                 resumed=resumed)


def _next_version(arc: Archive, case_id: str | None, key: str, suffix: str) -> int:
    with arc.register.read() as conn:
        rows = conn.execute(
            select(documents.c.path).where(
                documents.c.case_id == case_id, documents.c.name == key,
                documents.c.kind == "generated",
            )
        ).all()
    return 1 + sum(1 for r in rows if r.path.endswith(suffix))


def _next_doc_id(conn: Connection) -> str:
    last = conn.execute(select(func.max(documents.c.id))).scalar()
    n = int(last.split("-")[1]) + 1 if last else 1
    return f"DOC-{n:06d}"


def documents_of(arc: Archive, case_id: str) -> list[dict[str, Any]]:
    with arc.register.read() as conn:
        rows = conn.execute(
            select(documents).where(documents.c.case_id == case_id).order_by(documents.c.id)
        ).all()
    return [_row_dict(r) for r in rows]


def _row_dict(r: Any) -> dict[str, Any]:
    return {
        "doc_id": r.id, "case": r.case_id, "step": r.step, "kind": r.kind, "name": r.name,
        "version": r.version, "path": r.path, "sha256": r.sha256, "size": r.size,
        "title": r.title, "countries": json.loads(r.countries or "[]"), "type": r.type,
        "level": r.level, "language": r.language,
        "signed": r.signed_date.isoformat() if r.signed_date else None,
        "signed_place": r.signed_place, "method": r.method, "ocr_path": r.ocr_path,
        "filed_at": r.filed_at.isoformat(sep=" "),
    }


def iter_documents(arc: Archive, doc_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    query = select(documents)
    if doc_ids is not None:
        query = query.where(documents.c.id.in_(list(doc_ids)))
    with arc.register.read() as conn:
        return [_row_dict(r) for r in conn.execute(query.order_by(documents.c.id))]
