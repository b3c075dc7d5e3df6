"""Cases: open one, move it through the SOP, and read where every case stands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from . import sop
from .archive import Archive
from .clock import now, today
from .countries import resolve_country
from .errors import CaseNotFound, IkaError, InvalidDate, StepError
from .instruments import default_level, resolve_level, resolve_type
from .register import cases, dumps, events, log_event, steps
from .timeline import Timeline, compute, negotiation_end

SOURCES = ("kln", "embassy", "management")


@dataclass(frozen=True)
class CaseRow:
    """A case as stored, plus its step completions."""

    row: Any
    done: dict[int, date]
    notes: dict[int, str | None]

    @property
    def id(self) -> str:
        return self.row.id

    def timeline(self, arc: Archive, on: date) -> Timeline:
        r = self.row
        return compute(
            received=r.received,
            decision=r.decision,
            done=self.done,
            notes=self.notes,
            negotiation_start=r.negotiation_start,
            negotiation_days=r.negotiation_days,
            calendar=arc.calendar,
            today=on,
        )


# ---------------------------------------------------------------- writing


def new_case(
    arc: Archive,
    *,
    title: str,
    type: str,
    countries: Sequence[str],
    division: str,
    level: str | None = None,
    source: str | None = None,
    received: date | None = None,
    file_ref: str | None = None,
    their_ref: str | None = None,
    by: str | None = None,
) -> str:
    """Open a case at step 1 and return its id, IKA-YYYY-NNNN."""
    if not title.strip():
        raise IkaError("a case needs a title")
    if not division.strip():
        raise IkaError("a case needs a division")
    type_id = resolve_type(type)
    codes = list(dict.fromkeys(resolve_country(c) for c in countries))
    if not codes:
        raise IkaError("a case needs at least one --country")
    if "MY" in codes:
        raise IkaError("Malaysia is our side: --country names the counterpart(s)")
    lvl = resolve_level(level) if level else default_level(codes)
    if source is not None and source not in SOURCES:
        raise IkaError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    day = received or today()
    if day > today():
        raise InvalidDate(f"received date {day} is in the future")
    with arc.register.write() as conn:
        seq = (
            conn.execute(select(func.max(cases.c.seq)).where(cases.c.year == day.year)).scalar()
            or 0
        ) + 1
        case_id = f"IKA-{day.year}-{seq:04d}"
        pattern = arc.settings.organisation.get("file_ref", "")
        ref = file_ref or (pattern.format(year=day.year, seq=f"{seq:04d}") if pattern else None)
        conn.execute(
            insert(cases).values(
                id=case_id,
                year=day.year,
                seq=seq,
                title=title.strip(),
                type=type_id,
                level=lvl,
                countries=dumps(codes),
                division=division.strip(),
                source=source,
                received=day,
                file_ref=ref,
                their_ref=their_ref,
                status="open",
                created_at=now(),
            )
        )
        log_event(conn, "case.new", by=by, case_id=case_id, note=title.strip())
    return case_id


def complete_step(
    arc: Archive,
    case_id: str,
    n: int,
    *,
    on: date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> Timeline:
    """Mark the case's current step done."""
    if n not in sop.STEP_BY_N:
        raise StepError(f"there is no step {n}; the SOP has steps 1 to {sop.LAST_STEP}")
    if sop.step(n).decision:
        raise StepError(
            f"step {n} is closed by a decision: `ika case decide {case_id} --approve|--reject`"
        )
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        day = _check_completion(arc, case, n, on)
        if sop.step(n).scheduled and case.row.negotiation_start is None:
            raise StepError(
                f"{case_id}: step {n} has no agreed dates yet; "
                f"set them with `ika case schedule {case_id} --start DATE`"
            )
        if sop.step(n).scheduled and day < case.row.negotiation_start:
            raise InvalidDate(
                f"completion date {day} is before the negotiation starts "
                f"({case.row.negotiation_start})"
            )
        _mark_done(conn, case_id, n, day, note, by)
        log_event(conn, "step.done", by=by, case_id=case_id, note=_event_note(n, day, note))
        return refresh_status(arc, conn, case_id)


