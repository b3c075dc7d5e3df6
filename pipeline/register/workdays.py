"""The Malaysian working calendar: which days count, and where a deadline lands.

Holidays come from the `holidays` package (Malaysia, per state, Malay names), plus holidays
declared at short notice in `ika.toml`. Kedah, Kelantan and Terengganu rest on Friday and
Saturday; the rest of the country on Saturday and Sunday.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path

from pipeline.errors import SettingsError

STATES: dict[str, str] = {
    "JHR": "Johor",
    "KDH": "Kedah",
    "KTN": "Kelantan",
    "MLK": "Melaka",
    "NSN": "Negeri Sembilan",
    "PHG": "Pahang",
    "PNG": "Pulau Pinang",
    "PRK": "Perak",
    "PLS": "Perlis",
    "SGR": "Selangor",
    "TRG": "Terengganu",
    "SBH": "Sabah",
    "SWK": "Sarawak",
    "KUL": "W.P. Kuala Lumpur",
    "LBN": "W.P. Labuan",
    "PJY": "W.P. Putrajaya",
}
FRIDAY_SATURDAY_WEEKEND = frozenset({"KDH", "KTN", "TRG"})


@cache
def _holidays_version() -> str:
    """The holidays package's version, read without importing it: a new release may add a
    holiday the government gazetted, so the cache is per version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:
        return "unknown"
FRI, SAT, SUN = 4, 5, 6


class WorkCalendar:
    """Working days of one state, with its holidays loaded year by year as needed."""

    def __init__(
        self,
        state: str = "PJY",
        *,
        count: str = "calendar",
        extra_holidays: Mapping[date, str] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        state = state.upper()
        if state not in STATES:
            raise SettingsError(f"unknown state {state!r}; use one of {', '.join(sorted(STATES))}")
        if count not in ("calendar", "working"):
            raise SettingsError(f"calendar.count must be 'calendar' or 'working', not {count!r}")
        self.state = state
        self.count = count
        self.extra = dict(extra_holidays or {})
        self.weekend = {FRI, SAT} if state in FRIDAY_SATURDAY_WEEKEND else {SAT, SUN}
        self._working: dict[date, bool] = {}  # memo: reports ask about the same days a lot
        self._due: dict[tuple[date, int], date] = {}
        self._years: dict[int, dict[date, str]] = {}
        self.cache_dir = cache_dir

    @cached_property
    def _holidays(self):  # -> holidays.HolidayBase, imported lazily
        import holidays  # slow import: only when a year is not cached yet

        return holidays.Malaysia(subdiv=self.state, language="ms_MY")

    def holiday_name(self, d: date) -> str | None:
        if d in self.extra:
            return self.extra[d]
        year = self._years.get(d.year)
        if year is None:
            year = self._years[d.year] = self._load_year(d.year)
        return year.get(d)

    def _load_year(self, year: int) -> dict[date, str]:
        """A year's holidays, from the archive's cache when there: computing them (lunar
        calendars) and importing the holidays package cost more than a whole report."""
        cached = self._cache_file(year)
        if cached is not None:
            try:
                data = json.loads(cached.read_text(encoding="utf-8"))
                return {date.fromisoformat(k): v for k, v in data.items()}
            except (OSError, ValueError):
                pass
        self._holidays.get(date(year, 1, 1))  # makes the package populate that year
        days = {d: name for d, name in self._holidays.items() if d.year == year}
        if cached is not None:
            with contextlib.suppress(OSError):
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_name(f".{cached.name}.{os.getpid()}")
                tmp.write_text(json.dumps({k.isoformat(): v for k, v in days.items()},
                                          ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, cached)
        return days

    def _cache_file(self, year: int) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"holidays-{_holidays_version()}-{self.state}-{year}.json"

    def is_working_day(self, d: date) -> bool:
        known = self._working.get(d)
        if known is None:
            known = self._working[d] = (
                d.weekday() not in self.weekend and self.holiday_name(d) is None
            )
        return known

    def next_working_day(self, d: date) -> date:
        """d itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_days(self, start: date, days: int) -> date:
        """The deadline `days` after `start` under the configured counting rule."""
        key = (start, days)
        if key not in self._due:
            self._due[key] = self._add_days(start, days)
        return self._due[key]

    def _add_days(self, start: date, days: int) -> date:
        if self.count == "working":
            d = start
            left = days
            while left > 0:
                d += timedelta(days=1)
                if self.is_working_day(d):
                    left -= 1
            return d
        return self.next_working_day(start + timedelta(days=days))
