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
