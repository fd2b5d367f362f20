"""The operational picture for ``yuqing status``: volumes, open work, overdue deadlines, and
the alert outbox (pending deliveries, failing channels, unacknowledged urgent alerts), and the
spans of the last week in which collection coverage was incomplete."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.coverage import open_gaps
from pipeline.storage.models import Alert, AlertDelivery, Assignment, Deadline, Event, Post, Source
from pipeline.vocabulary import HEALTH_NAMES


def status(session: Session, now: datetime) -> dict[str, Any]:
    day_ago = now - timedelta(days=1)
    count = lambda stmt: session.scalar(stmt) or 0  # noqa: E731
    grades = dict(session.execute(select(Event.grade, func.count()).where(Event.relevant.is_(True))
                                  .group_by(Event.grade)).all())
    failing = session.execute(select(AlertDelivery.channel, func.count(), func.max(AlertDelivery.last_error))
                              .where(AlertDelivery.status == "pending", AlertDelivery.attempts > 0)
                              .group_by(AlertDelivery.channel)).all()
    return {
        "posts": count(select(func.count()).select_from(Post)),
        "posts_last_24h": count(select(func.count()).select_from(Post).where(Post.first_seen_at >= day_ago)),
        "relevant_events_by_grade": {str(k): v for k, v in grades.items()},
        "open_assignments": count(select(func.count()).select_from(Assignment)
                                  .where(Assignment.status.not_in(("responded", "closed", "returned")))),
        "overdue_deadlines": count(select(func.count()).select_from(Deadline)
                                   .where(Deadline.met_at.is_(None), Deadline.due_at < now)),
        "pending_deliveries": count(select(func.count()).select_from(AlertDelivery)
                                    .where(AlertDelivery.status == "pending")),
        "failing_channels": {ch: {"pending": n, "last_error": err} for ch, n, err in failing},
        "unacknowledged_urgent_alerts": count(select(func.count()).select_from(Alert).where(
            Alert.urgent.is_(True), Alert.kind == "event", Alert.acknowledged_at.is_(None))),
        "sources_not_ok": _sources_not_ok(session),
        "coverage_gaps_last_7d": [g.text() for g in open_gaps(session, now - timedelta(days=7), now)],
    }


def _sources_not_ok(session: Session) -> list[str]:
    stmt = (select(Source.name, Source.health, Source.health_reason)
            .where(Source.health.in_(("degraded", "down"))).order_by(Source.name))
    return [f"{name}：{HEALTH_NAMES.get(str(health), health)}，{reason or ''}" for name, health, reason in session.execute(stmt)]
