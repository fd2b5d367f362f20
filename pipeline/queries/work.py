"""Open work, most urgent first: a unit's inbox (only its own assignments; ``yuqing queue``
lists the same items in the same order), and the coordinators' board (every open primary
assignment and every item returned for reassignment), in the urgency order
(pipeline/rules/urgency.py) or, as a choice, earliest deadline first; and a unit's finished
items (已办结). The deadline shown is the earliest unmet one of the event's primary unit: every
unit on an event works to the owner's deadlines (RULES.md §3, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from pipeline.queries.headlines import named
from pipeline.queries.queues import holds_deadlines, on_the_board, open_assignment, resolve_unit, unmet_deadline
from pipeline.queries.urgency import urgency_facts
from pipeline.rules.deadlines import deadline_state
from pipeline.rules.urgency import urgency_key, urgency_reasons
from pipeline.storage.models import Assignment, Deadline, Event, Unit

PAGE_SIZE = 50
ORDERS = {"urgency": "最紧急在前", "due": "时限最早在前"}


@dataclass(frozen=True)
class WorkItem:
    assignment_id: int
    event_id: int
    title: str
    grade: str | None
    unit: str
    role: str
    status: str
    return_reason: str | None
    milestone: str | None
    started_at: datetime | None
    due_at: datetime | None
    state: str | None
    reasons: tuple[str, ...] = ()          # why the urgency order puts it high (超时, 快速升温 …)
    closed_at: datetime | None = None
    sentiment: str | None = None
    needs_review: bool = False

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


@dataclass
class WorkPage:
    items: list[WorkItem]
    page: int
    has_next: bool


def _next_due() -> object:
    """The earliest unmet, uncancelled deadline of the event's primary assignment."""
    owner = aliased(Assignment)
    return (select(func.min(Deadline.due_at)).join(owner, owner.id == Deadline.assignment_id)
            .where(owner.event_id == Assignment.event_id, holds_deadlines(owner), unmet_deadline())
            .correlate(Assignment).scalar_subquery())


def open_work(session: Session, now: datetime, unit_id: int | None = None, page: int | None = 1,
              order: str = "urgency") -> WorkPage:
    """With ``unit_id``: that unit's open assignments (any role). Without: the board's open
    primary assignments and every returned one. ``order``: "urgency" (the urgency order) or
    "due" (earliest deadline first; none last). ``page`` None: every item, on one page."""
    due = _next_due().label("due")  # type: ignore[attr-defined]
    scope = on_the_board() if unit_id is None else and_(Assignment.unit_id == unit_id, open_assignment())
    stmt = (select(Assignment.id, Assignment.event_id, Event.title, Event.grade, Unit.name, Assignment.role,
                   Assignment.status, Assignment.return_reason, Event.sentiment, Event.needs_review, due)
            .join(Event, Event.id == Assignment.event_id).join(Unit, Unit.id == Assignment.unit_id).where(scope))
    first = 0 if page is None else (max(page, 1) - 1) * PAGE_SIZE
    size = None if page is None else PAGE_SIZE
    if order == "due":
        stmt = stmt.order_by(due.asc().nulls_last(), Assignment.event_id, Assignment.id)
        rows = list(session.execute(stmt if size is None else stmt.limit(size + 1).offset(first)).all())
        facts = urgency_facts(session, now, {r.event_id for r in rows})
    else:
        rows = list(session.execute(stmt).all())
        facts = urgency_facts(session, now, {r.event_id for r in rows})
        rows.sort(key=lambda r: (urgency_key(facts[r.event_id], now), r.event_id, r.id))
        rows = rows[first:] if size is None else rows[first:first + size + 1]
    shown = rows if size is None else rows[:size]
    nexts = _deadlines_due(session, {r.event_id: r.due for r in shown if r.due is not None})
    items = []
    for r in shown:
        milestone, started = nexts.get(r.event_id, (None, None))
        items.append(WorkItem(r.id, r.event_id, r.title, r.grade, r.name, r.role, r.status, r.return_reason,
                              milestone, started, r.due, deadline_state(r.due, now, started),
                              tuple(urgency_reasons(facts[r.event_id], now)),
                              sentiment=r.sentiment, needs_review=bool(r.needs_review)))
    return WorkPage(named(session, items), 1 if page is None else max(page, 1), len(shown) < len(rows))


def unit_queue(session: Session, unit_name: str, now: datetime) -> list[WorkItem]:
    """``yuqing queue``: every open item of the unit named, as its inbox lists them (the same
    items in the same order, the urgency order), on one page."""
    return open_work(session, now, resolve_unit(session, unit_name).id, page=None).items


def closed_work(session: Session, unit_id: int, page: int = 1) -> WorkPage:
    """A unit's finished items (已办结), the most recently finished first."""
    stmt = (select(Assignment.id, Assignment.event_id, Event.title, Event.grade, Unit.name, Assignment.role,
                   Assignment.closed_at)
            .join(Event, Event.id == Assignment.event_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.unit_id == unit_id, Assignment.status == "closed")
            .order_by(Assignment.closed_at.desc(), Assignment.id.desc())
            .limit(PAGE_SIZE + 1).offset((max(page, 1) - 1) * PAGE_SIZE))
    rows = session.execute(stmt).all()
    items = [WorkItem(r.id, r.event_id, r.title, r.grade, r.name, r.role, "closed", None, None, None, None, None,
                      closed_at=r.closed_at) for r in rows[:PAGE_SIZE]]
    return WorkPage(named(session, items), max(page, 1), len(rows) > PAGE_SIZE)


def _deadlines_due(session: Session, due: dict[int, datetime]) -> dict[int, tuple[str, datetime]]:
    """event id -> (milestone, started_at) of its primary's deadline due at the given time."""
    if not due:
        return {}
    stmt = (select(Assignment.event_id, Deadline.milestone, Deadline.started_at, Deadline.due_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id)
            .where(Assignment.event_id.in_(list(due)), holds_deadlines(), unmet_deadline()))
    found: dict[int, tuple[str, datetime]] = {}
    for eid, milestone, started, at in session.execute(stmt):
        if at == due[eid] and eid not in found:
            found[eid] = (milestone, started)
    return found
