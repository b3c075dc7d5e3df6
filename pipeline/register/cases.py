"""Cases: open one, move it through the SOP, and read where every case stands."""

from __future__ import annotations

import json
import threading
from collections import namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Date, String, cast, func, insert, select, update

from pipeline.archive import Archive
from pipeline.clock import now, today
from pipeline.errors import CaseNotFound, IkaError, InvalidDate, StepError
from pipeline.register import sop
from pipeline.register.store import (
    case_values,
    cases,
    current_user,
    dumps,
    events,
    log_event,
    steps,
)
from pipeline.register.timeline import Timeline, compute, negotiation_end
from pipeline.vocab.countries import resolve_country
from pipeline.vocab.instruments import default_level, resolve_level, resolve_type

SOURCES = ("kln", "embassy", "management")
EARLIEST = date(1957, 8, 31)  # Merdeka: no case of the Federation is older
MAX_YEARS_AHEAD = 10
MAX_NEGOTIATION_DAYS = 365
_POSITION = {s.n: i for i, s in enumerate(sop.STEPS)}  # a step's place in a timeline


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
            submitted=r.submitted,
            withdrawn=r.withdrawn,
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
    security: str | None = None,
    by: str | None = None,
) -> str:
    """Open a case at step 1 and return its id, IKA-YYYY-NNNN. `division` is a key or a name
    of ika.toml's [divisions] (stored as its full name) or, for a Division the directory does
    not know, the name as typed."""
    title = clean_title(title)
    if not division.strip():
        raise IkaError("a case needs a division")
    division = arc.settings.division_name(division)
    marking = _security(security)
    type_id = resolve_type(type)
    codes = _counterparts(countries)
    lvl = resolve_level(level) if level else default_level(codes)
    if source is not None:
        _source(source)
    day = received or today()
    check_plausible(day, "received date")
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
                title=title,
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
                security=marking,
            )
        )
        log_event(conn, "case.new", by=by, case_id=case_id, note=title)
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
        return submit(arc, case_id, on=on, note=note, by=by)
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        case_id = case.id
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


def submit(
    arc: Archive,
    case_id: str,
    *,
    on: date | None = None,
    note: str | None = None,
    by: str | None = None,
) -> Timeline:
    """Record that the Division submitted the Minit Cerai to top management: the decision
    step's first moment, which meets (or misses) the Division's deadline. The step stays
    open, waiting on top management, until `decide`."""
    n = sop.DECISION_STEP
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        case_id = case.id
        if case.row.submitted is not None:
            raise StepError(
                f"{case.id}: the Minit Cerai was already submitted on {case.row.submitted}; "
                f"record the decision with `ika case decide {case.id} --approve|--reject`"
            )
        day = _check_completion(arc, case, n, on)
        conn.execute(
            update(cases).where(cases.c.id == case.id)
            .values(submitted=day, submitted_by=by or current_user())
        )
        log_event(conn, "step.submitted", by=by, case_id=case.id,
                  note=f"step {n}: Minit Cerai submitted {day}" + (f": {note}" if note else ""))
        return refresh_status(arc, conn, case.id)


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
        case_id = case.id
        if case.row.decision:
            raise StepError(f"{case_id} was already decided: {case.row.decision}")
        day = _check_completion(arc, case, n, on)
        decision = "YA" if approve else "TIDAK"
        # A submission not recorded apart counts as made on the decision day (timeline).
        conn.execute(update(cases).where(cases.c.id == case.id).values(decision=decision))
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
    if not 1 <= days <= MAX_NEGOTIATION_DAYS:
        raise IkaError(f"--days must be between 1 and {MAX_NEGOTIATION_DAYS}")
    check_plausible(start, "negotiation start")
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        case_id = case.id
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


EDITABLE = ("title", "type", "countries", "level", "division", "source", "file_ref", "their_ref",
            "security")


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


