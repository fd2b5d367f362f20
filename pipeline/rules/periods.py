"""Report periods in Asia/Shanghai: a day is 00:00–24:00, a week Monday–Sunday, a month the
calendar month. Pure: the clock is passed in.

``--date`` names the day (daily), any day of the week (weekly) or the month (monthly, ``2026-11``
or any day of it); without it the period is the last complete one before ``now``. A period that
has not ended yet is reported up to ``now`` (``until``), and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pipeline.rules.times import implausible
from pipeline.timeparse import SHANGHAI

PERIOD_KINDS: tuple[str, ...] = ("daily", "weekly", "monthly")


class PeriodError(ValueError):
    """A period that cannot be read; the message (Chinese) says what is expected."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=SHANGHAI)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Period:
    """``[start, end)`` of one report period, both at Shanghai midnight."""

    kind: str
    start: datetime
    end: datetime

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == "daily":
            first, after = day, day + timedelta(days=1)
        elif kind == "weekly":
            first = day - timedelta(days=day.weekday())
            after = first + timedelta(days=7)
        elif kind == "monthly":
            first, after = _month_start(day), _next_month(day)
        else:
            raise PeriodError(f"未知报告周期“{kind}”；可选：{'、'.join(PERIOD_KINDS)}")
        return cls(kind, _midnight(first), _midnight(after))

    def previous(self) -> Period:
        return Period.containing(self.kind, self.first_day - timedelta(days=1))

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return self.end.date() - timedelta(days=1)

    def until(self, now: datetime) -> datetime:
        """Where the figures stop (exclusive): the period's end, or — for a period still
        running — just after ``now``, so that what happened at ``now`` is in."""
        return min(self.end, max(self.start, now.astimezone(SHANGHAI) + timedelta(microseconds=1)))

    def complete(self, now: datetime) -> bool:
        return now >= self.end

    @property
    def key(self) -> str:
        """``2026-11-27`` / ``2026-W48`` / ``2026-11``: stable names for files and records."""
        if self.kind == "daily":
            return self.first_day.isoformat()
        if self.kind == "weekly":
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day:%Y-%m}"

    @property
    def label(self) -> str:
        """The period as a county reader writes it."""
        d = self.first_day
        if self.kind == "daily":
            return f"{d.year}年{d.month}月{d.day}日"
        if self.kind == "weekly":
            e = self.last_day
            end = f"{e.month}月{e.day}日" if e.year == d.year else f"{e.year}年{e.month}月{e.day}日"
            return f"{d.year}年{d.month}月{d.day}日至{end}"
        return f"{d.year}年{d.month}月"

    @property
    def issue(self) -> int:
        """The issue number (期号) within its year: day of the year, ISO week, or month."""
        if self.kind == "daily":
            return self.first_day.timetuple().tm_yday
        if self.kind == "weekly":
            return self.first_day.isocalendar()[1]
        return self.first_day.month

    @property
    def hourly(self) -> bool:
        """A day's trend is by hour, longer periods' by day."""
        return self.kind == "daily"

    def buckets(self) -> list[datetime]:
        """Starts of the trend's buckets: 24 hours of a day, or each day of a week or month."""
        step = timedelta(hours=1) if self.hourly else timedelta(days=1)
        count = int((self.end - self.start) / step)
        if self.hourly:
            return [self.start + step * i for i in range(count)]
        return [_midnight(self.first_day + timedelta(days=i)) for i in range(count)]

    def bucket_of(self, moment: datetime) -> int:
        local = moment.astimezone(SHANGHAI)
        if self.hourly:
            return int((local - self.start).total_seconds() // 3600)
        return (local.date() - self.first_day).days

    def bucket_label(self, start: datetime) -> str:
        local = start.astimezone(SHANGHAI)
        return f"{local:%H}时" if self.hourly else f"{local.month}月{local.day}日"


def _parse_day(value: str, kind: str) -> date:
    text = value.strip()
    try:
        if kind == "monthly" and len(text) <= 7:
            return date.fromisoformat(f"{text}-01")
        return date.fromisoformat(text)
    except ValueError:
        example = "2026-11 或 2026-11-05" if kind == "monthly" else "2026-11-27"
        raise PeriodError(f"--date 应为日期（如 {example}）：{value}") from None


def period_for(kind: str, value: str | None, now: datetime) -> Period:
    """The period named by ``--date`` (see the module docstring), or the last complete one."""
    if kind not in PERIOD_KINDS:
        raise PeriodError(f"未知报告周期“{kind}”；可选：{'、'.join(PERIOD_KINDS)}")
    if value:
        day = _parse_day(value, kind)
        refusal = implausible(_midnight(day), now, "--date ")  # year 1 or 9999 breaks every bound after it
        if refusal:
            raise PeriodError(f"{refusal}：{value}")
        return Period.containing(kind, day)
    return Period.containing(kind, now.astimezone(SHANGHAI).date()).previous()


def due_periods(now: datetime) -> list[Period]:
    """What the 08:00 run reports: the previous day always, the previous week on Mondays, the
    previous month on the 1st."""
    today = now.astimezone(SHANGHAI).date()
    due = [Period.containing("daily", today).previous()]
    if today.weekday() == 0:
        due.append(Period.containing("weekly", today).previous())
    if today.day == 1:
        due.append(Period.containing("monthly", today).previous())
    return due
