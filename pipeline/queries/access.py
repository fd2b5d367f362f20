"""Whether a reader may see (and so act on) one event: one small query, asked before any
action and before an event's page is read. A unit's reader sees an event only while the unit
holds an assignment on it (not withdrawn); a reader of every event sees any event there is.
Missing and not visible are the same answer, so an id guessed by a unit tells it nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import Assignment, Event


def may_see(session: Session, event_id: int, unit_id: int | None) -> bool:
    """Whether the event exists for this reader (``unit_id`` None: a reader of every event)."""
    if unit_id is None:
        stmt = select(Event.id).where(Event.id == event_id)
    else:
        stmt = select(Assignment.id).where(Assignment.event_id == event_id, Assignment.unit_id == unit_id,
                                           Assignment.status != "withdrawn").limit(1)
    return session.scalar(stmt) is not None