def edit_case(
    arc: Archive,
    case_id: str,
    *,
    by: str | None = None,
    title: str | None = None,
    type: str | None = None,
    countries: Sequence[str] | None = None,
    level: str | None = None,
    division: str | None = None,
    source: str | None = None,
    file_ref: str | None = None,
    their_ref: str | None = None,
    security: str | None = None,
) -> list[Change]:
    """Correct a case's facts. Nothing is erased: each changed field is an event old -> new.
    Giving only the current values is an error (nothing to record). An empty security
    clears the marking."""
    wanted: dict[str, Any] = {}
    if title is not None:
        wanted["title"] = clean_title(title)
    if type is not None:
        wanted["type"] = resolve_type(type)
    if countries is not None:
        wanted["countries"] = _counterparts(countries)
    if level is not None:
        wanted["level"] = resolve_level(level)
    if division is not None:
        wanted["division"] = arc.settings.division_name(_required(division, "division"))
    if source is not None:
        wanted["source"] = _source(source)
    if file_ref is not None:
        wanted["file_ref"] = file_ref.strip() or None
    if their_ref is not None:
        wanted["their_ref"] = their_ref.strip() or None
    if security is not None:
        wanted["security"] = _security(security)
    if not wanted:
        raise IkaError(f"nothing to edit: give one of --{', --'.join(EDITABLE).replace('_', '-')}")
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        r = case.row
        old: dict[str, Any] = {f: getattr(r, f) for f in EDITABLE}
        old["countries"] = json.loads(r.countries)
        if (
            "countries" in wanted and "level" not in wanted
            and r.level == default_level(old["countries"])
        ):  # the level followed the countries: it still does
            wanted["level"] = default_level(wanted["countries"])
        changes = [Change(f, old[f], v) for f, v in wanted.items() if old[f] != v]
        if not changes:
            raise IkaError(f"{case.id}: nothing changed (the values given are the current ones)")
        values = {c.field: dumps(c.new) if c.field == "countries" else c.new for c in changes}
        conn.execute(update(cases).where(cases.c.id == case.id).values(**values))
        for c in changes:
            log_event(conn, "case.edit", by=by, case_id=case.id,
                      note=f"{c.field}: {_shown(c.old)} -> {_shown(c.new)}")
    return changes


def undo(arc: Archive, case_id: str, *, reason: str, by: str | None = None) -> tuple[str, Timeline]:
    """Reopen the last thing done on the case: a withdrawal, a step, the decision or the
    Minit Cerai's submission. The register keeps what was undone in the event's note.
    Returns what was undone, in words, and the case's timeline after it."""
    reason = _required(reason, "reason")
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        r = case.row
        where = cases.c.id == case.id
        if r.withdrawn is not None:
            conn.execute(update(cases).where(where).values(withdrawn=None))
            what = f"withdrawal of {r.withdrawn} undone"
        elif r.submitted is not None and sop.DECISION_STEP not in case.done:
            conn.execute(update(cases).where(where).values(submitted=None, submitted_by=None))
            what = f"submission of the Minit Cerai on {r.submitted} undone"
        elif case.done:
            n = max(case.done)
            who = conn.execute(
                select(steps.c.by).where(steps.c.case_id == case.id, steps.c.n == n)
            ).scalar()
            conn.execute(steps.delete().where(steps.c.case_id == case.id, steps.c.n == n))
            what = f"step {n} reopened (was done {case.done[n]} by {who})"
            if sop.step(n).decision:
                conn.execute(update(cases).where(where).values(decision=None))
                what = f"decision {r.decision} of {case.done[n]} undone; step {n} reopened"
        else:
            raise StepError(f"{case.id}: nothing to undo (no step has been completed)")
        log_event(conn, "case.undo", by=by, case_id=case.id, note=f"{what}: {reason}")
        return what, refresh_status(arc, conn, case.id)


