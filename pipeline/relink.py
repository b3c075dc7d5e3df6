"""Documents filed without a case, and linking them to one afterwards."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select, update

from .archive import Archive
from .errors import IkaError
from .register import documents, log_event

DOC_ID = re.compile(r"^DOC-\d{6,}$", re.IGNORECASE)


def is_doc_id(text: str) -> bool:
    return bool(DOC_ID.match(text.strip()))


def unassigned(arc: Archive) -> list[dict[str, Any]]:
    with arc.register.read() as conn:
        rows = conn.execute(
            select(documents).where(documents.c.case_id.is_(None)).order_by(documents.c.id)
        ).all()
    return [
        {"doc_id": r.id, "name": r.name, "type": r.type, "level": r.level,
         "countries": json.loads(r.countries or "[]"), "path": r.path,
         "filed_at": r.filed_at.isoformat(sep=" ")}
        for r in rows
    ]


def relink(arc: Archive, doc_id: str, case_id: str, *, by: str | None = None) -> str:
    """Link a filed document to a case (the file stays where it is: files/ is immutable)."""
    from .cases import complete_by_filing, get_case
    from .clock import today
    from .search_sync import index_documents

    doc_id = doc_id.strip().upper()
    case = get_case(arc, case_id)
    with arc.register.write() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        if row is None:
            raise IkaError(f"no document {doc_id}")
        if row.case_id == case["id"]:
            return f"{doc_id} is already in {case['id']}"
        conn.execute(update(documents).where(documents.c.id == doc_id)
                     .values(case_id=case["id"]))
        log_event(conn, "doc.relink", by=by, case_id=case["id"], doc_id=doc_id,
                  note=f"from {row.case_id or 'unassigned'}")
        done: tuple[int, ...] = ()
        if row.kind == "filed" and row.type:  # a negotiated text: the SOP may move on
            done = complete_by_filing(arc, conn, case["id"], today())
    index_documents(arc, [doc_id])
    steps = f"; step {' and '.join(map(str, done))} done" if done else ""
    return f"linked  {doc_id} -> {case['id']}{steps}"
