"""The facts the urgency order (pipeline/rules/urgency.py) reads, gathered for open events: the
event's grade, its owner's next unmet milestone, whether a unit owns it, whether it is rising
(pipeline/queries/rising.py) and whether it is a rumour nobody has answered. Shared by the
desk, the board, the inboxes and the first screen, so that all of them sort alike."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.queries.queues import holds_deadlines, on_the_board, owns_event, unmet_deadline
from pipeline.queries.rising import rising_event_ids
from pipeline.rules.urgency import Urgency, urgency_key
from pipeline.storage.models import Assignment, Deadline, Event, Response

RANKED_MAX = 1000  # the desk ranks at most this many open events ahead of the rest


def open_event_ids(session: Session) -> set[int]:
    """Relevant events still being worked: a unit holds them as 牵头, or a unit returned them."""
    stmt = (select(Assignment.event_id).join(Event, Event.id == Assignment.event_id)
            .where(Event.relevant.is_(True), Event.merged_into.is_(None),
                   on_the_board()).distinct())
    return set(session.scalars(stmt))


def urgency_facts(session: Session, now: datetime, event_ids: Collection[int] | None = None) -> dict[int, Urgency]:
    """event id -> its urgency facts, for the given events (default: every open event)."""
    ids = sorted(open_event_ids(session) if event_ids is None else set(event_ids))
    if not ids:
        return {}
    owned = set(session.scalars(select(Assignment.event_id).where(
        Assignment.event_id.in_(ids), owns_event())))
    due = dict(session.execute(
        select(Assignment.event_id, func.min(Deadline.due_at)).join(Deadline, Deadline.assignment_id == Assignment.id)
        .where(Assignment.event_id.in_(ids), holds_deadlines(), unmet_deadline())
        .group_by(Assignment.event_id)).all())
    answered = set(session.scalars(select(Response.event_id).where(Response.event_id.in_(ids)).distinct()))
    rising = rising_event_ids(session, now)
    return {eid: Urgency(grade, due.get(eid), eid not in owned, eid in rising, bool(rumor) and eid not in answered)
            for eid, grade, rumor in session.execute(select(Event.id, Event.grade, Event.rumor)
                                                     .where(Event.id.in_(ids)))}


def ranked_open_events(session: Session, now: datetime, limit: int = RANKED_MAX) -> list[int]:
    """Open events, most urgent first (at most ``limit``)."""
    facts = urgency_facts(session, now)
    return sorted(facts, key=lambda eid: (urgency_key(facts[eid], now), eid))[:limit]
