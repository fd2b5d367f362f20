"""Acknowledging alerts (RULES.md §5): the state change that stops an urgent alert's repeats
and escalation — by a person (the link in a message, ``yuqing ack`` with a message's code or,
on the server, an alert's number), or as a consequence of a unit's 签收, response or 办结, which
answer the same question. Each acknowledgement records how (``via``: link, cli, work), the
channel of the message whose code was used, the address it came from, and whether the name
is only what the person typed (self-declared)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit
from pipeline.alerts import codes
from pipeline.alerts.outbox import chain
from pipeline.storage.models import Alert


class UnknownToken(LookupError):
    """No alert has this acknowledgement code."""


class ExpiredToken(ActionError):
    """The code's event is closed or merged away: the code no longer acknowledges anything."""


@dataclass(frozen=True)
class AckSource:
    """How an acknowledgement arrives: ``via`` link (the web page) or cli; the address (a web
    client's, or user@host of the command); whether the name was typed (self-declared) rather
    than known from a signed-in user."""

    via: str = "cli"
    address: str | None = None
    declared: bool = True


BY_COMMAND = AckSource()  # a name typed into ``yuqing ack``, place unknown


def _person(by: str) -> str:
    try:
        return actor_name(by)
    except ActionError as exc:
        raise ActionError(f"确认人：{exc}") from exc


def acknowledge(session: Session, token: str, by: str, now: datetime, source: AckSource = BY_COMMAND) -> list[Alert]:
    """Acknowledge an alert by a code from its message; the whole chain for that event, grade
    and recipient (the first alert and its repeats) counts as acknowledged, which stops
    escalation. An alert acknowledged before keeps its first acknowledger and time. ``by`` is a
    person's name: never empty. A code whose event is closed or merged away is refused."""
    by = _person(by)
    found = codes.find(session, token)
    if found is None:
        raise UnknownToken("确认码不存在，请核对预警消息")
    link, alert = found
    why = codes.expired(session, alert)
    if why is not None:
        raise ExpiredToken(f"确认码已失效：{why}")
    return _acknowledge_chain(session, alert, by, now, source, link.channel)


def acknowledge_by_number(session: Session, alert_id: int, by: str, now: datetime,
                          source: AckSource = BY_COMMAND) -> list[Alert]:
    """Acknowledge an alert by its number, for the operator on the server (``yuqing ack
    --alert``, the numbers ``yuqing status`` lists): the codes themselves are not stored."""
    by = _person(by)
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise UnknownToken(f"没有编号为 {alert_id} 的预警（yuqing status 列出未确认的紧急预警）")
    return _acknowledge_chain(session, alert, by, now, source, None)


def _acknowledge_chain(session: Session, alert: Alert, by: str, now: datetime, source: AckSource,
                       channel: str | None) -> list[Alert]:
    ids = [a.id for a in chain(session, alert)]
    # A conditional UPDATE rather than setting attributes on loaded rows: when two people
    # confirm at the same moment (a double click, two duty officers), the rows are re-checked
    # under the write lock, so the one committed first stays recorded.
    address = source.address[:64] if source.address else None
    result = session.execute(update(Alert).where(Alert.id.in_(ids), Alert.acknowledged_at.is_(None))
                             .values(acknowledged_at=now, acknowledged_by=by, acknowledged_via=source.via,
                                     acknowledged_channel=channel, acknowledged_from=address,
                                     acknowledged_declared=source.declared),
                             execution_options={"synchronize_session": False})
    if getattr(result, "rowcount", 0):
        audit(session, now, by, "acknowledge", "alert", alert.id, after="acknowledged", event_id=alert.event_id,
              recipient=alert.recipient, via=source.via, channel=channel, address=address,
              self_declared=source.declared)
    return list(session.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)
                                .execution_options(populate_existing=True)))


def acknowledge_for_unit(session: Session, event_id: int, unit: str, by: str, now: datetime) -> int:
    """Answer every alert about ``event_id`` addressed to ``unit`` that is still open (its own
    first alerts, their repeats): the unit has shown it has the item. Returns how many."""
    result = session.execute(update(Alert).where(Alert.event_id == event_id, Alert.recipient == unit,
                                                 Alert.acknowledged_at.is_(None))
                             .values(acknowledged_at=now, acknowledged_by=by[:64], acknowledged_via="work",
                                     acknowledged_declared=False),
                             execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
