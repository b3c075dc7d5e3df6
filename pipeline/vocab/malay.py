"""Dates as Malaysian government documents write them: "27 November 2026"."""

from __future__ import annotations

from datetime import date

MONTHS = (
    "Januari",
    "Februari",
    "Mac",
    "April",
    "Mei",
    "Jun",
    "Julai",
    "Ogos",
    "September",
    "Oktober",
    "November",
    "Disember",
)
WEEKDAYS = ("Isnin", "Selasa", "Rabu", "Khamis", "Jumaat", "Sabtu", "Ahad")


def malay_date(d: date) -> str:
    """27 November 2026: day without a leading zero, the month's Malay name (not locale-bound)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def malay_weekday(d: date) -> str:
    """Isnin … Ahad, for meeting dates such as "8 April 2026 (Rabu)"."""
    return WEEKDAYS[d.weekday()]


def malay_date_range(start: date, end: date) -> str:
    """A span of days as a letter writes it: "8 hingga 10 Februari 2027"; the month and year
    are written once when they are shared, in full when they differ ("30 Januari hingga
    2 Februari 2027", "30 Disember 2026 hingga 2 Januari 2027"); one day is just its date."""
    if end < start:
        start, end = end, start
    if start == end:
        return malay_date(start)
    if start.year != end.year:
        first = malay_date(start)
    elif start.month != end.month:
        first = f"{start.day} {MONTHS[start.month - 1]}"
    else:
        first = str(start.day)
    return f"{first} hingga {malay_date(end)}"


def malay_period(start: date, end: date) -> str:
    """The span with its preposition, to follow a verb: "pada 8 Februari 2027" for one day,
    "dari 8 hingga 10 Februari 2027" for several."""
    if start == end:
        return f"pada {malay_date(start)}"
    return f"dari {malay_date_range(start, end)}"
