"""A case's timeline: each SOP step's due date and status, computed from the SOP data.

Pure: it takes what the register holds and a calendar, and says where the case stands.
Due dates are computed, not stored, so a holiday added to ika.toml moves them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple

from pipeline.register import sop
from pipeline.register.workdays import WorkCalendar


class StepState(NamedTuple):
    n: int
    name: str
    actor: str
    due: date | None
    done: date | None
    status: str  # done, open, overdue, waiting, skipped
    note: str | None = None
    submitted: date | None = None  # the decision step: the Minit Cerai went up on this day
    since: date | None = None  # a waiting current step: waiting since this day

    @property
    def late_days(self) -> int | None:
        """Days past due when the step's own work was done (for the decision step, the
        submission: the Division's part; the decision itself is top management's)."""
        finished = self.submitted or self.done
        if finished is None or self.due is None:
            return None
        return max(0, (finished - self.due).days)


class Timeline(NamedTuple):
    steps: tuple[StepState, ...]
    current: int | None
    status: str  # open, closed, rejected, withdrawn
    target: date  # the SOP's target for the whole YA path

    @property
    def current_state(self) -> StepState | None:
        return next((s for s in self.steps if s.n == self.current), None)


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
    submitted: date | None = None,
    withdrawn: date | None = None,
) -> Timeline:
    """Walk the SOP in order; each step's due date counts from its predecessor's done date,
    or, while that is not done yet, from the predecessor's own due date (a projection).

    The decision step has two moments: the Division submits the Minit Cerai (its deadline),
    then top management decides. Once submitted it is `waiting` (on top management), never
    the Division's overdue step. A step 7 without agreed dates is `waiting` too. A withdrawn
    case has no current step; what was not done is `skipped`."""
    notes = notes or {}
    states: list[StepState] = []
    current: int | None = None
    previous: date | None = received  # the last step's done date, else its due date
    for s in sop.STEPS:
        if not sop.applies(s, decision):
            states.append(StepState(s.n, s.name, s.actor, None, None, "skipped", notes.get(s.n)))
            continue
        # What the step's days count from (Step.anchor): the request's receipt, the agreed
        # start of the negotiation, else the step before it (the decision and the
        # negotiation's end are the done or due dates of steps 3 and 7).
        anchor = received if s.anchor == "received" else previous
        if s.anchor == "agreed-start":
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
        sent = (submitted or finished) if s.decision else None
        since = None
        if finished:
            status = "done"
        elif withdrawn is not None:
            status = "skipped"
        elif current is None:
            current = s.n
            if s.scheduled and negotiation_start is None:
                status, since = "waiting", anchor
            elif sent is not None:
                status, since = "waiting", sent
            elif due is not None and today > due:
                status = "overdue"
            else:
                status = "open"
        else:
            status = "waiting"
        states.append(
            StepState(s.n, s.name, s.actor, due, finished, status, notes.get(s.n), sent, since)
        )
        previous = finished or due
    if withdrawn is not None:
        case_status = "withdrawn"
    elif current is None:
        case_status = "rejected" if decision == "TIDAK" else "closed"
    else:
        case_status = "open"
    target = calendar.next_working_day(received + timedelta(weeks=sop.TARGET_WEEKS))
    return Timeline(tuple(states), current, case_status, target)
