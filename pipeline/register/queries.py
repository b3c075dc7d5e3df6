"""Reading the register: a case, its history, the case list, what is due and how timely the
steps were. Returns the typed values of pipeline/register/model.py; the faces show them and
pipeline/serialize.py gives their JSON. The operations that change cases are in `cases`."""

from __future__ import annotations

import json
import threading
from collections import namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Date, String, cast, func, select

from pipeline.archive import Archive
from pipeline.clock import today
from pipeline.errors import CaseNotFound, RegisterDamaged
from pipeline.register import sop
from pipeline.register.model import Case, DueItem, Event, Negotiation
from pipeline.register.store import case_values, cases, events, steps
from pipeline.register.timeline import Timeline, compute, negotiation_end
from pipeline.vocab.countries import resolve_country
from pipeline.vocab.instruments import resolve_type


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



def _values(conn: Connection, case_id: str) -> dict[str, str]:
    rows = conn.execute(select(case_values.c.key, case_values.c.value)
                        .where(case_values.c.case_id == case_id).order_by(case_values.c.key))
    return {r.key: r.value for r in rows}


# ---------------------------------------------------------------- reading


# Dates a register written by `ika` can hold; anything else was put there by hand or by a
# damaged copy, and is named as such instead of failing deep in the deadline arithmetic.
_SANE = (date(1900, 1, 1), date(2200, 12, 31))


def _damaged(case_id: str, what: str, value: Any) -> RegisterDamaged:
    return RegisterDamaged(
        f"{case_id}: the register holds {value!r} as its {what}, which is not a date this "
        "archive can have; restore the register from a backup or correct that row")


def _checked(case_id: str, what: str, value: Any) -> Any:
    """`value` as a date (or None), or RegisterDamaged naming the case and the field."""
    if value is None:
        return None
    try:
        day = _as_date(value)
    except (ValueError, TypeError):
        raise _damaged(case_id, what, value) from None
    if not _SANE[0] <= day <= _SANE[1]:
        raise _damaged(case_id, what, str(day))
    return day


def load_case(conn: Connection, case_id: str) -> CaseRow:
    key = case_id.strip().upper()
    row = conn.execute(select(*_FAST_COLUMNS).where(cases.c.id == key)).first()
    if row is None:
        raise CaseNotFound(f"no case {case_id!r}; `ika case list` shows the cases")
    done: dict[int, date] = {}
    notes: dict[int, str | None] = {}
    day = cast(steps.c.done, String)
    for n, when, note in conn.execute(
        select(steps.c.n, day, steps.c.note).where(steps.c.case_id == row.id)
    ):
        done[n] = _checked(row.id, f"step {n} date", when)
        notes[n] = note
    return CaseRow(_FastRow(*_parsed(row)), done, notes)


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
                done[case_id][n] = _checked(case_id, f"step {n} date", when)
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
        values[i] = _checked(values[0], _COLUMN_NAMES[i], values[i])
    return values


_COLUMN_NAMES = [c.name.replace("_", " ") for c in cases.columns]


def to_case(arc: Archive, case: CaseRow, on: date, tl: Timeline | None = None,
            values: dict[str, str] | None = None) -> Case:
    """A case as stored, with its timeline on `on`: where it stands."""
    r = case.row
    tl = tl or case.timeline(arc, on)
    start = r.negotiation_start
    end = negotiation_end(start, r.negotiation_days or 3) if start else None
    return Case(
        id=r.id,
        title=r.title,
        type=r.type,
        level=r.level,
        countries=tuple(json.loads(r.countries)),
        division=r.division,
        status=tl.status,
        current_step=tl.current,
        received=r.received,
        source=r.source,
        file_ref=r.file_ref,
        their_ref=r.their_ref,
        security=r.security,
        decision=r.decision,
        decision_date=case.done.get(sop.DECISION_STEP),
        submitted=r.submitted,
        withdrawn=r.withdrawn,
        negotiation=Negotiation(start, end, r.negotiation_days, r.negotiation_venue),
        target_date=tl.target,
        steps=tl.steps,
        values=values,
    )