def decide(
    arc: Archive,
    case_id: str,
    *,
    approve: bool,
    on: date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> Timeline:
    """Record top management's YA/TIDAK, which closes the decision step."""
    n = sop.DECISION_STEP
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        if case.row.decision:
            raise StepError(f"{case_id} was already decided: {case.row.decision}")
        day = _check_completion(arc, case, n, on)
        decision = "YA" if approve else "TIDAK"
        conn.execute(update(cases).where(cases.c.id == case_id).values(decision=decision))
        _mark_done(conn, case_id, n, day, note, by)
        log_event(
            conn,
            "case.decide",
            by=by,
            case_id=case_id,
            note=_event_note(n, day, f"{decision}" + (f": {note}" if note else "")),
        )
        return refresh_status(arc, conn, case_id)


def schedule(
    arc: Archive,
    case_id: str,
    *,
    start: date,
    days: int = 3,
    venue: str | None = None,
    by: str | None = None,
) -> Timeline:
    """Record the negotiation's agreed start (and length), which sets its due date."""
    n = sop.SCHEDULED_STEP
    if days < 1:
        raise IkaError("--days must be at least 1")
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        if case.row.decision == "TIDAK":
            raise StepError(f"{case_id} was not approved (TIDAK): there is no negotiation")
        if case.row.decision != "YA":
            raise StepError(f"{case_id} has no approval yet: decide step {sop.DECISION_STEP} first")
        if n in case.done:
            raise StepError(f"{case_id}: the negotiation (step {n}) is already done")
        decided = case.done.get(sop.DECISION_STEP)
        if decided and start < decided:
            raise InvalidDate(f"the negotiation cannot start ({start}) before approval ({decided})")
        conn.execute(
            update(cases)
            .where(cases.c.id == case_id)
            .values(negotiation_start=start, negotiation_days=days, negotiation_venue=venue)
        )
        log_event(
            conn,
            "case.schedule",
            by=by,
            case_id=case_id,
            note=f"step {n}: from {start} for {days} days" + (f" at {venue}" if venue else ""),
        )
        return refresh_status(arc, conn, case_id)


def _check_completion(arc: Archive, case: CaseRow, n: int, on: date | None) -> date:
    """Only the current step can be completed, on a day between its predecessor's and today."""
    tl = case.timeline(arc, today())
    if tl.current is None:
        raise StepError(f"{case.id} is {tl.status}: no step is open")
    if n != tl.current:
        state = next(s for s in tl.steps if s.n == n)
        why = {"done": "is already done", "skipped": "is skipped on this case's branch"}.get(
            state.status, "is not the current step"
        )
        raise StepError(f"{case.id}: step {n} {why}; the current step is {tl.current}")
    day = on or today()
    if day > today():
        raise InvalidDate(f"completion date {day} is in the future")
    previous = max(case.done.values(), default=case.row.received)
    if day < previous:
        raise InvalidDate(f"completion date {day} is before the previous step's ({previous})")
    return day


def _mark_done(
    conn: Connection, case_id: str, n: int, day: date, note: str | None, by: str | None
) -> None:
    from .register import current_user

    conn.execute(
        insert(steps).values(case_id=case_id, n=n, done=day, note=note, by=by or current_user())
    )


def complete_by_filing(arc: Archive, conn: Connection, case_id: str, on: date) -> tuple[int, ...]:
    """A negotiated document filed for a case waiting to hand it over or to file it completes
    both steps, done by the system on the filing date. Returns the steps it completed."""
    case = load_case(conn, case_id)
    if case.timeline(arc, on).current not in (sop.HANDOVER_STEP, sop.FILING_STEP):
        return ()
    done = []
    for n in (sop.HANDOVER_STEP, sop.FILING_STEP):
        if n in case.done:
            continue
        day = max(on, *case.done.values(), case.row.received)
        note = "negotiated document filed"
        _mark_done(conn, case_id, n, day, note, "system")
        log_event(conn, "step.done", by="system", case_id=case_id, note=_event_note(n, day, note))
        case.done[n] = day
        done.append(n)
    refresh_status(arc, conn, case_id)
    return tuple(done)


def refresh_status(arc: Archive, conn: Connection, case_id: str) -> Timeline:
    case = load_case(conn, case_id)
    tl = case.timeline(arc, today())
    if tl.status != case.row.status:
        conn.execute(update(cases).where(cases.c.id == case_id).values(status=tl.status))
        log_event(conn, f"case.{tl.status}", by="system", case_id=case_id)
    return tl


def _event_note(n: int, day: date, note: str | None) -> str:
    return f"step {n} done {day}" + (f": {note}" if note else "")


# ---------------------------------------------------------------- reading


def load_case(conn: Connection, case_id: str) -> CaseRow:
    row = conn.execute(select(cases).where(cases.c.id == case_id.strip().upper())).first()
    if row is None:
        raise CaseNotFound(f"no case {case_id!r}; `ika case list` shows the cases")
    done: dict[int, date] = {}
    notes: dict[int, str | None] = {}
    for s in conn.execute(select(steps).where(steps.c.case_id == row.id)):
        done[s.n] = s.done
        notes[s.n] = s.note
    return CaseRow(row, done, notes)


def _load_many(conn: Connection, where: Iterable[Any] = ()) -> list[CaseRow]:
    query = select(cases).order_by(cases.c.year, cases.c.seq)
    for w in where:
        query = query.where(w)
    rows = conn.execute(query).all()
    done: dict[str, dict[int, date]] = {r.id: {} for r in rows}
    notes: dict[str, dict[int, str | None]] = {r.id: {} for r in rows}
    if rows:
        for s in conn.execute(select(steps.c.case_id, steps.c.n, steps.c.done, steps.c.note)):
            if s.case_id in done:
                done[s.case_id][s.n] = s.done
                notes[s.case_id][s.n] = s.note
    return [CaseRow(r, done[r.id], notes[r.id]) for r in rows]


def case_dict(arc: Archive, case: CaseRow, on: date) -> dict[str, Any]:
    """The DESIGN's JSON shape of a case, plus what documents and reports need."""
    r = case.row
    tl = case.timeline(arc, on)
    start = r.negotiation_start
    end = negotiation_end(start, r.negotiation_days or 3) if start else None
    decided = case.done.get(sop.DECISION_STEP)
    return {
        "id": r.id,
        "title": r.title,
        "type": r.type,
        "level": r.level,
        "countries": json.loads(r.countries),
        "division": r.division,
        "status": tl.status,
        "current_step": tl.current,
        "received": r.received.isoformat(),
        "source": r.source,
        "file_ref": r.file_ref,
        "their_ref": r.their_ref,
        "decision": r.decision,
        "decision_date": decided.isoformat() if decided else None,
        "negotiation": {
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "days": r.negotiation_days,
            "venue": r.negotiation_venue,
        },
        "target_date": tl.target.isoformat(),
        "steps": [
            {
                "n": s.n,
                "name": s.name,
                "actor": s.actor,
                "due": s.due.isoformat() if s.due else None,
                "done": s.done.isoformat() if s.done else None,
                "status": s.status,
                "note": s.note,
            }
            for s in tl.steps
        ],
    }


def get_case(arc: Archive, case_id: str) -> dict[str, Any]:
    with arc.register.read() as conn:
        return case_dict(arc, load_case(conn, case_id), today())


def history(arc: Archive, case_id: str) -> list[dict[str, Any]]:
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        rows = conn.execute(
            select(events).where(events.c.case_id == case.id).order_by(events.c.id)
        ).all()
    return [
        {
            "at": e.at.isoformat(sep=" "),
            "by": e.by,
            "action": e.action,
            "note": e.note,
            "doc_id": e.doc_id,
        }
        for e in rows
    ]


def list_cases(
    arc: Archive,
    *,
    status: str | None = None,
    overdue: bool = False,
    country: str | None = None,
    type: str | None = None,
) -> list[dict[str, Any]]:
    where = []
    if status:
        where.append(cases.c.status == status)
    if type:
        where.append(cases.c.type == resolve_type(type))
    code = resolve_country(country) if country else None
    on = today()
    with arc.register.read() as conn:
        rows = _load_many(conn, where)
    out = []
    for case in rows:
        if code and code not in json.loads(case.row.countries):
            continue
        d = case_dict(arc, case, on)
        if overdue and not any(s["status"] == "overdue" for s in d["steps"]):
            continue
        out.append(d)
    return out


def due(arc: Archive, *, within: int | None = None) -> list[dict[str, Any]]:
    """Open steps across all open cases, overdue first, then by due date."""
    on = today()
    with arc.register.read() as conn:
        rows = _load_many(conn, [cases.c.status == "open"])
    out = []
    for case in rows:
        tl = case.timeline(arc, on)
        for s in tl.steps:
            if s.status not in ("open", "overdue") or s.due is None:
                continue
            if within is not None and s.due > on + timedelta(days=within):
                continue
            out.append(
                {
                    "case": case.id,
                    "title": case.row.title,
                    "step": s.n,
                    "name": s.name,
                    "actor": s.actor,
                    "due": s.due.isoformat(),
                    "overdue_days": max(0, (on - s.due).days),
                }
            )
    out.sort(key=lambda x: (-x["overdue_days"], x["due"], x["case"]))
    return out
