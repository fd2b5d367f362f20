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
    """Per event: an urgent alert unacknowledged for ``ack_timeout_minutes`` is repeated to its
    recipient, and the coordinators who have acknowledged are told who has not — once per
    elapsed timeout (its level), up to ``max_repeats``. A sweep that ran late plans only the
    current level (no burst of the levels it missed); the repeat names everyone still waiting,
    so one message per group says all of it."""
    timeout = timedelta(minutes=cfg.ack_timeout_minutes)
    by_event: dict[int, list[UnackedView]] = {}
    for a in unacked:
        if now - a.created_at >= timeout:
            by_event.setdefault(a.event_id, []).append(a)
    drafts: list[AlertDraft] = []
    for event_id, waiting in by_event.items():
        names = list(dict.fromkeys(a.recipient for a in waiting))
        top = 0
        for a in waiting:
            level = min(int((now - a.created_at) / timeout), cfg.max_repeats)
            top = max(top, level)
            drafts.append(AlertDraft(f"escalation:{a.alert_id}:{level}:{a.recipient}", "escalation", a.recipient, True,
                                     event_id, grade=a.grade, level=level,
                                     payload={"original_alert": a.alert_id, "unacknowledged": names}))
        for c in coordinators:
            if c not in names:
                drafts.append(AlertDraft(f"escalation:{event_id}:{waiting[0].grade}:{top}:{c}", "escalation", c, False,
                                         event_id, grade=waiting[0].grade, level=top,
                                         payload={"unacknowledged": names}))
    return drafts