def withdraw(
    arc: Archive, case_id: str, *, reason: str, on: date | None = None, by: str | None = None
) -> Timeline:
    """End a case that will not go on. Its steps, events and documents stay; it leaves the
    due lists. `undo` reinstates it."""
    reason = _required(reason, "reason")
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        status = case.row.status
        if status != "open":
            raise StepError(f"{case.id} is {status}: only an open case can be withdrawn")
        day = on or today()
        check_plausible(day, "date")
        if day > today():
            raise InvalidDate(f"withdrawal date {day} is in the future")
        conn.execute(update(cases).where(cases.c.id == case.id).values(withdrawn=day))
        log_event(conn, "case.withdraw", by=by, case_id=case.id, note=f"withdrawn {day}: {reason}")
        return refresh_status(arc, conn, case.id)


def _security(value: str | None) -> str | None:
    from pipeline.documents.letterfields import security_level

    return security_level(value, "--security")


# ---------------------------------------------------------------- what the case knows


def _kept(key: str, raw: str | None) -> str | None:
    """A value the case keeps, checked against its field's kind; None or blank clears it."""
    from pipeline.documents.letterfields import kept_fields

    spec = kept_fields().get(key)
    if spec is None:
        known = ", ".join(kept_fields())
        raise IkaError(f"{key!r} is not a value the case keeps; these are: {known}")
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    if spec.kind in ("date", "day"):
        try:
            date.fromisoformat(text)
        except ValueError:
            raise InvalidDate(f"{key}={text!r} is not a date (use YYYY-MM-DD)") from None
    return text


def check_case_values(values: dict[str, str | None]) -> None:
    """Refuse an unknown key or a value of the wrong kind before anything is written."""
    for key, value in values.items():
        _kept(key, value)


def set_case_values(arc: Archive, case_id: str, values: dict[str, str | None], *,
                    by: str | None = None) -> list[Change]:
    """Keep what the case knows (the request's reference and date, the embassy's note, the
    meeting's date, venue, attendance, outcome ...) for every later document. Each change is
    an event "case.value", "key: old -> new"; a blank value removes it. `ruj_surat` is the
    case's their_ref (an edit event, as `ika case edit --their-ref`). Unchanged values are
    left alone; the changes are returned."""
    checked = {k: _kept(k, v) for k, v in values.items()}
    changes: list[Change] = []
    with arc.register.write() as conn:
        case = load_case(conn, case_id)
        old = {r.key: r.value for r in conn.execute(
            select(case_values.c.key, case_values.c.value)
            .where(case_values.c.case_id == case.id))}
        for key, new in checked.items():
            if key == "ruj_surat":
                if case.row.their_ref != new:
                    conn.execute(update(cases).where(cases.c.id == case.id)
                                 .values(their_ref=new))
                    log_event(conn, "case.edit", by=by, case_id=case.id,
                              note=f"their_ref: {_shown(case.row.their_ref)} -> {_shown(new)}")
                    changes.append(Change("their_ref", case.row.their_ref, new))
                continue
            if old.get(key) == new:
                continue
            where = (case_values.c.case_id == case.id) & (case_values.c.key == key)
            if new is None:
                conn.execute(case_values.delete().where(where))
            elif key in old:
                conn.execute(update(case_values).where(where)
                             .values(value=new, set_at=now(), set_by=by or current_user()))
            else:
                conn.execute(insert(case_values).values(case_id=case.id, key=key, value=new,
                                                        set_at=now(),
                                                        set_by=by or current_user()))
            log_event(conn, "case.value", by=by, case_id=case.id,
                      note=f"{key}: {_shown(old.get(key))} -> {_shown(new)}")
            changes.append(Change(key, old.get(key), new))
    return changes


def get_case_values(arc: Archive, case_id: str) -> dict[str, str]:
    """What the case knows for its letters, as given (ISO dates, ;-separated lists)."""
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        return _values(conn, case.id)


def _values(conn: Connection, case_id: str) -> dict[str, str]:
    rows = conn.execute(select(case_values.c.key, case_values.c.value)
                        .where(case_values.c.case_id == case_id).order_by(case_values.c.key))
    return {r.key: r.value for r in rows}


MAX_TITLE = 500


