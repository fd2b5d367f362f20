"""What the report queries share: counted lists, and the owner, handling state and responses
of events (the lines of a report's event tables). A milestone's handling state is
pipeline.rules.deadlines.handling_state.

Every state is read *as of* ``now``: a response, a milestone met or cancelled after ``now`` has
not happened yet, so a report rebuilt for the same moment gives the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from pipeline.queries.headlines import headlines
from pipeline.rules.deadlines import handling_state, worst_handling
from pipeline.storage.models import Assignment, Deadline, Event, Post, Response, Unit
from pipeline.storage.store import chunks

# Roles that work an item (coordinators watch every item: they are not counted as receiving it).
WORKING_ROLES: tuple[str, ...] = ("primary", "cooperating", "transfer")


def relevant_posts_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Relevant posts (涉本县信息) first detected in ``[start, end)``."""
    return Post.relevant.is_(True) & (Post.first_seen_at >= start) & (Post.first_seen_at < end)


def period_events(session: Session, start: datetime, end: datetime) -> dict[int, int]:
    """THE events of a period, for every table, chart and sentence of the periodic reports:
    relevant events, not merged into another (a merged-away duplicate is not an event: the kept
    one carries its posts), with relevant posts first detected in ``[start, end)`` -> how many.
    An event *new* in the period is one of these first detected in it."""
    stmt = (select(Post.event_id, func.count()).join(Event, Event.id == Post.event_id)
            .where(relevant_posts_in(start, end), Event.relevant.is_(True), Event.merged_into.is_(None))
            .group_by(Post.event_id))
    return {int(eid): int(n) for eid, n in session.execute(stmt)}


def handling_of(session: Session, event_ids: list[int], now: datetime) -> dict[int, str]:
    """Each event's handling state (the worst of its owner's milestones, HANDLING_NAMES), as of ``now``."""
    owners: dict[int, int] = {}
    for part in chunks(event_ids):
        stmt = select(Assignment.event_id, Assignment.id).where(
            Assignment.event_id.in_(part), Assignment.role == "primary", Assignment.status != "withdrawn")
        owners.update({eid: aid for eid, aid in session.execute(stmt)})
    states = _handling(session, list(owners.values()), now)
    return {eid: states.get(owners.get(eid, -1), "none") for eid in event_ids}


def transferred_events(session: Session, event_ids: list[int]) -> set[int]:
    """Events with a 线索移交 recipient (谣言)."""
    found: set[int] = set()
    for part in chunks(event_ids):
        found.update(session.scalars(select(Assignment.event_id).where(
            Assignment.event_id.in_(part), Assignment.role == "transfer", Assignment.status != "withdrawn")))
    return found


def answered_events(session: Session, event_ids: list[int], now: datetime) -> set[int]:
    """Events with at least one response recorded by ``now``."""
    return {eid for eid, n in _responses(session, event_ids, now).items() if n}


@dataclass(frozen=True)
class Count:
    name: str
    count: int


def counted(rows: Iterable[tuple[str | None, int]], missing: str) -> tuple[Count, ...]:
    """(name, count) rows as Counts, largest first (ties by name); a NULL name is ``missing``."""
    merged: dict[str, int] = defaultdict(int)
    for name, n in rows:
        merged[name if name else missing] += int(n)
    return tuple(Count(k, v) for k, v in sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True)
class EventLine:
    """One event as the report's tables show it."""

    event_id: int
    title: str
    grade: str | None
    topic: str | None
    categories: tuple[str, ...]
    rumor: bool
    owner: str | None           # the primary unit
    status: str | None          # the primary's assignment status (pipeline.vocabulary.STATUS_NAMES)
    handling: str               # worst state of the owner's milestones (HANDLING_NAMES)
    posts: int                  # posts in the report's span
    engagement: int | None
    first_seen_at: datetime
    responses: int
    transfers: tuple[str, ...]  # 线索移交 units (谣言)


def event_lines(session: Session, posts: dict[int, int], now: datetime) -> list[EventLine]:
    """Lines for the events ``posts`` names (event id -> posts in the span), in that order."""
    ids = list(posts)
    events: dict[int, Event] = {}
    owners: dict[int, tuple[str, str, int]] = {}
    transfers: dict[int, list[str]] = defaultdict(list)
    for part in chunks(ids):
        events.update({e.id: e for e in session.scalars(select(Event).where(Event.id.in_(part)))})
        stmt = (select(Assignment.event_id, Unit.name, Assignment.status, Assignment.id, Assignment.role)
                .join(Unit, Unit.id == Assignment.unit_id)
                .where(Assignment.event_id.in_(part), Assignment.status != "withdrawn")
                .order_by(Assignment.id))
        for eid, unit, status, aid, role in session.execute(stmt):
            if role == "primary":
                owners[eid] = (unit, status, aid)
            elif role == "transfer":
                transfers[eid].append(unit)
    handling = _handling(session, [a for _, _, a in owners.values()], now)
    answered = _responses(session, ids, now)
    names = headlines(session, ids)
    lines = []
    for eid in ids:
        ev = events[eid]
        owner: tuple[str | None, str | None, int] = owners.get(eid, (None, None, -1))
        owner_unit, owner_status, aid = owner
        lines.append(EventLine(eid, names.get(eid, ev.title), ev.grade, ev.topic, tuple(ev.categories or ()), bool(ev.rumor),
                               owner_unit, owner_status, handling.get(aid, "none"), posts[eid], ev.engagement, ev.first_seen_at,
                               answered.get(eid, 0), tuple(transfers[eid])))
    return lines


def _handling(session: Session, assignment_ids: list[int], now: datetime) -> dict[int, str]:
    states: dict[int, list[str]] = defaultdict(list)
    for part in chunks(assignment_ids):
        stmt = select(Deadline.assignment_id, Deadline.due_at, Deadline.met_at, Deadline.cancelled_at).where(
            Deadline.assignment_id.in_(part))
        for aid, due, met, cancelled in session.execute(stmt):
            states[aid].append(handling_state(due, now, met, cancelled))
    return {aid: worst_handling(s) for aid, s in states.items()}


def _responses(session: Session, event_ids: list[int], now: datetime) -> dict[int, int]:
    found: dict[int, int] = {}
    for part in chunks(event_ids):
        stmt = (select(Response.event_id, func.count()).where(Response.event_id.in_(part), Response.responded_at <= now)
                .group_by(Response.event_id))
        found.update({eid: int(n) for eid, n in session.execute(stmt)})
    return found