def get_case(arc: Archive, case_id: str) -> Case:
    """One case, with what it knows for its letters (`values`)."""
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        return to_case(arc, case, today(), values=_values(conn, case.id))


def history(arc: Archive, case_id: str) -> list[Event]:
    with arc.register.read() as conn:
        case = load_case(conn, case_id)
        rows = conn.execute(
            select(events).where(events.c.case_id == case.id).order_by(events.c.id)
        ).all()
    return [Event(e.at, e.by, e.action, e.note, e.doc_id) for e in rows]


def list_cases(
    arc: Archive,
    *,
    status: str | None = None,
    overdue: bool = False,
    country: str | None = None,
    type: str | None = None,
    division: str | None = None,
    only_division: str | None = None,
) -> list[Case]:
    """Every case matching the filters, oldest first.
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
) -> tuple[int, list[Case]]:
    """(how many cases match, those from `offset`, at most `limit`): a page of `list_cases`
    without building ten thousand cases to show fifty."""
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
    return len(matched), [to_case(arc, case, on, tl) for case, tl in page]


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
        "overdue": sum(1 for r in rows if r.overdue_days),
        f"due_{soon}_days": sum(1 for r in near
                                 if r.status != "waiting" and not r.overdue_days),
        "waiting": sum(1 for r in rows if r.status == "waiting"),
        "reminders": sum(1 for r in rows if r.reminder),
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
_BUILDING: dict[tuple[Any, ...], threading.Event] = {}  # snapshots being built, by key
_BUILD_WAIT = 120.0  # seconds between looks while another thread builds (it always ends)


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
            building = None if hit is not None else _BUILDING.get(key)
            if hit is None and building is None:
                building = _BUILDING[key] = threading.Event()
                builder = True
            else:
                builder = False
        if hit is not None:
            return hit
        if builder:
            try:
                rows = _load_many(conn)
            except BaseException:
                with _SNAPSHOT_LOCK:
                    _BUILDING.pop(key, None)
                building.set()  # the waiters try again themselves
                raise
    if not builder:
        # Another thread is building this very snapshot: wait for it rather than build it
        # again. Eight waitress threads each building ten thousand timelines at once (after
        # any change, under load) take eight times as long each, hold eight copies, and keep
        # every request waiting on them all.
        building.wait(_BUILD_WAIT)
        with _SNAPSHOT_LOCK:
            hit = _SNAPSHOTS.get(key)
        return hit if hit is not None else _snapshot(arc, on)
    try:
        snap = [(case, case.timeline(arc, on)) for case in rows]
        with _SNAPSHOT_LOCK:
            for old in [k for k in _SNAPSHOTS if k[:2] == key[:2]]:
                _MEMOS.pop(id(_SNAPSHOTS.pop(old)), None)  # one per register and calendar
            _SNAPSHOTS[key] = snap
    finally:
        with _SNAPSHOT_LOCK:
            _BUILDING.pop(key, None)
        building.set()
    if _SETTLE_GC:
        _settle_gc()
    return snap


def due(
    arc: Archive, *, within: int | None = None, division: str | None = None,
    only_division: str | None = None,
) -> list[DueItem]:
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
        out.append(DueItem(
            case=case.id,
            title=case.row.title,
            countries=tuple(json.loads(case.row.countries)),
            type=case.row.type,
            division=case.row.division,
            step=s.n,
            name=s.name,
            actor=on_whom,
            status=s.status,
            due=s.due,
            overdue_days=max(0, (on - s.due).days) if s.due and s.status != "waiting" else 0,
            waiting_since=s.since,
            waiting_days=waited,
            reminder=reminder,
        ))
    out.sort(key=_due_order)
    _memo(snap, ("due", within, division, only_division), out)
    return list(out)


def _due_order(row: DueItem) -> tuple[Any, ...]:
    if row.status == "waiting":
        return (2, -(row.waiting_days or 0), row.case)
    return (0 if row.overdue_days else 1, -row.overdue_days, row.due or date.min, row.case)


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
