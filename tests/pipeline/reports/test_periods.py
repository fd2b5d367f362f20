"""Report periods in 北京时间: days, Monday–Sunday weeks and calendar months, the last complete
one by default, what the 08:00 run reports on each kind of day, and a period still running."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pipeline.rules.periods import Period, PeriodError, due_periods, period_for
from pipeline.timeparse import SHANGHAI


def at(y: int, m: int, d: int, h: int = 8) -> datetime:
    return datetime(y, m, d, h, tzinfo=SHANGHAI)


def test_periods_are_local_days_weeks_and_months() -> None:
    day = period_for("daily", "2026-11-27", at(2026, 12, 1))
    assert (day.start, day.end) == (at(2026, 11, 27, 0), at(2026, 11, 28, 0))
    assert day.label == "2026年11月27日" and day.key == "2026-11-27" and day.issue == 331
    week = period_for("weekly", "2026-11-25", at(2026, 12, 1))   # a Wednesday
    assert (week.first_day, week.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week.key == "2026-W48" and week.label == "2026年11月23日至11月29日"
    month = period_for("monthly", "2026-02", at(2026, 12, 1))
    assert (month.first_day, month.last_day, month.label) == (date(2026, 2, 1), date(2026, 2, 28), "2026年2月")
    assert len(month.buckets()) == 28 and len(day.buckets()) == 24 and day.bucket_label(day.buckets()[9]) == "09时"
    assert Period.containing("weekly", date(2026, 12, 31)).last_day == date(2027, 1, 3)
    assert Period.containing("weekly", date(2026, 12, 31)).label == "2026年12月28日至2027年1月3日"


def test_default_is_the_last_complete_period_and_previous_steps_back() -> None:
    now = at(2026, 12, 1, 0)   # just after midnight, a Tuesday
    assert period_for("daily", None, now).key == "2026-11-30"
    assert period_for("weekly", None, now).key == "2026-W48"
    assert period_for("monthly", None, now).key == "2026-11"
    assert period_for("monthly", None, now).previous().key == "2026-10"
    assert period_for("daily", "2026-03-01", now).previous().key == "2026-02-28"


def test_the_0800_run_reports_yesterday_last_week_on_mondays_last_month_on_the_first() -> None:
    assert [p.key for p in due_periods(at(2026, 11, 28))] == ["2026-11-27"]            # Saturday
    assert [p.key for p in due_periods(at(2026, 11, 30))] == ["2026-11-29", "2026-W48"]  # Monday
    assert [p.key for p in due_periods(at(2026, 12, 1))] == ["2026-11-30", "2026-11"]    # the 1st
    assert [p.key for p in due_periods(at(2027, 2, 1))] == ["2027-01-31", "2027-W04", "2027-01"]


def test_a_running_period_stops_just_after_now_and_bad_dates_are_refused() -> None:
    today = period_for("daily", "2026-11-28", at(2026, 11, 28, 10))
    assert today.until(at(2026, 11, 28, 10)) == at(2026, 11, 28, 10) + timedelta(microseconds=1)
    assert not today.complete(at(2026, 11, 28, 10)) and today.complete(at(2026, 11, 29, 0))
    assert today.until(at(2026, 12, 5)) == today.end
    for kind, value in (("daily", "2026-13-01"), ("monthly", "11/2026"), ("weekly", "next week")):
        with pytest.raises(PeriodError, match="--date"):
            period_for(kind, value, at(2026, 12, 1))
    with pytest.raises(PeriodError, match="未知报告周期"):
        period_for("yearly", None, at(2026, 12, 1))


def test_a_date_nobody_can_mean_is_refused_not_a_traceback() -> None:
    """Year 1 or 9999 used to overflow computing the period's bounds (issue 18)."""
    for kind, value, why in (("daily", "0001-01-01", "早于 2000 年"), ("monthly", "0999-12-05", "早于 2000 年"),
                             ("weekly", "9999-12-31", "晚一年以上"), ("daily", "1999-12-31", "早于 2000 年")):
        with pytest.raises(PeriodError, match=why):
            period_for(kind, value, at(2026, 12, 1))
    assert period_for("daily", "2000-01-01", at(2026, 12, 1)).key == "2000-01-01"
