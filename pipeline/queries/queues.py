"""What open work is, as SQL conditions every list and count shares: an assignment still being
worked, the assignment that holds an event's deadlines (its owner's), a deadline still to meet
and one past due (the rules' cutoff in SQL); and the unit a name stands for. The lists themselves (a unit's inbox and queue, the
board) are pipeline/queries/work.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_
from sqlalchemy.orm import Session

from pipeline.rules.deadlines import due_reached
from pipeline.storage.models import Assignment, Deadline, Unit
from pipeline.storage.store import unit_hint, unit_named

# What leaves a unit's queue: finished, handed back, or taken off the unit.
CLOSED = ("closed", "returned", "withdrawn")


class UnknownUnit(ValueError):
    """A unit name that is not configured; the message (Chinese) suggests close names."""


def resolve_unit(session: Session, name: str) -> Unit:
    unit = unit_named(session, name)
    if unit is None:
        raise UnknownUnit(f"没有名为“{name}”的单位{unit_hint(session, name)}")
    return unit


def open_assignment(a: type[Assignment] = Assignment) -> ColumnElement[bool]:
    """An assignment its unit still works (not 办结, returned or withdrawn): in its queue."""
    return a.status.not_in(CLOSED)


def on_the_board(a: type[Assignment] = Assignment) -> ColumnElement[bool]:
    """What the coordinators watch: an event's 牵头 assignment still worked, and every item a
    unit returned (waiting for 改派)."""
    return or_(and_(a.role == "primary", open_assignment(a)), a.status == "returned")


def owns_event(a: type[Assignment] = Assignment) -> ColumnElement[bool]:
    """The event's 牵头 unit now: its primary assignment, unless handed back or withdrawn."""
    return and_(a.role == "primary", a.status.not_in(("returned", "withdrawn")))


def holds_deadlines(a: type[Assignment] = Assignment) -> ColumnElement[bool]:
    """The assignment whose deadlines are the event's: its 牵头 unit's (not withdrawn). Every
    other unit on the event (cooperating, coordinating, transfer) works to those same deadlines
    (RULES.md §3, §4)."""
    return and_(a.role == "primary", a.status != "withdrawn")


def unmet_deadline() -> ColumnElement[bool]:
    """A deadline still to meet: neither met nor cancelled."""
    return and_(Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None))


def past_due_clause(due_at: SQLColumnExpression[datetime], now: datetime) -> ColumnElement[bool]:
    """pipeline.rules.deadlines.past_due as a SQL condition on a due-time column (the same
    comparison: the rules stay free of SQL)."""
    return due_reached(due_at, now)
