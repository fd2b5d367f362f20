"""Who is alerted, and when (RULES.md §5): pure functions from event and deadline facts and
the clock to alert drafts. Nothing here reads or writes storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.alerts import keys
from pipeline.config import AlertsConfig, Config
from pipeline.normalize import PostInput
from pipeline.rules.analysis import PostAnalysis
from pipeline.rules.deadlines import past_due, span_text
from pipeline.rules.releases import ReleaseGapView


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
    return [AlertDraft(key=keys.event_alert(event_id, grade, r), kind="event", recipient=r, urgent=urgent,
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
        if past_due(d.due_at, now):
            for r in dict.fromkeys([d.primary, *coordinators]):
                drafts.append(AlertDraft(keys.overdue(d.deadline_id, r), "overdue", r, True, d.event_id,
                                         d.deadline_id, payload={"milestone": d.milestone}))
            continue
        passed = [s for s in shares if now >= d.started_at + window * s]
        if passed:  # only the latest share: a sweep that ran late does not send a burst
            share = max(passed)
            drafts.append(AlertDraft(keys.reminder(d.deadline_id, share), "reminder", d.primary, False,
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
    """Per event: an urgent alert unacknowledged for ``ack_timeout_minutes`` climbs the ladder
    of ``alerts.yaml`` one step per elapsed timeout (its level): the step's ``recipients`` are
    repeated to whoever has not acknowledged, its ``coordinators`` and ``leadership`` are told
    who has not. After the top step it stops. A sweep that ran late plans only the current
    level (no burst of the levels it missed); a message names everyone still waiting, so one
    message per group says all of it."""
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
            told = _told(cfg.ladder[level - 1], coordinators, cfg.leadership_recipient)
            if "recipients" in cfg.ladder[level - 1]:
                drafts.append(AlertDraft(keys.repeat(a.alert_id, level, a.recipient), "escalation", a.recipient,
                                         True, event_id, grade=a.grade, level=level,
                                         payload={"original_alert": a.alert_id, "unacknowledged": names, "told": told}))
        told = _told(cfg.ladder[top - 1], coordinators, cfg.leadership_recipient)
        for c in told:
            if c not in names:
                drafts.append(AlertDraft(keys.escalation_notice(event_id, waiting[0].grade, top, c), "escalation", c, False,
                                         event_id, grade=waiting[0].grade, level=top,
                                         payload={"unacknowledged": names, "told": told}))
    return drafts


def _told(step: Sequence[str], coordinators: list[str], leadership: str) -> list[str]:
    """Who a ladder step tells about the alerts still waiting (besides repeating them)."""
    return [*(coordinators if "coordinators" in step else []), *([leadership] if "leadership" in step else [])]


def plan_rising_alerts(event_id: int, level: int, figures: str, owner: str | None, coordinators: list[str],
                       cfg: AlertsConfig) -> list[AlertDraft]:
    """快速升温: one alert per event per level to its owner and the analysts (an event nobody
    owns yet goes to the coordinators instead of an owner). Not urgent: nothing to acknowledge."""
    recipients = [owner] if owner else list(coordinators)
    return [AlertDraft(keys.rising(event_id, level, r), "rising", r, False, event_id, level=level,
                       payload={"figures": figures})
            for r in dict.fromkeys([*recipients, cfg.analyst_recipient])]


def plan_release_gaps(gaps: list[ReleaseGapView], hours: float, now: datetime) -> list[AlertDraft]:
    """持续发布: a reminder to the owner of an open event whose last release is more than
    ``hours`` old — once per gap (keyed by the release it follows), however often it is swept."""
    limit = timedelta(hours=hours)
    return [AlertDraft(keys.release_gap(g.event_id, g.last_release_id, g.owner), "release_gap", g.owner, False,
                       g.event_id, payload={"since": g.last_release_at.isoformat(),
                                            "gap": span_text((now - g.last_release_at).total_seconds())})
            for g in gaps if now - g.last_release_at > limit]


def plan_scheme_alerts(cfg: Config, analyses: list[PostAnalysis], posts: list[PostInput],
                       event_ids: list[int]) -> list[AlertDraft]:
    """敏感词即时预警: an alert to the analysts for every (event, scheme) whose monitoring scheme
    asks for one on any hit."""
    drafts: dict[str, AlertDraft] = {}
    for a, post, event_id in zip(analyses, posts, event_ids, strict=True):
        for hit in a.schemes:
            key = keys.scheme_alert(event_id, hit.scheme)
            if hit.effects.alert and key not in drafts:
                text = (f"监测方案“{hit.scheme}”命中（{'、'.join(hit.words)}）：{(post.title or post.text)[:120]}"
                        + (f"　{post.url}" if post.url else ""))
                drafts[key] = AlertDraft(key=key, kind="scheme", recipient=cfg.alerts.analyst_recipient, urgent=False,
                                         event_id=event_id, payload={"text": text, "scheme": hit.scheme,
                                                                     "words": hit.words})
    return list(drafts.values())
