"""Response deadlines (RULES.md §4): milestones per grade, when each clock starts, how
deadlines change on regrading, and THE rules every screen, report and alert reads a deadline
by: when it is overdue (one cutoff, for Python and for SQL), its state at a moment, and the time
left in Chinese. Pure functions; the clock is always passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from pipeline.config import PolicyConfig

R = TypeVar("R", covariant=True)


class DueTime(Protocol[R]):
    """A due time to compare with the clock: a datetime (gives a bool) or a SQL column (gives a
    SQL condition)."""

    def __le__(self, other: datetime, /) -> R: ...


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


# --- the overdue cutoff -------------------------------------------------------------------------
# A milestone falls due at ``due_at``: from that very moment, while unmet, it is overdue (the
# overdue notice goes out, the urgency order puts it first). A response recorded at ``due_at``
# still met it in time (“within 5 h” includes the 5th hour's end): met late means after it.

def due_reached(due_at: DueTime[R], now: datetime) -> R:
    """THE comparison, alike on a datetime and on a SQL column: the SQL form of the cutoff
    (pipeline.queries.queues.past_due_clause) is built by this very function."""
    return due_at <= now


def past_due(due_at: datetime, now: datetime) -> bool:
    """Whether a milestone due at ``due_at`` has fallen due by ``now`` (unmet: overdue)."""
    return due_reached(due_at, now)


def met_late(due_at: datetime, met_at: datetime) -> bool:
    """Whether a milestone met at ``met_at`` was met after its due time (stays late on record)."""
    return met_at > due_at


# --- the state of a deadline at a moment ----------------------------------------------------------

DEADLINE_STATE_NAMES = {"ontime": "正常", "half": "已过半", "at_risk": "已过80%", "overdue": "已超时",
                        "met": "按时完成", "met_late": "超时完成", "cancelled": "已取消"}
HALF, AT_RISK = 0.5, 0.8   # the shares of the window the reminders mark (RULES.md §4)


def deadline_state(due_at: datetime | None, now: datetime, started_at: datetime | None = None,
                   met_at: datetime | None = None, cancelled_at: datetime | None = None) -> str | None:
    """A deadline as of ``now`` (DEADLINE_STATE_NAMES): cancelled; met (in time) or met_late;
    overdue; at_risk (past 80% of its window) or half (past 50%) or ontime. A meeting or a
    cancellation after ``now`` has not happened yet, so the same moment always reads the same.
    Without ``started_at`` an open deadline is only ontime or overdue. None: no deadline."""
    if due_at is None:
        return None
    if cancelled_at is not None and cancelled_at <= now:
        return "cancelled"
    if met_at is not None and met_at <= now:
        return "met_late" if met_late(due_at, met_at) else "met"
    if past_due(due_at, now):
        return "overdue"
    if started_at is None or due_at <= started_at:
        return "ontime"
    used = (now - started_at) / (due_at - started_at)
    return "at_risk" if used >= AT_RISK else "half" if used >= HALF else "ontime"


# How the reports tell a milestone's handling (a coarser view of the same state: whether it is
# ontime, half or at_risk, it is still in time: pending), and an event's from its milestones.
HANDLING_NAMES = {"overdue": "超时未完成", "met_late": "超时完成", "pending": "未到期", "met": "按时完成",
                  "cancelled": "已取消", "none": "无时限"}
WORST_FIRST: tuple[str, ...] = ("overdue", "met_late", "pending", "met")


def handling_state(due_at: datetime, now: datetime, met_at: datetime | None = None,
                   cancelled_at: datetime | None = None) -> str:
    """A milestone's handling as of ``now`` (HANDLING_NAMES): met, met_late, overdue, pending
    (unmet, not due yet) or cancelled (not called for any more)."""
    state = deadline_state(due_at, now, met_at=met_at, cancelled_at=cancelled_at)
    return state if state in HANDLING_NAMES else "pending"


def worst_handling(states: Iterable[str]) -> str:
    """The handling of an event from its milestones' handling (cancelled ones ignored)."""
    present = set(states)
    return next((s for s in WORST_FIRST if s in present), "none")


# --- time left, in Chinese --------------------------------------------------------------------

def span_text(seconds: float) -> str:
    """A duration in Chinese: 1天2小时 / 3小时20分 / 45分钟."""
    minutes = int(abs(seconds) // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    return f"{days}天{hours}小时" if days else (f"{hours}小时{mins}分" if hours else f"{mins}分钟")


def time_left(due_at: datetime, now: datetime) -> str:
    """Time left to a deadline in Chinese, everywhere it is shown (pages, CLI, messages,
    reports): 剩余 3小时20分 / 剩余 45分钟 / 已超时 1天2小时 (from the moment it falls due)."""
    return ("已超时 " if past_due(due_at, now) else "剩余 ") + span_text((due_at - now).total_seconds())


def time_since(at: datetime, now: datetime) -> str:
    """How long ago, in Chinese: 3小时5分前."""
    return f"{span_text((now - at).total_seconds())}前"
