"""The operational picture for ``yuqing status``: volumes, open work, overdue deadlines, items
returned for reassignment, the alert outbox (pending deliveries, failing channels) and the open
urgent alerts with their numbers (for ``yuqing ack --alert``), sources that are not well, and the spans of
the last week in which collection coverage was incomplete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.coverage import open_gaps
from pipeline.queries.alerts import ack_how, acknowledger, awaiting_acknowledgement
from pipeline.queries.headlines import named
from pipeline.queries.queues import open_assignment, past_due_clause, unmet_deadline
from pipeline.storage.models import Alert, AlertDelivery, Assignment, Deadline, Event, Post, Source, Unit
from pipeline.vocabulary import HEALTH_NAMES, by_severity


@dataclass(frozen=True)
class OpenAlert:
    """An urgent alert nobody has acknowledged: what a duty officer needs to acknowledge it
    (its number: the codes of its messages are not stored)."""

    event_id: int | None
    grade: str | None
    recipient: str
    alert_id: int
    created_at: datetime
    title: str


def status(session: Session, now: datetime, channel_types: dict[str, str] | None = None) -> dict[str, Any]:
    """``channel_types``: channel name → type (``cfg.alerts.channels``), to say how an
    acknowledgement came."""
    day_ago = now - timedelta(days=1)
    count = lambda stmt: session.scalar(stmt) or 0  # noqa: E731
    grades = dict(session.execute(select(Event.grade, func.count())
                                  .where(Event.relevant.is_(True), Event.merged_into.is_(None))
                                  .group_by(Event.grade)).all())
    failing = session.execute(select(AlertDelivery.channel, func.count(), func.max(AlertDelivery.last_error))
                              .where(AlertDelivery.status == "pending", AlertDelivery.attempts > 0)
                              .group_by(AlertDelivery.channel)).all()
    return {
        "posts": count(select(func.count()).select_from(Post)),
        "posts_last_24h": count(select(func.count()).select_from(Post).where(Post.first_seen_at >= day_ago)),
        "relevant_events_by_grade": {g: grades[g] for g in by_severity([str(g) for g in grades if g])},
        "open_assignments": count(select(func.count()).select_from(Assignment).where(open_assignment())),
        "overdue_deadlines": count(select(func.count()).select_from(Deadline)
                                   .where(unmet_deadline(), past_due_clause(Deadline.due_at, now))),
        "returned": returned_items(session),
        "pending_deliveries": count(select(func.count()).select_from(AlertDelivery)
                                    .where(AlertDelivery.status == "pending")),
        "failing_channels": {ch: {"pending": n, "last_error": err} for ch, n, err in failing},
        "open_urgent_alerts": open_urgent_alerts(session),
        "acknowledged_last_24h": recent_acknowledgements(session, day_ago, channel_types or {}),
        "sources_not_ok": _sources_not_ok(session),
        "coverage_gaps_last_7d": [g.text() for g in open_gaps(session, now - timedelta(days=7), now)],
    }


def open_urgent_alerts(session: Session, limit: int = 50) -> list[OpenAlert]:
    """Urgent first alerts not yet acknowledged, oldest first."""
    stmt = (select(Alert.event_id, Alert.grade, Alert.recipient, Alert.id, Alert.created_at, Event.title)
            .outerjoin(Event, Event.id == Alert.event_id)
            .where(awaiting_acknowledgement())
            .order_by(Alert.created_at, Alert.id).limit(limit))
    return named(session, [OpenAlert(e, g, r, t, c, title or "") for e, g, r, t, c, title in session.execute(stmt)])


@dataclass(frozen=True)
class Acknowledgement:
    """An urgent alert acknowledged lately: who (as shown: a typed name is “（自报）”), how, when."""

    alert_id: int
    event_id: int | None
    recipient: str
    by: str
    how: str
    at: datetime


def recent_acknowledgements(session: Session, since: datetime, channel_types: dict[str, str],
                            limit: int = 50) -> list[Acknowledgement]:
    """Urgent first alerts acknowledged since ``since`` by a person (not by a unit's 签收 or
    answer), newest first."""
    stmt = (select(Alert).where(Alert.urgent.is_(True), Alert.kind == "event", Alert.acknowledged_at >= since,
                                Alert.acknowledged_via.in_(("link", "cli")))
            .order_by(Alert.acknowledged_at.desc(), Alert.id.desc()).limit(limit))
    return [Acknowledgement(a.id, a.event_id, a.recipient, acknowledger(a.acknowledged_by, a.acknowledged_declared),
                            ack_how(a.acknowledged_via, a.acknowledged_channel, a.acknowledged_from, channel_types),
                            a.acknowledged_at) for a in session.scalars(stmt) if a.acknowledged_at is not None]


def returned_items(session: Session) -> list[tuple[int, str, str]]:
    """(event, unit, reason) of items units returned, waiting for the coordinators to reassign."""
    stmt = (select(Assignment.event_id, Unit.name, Assignment.return_reason).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.status == "returned").order_by(Assignment.returned_at))
    return [(e, u, r or "") for e, u, r in session.execute(stmt)]


def _sources_not_ok(session: Session) -> list[str]:
    stmt = (select(Source.name, Source.health, Source.health_reason)
            .where(Source.health.in_(("degraded", "down"))).order_by(Source.name))
    return [f"{name}：{HEALTH_NAMES.get(str(health), health)}，{reason or ''}" for name, health, reason in session.execute(stmt)]
