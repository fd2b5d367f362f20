"""Acknowledgement codes: 128-bit random codes (``secrets.token_urlsafe(16)``) minted for the
chain of an urgent alert each time a message asking for its acknowledgement is rendered, one per
message, recording the channel it goes to. Only their SHA-256 is stored (``AckLink``): the plain
code exists in the message alone, so a copy of the database acknowledges nothing, and the code
used tells which channel's message it came from. A code stops working when its event is closed
(办结) or merged into another event. A message whose send fails keeps its codes: the channel may
have delivered it all the same (a timeout after the group received it)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.auth import digest
from pipeline.storage.models import AckLink, Alert, Assignment, Event

CODE_BYTES = 16  # 128 bits
# What a code looks like: token_urlsafe's alphabet; old codes (before 0008b) were 16 hex digits.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def mint(session: Session, root: Alert, channel: str | None, now: datetime) -> str:
    """A new code for the chain whose first alert is ``root``, for a message on ``channel``
    (None: not a channel's message). Returns the plain code; only its hash is stored."""
    code = secrets.token_urlsafe(CODE_BYTES)
    while code.startswith("-"):   # `yuqing ack -x…` would read as an option: one code in 64 did
        code = secrets.token_urlsafe(CODE_BYTES)
    session.add(AckLink(alert_id=root.id, token_hash=digest(code), channel=channel, created_at=now))
    return code


def find(session: Session, code: str) -> tuple[AckLink, Alert] | None:
    """The code's record and the alert it was minted for; None for an unknown code."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    row = session.execute(select(AckLink, Alert).join(Alert, Alert.id == AckLink.alert_id)
                          .where(AckLink.token_hash == digest(code))).first()
    return (row[0], row[1]) if row else None


def expired(session: Session, alert: Alert) -> str | None:
    """Why codes of this alert no longer work (Chinese), or None: its event was merged into
    another, or its owner has closed it (办结)."""
    if alert.event_id is None:
        return None
    event = session.get(Event, alert.event_id)
    if event is not None and event.merged_into is not None:
        return f"事件 {event.id} 已并入事件 {event.merged_into}"
    owners = list(session.scalars(select(Assignment.status).where(
        Assignment.event_id == alert.event_id, Assignment.role == "primary", Assignment.status != "withdrawn")))
    if owners and all(status == "closed" for status in owners):
        return f"事件 {alert.event_id} 已办结"
    return None
