"""Acknowledging alerts (RULES.md §5): the state change that stops an urgent alert's repeats
and escalation — by a person (the link in the message, ``yuqing ack``), or as a consequence
of a unit's 签收, response or 办结, which answer the same question."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit
from pipeline.alerts.outbox import chain
from pipeline.storage.models import Alert


class UnknownToken(LookupError):
    """No alert has this acknowledgement token."""


def acknowledge(session: Session, token: str, by: str, now: datetime) -> list[Alert]:
    """Acknowledge an alert by its token; the whole chain for that event, grade and recipient
    (the first alert and its repeats) counts as acknowledged, which stops escalation. An alert
    acknowledged before keeps its first acknowledger and time. ``by`` is a person's name:
    never empty."""
    try:
        by = actor_name(by)
    except ActionError as exc:
        raise ActionError(f"确认人：{exc}") from exc
    alert = session.scalar(select(Alert).where(Alert.ack_token == token))
    if alert is None:
        raise UnknownToken(f"确认码 {token} 不存在，请核对预警消息")
    ids = [a.id for a in chain(session, alert)]
    # A conditional UPDATE rather than setting attributes on loaded rows: when two people
    # confirm at the same moment (a double click, two duty officers), the rows are re-checked
    # under the write lock, so the one committed first stays recorded.
    result = session.execute(update(Alert).where(Alert.id.in_(ids), Alert.acknowledged_at.is_(None))
                             .values(acknowledged_at=now, acknowledged_by=by),
                             execution_options={"synchronize_session": False})
    if getattr(result, "rowcount", 0):
        audit(session, now, by, "acknowledge", "alert", alert.id, after="acknowledged", event_id=alert.event_id,
              recipient=alert.recipient)
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)
                                .execution_options(populate_existing=True)))


def acknowledge_for_unit(session: Session, event_id: int, unit: str, by: str, now: datetime) -> int:
    """Answer every alert about ``event_id`` addressed to ``unit`` that is still open (its own
    first alerts, their repeats): the unit has shown it has the item. Returns how many."""
    result = session.execute(update(Alert).where(Alert.event_id == event_id, Alert.recipient == unit,
                                                 Alert.acknowledged_at.is_(None))
                             .values(acknowledged_at=now, acknowledged_by=by[:64]),
                             execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
