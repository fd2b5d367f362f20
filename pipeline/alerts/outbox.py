"""The alert outbox (RULES.md §5): ``write_alerts`` stores planned alerts in the caller's
transaction, keyed so that re-running any step never creates an alert twice; ``sweep`` plans
reminders, overdue notices and escalations; ``deliver_one`` sends one due channel delivery and
records the outcome (a channel that is down delays an alert, it is retried with backoff and
never lost)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, text, update
from sqlalchemy.orm import Session

from pipeline.alerts import keys
from pipeline.alerts.channels import Channel, ChannelError
from pipeline.alerts.plan import (
    AlertDraft,
    DeadlineView,
    UnackedView,
    plan_deadline_alerts,
    plan_escalations,
    plan_release_gaps,
)
from pipeline.alerts.render import chain_root, render_message
from pipeline.config import AlertsConfig, Config
from pipeline.queries.alerts import awaiting_acknowledgement
from pipeline.queries.queues import holds_deadlines, unmet_deadline
from pipeline.queries.releases import release_gaps
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
             "created_at": now} for d in drafts]
    table, deliveries_table = ALERTS, DELIVERIES
    stmt = insert_ignoring_conflicts(session, table, ["key"]).returning(table.c.id, table.c.recipient)
    created = [(cast(int, aid), str(recipient)) for aid, recipient in session.connection().execute(stmt, rows)]
    deliveries = [{"alert_id": aid, "channel": ch, "status": "pending", "attempts": 0, "next_attempt_at": now}
                  for aid, recipient in created for ch in cfg.channels_for(recipient)]
    if deliveries:
        session.connection().execute(deliveries_table.insert(), deliveries)
    return len(created)


def chain(session: Session, alert: Alert) -> list[Alert]:
    """The alert's acknowledgement chain: the first alert and every repeat of it."""
    root = chain_root(session, alert)
    return [root, *session.scalars(select(Alert).where(
        Alert.kind == "escalation", Alert.payload["original_alert"].as_integer() == root.id).order_by(Alert.id))]


def unacknowledged(session: Session, urgent_grades: list[str]) -> list[UnackedView]:
    """First urgent event alerts still unacknowledged that are still worth chasing: the event is
    still a county matter at an urgent grade, and its owner still has a milestone open (an
    answered event needs no more acknowledgements)."""
    still_open = (select(Deadline.id).join(Assignment, Assignment.id == Deadline.assignment_id)
                  .where(Assignment.event_id == Alert.event_id, holds_deadlines(), unmet_deadline())
                  .exists())
    stmt = (select(Alert.id, Alert.event_id, Alert.grade, Alert.recipient, Alert.created_at)
            .join(Event, Event.id == Alert.event_id)
            .where(awaiting_acknowledgement(), Event.relevant.is_(True), Event.grade.in_(urgent_grades), still_open))
    return [UnackedView(i, e, g, r, c) for i, e, g, r, c in session.execute(stmt) if e is not None]


def open_deadlines(session: Session) -> list[DeadlineView]:
    """Unmet, uncancelled milestones of the events' current owners."""
    stmt = (select(Deadline.id, Assignment.event_id, Deadline.milestone, Deadline.started_at, Deadline.due_at,
                   Unit.name)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(unmet_deadline(), holds_deadlines()))
    return [DeadlineView(*row) for row in session.execute(stmt)]


def sweep(session: Session, cfg: Config, now: datetime) -> dict[str, int]:
    """Reminders, overdue notices, escalations and 持续发布 reminders due at ``now``; idempotent."""
    coordinators = cfg.units.coordinators
    deadline_drafts = plan_deadline_alerts(open_deadlines(session), coordinators, cfg.policy.deadlines.reminders_at, now)
    escalations = plan_escalations(unacknowledged(session, cfg.alerts.urgent_grades), coordinators, cfg.alerts, now)
    gaps = plan_release_gaps(release_gaps(session, cfg.policy.release_gap, now), cfg.policy.release_gap.hours, now)
    return {
        "reminders_and_overdue": write_alerts(session, deadline_drafts, cfg.alerts, now),
        "escalations": write_alerts(session, escalations, cfg.alerts, now),
        "release_gaps": write_alerts(session, gaps, cfg.alerts, now),
    }


