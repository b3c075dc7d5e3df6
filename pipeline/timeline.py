"""A case's timeline: each SOP step's due date and status, computed from the SOP data.

Pure: it takes what the register holds and a calendar, and says where the case stands.
Due dates are computed, not stored, so a holiday added to ika.toml moves them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from . import sop
from .workdays import WorkCalendar


class StepState(NamedTuple):
    n: int
    name: str
    actor: str
    due: date | None
    done: date | None
    status: str  # done, open, overdue, waiting, skipped
    note: str | None = None


class Timeline(NamedTuple):
    steps: tuple[StepState, ...]
    current: int | None
    status: str  # open, closed, rejected
    target: date  # the SOP's target for the whole YA path


def negotiation_end(start: date, days: int) -> date:
    """The last day of a negotiation of `days` days starting on `start`."""
    return start + timedelta(days=max(days, 1) - 1)


def compute(
    *,
    received: date,
    decision: str | None,
    done: Mapping[int, date],
    notes: Mapping[int, str | None] | None = None,
    negotiation_start: date | None,
    negotiation_days: int | None,
    calendar: WorkCalendar,
    today: date,
) -> Timeline:
    """Walk the SOP in order; each step's due date counts from its predecessor's done date,
    or, while that is not done yet, from the predecessor's own due date (a projection)."""
    notes = notes or {}
    states: list[StepState] = []
    current: int | None = None
    anchor: date | None = received
    for s in sop.STEPS:
        if not sop.applies(s, decision):
            states.append(StepState(s.n, s.name, s.actor, None, None, "skipped", notes.get(s.n)))
            continue
        if s.scheduled:
            due = (
                negotiation_end(negotiation_start, negotiation_days or s.days)
                if negotiation_start
                else None
            )
        elif anchor is None:
            due = None
        else:
            due = calendar.add_days(anchor, s.days)
        finished = done.get(s.n)
        if finished:
            status = "done"
        elif current is None:
            current = s.n
            if s.scheduled and negotiation_start is None:
                status = "waiting"
            elif due is not None and today > due:
                status = "overdue"
            else:
                status = "open"
        else:
            status = "waiting"
        states.append(StepState(s.n, s.name, s.actor, due, finished, status, notes.get(s.n)))
        anchor = finished or due
    if current is None:
        case_status = "rejected" if decision == "TIDAK" else "closed"
    else:
        case_status = "open"
    target = calendar.next_working_day(received + timedelta(weeks=sop.TARGET_WEEKS))
    return Timeline(tuple(states), current, case_status, target)
