"""Alerts (RULES.md §5) through a transactional outbox.

Who is alerted is decided by pure functions (``plan_event_alerts``, ``plan_deadline_alerts``,
``plan_escalations``); ``write_alerts`` stores the plan in the caller's transaction, keyed
so that re-running any step never creates an alert twice; ``deliver_one`` sends one due
channel delivery and records the outcome (a channel that is down delays an alert, it is
retried with backoff and never lost). Messages are rendered in Chinese when sent, so the
time left is current; urgent ones link to the web app's acknowledgement page when its public
URL is known (``ack_view`` is what that page shows).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from pipeline.channels import Channel, ChannelError
from pipeline.config import AlertsConfig, Config
from pipeline.deadlines import time_left
from pipeline.models import Alert, AlertDelivery, Assignment, Deadline, Event, Post, Unit
from pipeline.queues import MILESTONE_NAMES, ROLE_NAMES
from pipeline.store import insert_ignoring_conflicts
from pipeline.timeparse import SHANGHAI

ALERTS: Table = Alert.__table__  # type: ignore[assignment]
DELIVERIES: Table = AlertDelivery.__table__  # type: ignore[assignment]


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


# --- the outbox ---------------------------------------------------------------------------------

def write_alerts(session: Session, drafts: list[AlertDraft], cfg: AlertsConfig, now: datetime) -> int:
    """Store new alerts and their deliveries; drafts whose key exists are skipped. Returns how
    many alerts were new."""
    if not drafts:
        return 0
    rows = [{"key": d.key, "kind": d.kind, "recipient": d.recipient, "urgent": d.urgent, "event_id": d.event_id,
             "deadline_id": d.deadline_id, "grade": d.grade, "level": d.level, "payload": d.payload,
             "ack_token": secrets.token_hex(8), "created_at": now} for d in drafts]
    table, deliveries_table = ALERTS, DELIVERIES
    stmt = insert_ignoring_conflicts(session, table, ["key"]).returning(table.c.id, table.c.recipient)
    created = [(cast(int, aid), str(recipient)) for aid, recipient in session.connection().execute(stmt, rows)]
    deliveries = [{"alert_id": aid, "channel": ch, "status": "pending", "attempts": 0, "next_attempt_at": now}
                  for aid, recipient in created for ch in cfg.channels_for(recipient)]
    if deliveries:
        session.connection().execute(deliveries_table.insert(), deliveries)
    return len(created)


def _chain(session: Session, alert: Alert) -> list[Alert]:
    """The alert's acknowledgement chain: the first alert and every repeat or escalation of it."""
    root = session.get(Alert, alert.payload["original_alert"]) if alert.kind == "escalation" else alert
    assert root is not None
    return [root, *session.scalars(select(Alert).where(
        Alert.kind == "escalation", Alert.payload["original_alert"].as_integer() == root.id).order_by(Alert.id))]


def acknowledge(session: Session, token: str, by: str, now: datetime) -> list[Alert]:
    """Acknowledge an alert by its token; the whole chain for that event, grade and recipient
    (the first alert and its repeats) counts as acknowledged, which stops escalation. An alert
    acknowledged before keeps its first acknowledger and time."""
    alert = session.scalar(select(Alert).where(Alert.ack_token == token))
    if alert is None:
        raise LookupError(f"no alert with acknowledgement token {token!r}")
    ids = [a.id for a in _chain(session, alert)]
    # A conditional UPDATE rather than setting attributes on loaded rows: when two people
    # confirm at the same moment (a double click, two duty officers), the rows are re-checked
    # under the write lock, so the one committed first stays recorded.
    session.execute(update(Alert).where(Alert.id.in_(ids), Alert.acknowledged_at.is_(None))
                    .values(acknowledged_at=now, acknowledged_by=by), execution_options={"synchronize_session": False})
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)
                                .execution_options(populate_existing=True)))


@dataclass(frozen=True)
class AckView:
    """What the acknowledgement page shows about one alert: plain values, usable after the
    session is closed. The acknowledgement state is the chain's (its first alert's)."""

    token: str
    heading: str
    urgent: bool
    event_id: int | None
    event_title: str
    grade: str | None
    recipient: str
    unacknowledged: str | None  # escalations: the recipient whose alert went unacknowledged
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    chain_size: int