# --- delivery ----------------------------------------------------------------------------------

def backoff(attempts: int, cfg: AlertsConfig) -> timedelta:
    return timedelta(seconds=min(cfg.retry_base_seconds * 2 ** max(attempts - 1, 0), cfg.retry_max_seconds))


def claim_message(session: Session, now: datetime) -> list[AlertDelivery]:
    """Claim the deliveries of the next message: the oldest due pending delivery together with
    every other due one on the same channel about the same event, so that a group owed several
    things about an event (each coordinator's alert, a reminder and a repeat) gets one message.

    Concurrent workers never take the same delivery. SQLite: the first statement of the
    transaction is an UPDATE, which takes the database's write lock at once. PostgreSQL: a
    transaction-scoped advisory lock per (channel, event) is taken before its rows are locked,
    so two workers never split one group between them."""
    due = (select(AlertDelivery.id, AlertDelivery.channel, Alert.event_id).join(Alert, Alert.id == AlertDelivery.alert_id)
           .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
           .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id))
    if session.get_bind().dialect.name == "postgresql":
        leader = _lock_a_group(session, due)
    else:
        first = due.with_only_columns(AlertDelivery.id).limit(1).scalar_subquery()
        claimed = session.execute(update(AlertDelivery).where(AlertDelivery.id == first)
                                  .values(attempts=AlertDelivery.attempts).returning(AlertDelivery.id)).scalar()
        leader = session.execute(due.where(AlertDelivery.id == claimed)).first() if claimed is not None else None
    if leader is None:
        return []
    delivery_id, channel, event_id = leader
    if event_id is None:
        return [d for d in [session.get(AlertDelivery, delivery_id)] if d is not None]
    group = due.where(AlertDelivery.channel == channel, Alert.event_id == event_id).with_only_columns(AlertDelivery.id)
    ids = list(session.scalars(group))
    return list(session.scalars(select(AlertDelivery).where(AlertDelivery.id.in_(ids)).order_by(AlertDelivery.id)))


def _lock_a_group(session: Session, due: Any) -> Any:
    for row in session.execute(due.limit(50)).all():
        delivery_id, channel, event_id = cast(tuple[int, str, int | None], tuple(row))
        group = keys.message_group(channel, event_id, delivery_id)
        lock = int.from_bytes(hashlib.blake2b(group.encode(), digest_size=8).digest(), "big", signed=True)
        if session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": lock}):
            still = session.execute(due.where(AlertDelivery.id == delivery_id).with_for_update(of=AlertDelivery)).first()
            if still is not None:
                return still
    return None


def deliver_one(session: Session, channels: Mapping[str, Channel], cfg: AlertsConfig, now: datetime, *,
                public_url: str | None) -> str | None:
    """Send the next due message and record the outcome for each of its deliveries; returns
    "sent", "failed" or None when nothing is due. The caller commits after each call, so a crash
    repeats at most one send. ``public_url`` is the web app's base URL for acknowledgement
    links (None: the command only)."""
    group = claim_message(session, now)
    if not group:
        return None
    alerts = [d.alert for d in group]
    name = group[0].channel
    title, text = render_message(session, alerts, now, public_url=public_url, channel=name)
    channel = channels.get(name)
    attachments = [str(a.payload["path"]) for a in alerts if a.payload.get("path")]
    try:
        if channel is None:
            raise ChannelError(f"渠道 {name} 未配置")
        channel.send(title, text, keys.message_send_key(name, (a.key for a in alerts)), attachments)
    except ChannelError as exc:
        for d in group:
            d.attempts += 1
            d.last_error = str(exc)[:1000]
            d.next_attempt_at = now + backoff(d.attempts, cfg)
        return "failed"
    for d in group:
        d.attempts += 1
        d.status, d.sent_at, d.last_error = "sent", now, None
    return "sent"


def pending_count(session: Session) -> int:
    """Messages waiting to be sent: pending deliveries, one per channel and event (as they are sent)."""
    rows = session.execute(select(AlertDelivery.id, AlertDelivery.channel, Alert.event_id)
                           .join(Alert, Alert.id == AlertDelivery.alert_id).where(AlertDelivery.status == "pending"))
    return len({keys.message_group(channel, event, did) for did, channel, event in rows})
