"""Applying an event's decision: the one function behind every change of an event's grade,
relevance, topic, rumour flag or routing, whether triage decided it or a person did.

For each changed event it owns every consequence: the units routing now calls for (one unit,
one role), the milestones of RULES.md §4 (a raise adds the new grade's milestones counted
from that moment and reopens the owner's work; a lowering cancels what the new grade does not
call for; an existing deadline never moves later), the alerts of §5 (written once, keyed), and
an audit entry for each change of grade. It works on a batch, so that triage's thousands of
new events cost a few statements, and an analyst's one event goes the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import plan_event_alerts
from pipeline.config import Config
from pipeline.rules.deadlines import Milestone, called_milestones, plan_deadlines
from pipeline.rules.decide import EventDecision, assignment_rows
from pipeline.storage import store
from pipeline.storage.models import Assignment, Deadline
from pipeline.vocabulary import MILESTONE_NAMES, SYSTEM_ACTOR, rank

SET_ASIDE = "事件更正为无关"   # the withdrawal reason of assignments of an event set aside


@dataclass(frozen=True)
class Before:
    """An event's stored state before this change."""

    grade: str | None
    relevant: bool


@dataclass(frozen=True)
class Change:
    """One event's new decision, what it was before, and when its response clock started."""

    event_id: int
    decision: EventDecision
    before: Before
    clock_start_at: datetime | None


@dataclass
class Applied:
    assignments: int = 0
    deadlines: int = 0
    cancelled: int = 0
    reopened: int = 0
    withdrawn: int = 0
    alerts: int = 0
    grade_changes: list[tuple[int, str | None, str | None]] = field(default_factory=list)


def apply_decisions(session: Session, cfg: Config, changes: list[Change], now: datetime, *,
                    actor: str = SYSTEM_ACTOR, reason: str | None = None) -> Applied:
    """Write the consequences of ``changes`` in the caller's transaction (see module docstring)."""
    applied = Applied()
    held = store.assignments_of(session, [c.event_id for c in changes])
    _set_aside(session, [c for c in changes if not c.decision.relevant], held, now, applied)
    live = [c for c in changes if c.decision.relevant and c.decision.routing is not None]
    _reinstate(session, [c for c in live if not c.before.relevant], held, applied)
    _add_assignments(session, live, held, now, applied)
    _plan_milestones(session, cfg, live, held, now, applied)
    _write_event_alerts(session, cfg, live, held, now, applied)
    for c in changes:
        if c.before.grade is not None and c.before.grade != c.decision.grade:
            applied.grade_changes.append((c.event_id, c.before.grade, c.decision.grade))
            why = reason or "；".join(r["detail"] for r in c.decision.reasons if r.get("grade") == c.decision.grade)
            audit(session, now, actor, "regrade", "event", c.event_id, before=c.before.grade, after=c.decision.grade,
                  reason=why)
    return applied


def _active(rows: list[store.AssignmentState]) -> list[store.AssignmentState]:
    return [a for a in rows if a.status != "withdrawn"]


def _primary(rows: list[store.AssignmentState]) -> store.AssignmentState | None:
    return next((a for a in _active(rows) if a.role == "primary"), None)


def _set_aside(session: Session, changes: list[Change], held: dict[int, list[store.AssignmentState]],
               now: datetime, applied: Applied) -> None:
    """An event that is no longer relevant has no owner and no deadline (RULES.md §1): its
    assignments are withdrawn and its unmet milestones cancelled, all kept on record."""
    ids = [a.id for c in changes for a in _active(held.get(c.event_id, []))]
    if not ids:
        return
    session.execute(update(Assignment).where(Assignment.id.in_(ids))
                    .values(status="withdrawn", withdrawn_at=now, withdraw_reason=SET_ASIDE))
    applied.withdrawn += len(ids)
    applied.cancelled += _cancel(session, ids, None, now, SET_ASIDE)
    for c in changes:
        held[c.event_id] = [a._replace(status="withdrawn", withdraw_reason=SET_ASIDE) if a.id in ids else a
                            for a in held.get(c.event_id, [])]


def _reinstate(session: Session, changes: list[Change], held: dict[int, list[store.AssignmentState]],
               applied: Applied) -> None:
    """An event found relevant again gets back the units it had when it was set aside."""
    for c in changes:
        rows = held.get(c.event_id, [])
        back = [a for a in rows if a.status == "withdrawn" and a.withdraw_reason == SET_ASIDE]
        for a in back:
            status = _resume_status(a)
            session.execute(update(Assignment).where(Assignment.id == a.id)
                            .values(status=status, withdrawn_at=None, withdraw_reason=None))
        if back:
            ids = {a.id for a in back}
            held[c.event_id] = [a._replace(status=_resume_status(a), withdraw_reason=None) if a.id in ids else a
                                for a in rows]
            applied.reopened += len(back)


def _resume_status(a: store.AssignmentState) -> str:
    """Where reopened work resumes: signed for, handed out, or not yet handed out."""
    return "accepted" if a.accepted_at else ("dispatched" if a.dispatched_at else "new")


