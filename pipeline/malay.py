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
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def malay_weekday(d: date) -> str:
    return WEEKDAYS[d.weekday()]
