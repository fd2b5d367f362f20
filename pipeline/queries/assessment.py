"""The figures of a 考核通报 (RULES.md §5, the notice's §8) for one period, per unit:

- 收到交办: assignments the unit was given in the span as 牵头, 配合 or 线索移交 (coordinators
  watch every item and are not counted), whatever became of them later;
- 按时率 per milestone: the unit's milestones that fell due in the span, met by their due time
  (a milestone no longer called for — cancelled — is left out; a late one stays late);
- 超时: milestones due in the span not met in time, of which 仍未完成 are still unmet now;
- 首次回应用时中位数: from the assignment to the unit's first recorded response, over the items
  received in the span that it has answered;
- 退回: items the unit returned (退回) in the span.

Sorted for 通报: the most overdue first, then the lowest on-time rate. All as of ``now``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.queries.report_common import WORKING_ROLES, deadline_state
from pipeline.reports.periods import Period
from pipeline.storage.models import Assignment, Deadline, Event, Response, Unit
from pipeline.vocabulary import MILESTONES


@dataclass
class Tally:
    due: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass
class UnitScore:
    unit: str
    kind: str
    received: int = 0
    received_primary: int = 0
    milestones: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in MILESTONES})
    overdue: int = 0
    unanswered: int = 0
    responded: int = 0
    median_first_response_hours: float | None = None
    returned: int = 0

    def rate(self, milestone: str) -> float | None:
        """The on-time rate of one milestone (None: none fell due)."""
        tally = self.milestones.get(milestone)
        return tally.rate if tally is not None else None

    @property
    def total(self) -> Tally:
        return Tally(sum(t.due for t in self.milestones.values()), sum(t.on_time for t in self.milestones.values()))


@dataclass(frozen=True)
class LateCase:
    event_id: int
    title: str
    grade: str | None
    unit: str
    milestone: str
    due_at: datetime
    met_at: datetime | None   # None: still unmet
    late_hours: float         # met (or now) minus due


@dataclass(frozen=True)
class AssessmentFigures:
    period: Period
    now: datetime
    until: datetime
    units: tuple[UnitScore, ...]
    late_cases: tuple[LateCase, ...]

    @property
    def complete(self) -> bool:
        return self.until >= self.period.end


def span(since: datetime | None, until: datetime | None, now: datetime) -> Period:
    """A span of the board's choosing (either end open) as a period: from ``since`` (the first
    record kept) to ``until`` (exclusive; at most just after ``now``)."""
    start = since or datetime(2000, 1, 1, tzinfo=now.tzinfo)
    return Period("custom", start, until or now + timedelta(days=1))


def assessment_figures(session: Session, period: Period, now: datetime) -> AssessmentFigures:
    until = period.until(now)
    units = {uid: UnitScore(name, kind) for uid, name, kind in session.execute(select(Unit.id, Unit.name, Unit.kind))}
    _received(session, units, period.start, until, now)
    late = _milestones(session, units, period.start, until, now)
    returned: Any = session.execute(select(Assignment.unit_id, func.count()).where(
        Assignment.returned_at >= period.start, Assignment.returned_at < until).group_by(Assignment.unit_id))
    for uid, n in returned:
        units[uid].returned = int(n)
    scored = [u for u in units.values() if u.received or u.total.due or u.returned]
    scored.sort(key=lambda u: (-u.overdue, 2.0 if u.total.rate is None else u.total.rate, -u.received, u.unit))
    return AssessmentFigures(period, now, until, tuple(scored), tuple(sorted(late, key=lambda c: (-c.late_hours, c.event_id))))


def _received(session: Session, units: dict[int, UnitScore], start: datetime, until: datetime, now: datetime) -> None:
    """Items received in the span and how long each unit took to its first response."""
    first: dict[tuple[int, int], datetime] = {}
    answers: Any = session.execute(select(Response.unit_id, Response.event_id, func.min(Response.responded_at))
                                   .where(Response.responded_at <= now).group_by(Response.unit_id, Response.event_id))
    for uid, eid, at in answers:
        first[(uid, eid)] = at
    waits: dict[int, list[float]] = defaultdict(list)
    stmt = select(Assignment.unit_id, Assignment.event_id, Assignment.role, Assignment.created_at).where(
        Assignment.role.in_(WORKING_ROLES), Assignment.created_at >= start, Assignment.created_at < until)
    for uid, eid, role, created in session.execute(stmt):
        score = units[uid]
        score.received += 1
        score.received_primary += role == "primary"
        answered = first.get((uid, eid))
        if answered is not None:
            waits[uid].append(max(0.0, (answered - created).total_seconds() / 3600))
    for uid, hours in waits.items():
        units[uid].responded = len(hours)
        units[uid].median_first_response_hours = median(hours)


def _milestones(session: Session, units: dict[int, UnitScore], start: datetime, until: datetime,
                now: datetime) -> list[LateCase]:
    """On-time tallies per unit and milestone for the milestones due in the span; the late ones."""
    stmt = (select(Assignment.unit_id, Assignment.event_id, Event.title, Event.grade, Deadline.milestone,
                   Deadline.due_at, Deadline.met_at, Deadline.cancelled_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Event, Event.id == Assignment.event_id)
            .where(Deadline.due_at >= start, Deadline.due_at < until))
    late: list[LateCase] = []
    for uid, eid, title, grade, milestone, due, met, cancelled in session.execute(stmt):
        state = deadline_state(due, met, cancelled, now)
        if state == "cancelled":
            continue
        score = units[uid]
        tally = score.milestones.setdefault(milestone, Tally())
        tally.due += 1
        tally.on_time += state == "on_time"
        if state in ("late", "overdue"):
            score.overdue += 1
            score.unanswered += state == "overdue"
            shown_met = met if state == "late" else None
            late.append(LateCase(eid, title, grade, score.unit, milestone, due, shown_met,
                                 ((shown_met or now) - due).total_seconds() / 3600))
    return late
