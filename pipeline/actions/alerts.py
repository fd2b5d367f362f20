"""Acknowledging an urgent alert (RULES.md §5): the state change that stops its repeats."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.alerts.outbox import chain
from pipeline.storage.models import Alert


def acknowledge(session: Session, token: str, by: str, now: datetime) -> list[Alert]:
    """Acknowledge an alert by its token; the whole chain for that event, grade and recipient
    (the first alert and its repeats) counts as acknowledged, which stops escalation. An alert
    acknowledged before keeps its first acknowledger and time."""
    alert = session.scalar(select(Alert).where(Alert.ack_token == token))
    if alert is None:
        raise LookupError(f"no alert with acknowledgement token {token!r}")
    ids = [a.id for a in chain(session, alert)]
    # A conditional UPDATE rather than setting attributes on loaded rows: when two people
    # confirm at the same moment (a double click, two duty officers), the rows are re-checked
    # under the write lock, so the one committed first stays recorded.
    session.execute(update(Alert).where(Alert.id.in_(ids), Alert.acknowledged_at.is_(None))
                    .values(acknowledged_at=now, acknowledged_by=by), execution_options={"synchronize_session": False})
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)
                                .execution_options(populate_existing=True)))
