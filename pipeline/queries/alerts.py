"""What people read about alerts: the acknowledgement page's view of one alert."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.alerts.outbox import chain
from pipeline.storage.models import Alert, Event
from pipeline.vocabulary import ALERT_HEADINGS


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
    links = chain(session, alert)
    event = session.get(Event, alert.event_id) if alert.event_id else None
    return AckView(
        token=alert.ack_token, heading=ALERT_HEADINGS.get(alert.kind, "舆情通知"), urgent=alert.urgent,
        event_id=alert.event_id, event_title=event.title if event else str(alert.payload.get("text", "")),
        grade=alert.grade or (event.grade if event else None), recipient=alert.recipient,
        unacknowledged=_names(alert.payload.get("unacknowledged")) if alert.kind == "escalation" else None,
        created_at=alert.created_at, acknowledged_at=links[0].acknowledged_at,
        acknowledged_by=links[0].acknowledged_by, chain_size=len(links))


def _names(value: object) -> str | None:
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or None
    return str(value) if value else None
