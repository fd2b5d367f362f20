"""The coordinators' actions on who works an event (RULES.md §3; 属地管理、谁主管谁负责 decide
automatically, people correct): add a unit, take one off, and hand the primary role (and its
deadlines, which keep running) to another unit. One unit holds one role per event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit, event_or_fail, reason_text, record_examples, unit_or_fail
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import plan_event_alerts
from pipeline.config import Config
from pipeline.storage import store
from pipeline.storage.models import Assignment, Deadline
from pipeline.vocabulary import ROLE_NAMES

ADDABLE_ROLES = ("cooperating", "transfer", "coordinator")


def assign_unit(session: Session, cfg: Config, event_id: int, unit: str, role: str, *, reason: str, actor: str,
                now: datetime) -> int:
    """Add a unit to an event as 配合, 线索移交 or 协调 (the primary is changed with
    ``reassign``); a unit taken off earlier comes back. Returns the assignment id."""
    actor, reason = actor_name(actor), reason_text(reason)
    if role not in ADDABLE_ROLES:
        raise ActionError(f"角色只能是 {'、'.join(ROLE_NAMES[r] for r in ADDABLE_ROLES)}；更换牵头单位请用改派")
    ev = event_or_fail(session, event_id)
    if not ev.relevant:
        raise ActionError(f"事件 {event_id} 已判定为无关，不分办")
    target = unit_or_fail(session, unit)
    row = session.scalar(select(Assignment).where(Assignment.event_id == event_id, Assignment.unit_id == target.id))
    why = [f"{actor}指派：{reason}"]
    if row is not None and row.status != "withdrawn":
        raise ActionError(f"{unit}已在事件 {event_id} 中（{ROLE_NAMES.get(row.role, row.role)}）")
    if row is None:
        row = Assignment(key=Assignment.key_for(event_id, target.id), event_id=event_id, unit_id=target.id, role=role, status="new",
                         reasons=why, created_at=now)
        session.add(row)
    else:
        row.role, row.status, row.reasons = role, "new", [*row.reasons, *why]
        row.withdrawn_at = row.withdraw_reason = None
    session.flush()
    audit(session, now, actor, "assign_unit", "event", event_id, before=None, after={"unit": unit, "role": role},
          reason=reason)
    return row.id


def unassign_unit(session: Session, cfg: Config, event_id: int, unit: str, *, reason: str, actor: str,
                  now: datetime) -> None:
    """Take a unit off an event (kept on record as 已撤回). The primary is replaced, not removed."""
    actor, reason = actor_name(actor), reason_text(reason)
    target = unit_or_fail(session, unit)
    row = session.scalar(select(Assignment).where(Assignment.event_id == event_id, Assignment.unit_id == target.id,
                                                  Assignment.status != "withdrawn"))
    if row is None:
        raise ActionError(f"{unit}不在事件 {event_id} 中")
    if row.role == "primary":
        raise ActionError("牵头单位不能直接撤回，请改派给其他单位")
    withdraw(session, row.id, now=now, reason=f"{actor}撤回：{reason}")
    audit(session, now, actor, "unassign_unit", "event", event_id, before={"unit": unit, "role": row.role},
          after=None, reason=reason)


def reassign(session: Session, cfg: Config, event_id: int, unit: str, *, reason: str, actor: str,
             now: datetime) -> None:
    """Hand the event's primary role to ``unit`` (after a 退回, or when routing was wrong)."""
    actor, reason = actor_name(actor), reason_text(reason, "改派理由")
    ev = event_or_fail(session, event_id)
    if not ev.relevant:
        raise ActionError(f"事件 {event_id} 已判定为无关，不分办")
    unit_or_fail(session, unit)
    if not move_primary(session, cfg, event_id, unit, actor=actor, now=now, reason=reason):
        raise ActionError(f"{unit}已是事件 {event_id} 的牵头单位")
    record_examples(session, event_id, "units", unit, actor, reason, now)


def move_primary(session: Session, cfg: Config, event_id: int, unit: str, *, actor: str, now: datetime, reason: str,
                 only_if_untouched: bool = False) -> bool:
    """Make ``unit`` the primary: the former primary is withdrawn, its unmet deadlines move over
    unchanged (the clock keeps running: RULES.md §4), and the new owner gets the alerts of the
    event's grade. With ``only_if_untouched``, an owner who has signed for or answered the item
    keeps it. Returns whether the primary changed."""
    held = store.assignments_of(session, [event_id]).get(event_id, [])
    old = next((a for a in held if a.role == "primary" and a.status != "withdrawn"), None)
    if old is not None and (old.unit == unit or (only_if_untouched and old.status not in ("new", "dispatched"))):
        return False
    target = unit_or_fail(session, unit)
    new_id = _make_primary(session, event_id, target.id, f"{actor}改派为牵头单位：{reason}", now)
    if old is not None:
        _move_deadlines(session, old.id, new_id, unit)
        withdraw(session, old.id, now=now, reason=f"改派给{unit}：{reason}")
    ev = event_or_fail(session, event_id)
    if ev.grade is not None:
        drafts = plan_event_alerts(event_id, ev.grade, unit, cfg.units.coordinators, bool(ev.leadership), cfg.alerts)
        write_alerts(session, [d for d in drafts if d.recipient == unit], cfg.alerts, now)
    audit(session, now, actor, "reassign", "event", event_id, before=old.unit if old else None, after=unit,
          reason=reason)
    return True


def _make_primary(session: Session, event_id: int, unit_id: int, why: str, now: datetime) -> int:
    row = session.scalar(select(Assignment).where(Assignment.event_id == event_id, Assignment.unit_id == unit_id))
    if row is None:
        row = Assignment(key=Assignment.key_for(event_id, unit_id), event_id=event_id, unit_id=unit_id, role="primary", status="new",
                         reasons=[why], created_at=now)
        session.add(row)
    else:
        row.role, row.reasons = "primary", [*row.reasons, why]
        if row.status in ("withdrawn", "returned", "closed", "responded"):
            row.status = "new"
        row.withdrawn_at = row.withdraw_reason = row.returned_at = row.return_reason = row.closed_at = None
    session.flush()
    return row.id


def _move_deadlines(session: Session, old_id: int, new_id: int, unit: str) -> None:
    have = set(session.scalars(select(Deadline.milestone).where(Deadline.assignment_id == new_id,
                                                                 Deadline.cancelled_at.is_(None))))
    for d in store.open_deadlines_of(session, [old_id]).get(old_id, []):
        if d.met_at is None and d.milestone not in have:
            session.add(Deadline(assignment_id=new_id, milestone=d.milestone, grade=d.grade, started_at=d.started_at,
                                 due_at=d.due_at))
    session.flush()


def withdraw(session: Session, assignment_id: int, *, now: datetime, reason: str) -> None:
    """Take an assignment off its unit (kept as 已撤回) and cancel its unmet milestones."""
    session.execute(update(Assignment).where(Assignment.id == assignment_id)
                    .values(status="withdrawn", withdrawn_at=now, withdraw_reason=reason))
    session.execute(update(Deadline).where(Deadline.assignment_id == assignment_id, Deadline.met_at.is_(None),
                                           Deadline.cancelled_at.is_(None))
                    .values(cancelled_at=now, cancel_reason=reason))
