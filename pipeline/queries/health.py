"""What ``/healthz`` reads from the database: each source's last success, the alert outbox's
backlog and its oldest undelivered urgent alert, and when collection last ran. Counts and
times only: no text of a post, an alert or an error (the page is unauthenticated)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.rules.vitals import OutboxVitals, SourceVitals
from pipeline.storage.models import Alert, AlertDelivery, Source, SourceRun


def source_vitals(session: Session) -> list[SourceVitals]:
    success = (select(SourceRun.source_id, func.max(SourceRun.started_at).label("at"))
               .where(or_(SourceRun.fetched > 0, SourceRun.health == "ok"))
               .group_by(SourceRun.source_id).subquery())
    rows = session.execute(select(Source.name, Source.platform, Source.health, Source.last_run_at, success.c.at)
                           .outerjoin(success, success.c.source_id == Source.id).order_by(Source.name))
    return [SourceVitals(*row) for row in rows.tuples()]


def outbox_vitals(session: Session) -> OutboxVitals:
    pending, failing = session.execute(
        select(func.count(), func.count().filter(AlertDelivery.attempts > 0))
        .where(AlertDelivery.status == "pending")).one()
    oldest = session.execute(select(Alert.id, Alert.created_at).join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
                             .where(Alert.urgent.is_(True), AlertDelivery.status == "pending")
                             .order_by(Alert.created_at, Alert.id).limit(1)).first()
    channels: tuple[str, ...] = ()
    if oldest is not None:
        channels = tuple(sorted(session.scalars(select(AlertDelivery.channel).where(
            AlertDelivery.alert_id == oldest.id, AlertDelivery.status == "pending"))))
    return OutboxVitals(int(pending or 0), int(failing or 0), oldest.created_at if oldest else None, channels)