def clean_title(title: str) -> str:
    """A title is one line a person can read: control characters and escape codes go, runs
    of spaces and line breaks become one space, and it has at most MAX_TITLE characters."""
    from pipeline.text import printable

    title = " ".join(printable(title).split())
    if not title:
        raise IkaError("a case needs a title (it cannot be empty)")
    if len(title) > MAX_TITLE:
        raise IkaError(f"a title has at most {MAX_TITLE} characters (this one has {len(title)})")
    return title


def _required(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise IkaError(f"the {what} cannot be empty")
    return value


def _counterparts(countries: Sequence[str]) -> list[str]:
    codes = list(dict.fromkeys(resolve_country(c) for c in countries))
    if not codes:
        raise IkaError("a case needs at least one --country")
    if "MY" in codes:
        raise IkaError("Malaysia is our side: --country names the counterpart(s)")
    return codes


def _source(source: str) -> str:
    if source not in SOURCES:
        raise IkaError(f"unknown source {source!r}; use one of {', '.join(SOURCES)}")
    return source


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ",".join(value)
    return repr(value) if isinstance(value, str) else str(value)


def check_plausible(day: date, what: str) -> None:
    """Dates come from people: refuse ones no negotiation can have (a typo such as 9999-12-28
    would otherwise overflow every deadline computed from it)."""
    latest = today() + timedelta(days=366 * MAX_YEARS_AHEAD)
    if not EARLIEST <= day <= latest:
        raise InvalidDate(f"{what} {day} is not plausible (use a date from {EARLIEST} to {latest})")


def _check_completion(arc: Archive, case: CaseRow, n: int, on: date | None) -> date:
    """Only the current step can be completed, on a day between its predecessor's and today."""
    if on is not None:
        check_plausible(on, "date")
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
    sent = case.row.submitted
    if n == sop.DECISION_STEP and sent is not None and day < sent:
        raise InvalidDate(f"decision date {day} is before the Minit Cerai was submitted ({sent})")
    if day < previous:
        raise InvalidDate(f"completion date {day} is before the previous step's ({previous})")
    return day


def _mark_done(
    conn: Connection, case_id: str, n: int, day: date, note: str | None, by: str | None
) -> None:
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
    """Many cases at once. Dates are read as text and parsed by `date.fromisoformat` (C),
    not by SQLAlchemy's per-value SQLite date processor: `ika due` reads ten thousand."""
    query = select(*_FAST_COLUMNS).order_by(cases.c.year, cases.c.seq)
    for w in where:
        query = query.where(w)
    rows = [_FastRow(*_parsed(r)) for r in conn.execute(query)]
    done: dict[str, dict[int, date]] = {r.id: {} for r in rows}
    notes: dict[str, dict[int, str | None]] = {r.id: {} for r in rows}
    if rows:
        day = cast(steps.c.done, String)
        for case_id, n, when, note in conn.execute(
            select(steps.c.case_id, steps.c.n, day, steps.c.note)
        ):
            if case_id in done:
                done[case_id][n] = _as_date(when)
                notes[case_id][n] = note
    return [CaseRow(r, done[r.id], notes[r.id]) for r in rows]


def _as_date(value: Any) -> Any:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


_DATE_COLUMNS = {c.name for c in cases.columns if isinstance(c.type, Date)}
_FAST_COLUMNS = [
    cast(c, String).label(c.name) if c.name in _DATE_COLUMNS else c for c in cases.columns
]
_FastRow = namedtuple("_FastRow", [c.name for c in cases.columns])  # type: ignore[misc]
_DATE_AT = [i for i, c in enumerate(cases.columns) if c.name in _DATE_COLUMNS]


def _parsed(row: Any) -> list[Any]:
    values = list(row)
    for i in _DATE_AT:
        if values[i] is not None:
            values[i] = _as_date(values[i])
    return values


def case_dict(arc: Archive, case: CaseRow, on: date,
              tl: Timeline | None = None) -> dict[str, Any]:
    """The DESIGN's JSON shape of a case, plus what documents and reports need."""
    r = case.row
    tl = tl or case.timeline(arc, on)
    start = r.negotiation_start
    end = negotiation_end(start, r.negotiation_days or 3) if start else None
    decided = case.done.get(sop.DECISION_STEP)
    out: dict[str, Any] = {
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
        "security": r.security,
        "decision": r.decision,
        "decision_date": decided.isoformat() if decided else None,
        "submitted": r.submitted.isoformat() if r.submitted else None,
        "withdrawn": r.withdrawn.isoformat() if r.withdrawn else None,
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
                "late_days": s.late_days,
            }
            for s in tl.steps
        ],
    }
    at = _POSITION[sop.DECISION_STEP]
    out["steps"][at]["submitted"] = _iso(tl.steps[at].submitted)
    cur = tl.current_state
    if cur is not None and cur.since:
        out["steps"][_POSITION[cur.n]]["waiting_since"] = cur.since.isoformat()
    return out


