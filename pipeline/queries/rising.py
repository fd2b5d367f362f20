"""Which open events are rising fast (快速升温) at a moment.

Placeholder: the real detection (posts and engagement per hour of an event against its own
recent history and the county's usual level) comes from the rising-events work of issue 19,
which replaces this module with the same signature. Until then no event is rising."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def rising_event_ids(session: Session, now: datetime) -> set[int]:
    """Ids of the events marked 快速升温 at ``now``; empty until the rising detection lands."""
    del session, now
    return set()
