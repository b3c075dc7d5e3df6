from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import SettingsError
from pipeline.register.workdays import STATES, WorkCalendar


def test_hari_raya_moves_deadline_to_tuesday() -> None:
    cal = WorkCalendar()  # default: W.P. Putrajaya, calendar days
    # received Wednesday 18 March 2026; 21-23 March are Hari Raya Aidilfitri and its observed day
    assert cal.add_days(date(2026, 3, 18), 3) == date(2026, 3, 24)


def test_ordinary_week() -> None:
    assert WorkCalendar().add_days(date(2026, 3, 16), 3) == date(2026, 3, 19)


def test_kedah_friday_moves_to_sunday() -> None:
    kedah = WorkCalendar("KDH")
    friday = date(2026, 4, 10)
    assert friday.weekday() == 4
    assert kedah.add_days(friday - timedelta(days=3), 3) == date(2026, 4, 12)
    # the same dates in Putrajaya: Friday is a working day
    assert WorkCalendar("PJY").add_days(friday - timedelta(days=3), 3) == friday


def test_malay_holiday_names() -> None:
    assert "Raya" in (WorkCalendar().holiday_name(date(2026, 3, 21)) or "")
    assert WorkCalendar().holiday_name(date(2026, 8, 31)) == "Hari Kebangsaan"


def test_extra_holiday_declared_at_short_notice() -> None:
    extra = {date(2026, 3, 19): "Cuti Peristiwa"}
    cal = WorkCalendar(extra_holidays=extra)
    assert cal.add_days(date(2026, 3, 16), 3) == date(2026, 3, 24)
    assert cal.holiday_name(date(2026, 3, 19)) == "Cuti Peristiwa"


def test_working_day_counting() -> None:
    cal = WorkCalendar(count="working")
    # Friday 13 Nov 2026 + 3 working days: Mon 16, Tue 17, Wed 18
    assert cal.add_days(date(2026, 11, 13), 3) == date(2026, 11, 18)


def test_unknown_state_is_refused() -> None:
    with pytest.raises(SettingsError, match="unknown state"):
        WorkCalendar("XYZ")


dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
states = st.sampled_from(sorted(STATES))


@settings(max_examples=300, deadline=None)
@given(start=dates, days=st.integers(min_value=0, max_value=30), state=states)
def test_calendar_due_is_a_working_day_not_earlier_than_rule(
    start: date, days: int, state: str
) -> None:
    cal = WorkCalendar(state)
    due = cal.add_days(start, days)
    assert cal.is_working_day(due)
    assert due >= start + timedelta(days=days)
    # and it is the FIRST working day on or after the rule's date
    d = start + timedelta(days=days)
    while d < due:
        assert not cal.is_working_day(d)
        d += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(start=dates, days=st.integers(min_value=1, max_value=30), state=states)
def test_working_due_counts_exactly_n_working_days(start: date, days: int, state: str) -> None:
    cal = WorkCalendar(state, count="working")
    due = cal.add_days(start, days)
    assert cal.is_working_day(due)
    assert due >= start + timedelta(days=days)
    span = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(cal.is_working_day(d) for d in span) == days


def test_today_is_malaysian_whatever_the_server_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from datetime import UTC, datetime

    from pipeline import clock

    monkeypatch.delenv("IKA_TODAY", raising=False)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        expected = (datetime.now(UTC) + timedelta(hours=8)).date()
        assert clock.today() == expected
    finally:
        monkeypatch.undo()
        time.tzset()


def test_holiday_cache_gives_the_same_answers(tmp_path) -> None:
    fresh = WorkCalendar("KDH")
    first = WorkCalendar("KDH", cache_dir=tmp_path)
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]
    assert [first.holiday_name(d) for d in days] == [fresh.holiday_name(d) for d in days]
    files = list(tmp_path.glob("holidays-*-KDH-2026.json"))
    assert len(files) == 1
    cached = WorkCalendar("KDH", cache_dir=tmp_path)
    assert [cached.holiday_name(d) for d in days] == [fresh.holiday_name(d) for d in days]
    files[0].write_text("{not json")  # a damaged cache is recomputed, not trusted
    again = WorkCalendar("KDH", cache_dir=tmp_path)
    assert [again.holiday_name(d) for d in days] == [fresh.holiday_name(d) for d in days]