def _add_assignments(session: Session, changes: list[Change], held: dict[int, list[store.AssignmentState]],
                     now: datetime, applied: Applied) -> None:
    units = store.unit_ids(session)
    rows: list[dict[str, Any]] = []
    for c in changes:
        assert c.decision.routing is not None
        on_event = {a.unit: a.role for a in held.get(c.event_id, [])}
        has_primary = _primary(held.get(c.event_id, [])) is not None
        for unit, role, reasons in assignment_rows(c.decision.routing, on_event, has_primary):
            if unit not in units:
                raise ValueError(f"routing named unit {unit!r} which is not in units.yaml")
            rows.append({"key": Assignment.key_for(c.event_id, units[unit]), "event_id": c.event_id, "unit_id": units[unit],
                         "role": role, "status": "new", "reasons": reasons, "created_at": now})
    ids = store.insert_returning_keyed(session, Assignment, rows, "key")
    names = {uid: name for name, uid in units.items()}
    for r in rows:
        held.setdefault(r["event_id"], []).append(store.AssignmentState(
            ids[r["key"]], r["event_id"], r["unit_id"], names[r["unit_id"]], r["role"], "new", None, None, None))
    applied.assignments += len(rows)


def _plan_milestones(session: Session, cfg: Config, changes: list[Change],
                     held: dict[int, list[store.AssignmentState]], now: datetime, applied: Applied) -> None:
    """RULES.md §4 on the primary unit's deadlines (see the module docstring)."""
    primaries = {c.event_id: p for c in changes if (p := _primary(held.get(c.event_id, []))) is not None}
    current = store.open_deadlines_of(session, [p.id for p in primaries.values()])
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    reopen: list[store.AssignmentState] = []
    for c in changes:
        owner = primaries.get(c.event_id)
        grade = c.decision.grade
        if owner is None or grade is None:
            continue
        rows = current.get(owner.id, [])
        changed = c.before.grade is not None and c.before.grade != grade and bool(rows)
        if changed and rank(grade) > rank(c.before.grade or grade):
            applied.cancelled += _cancel_uncalled(session, rows, grade, cfg, now)
            rows = [d for d in rows if d.met_at is not None or d.milestone in called_milestones(grade, cfg.policy)]
        have = {d.milestone: Milestone(d.milestone, d.grade, d.started_at, d.due_at) for d in rows}
        by_name = {d.milestone: d for d in rows}
        planned = plan_deadlines(grade, have, c.clock_start_at or now, now if rows else None, cfg.policy)
        if not changed:  # same grade: only what is missing is added; nothing held is moved
            planned = [m for m in planned if m.milestone not in by_name]
        for m in planned:
            values = {"grade": m.grade, "started_at": m.started_at, "due_at": m.due_at}
            old = by_name.get(m.milestone)
            if old is None:
                inserts.append({"assignment_id": owner.id, "milestone": m.milestone, **values})
            elif old.met_at is None:
                updates.append({"id": old.id, **values})
        if any(m.milestone not in by_name for m in planned) and owner.status in ("responded", "closed"):
            reopen.append(owner)
    store.bulk_insert(session, Deadline, inserts)
    store.bulk_update(session, Deadline, updates)
    for a in reopen:
        session.execute(update(Assignment).where(Assignment.id == a.id)
                        .values(status=_resume_status(a), closed_at=None))
    applied.deadlines += len(inserts) + len(updates)
    applied.reopened += len(reopen)


def _cancel_uncalled(session: Session, rows: list[store.DeadlineState], grade: str, cfg: Config,
                     now: datetime) -> int:
    """Lowered: unmet milestones the new grade does not call for are cancelled, with the reason."""
    called = called_milestones(grade, cfg.policy)
    ids = [d.id for d in rows if d.met_at is None and d.milestone not in called]
    for d in rows:
        if d.id in ids:
            session.execute(update(Deadline).where(Deadline.id == d.id).values(
                cancelled_at=now, cancel_reason=f"等级调整为{grade}，不再要求{MILESTONE_NAMES.get(d.milestone, d.milestone)}"))
    return len(ids)


def _cancel(session: Session, assignment_ids: list[int], milestones: set[str] | None, now: datetime,
            reason: str) -> int:
    """Cancel the unmet milestones of these assignments (all, or only ``milestones``)."""
    stmt = (update(Deadline).where(Deadline.assignment_id.in_(assignment_ids), Deadline.met_at.is_(None),
                                   Deadline.cancelled_at.is_(None)).values(cancelled_at=now, cancel_reason=reason))
    if milestones is not None:
        stmt = stmt.where(Deadline.milestone.in_(milestones))
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def _write_event_alerts(session: Session, cfg: Config, changes: list[Change],
                        held: dict[int, list[store.AssignmentState]], now: datetime, applied: Applied) -> None:
    """RULES.md §5 alerts for each event's current grade, in this same transaction (keyed: once)."""
    drafts = []
    for c in changes:
        owner = _primary(held.get(c.event_id, []))
        d = c.decision
        if owner is not None and d.grade is not None and d.routing is not None:
            drafts += plan_event_alerts(c.event_id, d.grade, owner.unit, d.routing.coordinators, d.routing.leadership,
                                        cfg.alerts)
    applied.alerts += write_alerts(session, drafts, cfg.alerts, now)
