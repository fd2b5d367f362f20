"""Analyst and unit actions on stored events: grade override (RULES.md §1.4) and recorded
responses that meet deadline milestones (§4). Both are audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.config import Config
from pipeline.queries.queues import UnknownUnit, resolve_unit
from pipeline.rules.deadlines import Milestone, plan_deadlines
from pipeline.rules.grading import rank
from pipeline.storage.models import Assignment, Deadline, Event, Response
from pipeline.storage.store import audit
from pipeline.vocabulary import DUTY_ROLES, GRADES


class ReviewError(ValueError):
    """An action that cannot be taken, with the reason."""


def _event(session: Session, event_id: int) -> Event:
    ev = session.get(Event, event_id)
    if ev is None:
        raise ReviewError(f"no event {event_id}")
    return ev


def override_grade(session: Session, cfg: Config, event_id: int, grade: str, reason: str, analyst: str,
                   now: datetime) -> None:
    """Set the analyst's grade; raising it adds the new grade's milestones counted from ``now``."""
    if grade not in GRADES:
        raise ReviewError(f"unknown grade {grade!r}; grades are {', '.join(GRADES)}")
    if not reason.strip() or not analyst.strip():
        raise ReviewError("an override needs a reason and the analyst's name")
    ev = _event(session, event_id)
    if not ev.relevant:
        raise ReviewError(f"event {event_id} is not relevant; it has no grade to override")
    before = ev.grade
    ev.override_grade = grade
    ev.grade = grade
    ev.leadership = grade in cfg.policy.routing.leadership_grades
    ev.grade_reasons = [*ev.grade_reasons, {"rule": "override", "grade": grade,
                                            "detail": f"分析员{analyst}人工定级为{grade}：{reason}"}]
    if before is not None and rank(grade) < rank(before):
        _add_milestones(session, cfg, ev, grade, now)
    audit(session, now, analyst, "override_grade", "event", event_id, {"from": before, "to": grade, "reason": reason})


def _add_milestones(session: Session, cfg: Config, ev: Event, grade: str, now: datetime) -> None:
    duty = list(session.scalars(select(Assignment).where(Assignment.event_id == ev.id,
                                                         Assignment.role.in_(DUTY_ROLES))))
    for a in duty:
        current = {d.milestone: Milestone(d.milestone, d.grade, d.started_at, d.due_at) for d in a.deadlines}
        by_name = {d.milestone: d for d in a.deadlines}
        for m in plan_deadlines(grade, current, ev.clock_start_at or now, now, cfg.policy):
            if m.milestone in by_name:  # brought forward (plan_deadlines never moves one later)
                # The same fields triage's regrade updates: the milestone now runs under the new
                # grade from its new start, so reminders and reports read the right window.
                row = by_name[m.milestone]
                row.grade, row.started_at, row.due_at = m.grade, m.started_at, m.due_at
            else:
                session.add(Deadline(assignment_id=a.id, milestone=m.milestone, grade=m.grade,
                                     started_at=m.started_at, due_at=m.due_at))


def record_response(session: Session, cfg: Config, event_id: int, unit_name: str, kind: str, link: str | None,
                    at: datetime) -> list[str]:
    """Record a unit's response; returns the milestones it met (late ones stay overdue on record)."""
    meets = cfg.policy.response_kinds.get(kind)
    if meets is None:
        raise ReviewError(f"unknown response kind {kind!r}; kinds are {', '.join(cfg.policy.response_kinds)}")
    _event(session, event_id)
    try:
        unit = resolve_unit(session, unit_name)
    except UnknownUnit as exc:
        raise ReviewError(str(exc)) from exc
    assignments = list(session.scalars(select(Assignment).where(Assignment.event_id == event_id,
                                                                Assignment.unit_id == unit.id)))
    if not assignments:
        raise ReviewError(f"{unit_name} has no assignment on event {event_id}")
    response = Response(event_id=event_id, unit_id=unit.id, kind=kind, link=link, responded_at=at, recorded_at=at)
    session.add(response)
    session.flush()
    met: list[str] = []
    for a in assignments:
        for d in a.deadlines:
            if d.met_at is None and d.milestone in meets:
                d.met_at = at
                d.response_id = response.id
                met.append(d.milestone)
        if a.deadlines and all(d.met_at is not None for d in a.deadlines):
            a.status = "responded"
    audit(session, at, unit_name, "record_response", "event", event_id, {"kind": kind, "link": link, "met": met})
    return met
