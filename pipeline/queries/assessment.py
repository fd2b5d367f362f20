"""The figures of a 考核 (RULES.md §5, the notice's §8) for one period, per unit — the one query
the 考核通报, the coordinators' board and ``yuqing report assessment`` all read:

- 收到交办: assignments the unit was given in the span as 牵头, 配合 or 线索移交 (coordinators
  watch every item and are not counted), whatever became of them later; 签收, 回应 and 办结 of
  those items, each with its count and the median time from the assignment;
- per milestone: the milestones of the span (due in it), charged to the unit that owned each one
  *when it fell due* (see ``owner_at_due``): 到期 (fell due by now), 按时 (met by its due time),
  and — while not due yet — 未到期 (in time so far), of which already met;
- 超时: charged milestones that fell due unmet (a late one stays late), of which 仍未完成 are
  still unmet now;
- 退回: items the unit returned (退回) in the span.

Fair by construction (RULES.md §5): a milestone no longer called for before it fell due
(cancelled before its due time) is left out; a milestone still unmet when it fell due counts
against its owner at that moment even if it was taken off the unit afterwards; a unit that
returned an item before the milestone fell due is not charged — the time without an owner is the
coordinators' (a row of its own); a milestone carried over to a new owner after it had already
fallen due is the old owner's, not the new one's. Events merged into another are not events: the
kept event carries their work.

Sorted for 通报: the lowest on-time rate first (counts beside it, so a busy unit is not ranked
below an idle one for its volume alone), then the most overdue; units with nothing due last.
All as of ``now``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.queries.headlines import headlines
from pipeline.queries.report_common import WORKING_ROLES
from pipeline.rules.deadlines import met_late
from pipeline.rules.periods import Period
from pipeline.storage.models import Assignment, Deadline, Event, Response, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import MILESTONES

COORDINATORS_KIND = "coordinators"
COORDINATORS_LABEL = "协调单位（退回待改派期间）"   # the time without an owner (县政府办公室、县委宣传部)
OPEN_END = datetime(2100, 1, 1, tzinfo=SHANGHAI)


@dataclass
class Tally:
    due: int = 0          # fell due by now
    on_time: int = 0      # of those, met by the due time
    upcoming: int = 0     # not due yet: in time so far
    met_early: int = 0    # of those, already met

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    def text(self) -> str:
        """The cell a reader sees: ``80.0%（按时8/到期10）``, ``按时至今（未到期2）``, or ``本期无到期``."""
        if self.due:
            shown = f"{self.on_time / self.due * 100:.1f}%（按时{self.on_time}/到期{self.due}）"
            return shown + (f"；未到期{self.upcoming}" if self.upcoming else "")
        if self.upcoming:
            return f"按时至今（未到期{self.upcoming}，已完成{self.met_early}）"
        return "本期无到期"


@dataclass
class UnitScore:
    unit: str
    kind: str
    received: int = 0
    received_primary: int = 0
    received_cooperating: int = 0     # 配合 and 线索移交
    milestones: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in MILESTONES})
    overdue: int = 0
    unanswered: int = 0
    accepted: int = 0
    median_accept_hours: float | None = None
    responded: int = 0
    median_first_response_hours: float | None = None
    closed: int = 0
    median_close_hours: float | None = None
    returned: int = 0

    def rate(self, milestone: str) -> float | None:
        """The on-time rate of one milestone (None: none fell due)."""
        tally = self.milestones.get(milestone)
        return tally.rate if tally is not None else None

    def tally(self, milestone: str) -> Tally:
        return self.milestones.get(milestone) or Tally()

    @property
    def total(self) -> Tally:
        parts = self.milestones.values()
        return Tally(sum(t.due for t in parts), sum(t.on_time for t in parts), sum(t.upcoming for t in parts),
                     sum(t.met_early for t in parts))

    @property
    def active(self) -> bool:
        return bool(self.received or self.total.due or self.total.upcoming or self.returned)


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

    @property
    def total(self) -> Tally:
        return Tally(*(sum(getattr(u.total, f) for u in self.units) for f in ("due", "on_time", "upcoming", "met_early")))


def span(since: datetime | None, until: datetime | None, now: datetime) -> Period:
    """A span of the board's choosing (either end open) as a period: from ``since`` (the first
    record kept) to ``until`` (exclusive; open: every milestone not due yet is in)."""
    start = since or datetime(2000, 1, 1, tzinfo=now.tzinfo)
    return Period("custom", start, until or OPEN_END)


def order_key(u: UnitScore) -> tuple[Any, ...]:
    """For 通报: the lowest on-time rate first, then the most overdue; nothing due last."""
    rate = u.total.rate
    return (rate is None, 2.0 if rate is None else rate, -u.overdue, -u.received, u.unit)


def assessment_figures(session: Session, period: Period, now: datetime) -> AssessmentFigures:
    until = period.until(now)
    units = {uid: UnitScore(name, kind) for uid, name, kind in session.execute(select(Unit.id, Unit.name, Unit.kind))}
    coordinators = UnitScore(COORDINATORS_LABEL, COORDINATORS_KIND)
    _received(session, units, period.start, until, now)
    late = _milestones(session, units, coordinators, period, until, now)
    returned: Any = session.execute(
        select(Assignment.unit_id, func.count()).join(Event, Event.id == Assignment.event_id)
        .where(Assignment.returned_at >= period.start, Assignment.returned_at < until, Event.merged_into.is_(None))
        .group_by(Assignment.unit_id))
    for uid, n in returned:
        units[uid].returned = int(n)
    scored = sorted((u for u in [*units.values(), coordinators] if u.active), key=order_key)
    names = headlines(session, [c.event_id for c in late])
    late = [replace(c, title=names.get(c.event_id, c.title)) for c in late]
    return AssessmentFigures(period, now, until, tuple(scored), tuple(sorted(late, key=lambda c: (-c.late_hours, c.event_id))))


def _hours(later: datetime, earlier: datetime) -> float:
    return max(0.0, (later - earlier).total_seconds() / 3600)


def _received(session: Session, units: dict[int, UnitScore], start: datetime, until: datetime, now: datetime) -> None:
    """Items received in the span; how many the unit signed for, answered and closed, and the
    median time from the assignment to each."""
    first: dict[tuple[int, int], datetime] = {}
    answers: Any = session.execute(select(Response.unit_id, Response.event_id, func.min(Response.responded_at))
                                   .where(Response.responded_at <= now).group_by(Response.unit_id, Response.event_id))
    for uid, eid, at in answers:
        first[(uid, eid)] = at
    waits: dict[str, dict[int, list[float]]] = {k: defaultdict(list) for k in ("accept", "respond", "close")}
    stmt = (select(Assignment.unit_id, Assignment.event_id, Assignment.role, Assignment.created_at,
                   Assignment.accepted_at, Assignment.closed_at)
            .join(Event, Event.id == Assignment.event_id)
            .where(Assignment.role.in_(WORKING_ROLES), Assignment.created_at >= start, Assignment.created_at < until,
                   Event.merged_into.is_(None)))
    for uid, eid, role, created, accepted, closed in session.execute(stmt):
        score = units[uid]
        score.received += 1
        score.received_primary += role == "primary"
        score.received_cooperating += role != "primary"
        answered = first.get((uid, eid))
        for kind, moment in (("accept", accepted), ("respond", answered), ("close", closed)):
            if moment is not None and moment <= now:
                waits[kind][uid].append(_hours(moment, created))
    for uid, hours in waits["accept"].items():
        units[uid].accepted, units[uid].median_accept_hours = len(hours), median(hours)
    for uid, hours in waits["respond"].items():
        units[uid].responded, units[uid].median_first_response_hours = len(hours), median(hours)
    for uid, hours in waits["close"].items():
        units[uid].closed, units[uid].median_close_hours = len(hours), median(hours)


def owner_at_due(due: datetime, created: datetime, returned: datetime | None, now: datetime) -> str:
    """Who a milestone is charged to: ``unit`` (the assignment's unit held it when it fell due),
    ``coordinators`` (the unit had returned it before then: the time without an owner), or
    ``none`` (carried over to this unit after it had already fallen due: its old owner's)."""
    if due < created:
        return "none"
    if returned is not None and returned <= min(due, now):
        return "coordinators"
    return "unit"


def _milestones(session: Session, units: dict[int, UnitScore], coordinators: UnitScore, period: Period,
                until: datetime, now: datetime) -> list[LateCase]:
    """Tallies per unit and milestone for the milestones due in the period; the late ones."""
    stmt = (select(Assignment.unit_id, Assignment.event_id, Assignment.created_at, Assignment.returned_at,
                   Event.title, Event.grade, Deadline.milestone, Deadline.due_at, Deadline.met_at, Deadline.cancelled_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Event, Event.id == Assignment.event_id)
            .where(Deadline.due_at >= period.start, Deadline.due_at < period.end, Event.merged_into.is_(None)))
    late: list[LateCase] = []
    result: Any = session.execute(stmt)
    for uid, eid, created, returned, title, grade, milestone, due, met, cancelled in result:
        met = met if met is not None and met <= now else None
        if cancelled is not None and cancelled <= min(due, now):
            continue    # no longer called for before it fell due (only unmet milestones are cancelled)
        owner = owner_at_due(due, created, returned, now)
        if owner == "none":
            continue
        score = coordinators if owner == "coordinators" else units[uid]
        tally = score.milestones.setdefault(milestone, Tally())
        if due >= until:
            tally.upcoming += 1
            tally.met_early += met is not None
            continue
        tally.due += 1
        if met is not None and not met_late(due, met):
            tally.on_time += 1
            continue
        score.overdue += 1
        still_open = met is None and (cancelled is None or cancelled > now)
        score.unanswered += still_open
        late.append(LateCase(eid, title, grade, score.unit, milestone, due, met,
                             _hours(met or (now if cancelled is None or cancelled > now else cancelled), due)))
    return late
