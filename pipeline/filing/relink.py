"""Documents filed without a case — with why, and the case they may belong to — and linking
them to one afterwards."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import desc, select, update

from pipeline.archive import Archive
from pipeline.errors import IkaError
from pipeline.filing.document import UnassignedDocument, record_fields
from pipeline.register.store import documents, events, log_event

DOC_ID = re.compile(r"^DOC-\d{6,}$", re.IGNORECASE)


def is_doc_id(text: str) -> bool:
    return bool(DOC_ID.match(text.strip()))


def unassigned(arc: Archive) -> list[UnassignedDocument]:
    """Every filed document with no case: its title, date (signed, else filed), counterparts,
    type, why it waits (when something looked like a case) and the open case that matches
    its counterparts and type, as a suggestion (`suggested_case`; never linked by itself)."""
    from pipeline.filing.caselink import best_suggestion, open_cases, suggest_cases

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
        result.append(UnassignedDocument(
            **record_fields(r),
            reason=reasons.get(r.id),
            suggested_case=best_suggestion(candidates, r.type, countries),
            matching_cases=tuple(suggest_cases(candidates, r.type, countries)),
        ))
    return result


@dataclass(frozen=True)
class Relinked:
    """A document linked to a case (`already`: it was in that case), and the SOP steps its
    filing there completed."""

    doc_id: str
    case_id: str
    already: bool = False
    steps: tuple[int, ...] = ()


def relink(arc: Archive, doc_id: str, case_id: str, *, by: str | None = None) -> Relinked:
    """Link a filed document to a case; its files move (by hard link, bytes untouched) into
    the case's folder: one case, one folder.

    As when filing into a case: the document takes the case's counterparts, type and level
    where its own text gave none, and completes steps 8 and 9 only if it is the negotiated
    instrument (its own type and counterparts are the case's).
    """
    from pipeline.clock import today
    from pipeline.filing.caselink import facts, inherit, is_negotiated_instrument
    from pipeline.filing.store import inherited_note
    from pipeline.register.cases import complete_by_filing, get_case
    from pipeline.register.store import cases
    from pipeline.search import index_documents

    doc_id = doc_id.strip().upper()
    case = get_case(arc, case_id)
    with arc.register.write() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).first()
        if row is None:
            raise IkaError(f"no document {doc_id}")
        if row.case_id == case.id:
            return Relinked(doc_id, case.id, already=True)
        target = facts(conn.execute(select(cases).where(cases.c.id == case.id)).one())
        own = _own_metadata(conn, row)
        values: dict[str, Any] = {"case_id": case.id}
        taken: tuple[str, ...] = ()
        if row.kind != "generated":
            countries, type_, level, taken = inherit(
                target, countries=own["countries"], type_=own["type"], level=own["level"])
            values.update(countries=json.dumps(list(countries)), type=type_, level=level)
        moved = _linked_into(arc, row, case.id)
        values.update({k: v.relative_to(arc.root).as_posix() for k, v in moved.items()})
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))
        log_event(conn, "doc.relink", by=by, case_id=case.id, doc_id=doc_id,
                  note=f"from {row.case_id or 'unassigned'}")
        if row.case_id:  # the case it leaves keeps a trace of it too
            log_event(conn, "doc.unlink", by=by, case_id=row.case_id, doc_id=doc_id,
                      note=f"to {case.id}")
        if taken:
            log_event(conn, "doc.inherited", by="system", case_id=case.id, doc_id=doc_id,
                      note=inherited_note(taken, case.id))
        done: tuple[int, ...] = ()
        if row.kind == "instrument" and is_negotiated_instrument(target, own["type"],
                                                             own["countries"]):
            done = complete_by_filing(arc, conn, case.id, today())
    for field in moved:  # the register now names the new links: the old names can go
        (arc.root / getattr(row, field)).unlink(missing_ok=True)
    index_documents(arc, [doc_id])
    return Relinked(doc_id, case.id, steps=tuple(done))


def _linked_into(arc: Archive, row: Any, case_id: str) -> dict[str, Path]:
    """Hard links of the document's files in the case's folder (one case, one folder), made
    before the register names them; the caller removes the old names after the commit. The
    bytes are never rewritten. A crash in between leaves an extra name `ika verify` reports,
    never a register row pointing at nothing."""
    folder = arc.files / case_id
    made: dict[str, Path] = {}
    for field in ("path", "ocr_path"):
        rel = getattr(row, field)
        if not rel:
            continue
        old = arc.root / rel
        new = folder / old.name
        if old == new:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old, new)
        except FileExistsError:
            if not (new.samefile(old)):
                raise IkaError(f"{new} exists with other content; run `ika verify`") from None
        made[field] = new
    return made


def _own_metadata(conn: Any, row: Any) -> dict[str, Any]:
    """The document's metadata as its own text gave it: fields it took from its previous
    case (a doc.inherited event of that case) count as not given."""
    from pipeline.filing.store import inherited_fields

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
