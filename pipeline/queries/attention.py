"""What needs attention now — the first screen (概览) of leaders and coordinators, kept here so
that reports can show the same lists: open 特别重大 / 重大 events with their owner and time left,
overdue milestones by unit, events rising fast, rumours nobody has answered, and urgent alerts
nobody has acknowledged (oldest first). The event lists are in the urgency order
(pipeline/rules/urgency.py); every entry names its event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.queries.alerts import awaiting_acknowledgement
from pipeline.queries.headlines import headlines
from pipeline.queries.queues import holds_deadlines, owns_event, past_due_clause, unmet_deadline
from pipeline.queries.status import OpenAlert, open_urgent_alerts
from pipeline.queries.urgency import urgency_facts
from pipeline.rules.deadlines import deadline_state
from pipeline.rules.urgency import Urgency, urgency_key, urgency_reasons
from pipeline.storage.models import Alert, Assignment, Deadline, Event, Unit

SERIOUS = ("特别重大", "重大")


@dataclass(frozen=True)
class EventLine:
    """One open event as the first screen lists it."""

    event_id: int
    title: str
    grade: str | None
    owner: str | None            # the 牵头 unit; None while no unit holds it
    milestone: str | None        # the owner's next unmet milestone
    due_at: datetime | None
    state: str | None            # deadline_state of that milestone
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OverdueMilestone:
    event_id: int
    title: str
    grade: str | None
    milestone: str
    due_at: datetime


@dataclass(frozen=True)
class UnacknowledgedAlert:
    """An event's urgent alert that some recipients have not acknowledged: one line per event."""

    event_id: int | None
    title: str
    grade: str | None
    recipients: list[str]
    created_at: datetime             # the earliest of them


@dataclass
class Attention:
    serious: list[EventLine]
    overdue_by_unit: list[tuple[str, list[OverdueMilestone]]]   # most overdue milestones first
    rising: list[EventLine]
    rumours: list[EventLine]
    alerts: list[UnacknowledgedAlert]         # oldest first


def _owners(session: Session, ids: list[int]) -> dict[int, str]:
    stmt = (select(Assignment.event_id, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id.in_(ids), owns_event()))
    return dict(session.execute(stmt).all())


def _next_milestones(session: Session, ids: list[int]) -> dict[int, tuple[str, datetime, datetime]]:
    """event id -> (milestone, started_at, due_at) of its owner's earliest unmet deadline."""
    stmt = (select(Assignment.event_id, Deadline.milestone, Deadline.started_at, Deadline.due_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id)
            .where(Assignment.event_id.in_(ids), holds_deadlines(), unmet_deadline())
            .order_by(Deadline.due_at, Deadline.id))
    found: dict[int, tuple[str, datetime, datetime]] = {}
    for eid, milestone, started, due in session.execute(stmt):
        found.setdefault(eid, (milestone, started, due))
    return found


def event_lines(session: Session, now: datetime, facts: dict[int, Urgency]) -> list[EventLine]:
    """The given open events as lines, most urgent first."""
    ids = sorted(facts, key=lambda eid: (urgency_key(facts[eid], now), eid))
    titles = headlines(session, ids)
    owners, nexts = _owners(session, ids), _next_milestones(session, ids)
    lines = []
    for eid in ids:
        milestone, started, due = nexts.get(eid, (None, None, None))
        lines.append(EventLine(eid, titles.get(eid, ""), facts[eid].grade, owners.get(eid), milestone, due,
                               deadline_state(due, now, started), urgency_reasons(facts[eid], now)))
    return lines


def overdue_by_unit(session: Session, now: datetime) -> list[tuple[str, list[OverdueMilestone]]]:
    """Unmet milestones past their time on open events, per unit that holds them (a returned
    item's under 待改派: the unit gave it back); the unit with most first, each unit's longest
    overdue first."""
    stmt = (select(Unit.name, Assignment.status, Event.id, Event.title, Event.grade, Deadline.milestone,
                   Deadline.due_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Unit, Unit.id == Assignment.unit_id)
            .join(Event, Event.id == Assignment.event_id)
            .where(unmet_deadline(), past_due_clause(Deadline.due_at, now),
                   Assignment.status.not_in(("closed", "withdrawn")), Event.merged_into.is_(None))
            .order_by(Deadline.due_at, Deadline.id))
    rows = session.execute(stmt).all()
    names = headlines(session, [r[2] for r in rows])
    units: dict[str, list[OverdueMilestone]] = {}
    for unit, status, eid, title, grade, milestone, due in rows:
        holder = f"待改派（{unit}已退回）" if status == "returned" else unit   # nobody owns it now
        units.setdefault(holder, []).append(OverdueMilestone(eid, names.get(eid, title), grade, milestone, due))
    return sorted(units.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def alerts_by_event(alerts: list[OpenAlert]) -> list[UnacknowledgedAlert]:
    """Open urgent alerts (oldest first) as one line per event, its recipients together."""
    lines: dict[int, UnacknowledgedAlert] = {}
    for a in alerts:
        key = a.event_id if a.event_id is not None else -a.alert_id
        if key in lines:
            lines[key].recipients.append(a.recipient)
        else:
            lines[key] = UnacknowledgedAlert(a.event_id, a.title, a.grade, [a.recipient], a.created_at)
    return list(lines.values())


def unacknowledged_events(session: Session) -> int:
    """How many events (an alert of no event counting alone) have an urgent alert nobody has
    acknowledged — counted, never the length of a list cut for showing."""
    stmt = (select(func.count(func.distinct(func.coalesce(Alert.event_id, -Alert.id))))
            .where(awaiting_acknowledgement()))
    return int(session.scalar(stmt) or 0)


def attention(session: Session, now: datetime) -> Attention:
    facts = urgency_facts(session, now)
    pick = lambda keep: event_lines(session, now, {e: u for e, u in facts.items() if keep(u)})  # noqa: E731
    return Attention(serious=pick(lambda u: u.grade in SERIOUS), overdue_by_unit=overdue_by_unit(session, now),
                     rising=pick(lambda u: u.rising), rumours=pick(lambda u: u.unanswered_rumour),
                     alerts=alerts_by_event(open_urgent_alerts(session, limit=200)))
