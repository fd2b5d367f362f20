"""考核 (RULES.md §5, the notice §8): per unit — items received, on-time rate per milestone,
overdue count, median time to first response, items returned (退回) — over the assignments
created in a period, for 通报 and 约谈."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pipeline.storage.models import Assignment, Deadline, Response, Unit


@dataclass
class UnitFigures:
    unit: str
    received: int = 0
    returned: int = 0
    overdue: int = 0
    on_time: dict[str, tuple[int, int]] = field(default_factory=dict)  # milestone -> (on time, decided)
    first_response_hours: list[float] = field(default_factory=list)

    def rate(self, milestone: str) -> float | None:
        ok, decided = self.on_time.get(milestone, (0, 0))
        return ok / decided if decided else None

    @property
    def median_first_response_hours(self) -> float | None:
        return median(self.first_response_hours) if self.first_response_hours else None


S = TypeVar("S", bound=Select)


def _period(stmt: S, since: datetime | None, until: datetime | None) -> S:
    if since is not None:
        stmt = stmt.where(Assignment.created_at >= since)
    if until is not None:
        stmt = stmt.where(Assignment.created_at < until)
    return stmt


def assessment(session: Session, now: datetime, since: datetime | None = None,
               until: datetime | None = None) -> list[UnitFigures]:
    """Every unit that received work in the period, the most overdue first."""
    units: dict[int, UnitFigures] = {}
    counts = _period(select(Assignment.unit_id, Unit.name, func.count(), func.count(Assignment.returned_at))
                     .join(Unit, Unit.id == Assignment.unit_id).group_by(Assignment.unit_id, Unit.name), since, until)
    for uid, name, received, returned in session.execute(counts):
        units[uid] = UnitFigures(name, received, returned)
    deadlines = _period(select(Assignment.unit_id, Deadline.milestone, Deadline.due_at, Deadline.met_at)
                        .join(Assignment, Assignment.id == Deadline.assignment_id)
                        .where(Deadline.cancelled_at.is_(None)), since, until)
    for uid, milestone, due, met in session.execute(deadlines):
        f = units[uid]
        late = (met is None and due < now) or (met is not None and met > due)
        f.overdue += int(late)
        if met is not None or due < now:  # decided: met, or its time is up
            ok, decided = f.on_time.get(milestone, (0, 0))
            f.on_time[milestone] = (ok + int(not late), decided + 1)
    first = (select(Response.event_id, Response.unit_id, func.min(Response.responded_at).label("first"))
             .group_by(Response.event_id, Response.unit_id).subquery())
    waits = _period(select(Assignment.unit_id, Assignment.created_at, first.c.first)
                    .join(first, (first.c.event_id == Assignment.event_id) & (first.c.unit_id == Assignment.unit_id)),
                    since, until)
    for row in session.execute(waits):
        wait: timedelta = row[2] - row[1]
        units[row[0]].first_response_hours.append(max(wait.total_seconds(), 0) / 3600)
    return sorted(units.values(), key=lambda f: (-f.overdue, -f.received, f.unit))