def ack_view(session: Session, token: str) -> AckView | None:
    """The alert with this acknowledgement token, for display; None when there is none."""
    alert = session.scalar(select(Alert).where(Alert.ack_token == token))
    if alert is None:
        return None
    chain = _chain(session, alert)
    event = session.get(Event, alert.event_id) if alert.event_id else None
    return AckView(
        token=alert.ack_token, heading=_HEADINGS.get(alert.kind, "舆情通知"), urgent=alert.urgent,
        event_id=alert.event_id, event_title=event.title if event else str(alert.payload.get("text", "")),
        grade=alert.grade or (event.grade if event else None), recipient=alert.recipient,
        unacknowledged=alert.payload.get("unacknowledged") if alert.kind == "escalation" else None,
        created_at=alert.created_at, acknowledged_at=chain[0].acknowledged_at,
        acknowledged_by=chain[0].acknowledged_by, chain_size=len(chain))


def unacknowledged(session: Session) -> list[UnackedView]:
    """First urgent event alerts still unacknowledged whose event is not closed."""
    stmt = select(Alert.id, Alert.event_id, Alert.grade, Alert.recipient, Alert.created_at).where(
        Alert.kind == "event", Alert.urgent.is_(True), Alert.acknowledged_at.is_(None))
    return [UnackedView(i, e, g, r, c) for i, e, g, r, c in session.execute(stmt) if e is not None]


def open_deadlines(session: Session) -> list[DeadlineView]:
    stmt = (select(Deadline.id, Assignment.event_id, Deadline.milestone, Deadline.started_at, Deadline.due_at,
                   Unit.name)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Deadline.met_at.is_(None), Assignment.role == "primary"))
    return [DeadlineView(*row) for row in session.execute(stmt)]


def sweep(session: Session, cfg: Config, now: datetime) -> dict[str, int]:
    """Reminders, overdue notices and escalations due at ``now``; idempotent."""
    coordinators = cfg.units.coordinators
    deadline_drafts = plan_deadline_alerts(open_deadlines(session), coordinators, cfg.policy.deadlines.reminders_at, now)
    escalations = plan_escalations(unacknowledged(session), coordinators, cfg.alerts, now)
    return {
        "reminders_and_overdue": write_alerts(session, deadline_drafts, cfg.alerts, now),
        "escalations": write_alerts(session, escalations, cfg.alerts, now),
    }


# --- delivery ----------------------------------------------------------------------------------

def backoff(attempts: int, cfg: AlertsConfig) -> timedelta:
    return timedelta(seconds=min(cfg.retry_base_seconds * 2 ** max(attempts - 1, 0), cfg.retry_max_seconds))


def next_due(session: Session, now: datetime) -> AlertDelivery | None:
    """Claim the oldest due pending delivery so that concurrent workers never take the same one:
    PostgreSQL locks it with SKIP LOCKED; SQLite claims it with an UPDATE as the transaction's
    first statement, which takes the database's write lock at once (a select first would let
    two workers read the same row)."""
    due = (select(AlertDelivery.id).where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
           .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        claimed = session.scalar(due.with_for_update(skip_locked=True))
    else:
        claimed = session.execute(
            update(AlertDelivery).where(AlertDelivery.id == due.scalar_subquery(), AlertDelivery.status == "pending")
            .values(attempts=AlertDelivery.attempts).returning(AlertDelivery.id)
        ).scalar()
    return session.get(AlertDelivery, claimed) if claimed is not None else None


def deliver_one(session: Session, channels: Mapping[str, Channel], cfg: AlertsConfig, now: datetime, *,
                public_url: str | None) -> str | None:
    """Send the next due delivery and record the outcome; returns "sent", "failed" or None when
    nothing is due. The caller commits after each call, so a crash repeats at most one send.
    ``public_url`` is the web app's base URL for acknowledgement links (None: command only)."""
    delivery = next_due(session, now)
    if delivery is None:
        return None
    alert = delivery.alert
    title, text = render(session, alert, now, public_url=public_url)
    channel = channels.get(delivery.channel)
    try:
        if channel is None:
            raise ChannelError(f"channel {delivery.channel!r} is not configured")
        channel.send(title, text, f"{alert.key}:{delivery.channel}")
    except ChannelError as exc:
        delivery.attempts += 1
        delivery.last_error = str(exc)[:1000]
        delivery.next_attempt_at = now + backoff(delivery.attempts, cfg)
        return "failed"
    delivery.attempts += 1
    delivery.status, delivery.sent_at, delivery.last_error = "sent", now, None
    return "sent"


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AlertDelivery).where(AlertDelivery.status == "pending")) or 0


