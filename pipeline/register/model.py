"""What the register says about cases, as typed values: the core returns these, the faces
(cli.py and pipeline/render.py, pipeline/web/) show them, and pipeline/serialize.py turns them
into the JSON shapes of `--json` and /api. Dates are `date`s; nothing here is display text.

A case's steps are `StepState`s (pipeline/register/timeline.py): immutable named tuples, not
dataclasses, because every timeline of ten thousand cases makes nine of them and a frozen
dataclass costs three times as much to build.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.register.timeline import StepState

__all__ = ["Case", "DueItem", "Event", "Negotiation", "StepState"]


@dataclass(frozen=True, slots=True)
class Negotiation:
    """Step 7's agreed dates: the first and last day, how many days, where."""

    start: date | None = None
    end: date | None = None
    days: int | None = None
    venue: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One case and where it stands on the SOP."""

    id: str
    title: str
    type: str
    level: str
    countries: tuple[str, ...]
    division: str
    status: str  # open, closed, rejected, withdrawn
    current_step: int | None
    received: date
    source: str | None
    file_ref: str | None
    their_ref: str | None
    security: str | None
    decision: str | None  # YA, TIDAK
    decision_date: date | None
    submitted: date | None  # the Minit Cerai went to top management
    withdrawn: date | None
    negotiation: Negotiation
    target_date: date  # the SOP's target for the whole YA path
    steps: tuple[StepState, ...]
    values: Mapping[str, str] | None = None  # what it knows for its letters (one case only)

    @property
    def current(self) -> StepState | None:
        """The current step, if the case has one."""
        return next((s for s in self.steps if s.n == self.current_step), None)


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a case's history."""

    at: datetime
    by: str | None
    action: str
    note: str | None
    doc_id: str | None


@dataclass(frozen=True, slots=True)
class DueItem:
    """An open case's current step, as `ika due` and the dashboard list it."""

    case: str
    title: str
    countries: tuple[str, ...]
    type: str
    division: str
    step: int
    name: str
    actor: str  # on whom it waits: top management once the Minit Cerai is submitted
    status: str  # open, overdue, waiting
    due: date | None
    overdue_days: int
    waiting_since: date | None
    waiting_days: int | None
    reminder: bool
