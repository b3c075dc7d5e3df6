"""Keeps the search index in step with the register: the index is derived data.

Filing must never fail because the index could not be written: the document is safely in
the register and files/, so an indexing failure only marks the index stale, and the next
`ika search` or `ika reindex` rebuilds it from the register.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from .archive import Archive
from .register import cases, documents, texts

STALE_MARK = ".stale"


def _rows(arc: Archive, doc_ids: list[str] | None, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Index records, read in batches so a rebuild of the whole archive stays small in memory."""
    query = (
        select(documents, texts.c.text, cases.c.division)
        .join(texts, texts.c.doc_id == documents.c.id, isouter=True)
        .join(cases, cases.c.id == documents.c.case_id, isouter=True)
        .order_by(documents.c.id)
    )
    if doc_ids is not None:
        query = query.where(documents.c.id.in_(doc_ids))
    with arc.register.read() as conn:
        result = conn.execution_options(yield_per=batch).execute(query)
        for r in result:
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
            }


def mark_stale(arc: Archive, why: str) -> None:
    arc.index_dir.mkdir(parents=True, exist_ok=True)
    (arc.index_dir / STALE_MARK).write_text(why + "\n", encoding="utf-8")
    print(f"warning: search index not updated ({why}); `ika reindex` rebuilds it",
          file=sys.stderr)


def is_stale(arc: Archive) -> bool:
    return (arc.index_dir / STALE_MARK).exists()


def index_documents(arc: Archive, doc_ids: Iterable[str]) -> None:
    """Add (or replace) these documents in the index; never raises."""
    ids = list(doc_ids)
    try:
        from . import index

        index.add_documents(arc.index_dir, _rows(arc, ids))
    except Exception as exc:  # derived data: record and move on, filing already succeeded
        mark_stale(arc, f"{type(exc).__name__}: {exc}".splitlines()[0])


def rebuild(arc: Archive) -> int:
    """Rebuild the whole index from the register and clear the stale mark."""
    from . import index

    n = index.rebuild(arc.index_dir, _rows(arc, None))
    (arc.index_dir / STALE_MARK).unlink(missing_ok=True)
    return n


def _document_count(arc: Archive) -> int:
    from sqlalchemy import func

    with arc.register.read() as conn:
        return int(conn.execute(select(func.count()).select_from(documents)).scalar() or 0)


def ensure_index(arc: Archive) -> bool:
    """Rebuild the index when it is missing, damaged, marked stale or behind the register.
    Returns whether it was rebuilt."""
    from . import index

    ix = index.open_index(arc.index_dir)
    try:
        count = ix.doc_count()
    finally:
        ix.ix.close()
    if ix.created or ix.recreated or is_stale(arc) or count < _document_count(arc):
        rebuild(arc)
        return True
    return False


def search(arc: Archive, query: str | None, **filters: Any) -> dict[str, Any]:
    from . import index

    ensure_index(arc)
    return index.search(arc.index_dir, query, **filters)
