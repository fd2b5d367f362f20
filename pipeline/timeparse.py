"""Publish-time parsing: ISO and Chinese absolute and relative formats, always timezone-aware.

A time with no zone is 北京时间 (Asia/Shanghai). A date-only value keeps ``day`` precision
and is stored as that day's start only together with its precision, so nobody reads it
as a midnight fact.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
Precision = Literal["second", "minute", "day"]


class TimeParseError(ValueError):
    """A time value that no supported format matches."""


def parse_now(value: str | None) -> datetime:
    """A ``--now`` style ISO time (no zone: 北京时间), or the current time when ``None``.
    Raises ValueError for anything that is not ISO 8601."""
    if value is None:
        return datetime.now(SHANGHAI)
    return _aware(datetime.fromisoformat(value))


def span_label(start: datetime, end: datetime) -> str:
    """``11-28 08:00–11-28 12:00`` in Asia/Shanghai, for messages about a time span."""
    return f"{start.astimezone(SHANGHAI):%m-%d %H:%M}–{end.astimezone(SHANGHAI):%m-%d %H:%M}"


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=SHANGHAI) if dt.tzinfo is None else dt


def _relative(text: str, now: datetime) -> tuple[datetime, Precision] | None:
    local = now.astimezone(SHANGHAI)
    if text in ("刚刚", "刚才"):
        return now, "minute"
    m = re.fullmatch(r"(\d+)\s*(秒|分钟|小时)前", text)
    if m:
        unit = {"秒": "seconds", "分钟": "minutes", "小时": "hours"}[m.group(2)]
        return now - timedelta(**{unit: int(m.group(1))}), "minute"
    m = re.fullmatch(r"(今天|昨天|前天)\s*(\d{1,2}):(\d{2})", text)
    if m:
        days = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        day = local.date() - timedelta(days=days)
        return datetime(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)), tzinfo=SHANGHAI), "minute"
    return None


def _chinese_or_short(text: str, now: datetime) -> tuple[datetime, Precision] | None:
    m = re.fullmatch(
        r"(?:(\d{4})\s*[年/.-]\s*)?(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?"
        r"(?:\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?",
        text,
    )
    if not m:
        return None
    local = now.astimezone(SHANGHAI)
    year = int(m.group(1)) if m.group(1) else local.year
    month, day = int(m.group(2)), int(m.group(3))
    try:
        if m.group(4) is None:
            d = date(year, month, day)
            if not m.group(1) and d > local.date():  # "MM-DD" later than today: last year
                d = date(year - 1, month, day)
            return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI), "day"
        dt = datetime(year, month, day, int(m.group(4)), int(m.group(5) or 0), int(m.group(6) or 0), tzinfo=SHANGHAI)
    except ValueError as exc:
        raise TimeParseError(f"impossible date {text!r}: {exc}") from exc
    if not m.group(1) and dt > local + timedelta(days=1):
        dt = dt.replace(year=dt.year - 1)
    return dt, ("second" if m.group(6) else "minute")


def parse_time(value: str | int | float, now: datetime) -> tuple[datetime, Precision]:
    """Parse a publish time; ``now`` anchors relative forms (刚刚, 5分钟前, 昨天 10:30, MM-DD)."""
    if isinstance(value, bool):
        raise TimeParseError(f"不是时间：{value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds or seconds
        try:
            return datetime.fromtimestamp(seconds, tz=UTC), "second"
        except (OverflowError, OSError, ValueError) as exc:
            raise TimeParseError(f"时间戳超出范围：{value!r}") from exc
    text = str(value).strip()
    if not text:
        raise TimeParseError("时间为空")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            d = date.fromisoformat(text)
        except ValueError as exc:
            raise TimeParseError(f"不存在的日期：{text!r}") from exc
        return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI), "day"
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return _aware(dt), ("second" if dt.second or dt.microsecond else "minute")
    except ValueError:
        pass
    for parser in (_relative, _chinese_or_short):
        found = parser(text, now)
        if found is not None:
            return found
    try:  # RFC 2822 / Weibo's "Sat Nov 28 10:00:00 +0800 2026"
        weibo = re.fullmatch(r"\w{3} (\w{3}) (\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4}) (\d{4})", text)
        if weibo:
            return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y"), "second"
        return _aware(parsedate_to_datetime(text)), "second"
    except (TypeError, ValueError, IndexError):
        pass
    raise TimeParseError(f"无法识别的时间格式：{text[:80]!r}")
