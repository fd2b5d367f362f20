"""The alert outbox (RULES.md §5): ``write_alerts`` stores planned alerts in the caller's
transaction, keyed so that re-running any step never creates an alert twice; ``sweep`` plans
reminders, overdue notices and escalations; ``deliver_one`` sends one due channel delivery and
records the outcome (a channel that is down delays an alert, it is retried with backoff and
never lost)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from pipeline.alerts.channels import Channel, ChannelError
from pipeline.alerts.plan import AlertDraft, DeadlineView, UnackedView, plan_deadline_alerts, plan_escalations
from pipeline.alerts.render import render
from pipeline.config import AlertsConfig, Config
from pipeline.storage.models import Alert, AlertDelivery, Assignment, Deadline, Event, Unit
from pipeline.storage.store import insert_ignoring_conflicts

ALERTS: Table = Alert.__table__  # type: ignore[assignment]
DELIVERIES: Table = AlertDelivery.__table__  # type: ignore[assignment]


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


def chain(session: Session, alert: Alert) -> list[Alert]:
    """The alert's acknowledgement chain: the first alert and every repeat or escalation of it."""
    root = session.get(Alert, alert.payload["original_alert"]) if alert.kind == "escalation" else alert
    assert root is not None
    return [root, *session.scalars(select(Alert).where(
        Alert.kind == "escalation", Alert.payload["original_alert"].as_integer() == root.id).order_by(Alert.id))]


def unacknowledged(session: Session, urgent_grades: list[str]) -> list[UnackedView]:
    """First urgent event alerts still unacknowledged that are still worth chasing: the event is
    still a county matter at an urgent grade, and its owner still has a milestone open (an
    answered event needs no more acknowledgements)."""
    still_open = (select(Deadline.id).join(Assignment, Assignment.id == Deadline.assignment_id)
                  .where(Assignment.event_id == Alert.event_id, Assignment.role == "primary",
                         Assignment.status != "withdrawn", Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))
                  .exists())
    stmt = (select(Alert.id, Alert.event_id, Alert.grade, Alert.recipient, Alert.created_at)
            .join(Event, Event.id == Alert.event_id)
            .where(Alert.kind == "event", Alert.urgent.is_(True), Alert.acknowledged_at.is_(None),
                   Event.relevant.is_(True), Event.grade.in_(urgent_grades), still_open))
    return [UnackedView(i, e, g, r, c) for i, e, g, r, c in session.execute(stmt) if e is not None]


def open_deadlines(session: Session) -> list[DeadlineView]:
    """Unmet, uncancelled milestones of the events' current owners."""
    stmt = (select(Deadline.id, Assignment.event_id, Deadline.milestone, Deadline.started_at, Deadline.due_at,
                   Unit.name)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None), Assignment.role == "primary",
                   Assignment.status != "withdrawn"))
    return [DeadlineView(*row) for row in session.execute(stmt)]


def sweep(session: Session, cfg: Config, now: datetime) -> dict[str, int]:
    """Reminders, overdue notices and escalations due at ``now``; idempotent."""
    coordinators = cfg.units.coordinators
    deadline_drafts = plan_deadline_alerts(open_deadlines(session), coordinators, cfg.policy.deadlines.reminders_at, now)
    escalations = plan_escalations(unacknowledged(session, cfg.alerts.urgent_grades), coordinators, cfg.alerts, now)
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
            raise ChannelError(f"渠道 {delivery.channel} 未配置")
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