def get_case(arc: Archive, case_id: str) -> dict[str, Any]:
    """One case in the DESIGN's JSON shape, with what it knows for its letters ("values")."""
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        out = case_dict(arc, case, today())
        out["values"] = _values(conn, case.id)
        return out


def history(arc: Archive, case_id: str) -> list[dict[str, Any]]:
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        case_id = case.id
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
    division: str | None = None,
    only_division: str | None = None,
) -> list[dict[str, Any]]:
    """Every case matching the filters, in the DESIGN's JSON shape, oldest first.
    `division` matches a name or a part of it (a search); `only_division` is access control:
    the same Division exactly (`same_division`)."""
    return find_cases(arc, status=status, overdue=overdue, country=country, type=type,
                      division=division, only_division=only_division)[1]


def find_cases(
    arc: Archive,
    *,
    status: str | None = None,
    overdue: bool = False,
    country: str | None = None,
    type: str | None = None,
    division: str | None = None,
    only_division: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """(how many cases match, the JSON of those from `offset`, at most `limit`): a page of
    `list_cases` without building the JSON of ten thousand cases to show fifty."""
    wanted = _division_matcher(division)
    type_id = resolve_type(type) if type else None
    code = resolve_country(country) if country else None
    on = today()
    snap = _snapshot(arc, on)
    key = ("find", status, overdue, code, type_id, division, only_division)
    matched: list[tuple[CaseRow, Timeline]] | None = _memo(snap, key)
    if matched is None:
        matched = _matching(snap, status, overdue, code, type_id, wanted, only_division)
        _memo(snap, key, matched)
    page = matched[offset: None if limit is None else offset + limit]
    return len(matched), [case_dict(arc, case, on, tl) for case, tl in page]


def _matching(snap: list[tuple[CaseRow, Timeline]], status: str | None, overdue: bool,
              code: str | None, type_id: str | None, wanted: Any,
              only_division: str | None) -> list[tuple[CaseRow, Timeline]]:
    matched: list[tuple[CaseRow, Timeline]] = []
    for case, tl in snap:
        r = case.row
        if status and tl.status != status:
            continue
        if type_id and r.type != type_id:
            continue
        if code and code not in _countries(case):
            continue
        if wanted and not wanted(r.division):
            continue
        if only_division is not None and not same_division(r.division, only_division):
            continue
        if overdue and not any(s.status == "overdue" for s in tl.steps):
            continue
        matched.append((case, tl))
    return matched


def case_ids(arc: Archive, *, only_division: str) -> list[str]:
    """The ids of one Division's cases (`same_division`): what its officers may search."""
    return [case.id for case, _ in _snapshot(arc, today())
            if same_division(case.row.division, only_division)]


def due_counts(arc: Archive, *, soon: int = 7, only_division: str | None = None
               ) -> dict[str, int]:
    """How many open cases are overdue, due within `soon` days, waiting on others (and
    how many of those need a reminder): the dashboard's counts."""
    snap = _snapshot(arc, today())
    key = ("due_counts", soon, only_division)
    memo = _memo(snap, key)
    if memo is not None:
        return dict(memo)
    rows = due(arc, only_division=only_division)
    near = due(arc, within=soon, only_division=only_division)
    counts = {
        "open": len(rows),
        "overdue": sum(1 for r in rows if r["overdue_days"]),
        f"due_{soon}_days": sum(1 for r in near
                                 if r["status"] != "waiting" and not r["overdue_days"]),
        "waiting": sum(1 for r in rows if r["status"] == "waiting"),
        "reminders": sum(1 for r in rows if r["reminder"]),
    }
    return dict(_memo(snap, key, counts))


def timeliness(
    arc: Archive, *, months: int = 12, only_division: str | None = None
) -> dict[str, Any]:
    """How many steps were done on time over the last `months` months, per SOP step and per
    Division: the dashboard's chart. A step counts when its own work was finished (for the
    decision step, the Minit Cerai's submission) within the period; on time when not late."""
    on = today()
    snap = _snapshot(arc, on)
    memo = _memo(snap, ("timeliness", months, only_division))
    if memo is not None:
        return memo
    since = _months_before(on, months)
    per_step: dict[int, list[int]] = {s.n: [0, 0] for s in sop.STEPS}
    per_division: dict[str, list[int]] = {}
    for case, tl in snap:
        division_name = " ".join(case.row.division.split())
        if only_division is not None and not same_division(division_name, only_division):
            continue
        for s in tl.steps:
            finished = s.submitted or s.done
            if finished is None or s.due is None or not since < finished <= on:
                continue
            late = s.late_days or 0
            for bucket in (per_step[s.n], per_division.setdefault(division_name, [0, 0])):
                bucket[0] += 1
                bucket[1] += late == 0

    def row(done: int, on_time: int) -> dict[str, Any]:
        return {"done": done, "on_time": on_time,
                "share": round(on_time / done, 4) if done else None}

    return _memo(snap, ("timeliness", months, only_division), {
        "from": since.isoformat(), "to": on.isoformat(), "months": months,
        "steps": [{"n": s.n, "name": s.name, "name_en": s.name_en, "actor": s.actor,
                   **row(*per_step[s.n])} for s in sop.STEPS],
        "divisions": [{"division": d, **row(*v)}
                      for d, v in sorted(per_division.items(), key=lambda kv: kv[0].casefold())],
    })


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _countries(case: CaseRow) -> list[str]:
    return json.loads(case.row.countries)


# A snapshot of every case with its timeline, kept while the register has not changed: the
# web pages read the same ten thousand cases many times a minute, and computing every
# timeline costs most of a second. Every change to cases and steps writes an event, so the
# newest event's id (with the counts, for rows written without one) says when it is stale.
_SNAPSHOTS: dict[tuple[Any, ...], list[tuple[CaseRow, Timeline]]] = {}
_SNAPSHOT_LOCK = threading.Lock()


_MEMOS: dict[int, dict[Any, Any]] = {}  # results computed from a snapshot, by its id
_SETTLE_GC = False


def long_running() -> None:
    """Say that this process lives long and serves many requests (the web server): each new
    snapshot is then moved out of the garbage collector's way (gc.freeze), or every full
    collection rescans ten thousand cases' timelines — pauses of half a second."""
    global _SETTLE_GC
    _SETTLE_GC = True


def _settle_gc() -> None:
    import gc

    gc.unfreeze()  # what an earlier snapshot froze is collectable again...
    gc.collect()
    gc.freeze()  # ...and what lives now (the new snapshot) is left alone


def _memo(snap: list[tuple[CaseRow, Timeline]], key: Any, value: Any = None) -> Any:
    """A result computed from this snapshot before (or store `value` as it)."""
    with _SNAPSHOT_LOCK:
        memo = _MEMOS.setdefault(id(snap), {})
        if value is not None:
            if len(memo) > 64:
                memo.clear()
            memo[key] = value
        return memo.get(key)


def _snapshot(arc: Archive, on: date) -> list[tuple[CaseRow, Timeline]]:
    with arc.register.read() as conn:
        marker = conn.execute(select(
            select(func.max(events.c.id)).scalar_subquery(),
            select(func.count()).select_from(cases).scalar_subquery(),
            select(func.count()).select_from(steps).scalar_subquery(),
        )).one()
        key = (arc.register_url, id(arc.calendar), on, *marker)
        with _SNAPSHOT_LOCK:
            hit = _SNAPSHOTS.get(key)
        if hit is not None:
            return hit
        rows = _load_many(conn)
    snap = [(case, case.timeline(arc, on)) for case in rows]
    with _SNAPSHOT_LOCK:
        for old in [k for k in _SNAPSHOTS if k[:2] == key[:2]]:
            _MEMOS.pop(id(_SNAPSHOTS.pop(old)), None)  # one snapshot per register and calendar
        _SNAPSHOTS[key] = snap
    if _SETTLE_GC:
        _settle_gc()
    return snap


def due(
    arc: Archive, *, within: int | None = None, division: str | None = None,
    only_division: str | None = None,
) -> list[dict[str, Any]]:
    """Every open case's current step, overdue first, then by due date, then the steps that
    wait on someone else (top management's decision, a negotiation's agreed dates), longest
    wait first. A wait longer than `[reminders] waiting_days` carries a reminder. `within`
    keeps the steps due within that many days (and the waits that need a reminder);
    `only_division` keeps one Division's cases exactly (access control, `same_division`)."""
    on = today()
    snap = _snapshot(arc, on)
    memo = _memo(snap, ("due", within, division, only_division))
    if memo is not None:
        return list(memo)
    remind = arc.settings.remind_waiting_days
    wanted = _division_matcher(division)
    out = []
    for case, tl in snap:
        if tl.status != "open":
            continue
        if wanted and not wanted(case.row.division):
            continue
        if only_division is not None and not same_division(case.row.division, only_division):
            continue
        s = tl.current_state
        if s is None:
            continue
        waited = (on - s.since).days if s.status == "waiting" and s.since else None
        reminder = waited is not None and remind > 0 and waited >= remind
        if within is not None and not reminder and (
            s.due is None or s.status == "waiting" or s.due > on + timedelta(days=within)
        ):
            continue
        on_whom = sop.DECISION_ACTOR if s.status == "waiting" and s.submitted else s.actor
        out.append(
            {
                "case": case.id,
                "title": case.row.title,
                "countries": json.loads(case.row.countries),
                "type": case.row.type,
                "division": case.row.division,
                "step": s.n,
                "name": s.name,
                "actor": on_whom,
                "status": s.status,
                "due": _iso(s.due),
                "overdue_days": max(0, (on - s.due).days) if s.due and s.status != "waiting"
                else 0,
                "waiting_since": _iso(s.since),
                "waiting_days": waited,
                "reminder": reminder,
            }
        )
    out.sort(key=_due_order)
    _memo(snap, ("due", within, division, only_division), out)
    return list(out)


def _due_order(row: dict[str, Any]) -> tuple[Any, ...]:
    if row["status"] == "waiting":
        return (2, -(row["waiting_days"] or 0), row["case"])
    return (0 if row["overdue_days"] else 1, -row["overdue_days"], row["due"] or "", row["case"])


def _division_matcher(division: str | None):  # -> Callable[[str], bool] | None
    """A Division given by its name, a part of it, or its key in the directory."""
    if not division or not division.strip():
        return None
    wanted = " ".join(division.split()).casefold()
    return lambda name: wanted == name.casefold() or wanted in " ".join(name.split()).casefold()


def same_division(case_division: str, division: str) -> bool:
    """Whether a case belongs to `division` (a user's Division): the same name, compared
    without regard to case or spacing. Access control uses this; it never matches a part."""
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    return bool(division.strip()) and norm(case_division) == norm(division)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
