"""Cases: open one and move it through the SOP. Reading where cases stand (a case, the
case list, what is due) is in `queries`; its functions are named here too, for the callers
that know the register as `cases`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from pipeline.archive import Archive
from pipeline.clock import now, today
from pipeline.errors import IkaError, InvalidDate, StepError
from pipeline.register import sop
from pipeline.register.queries import (  # noqa: F401 - the reading API, named here too
    CaseRow,
    _values,
    case_ids,
    due,
    due_counts,
    find_cases,
    get_case,
    history,
    list_cases,
    load_case,
    long_running,
    same_division,
    timeliness,
    to_case,
)
from pipeline.register.store import (
    case_values,
    cases,
    current_user,
    dumps,
    log_event,
    steps,
)
from pipeline.register.timeline import Timeline
from pipeline.vocab.countries import resolve_country
from pipeline.vocab.instruments import default_level, resolve_level, resolve_type

SOURCES = ("kln", "embassy", "management")
EARLIEST = date(1957, 8, 31)  # Merdeka: no case of the Federation is older
MAX_YEARS_AHEAD = 10
MAX_NEGOTIATION_DAYS = 365


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
_OPTION = {"countries": "country"}  # the field's option where its name differs (repeatable)


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
        options = ", ".join(f"--{_OPTION.get(f, f).replace('_', '-')}" for f in EDITABLE)
        raise IkaError(f"nothing to edit: give one of {options}")
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
