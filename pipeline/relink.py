"""Documents filed without a case — with why, and the case they may belong to — and linking
them to one afterwards."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import desc, select, update

from .archive import Archive
from .errors import IkaError
from .register import documents, events, log_event

DOC_ID = re.compile(r"^DOC-\d{6,}$", re.IGNORECASE)


def is_doc_id(text: str) -> bool:
    return bool(DOC_ID.match(text.strip()))


def unassigned(arc: Archive) -> list[dict[str, Any]]:
    """Every filed document with no case: its title, date (signed, else filed), counterparts,
    type, why it waits (when something looked like a case) and the open case that matches
    its counterparts and type, as a suggestion (`suggested_case`; never linked by itself)."""
    from .caselink import best_suggestion, open_cases, suggest_cases

    waiting = select(documents.c.id).where(documents.c.case_id.is_(None))
    with arc.register.read() as conn:
        rows = conn.execute(
            select(documents).where(documents.c.case_id.is_(None)).order_by(documents.c.id)
        ).all()
        notes = conn.execute(
            select(events.c.doc_id, events.c.note)
            .where(events.c.action == "doc.unassigned", events.c.doc_id.in_(waiting))
            .order_by(events.c.id)
        ).all()
    reasons = {n.doc_id: n.note for n in notes}  # the latest one of each document
    candidates = open_cases(arc)
    result = []
    for r in rows:
        countries = json.loads(r.countries or "[]")
        signed = r.signed_date.isoformat() if r.signed_date else None
        result.append({
            "doc_id": r.id, "name": r.name, "title": r.title,
            "date": signed or r.filed_at.date().isoformat(), "signed": signed,
            "filed_at": r.filed_at.isoformat(sep=" "),
            "type": r.type, "level": r.level, "countries": countries, "path": r.path,
            "reason": reasons.get(r.id),
            "suggested_case": best_suggestion(candidates, r.type, countries),
            "matching_cases": suggest_cases(candidates, r.type, countries),
        })
    return result


def relink(arc: Archive, doc_id: str, case_id: str, *, by: str | None = None) -> str:
    """Link a filed document to a case (the file stays where it is: files/ is immutable).

    As when filing into a case: the document takes the case's counterparts, type and level
    where its own text gave none, and completes steps 8 and 9 only if it is the negotiated
    instrument (its own type and counterparts are the case's).
    """
    from .caselink import facts, inherit, is_negotiated_instrument
    from .cases import complete_by_filing, get_case
    from .clock import today
    from .filing import inherited_note
    from .register import cases
    from .search_sync import index_documents

    doc_id = doc_id.strip().upper()
    case = get_case(arc, case_id)
    with arc.register.write() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        if row is None:
            raise IkaError(f"no document {doc_id}")
        if row.case_id == case["id"]:
            return f"{doc_id} is already in {case['id']}"
        target = facts(conn.execute(select(cases).where(cases.c.id == case["id"])).one())
        own = _own_metadata(conn, row)
        values: dict[str, Any] = {"case_id": case["id"]}
        taken: tuple[str, ...] = ()
        if row.kind == "filed":
            countries, type_, level, taken = inherit(
                target, countries=own["countries"], type_=own["type"], level=own["level"])
            values.update(countries=json.dumps(list(countries)), type=type_, level=level)
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))
        log_event(conn, "doc.relink", by=by, case_id=case["id"], doc_id=doc_id,
                  note=f"from {row.case_id or 'unassigned'}")
        if taken:
            log_event(conn, "doc.inherited", by="system", case_id=case["id"], doc_id=doc_id,
                      note=inherited_note(taken, case["id"]))
        done: tuple[int, ...] = ()
        if row.kind == "filed" and is_negotiated_instrument(target, own["type"],
                                                             own["countries"]):
            done = complete_by_filing(arc, conn, case["id"], today())
    index_documents(arc, [doc_id])
    steps = f"; step {' and '.join(map(str, done))} done" if done else ""
    return f"linked  {doc_id} -> {case['id']}{steps}"


def _own_metadata(conn: Any, row: Any) -> dict[str, Any]:
    """The document's metadata as its own text gave it: fields it took from its previous
    case (a doc.inherited event of that case) count as not given."""
    from .filing import inherited_fields

    own: dict[str, Any] = {"countries": tuple(json.loads(row.countries or "[]")),
                           "type": row.type, "level": row.level}
    if row.case_id:
        note = conn.execute(
            select(events.c.note).where(events.c.doc_id == row.id,
                                        events.c.case_id == row.case_id,
                                        events.c.action == "doc.inherited")
            .order_by(desc(events.c.id)).limit(1)
        ).scalar()
        for field in inherited_fields(note):
            own[field] = () if field == "countries" else None
    return own
