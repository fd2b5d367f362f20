"""How an acknowledgement is shown wherever it appears (a typed name is marked self-declared).
The acknowledgement page's view of one alert is ``pipeline.alerts.acks``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_

from pipeline.storage.models import Alert
from pipeline.vocabulary import ACK_VIA_NAMES, CHANNEL_TYPE_NAMES


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