# --- messages --------------------------------------------------------------------------------

_HEADINGS = {"event": "舆情预警", "reminder": "时限提醒", "overdue": "超时督办", "escalation": "预警未确认",
             "source": "信息源告警"}


def ack_url(public_url: str, token: str) -> str:
    """The acknowledgement page of one alert under the web app's base URL."""
    return f"{public_url.rstrip('/')}/ack/{quote(token, safe='')}"


def render(session: Session, alert: Alert, now: datetime, *, public_url: str | None) -> tuple[str, str]:
    """(title, markdown text) in Chinese: what happened, the grade and why, who owns it, the
    deadlines with time left, and how to acknowledge: a link to the web app's page when its
    ``public_url`` is known, else the ``yuqing ack`` command."""
    event = session.get(Event, alert.event_id) if alert.event_id else None
    heading = _HEADINGS.get(alert.kind, "舆情通知")
    if event is None:
        title = f"【{heading}】{alert.payload.get('text', '')}"[:60]
        return title, f"### {title}\n\n{alert.payload.get('text', '')}"
    grade = event.grade or "—"
    level = f"·第{alert.level}次提醒" if alert.level else ""
    title = f"【{heading}·{grade}{level}】{event.title[:30]}"
    lines = [f"### {title}", "", f"- 事件编号：{event.id}（相关帖子 {_post_count(session, event.id)} 条）",
             f"- 概要：{_summary(session, event.id)}",
             f"- 等级：**{grade}**；依据：" + "；".join(r["detail"] for r in event.grade_reasons if r.get("grade")),
             f"- 责任单位：{_units(session, event.id)}"]
    if event.leadership:
        lines.append("- 县政府主要领导、分管领导：须关注（特别重大）")
    lines.append(f"- 回应时限：{_deadlines(session, event.id, now)}")
    if alert.kind == "reminder":
        lines.append(f"- 提醒：{MILESTONE_NAMES.get(alert.payload['milestone'], '')}时限已过"
                     f"{int(alert.payload['share'] * 100)}%，请抓紧回应")
    elif alert.kind == "overdue":
        lines.append(f"- 督办：{MILESTONE_NAMES.get(alert.payload['milestone'], '')}已超时，请立即处置并报告")
    elif alert.kind == "escalation":
        lines.append(f"- 督办：{alert.payload['unacknowledged']}尚未确认收到预警，现再次提醒并报协调部门")
    if alert.urgent:
        command = f"`yuqing ack {alert.ack_token} --by 姓名`"
        lines.append(f"- 请确认收到：[点击确认]({ack_url(public_url, alert.ack_token)})（或命令 {command}）"
                     if public_url else f"- 请确认收到：{command}")
    return title, "\n".join(lines)


def _post_count(session: Session, event_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Post).where(Post.event_id == event_id)) or 0


def _summary(session: Session, event_id: int) -> str:
    text = session.scalar(select(Post.text).where(Post.event_id == event_id).order_by(Post.id).limit(1)) or ""
    return text[:120] + ("…" if len(text) > 120 else "")


def _units(session: Session, event_id: int) -> str:
    stmt = (select(Assignment.role, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id == event_id).order_by(Assignment.id))
    by_role: dict[str, list[str]] = {}
    for role, name in session.execute(stmt):
        by_role.setdefault(role, []).append(name)
    return "；".join(f"{ROLE_NAMES[r]}：{'、'.join(n)}" for r, n in by_role.items() if r in ROLE_NAMES)


def _deadlines(session: Session, event_id: int, now: datetime) -> str:
    stmt = (select(Deadline.milestone, Deadline.due_at, Deadline.met_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id)
            .where(Assignment.event_id == event_id, Assignment.role == "primary").order_by(Deadline.due_at))
    parts = []
    for milestone, due, met in session.execute(stmt):
        state = "已回应" if met else time_left(due, now)
        parts.append(f"{MILESTONE_NAMES.get(milestone, milestone)} {due.astimezone(SHANGHAI):%m-%d %H:%M}（{state}）")
    return "；".join(parts) or "—"
