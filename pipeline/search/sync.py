"""Keeps the search index in step with the register: the index is derived data.

Filing never fails because the index could not be written: the document is safely in the
register and files/, marked not yet indexed. Whatever is left unindexed — a failed write, a
process killed between filing and indexing — is caught up before the next search, and a
missing or damaged index is rebuilt from the register.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from pipeline.archive import Archive
from pipeline.register.store import cases, documents, texts

from . import results, store, writer
from .hits import SearchResult

logger = logging.getLogger("ika.search")  # shown by the faces; stderr when none is set up

__all__ = ["ensure_index", "index_documents", "paths_from_here", "rebuild", "search",
           "unindexed"]


def search(arc: Archive, query: str | None, **filters: Any) -> SearchResult:
    """Search the archive (see `results.search` for the filters and the result's shape),
    after making the index whole."""
    ensure_index(arc)
    return results.search(arc.index_dir, query, **filters)


def paths_from_here(arc: Archive, result: SearchResult) -> SearchResult:
    """The result with each hit's `path` and `files` as paths that work from the current
    folder (the index keeps them relative to the archive): for `ika search`."""

    def here(rel: str | None) -> str | None:
        if not rel:
            return rel
        full = Path(arc.root) / rel
        try:
            return os.path.relpath(full)
        except ValueError:  # another drive (Windows)
            return str(full.resolve())

    hits = tuple(
        replace(hit, path=here(hit.path),
                files=tuple(replace(f, path=here(f.path)) for f in hit.files))
        for hit in result.hits
    )
    return replace(result, hits=hits)


def index_documents(arc: Archive, doc_ids: Iterable[str]) -> bool:
    """Add (or replace) these documents in the index; never raises. False when it failed
    (the documents stay marked unindexed and the next search catches them up)."""
    ids = list(doc_ids)
    if not ids:
        return True
    try:
        writer.add_documents(arc.index_dir, _rows(arc, ids))
    except Exception as exc:  # derived data: say so and move on, filing already succeeded
        if len(ids) > 1:  # one document that cannot be indexed keeps none of the others out
            done = [i for i in ids if index_documents(arc, [i])]
            return len(done) == len(ids)
        why = f"{type(exc).__name__}: {exc}".splitlines()[0]
        logger.warning("warning: search index not updated for %s (%s); the next search "
                       "tries again", ids[0], why)
        return False
    _mark_indexed(arc, ids)
    return True


def rebuild(arc: Archive) -> int:
    """Rebuild the whole index from the register, with bounded memory."""
    seen: list[str] = []
    n = writer.rebuild(arc.index_dir, _rows(arc, None, seen))
    _mark_indexed(arc, seen)
    return n


def unindexed(arc: Archive) -> list[str]:
    """Documents in the register that the index does not have yet."""
    with arc.register.read() as conn:
        rows = conn.execute(select(documents.c.id).where(documents.c.indexed.is_(False)))
        return [r.id for r in rows]


# Index folders this process opened and found whole, with the signature they had then: a
# long-running process (the web server) need not open the index again before every search
# (most of a search's time on 20,000 documents) while nothing has replaced or removed it.
_WHOLE: dict[Path, tuple[object, ...]] = {}


def _signature(index_dir: Path) -> tuple[object, ...] | None:
    """What changes when the index is rebuilt, replaced, written, damaged or removed: the
    CURRENT pointer and the size and time of every file of its generation."""
    try:
        current = (index_dir / "CURRENT").read_bytes()
        gen = json.loads(current).get("generation")
        files = []
        with os.scandir(index_dir / str(gen)) as entries:
            for e in entries:
                st = e.stat(follow_symlinks=False)
                files.append((e.name, st.st_size, st.st_mtime_ns, st.st_ino))
    except (OSError, ValueError, AttributeError):
        return None
    return (current, tuple(sorted(files)))


def ensure_index(arc: Archive) -> str | None:
    """Make the index whole before a search: rebuild a missing or damaged one, catch up
    documents left unindexed. Returns what was done, or None."""
    where = Path(arc.index_dir).resolve()
    seen = _signature(where)
    if seen is None or _WHOLE.get(where) != seen:
        ix = store.open_index(arc.index_dir)
        ix.ix.close()
        if ix.recreated or (ix.created and _has_documents(arc)):
            _WHOLE.pop(where, None)
            rebuild(arc)
            return "rebuilt"
        signature = _signature(where)
        if signature is not None:
            _WHOLE[where] = signature
    missing = unindexed(arc)
    if missing and index_documents(arc, missing):
        return f"caught up {len(missing)}"
    return None


def _has_documents(arc: Archive) -> bool:
    with arc.register.read() as conn:
        return conn.execute(select(documents.c.id).limit(1)).first() is not None


def _rows(
    arc: Archive, doc_ids: list[str] | None, seen: list[str] | None = None, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """Index records, read in batches so a rebuild of the whole archive stays small in memory.

    The .docx and the .pdf of one generated document (one version) are one record: the first
    of them (the .docx) with `files` listing both; the others are read, never indexed apart."""
    query = (
        select(documents, texts.c.text, cases.c.division)
        .join(texts, texts.c.doc_id == documents.c.id, isouter=True)
        .join(cases, cases.c.id == documents.c.case_id, isouter=True)
        .order_by(documents.c.id)
    )
    with arc.register.read() as conn:
        files = _generated_files(conn, doc_ids)
    if doc_ids is not None:  # a rendition's document is indexed again, with its files
        doc_ids = sorted(set(doc_ids) | {group[0]["doc_id"] for group in files.values()})
        query = query.where(documents.c.id.in_(doc_ids))
    with arc.register.read() as conn:
        result = conn.execution_options(yield_per=batch).execute(query)
        for r in result:
            if seen is not None:
                seen.append(r.id)
            group = files.get(r.id)
            if group is not None and group[0]["doc_id"] != r.id:
                continue  # the .pdf of a generated letter: a file of its .docx's record
            yield {
                "doc_id": r.id,
                "case": r.case_id,
                "title": r.title or r.name,
                "text": r.text or "",
                "countries": json.loads(r.countries or "[]"),
                "type": r.type,
                "level": r.level,
                "division": r.division,
                "signed": r.signed_date,
                "filed": r.filed_at,
                "filename": r.name,
                "language": r.language,
                "path": r.path,
                "kind": r.kind,
                "files": group or [_file(r.id, r.path)],
            }


def _file(doc_id: str, path: str) -> dict[str, str]:
    return {"doc_id": doc_id, "path": path, "format": Path(path).suffix.lstrip(".").lower()}


def _generated_files(conn: Any, doc_ids: list[str] | None) -> dict[str, list[dict[str, str]]]:
    """doc_id -> the files of its generated document (same case, name and version), the
    .docx first: of every generated document (a rebuild) or of those `doc_ids` touch."""
    cols = (documents.c.id, documents.c.case_id, documents.c.name, documents.c.version,
            documents.c.path)
    query = select(*cols).where(documents.c.kind == "generated")
    if doc_ids is not None:
        touched = conn.execute(query.where(documents.c.id.in_(doc_ids))).all()
        if not touched:
            return {}
        names = {(t.case_id, t.name) for t in touched}
        query = query.where(documents.c.name.in_({n for _, n in names}))
        rows = [r for r in conn.execute(query) if (r.case_id, r.name) in names]
    else:
        rows = conn.execute(query).all()
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for r in rows:
        groups.setdefault((r.case_id, r.name, r.version), []).append(r)
    out: dict[str, list[dict[str, str]]] = {}
    for members in groups.values():
        members.sort(key=lambda m: (not m.path.lower().endswith(".docx"), m.id))
        listed = [_file(m.id, m.path) for m in members]
        for m in members:
            out[m.id] = listed
    return out


def _mark_indexed(arc: Archive, doc_ids: list[str]) -> None:
    with arc.register.write() as conn:
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start : start + 500]
            conn.execute(update(documents).where(documents.c.id.in_(chunk)).values(indexed=True))
