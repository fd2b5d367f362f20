"""Times a person types (``--now``, a response's time, a filter's days) that cannot be meant:
before 2000, when nothing the county records existed, or more than a year after the clock. Such
a time is refused with a Chinese reason rather than stored or computed with (a year 1 in a
record breaks every later reading of it). Pure: the clock is passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.timeparse import SHANGHAI

EARLIEST = datetime(2000, 1, 1, tzinfo=SHANGHAI)
AHEAD = timedelta(days=366)  # a replay or a plan may look ahead; years ahead is a typo


def shown(at: datetime) -> str:
    """A time as county readers see it in a message: 北京时间 to the minute (as typed, with its
    zone, when it has no 北京时间 — a year-1 time east of Greenwich)."""
    try:
        local = at.astimezone(SHANGHAI)
    except OverflowError:
        return at.isoformat(sep=" ", timespec="minutes")
    return f"{local.year:04d}-{local:%m-%d %H:%M}"  # %Y does not zero-pad years below 1000


def implausible(at: datetime, clock: datetime, what: str = "时间") -> str | None:
    """Why ``at`` cannot be a time someone means (``what`` names it in the message), or None."""
    if at.utcoffset() is None:
        return f"{what}缺少时区"
    if at < EARLIEST:
        return f"{what}早于 2000 年，不是有效的时间"
    # Compared without converting: a year-9999 time may not convert to UTC at all.
    if at > clock.astimezone(UTC) + AHEAD:
        return f"{what}比当前时间晚一年以上，不是有效的时间"
    return None
