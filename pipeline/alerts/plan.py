"""Who is alerted, and when (RULES.md §5): pure functions from event and deadline facts and
the clock to alert drafts. Nothing here reads or writes storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.config import AlertsConfig


@dataclass(frozen=True)
class AlertDraft:
    key: str
    kind: str
    recipient: str
    urgent: bool
    event_id: int | None = None
    deadline_id: int | None = None
    grade: str | None = None
    level: int = 0
    payload: dict[str, Any] = field(default_factory=dict)


# --- who gets what (pure) ---------------------------------------------------------------------

def plan_event_alerts(event_id: int, grade: str, primary: str, coordinators: list[str], leadership: bool,
                      cfg: AlertsConfig) -> list[AlertDraft]:
    """重大 / 特别重大: urgent alert to the primary unit and the coordinators (and leadership for
    特别重大); 较大: alert to the primary unit; 一般: none (regular reports)."""
    if grade in cfg.urgent_grades:
        recipients = [primary, *coordinators] + ([cfg.leadership_recipient] if leadership else [])
        urgent = True
    elif grade in cfg.notify_grades:
        recipients, urgent = [primary], False
    else:
        return []
    return [AlertDraft(key=f"event:{event_id}:{grade}:{r}", kind="event", recipient=r, urgent=urgent,
                       event_id=event_id, grade=grade)
            for r in dict.fromkeys(recipients)]


@dataclass(frozen=True)
class DeadlineView:
    deadline_id: int
    event_id: int
    milestone: str
    started_at: datetime
    due_at: datetime
    primary: str


def plan_deadline_alerts(deadlines: list[DeadlineView], coordinators: list[str], shares: list[float],
                         now: datetime) -> list[AlertDraft]:
    """Reminders at each share of an unmet deadline's window (to the owning unit) and, once it
    has passed, an overdue notice to the owning unit and the coordinators."""
    drafts: list[AlertDraft] = []
    for d in deadlines:
        window = d.due_at - d.started_at
        if now >= d.due_at:
            for r in dict.fromkeys([d.primary, *coordinators]):
                drafts.append(AlertDraft(f"overdue:{d.deadline_id}:{r}", "overdue", r, True, d.event_id,
                                         d.deadline_id, payload={"milestone": d.milestone}))
            continue
        passed = [s for s in shares if now >= d.started_at + window * s]
        if passed:  # only the latest share: a sweep that ran late does not send a burst
            share = max(passed)
            drafts.append(AlertDraft(f"reminder:{d.deadline_id}:{share:g}", "reminder", d.primary, False,
                                     d.event_id, d.deadline_id, payload={"milestone": d.milestone, "share": share}))
    return drafts


@dataclass(frozen=True)
class UnackedView:
    alert_id: int
    event_id: int
    grade: str | None
    recipient: str
    created_at: datetime


def plan_escalations(unacked: list[UnackedView], coordinators: list[str], cfg: AlertsConfig,
                     now: datetime) -> list[AlertDraft]:
    """An urgent alert unacknowledged for ``ack_timeout_minutes`` is repeated to its recipient
    and escalated to the coordinators, once per elapsed timeout, up to ``max_repeats``."""
    timeout = timedelta(minutes=cfg.ack_timeout_minutes)
    drafts: list[AlertDraft] = []
    for a in unacked:
        levels = min(int((now - a.created_at) / timeout), cfg.max_repeats)
        for level in range(1, levels + 1):
            for r in dict.fromkeys([a.recipient, *coordinators]):
                drafts.append(AlertDraft(f"escalation:{a.alert_id}:{level}:{r}", "escalation", r, True, a.event_id,
                                         grade=a.grade, level=level,
                                         payload={"original_alert": a.alert_id, "unacknowledged": a.recipient}))
    return drafts
