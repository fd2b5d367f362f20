"""Response deadlines (RULES.md §4): milestones per grade, when each clock starts, and how
deadlines change on regrading. Pure functions; the clock is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.config import PolicyConfig


@dataclass(frozen=True)
class Milestone:
    milestone: str
    grade: str
    started_at: datetime
    due_at: datetime


def clock_start(
    first_seen_at: datetime, published_at: datetime | None, precision: str | None, policy: PolicyConfig
) -> tuple[datetime, str]:
    """When the response clock starts, and why. A date-only publish time never counts as midnight."""
    if policy.deadlines.clock_start == "published":
        if published_at is not None and precision in ("minute", "second"):
            return published_at, "发布时间"
        return first_seen_at, "发布时间精度不足（仅日期），按首次监测时间"
    return first_seen_at, "首次监测时间"


def milestones_for(grade: str, start: datetime, policy: PolicyConfig) -> list[Milestone]:
    """The milestones a grade demands, all counted from ``start``."""
    rules = policy.deadlines
    return [
        Milestone(m.milestone, grade, start, start + timedelta(hours=m.hours))
        for m in rules.milestones[grade]
        if rules.authoritative_info_enabled or m.milestone != "authoritative_info"
    ]


def called_milestones(grade: str, policy: PolicyConfig) -> set[str]:
    """The milestones a grade calls for (whatever their start)."""
    rules = policy.deadlines
    return {m.milestone for m in rules.milestones[grade]
            if rules.authoritative_info_enabled or m.milestone != "authoritative_info"}


def plan_deadlines(
    grade: str,
    existing: dict[str, Milestone],
    clock: datetime,
    regraded_at: datetime | None,
    policy: PolicyConfig,
) -> list[Milestone]:
    """Deadlines to add or bring forward for an event now graded ``grade``.

    A new event counts from its clock start; a regrade upward at ``regraded_at`` adds the new
    grade's milestones counted from that moment. An existing deadline never moves later.
    """
    start = regraded_at if (existing and regraded_at is not None) else clock
    changes: list[Milestone] = []
    for m in milestones_for(grade, start, policy):
        old = existing.get(m.milestone)
        if old is None or m.due_at < old.due_at:
            changes.append(m)
    return changes


def span_text(seconds: float) -> str:
    """A duration in Chinese: 1天2小时 / 3小时20分 / 45分钟."""
    minutes = int(abs(seconds) // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    return f"{days}天{hours}小时" if days else (f"{hours}小时{mins}分" if hours else f"{mins}分钟")


def time_left(due_at: datetime, now: datetime) -> str:
    """Human time left in Chinese: 剩余 3小时20分 / 剩余 45分钟 / 已超时 1天2小时."""
    delta = (due_at - now).total_seconds()
    return ("已超时 " if delta < 0 else "剩余 ") + span_text(delta)
