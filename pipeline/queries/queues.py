"""A unit's work queue: its open assignments, most urgent first, with time left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.queries.headlines import named
from pipeline.storage.models import Assignment, Deadline, Event, Unit
from pipeline.storage.store import unit_hint, unit_named

# What leaves a unit's queue: finished, handed back, or taken off the unit.
CLOSED = ("closed", "returned", "withdrawn")


class UnknownUnit(ValueError):
    """A unit name that is not configured; the message (Chinese) suggests close names."""


@dataclass(frozen=True)
class QueueItem:
    event_id: int
    title: str
    grade: str | None
    role: str
    status: str
    milestone: str | None
    due_at: datetime | None
    overdue: bool
    sentiment: str | None = None
    needs_review: bool = False


def resolve_unit(session: Session, name: str) -> Unit:
    unit = unit_named(session, name)
    if unit is None:
        raise UnknownUnit(f"没有名为“{name}”的单位{unit_hint(session, name)}")
    return unit


def unit_queue(session: Session, unit_name: str, now: datetime) -> list[QueueItem]:
    """Open items of a unit, the earliest unmet deadline first; items with no open deadline
    (answered, waiting for 办结) last.

    The event's deadlines are held by its primary unit; every other unit on the event
    (cooperating, coordinating, transfer) sees those same deadlines.
    """
    unit = resolve_unit(session, unit_name)
    stmt = (select(Assignment, Event).join(Event, Event.id == Assignment.event_id)
            .where(Assignment.unit_id == unit.id, Assignment.status.not_in(CLOSED)))
    rows = list(session.execute(stmt).all())
    primaries = {
        a.event_id: a.id
        for a in session.scalars(select(Assignment).where(
            Assignment.event_id.in_([e.id for _, e in rows]), Assignment.role == "primary",
            Assignment.status != "withdrawn"))
    }
    watched = {a.id for a, _ in rows} | set(primaries.values())
    unmet: dict[int, list[Deadline]] = {}
    for d in session.scalars(select(Deadline).where(Deadline.assignment_id.in_(watched), Deadline.met_at.is_(None),
                                                    Deadline.cancelled_at.is_(None))):
        unmet.setdefault(d.assignment_id, []).append(d)
    items: list[QueueItem] = []
    for a, ev in rows:
        own = unmet.get(primaries.get(ev.id, -1))
        nxt = min(own or [], key=lambda d: d.due_at, default=None)
        items.append(QueueItem(ev.id, ev.title, ev.grade, a.role, a.status,
                               nxt.milestone if nxt else None, nxt.due_at if nxt else None,
                               bool(nxt and nxt.due_at < now), ev.sentiment, bool(ev.needs_review)))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(named(session, items), key=lambda i: (i.due_at or far, i.event_id))
