"""A deadline's state as people see it (RULES.md §4): on time, past 50% or 80% of its window
(the reminder points), overdue; met on time or late; cancelled."""

from __future__ import annotations

from datetime import datetime

STATE_NAMES = {"ontime": "正常", "half": "已过半", "late": "已过80%", "overdue": "已超时", "met": "按时完成",
               "met_late": "超时完成", "cancelled": "已取消"}


def deadline_state(started_at: datetime | None, due_at: datetime | None, now: datetime,
                   met_at: datetime | None = None, cancelled_at: datetime | None = None) -> str | None:
    if due_at is None:
        return None
    if cancelled_at is not None:
        return "cancelled"
    if met_at is not None:
        return "met" if met_at <= due_at else "met_late"
    if now >= due_at:
        return "overdue"
    if started_at is None or due_at <= started_at:
        return "ontime"
    used = (now - started_at) / (due_at - started_at)
    return "late" if used >= 0.8 else "half" if used >= 0.5 else "ontime"
