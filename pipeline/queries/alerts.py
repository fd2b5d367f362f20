"""What people read about alerts: the acknowledgement page's view of one alert, and how an
acknowledgement is shown wherever it appears (a typed name is marked self-declared)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from pipeline.alerts import codes
from pipeline.alerts.outbox import chain
from pipeline.storage.models import Alert, Event
from pipeline.vocabulary import ACK_VIA_NAMES, ALERT_HEADINGS, CHANNEL_TYPE_NAMES


def awaiting_acknowledgement() -> ColumnElement[bool]:
    """An urgent first alert of an event nobody has acknowledged yet (what a duty officer
    chases: reminders, overdue notices and escalations are acknowledged through it)."""
    return and_(Alert.urgent.is_(True), Alert.kind == "event", Alert.acknowledged_at.is_(None))


def acknowledger(by: str | None, declared: bool | None) -> str:
    """Who acknowledged, as shown: a name only typed into a form or a command is “（自报）”."""
    name = by or "—"
    return f"{name}（自报）" if declared else name


def ack_how(via: str | None, channel: str | None, address: str | None, channel_types: dict[str, str]) -> str:
    """How an acknowledgement came, for the staff's pages: “经钉钉消息链接（units-dingtalk），来自 10.0.0.5”."""
    if via is None:
        return ""
    how = ACK_VIA_NAMES.get(via, via)
    if via == "link" and channel:
        kind = CHANNEL_TYPE_NAMES.get(channel_types.get(channel, ""), "")
        how = f"{kind}消息链接（{channel}）"
    return f"经{how}" + (f"，来自 {address}" if address else "")


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
    acknowledged_by: str | None  # as shown: a self-declared name carries “（自报）”
    chain_size: int
    expired: str | None = None  # why the code no longer works (the event closed or merged away)


def ack_view(session: Session, token: str) -> AckView | None:
    """The alert with this acknowledgement code, for display; None when there is none."""
    found = codes.find(session, token)
    if found is None:
        return None
    _, alert = found
    links = chain(session, alert)
    event = session.get(Event, alert.event_id) if alert.event_id else None
    first: Alert = links[0]
    return AckView(
        token=token, heading=ALERT_HEADINGS.get(alert.kind, "舆情通知"), urgent=alert.urgent,
        event_id=alert.event_id, event_title=event.title if event else str(alert.payload.get("text", "")),
        grade=alert.grade or (event.grade if event else None), recipient=alert.recipient,
        unacknowledged=_names(alert.payload.get("unacknowledged")) if alert.kind == "escalation" else None,
        created_at=alert.created_at, acknowledged_at=first.acknowledged_at,
        acknowledged_by=acknowledger(first.acknowledged_by, first.acknowledged_declared)
        if first.acknowledged_at else None, chain_size=len(links), expired=codes.expired(session, alert))


def _names(value: object) -> str | None:
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or None
    return str(value) if value else None
