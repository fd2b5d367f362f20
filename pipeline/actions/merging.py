"""Two events that are one incident become one; one event that is two becomes two.

``merge_events`` is what triage does when a later post bridges two events, and what an analyst
does with ``yuqing merge``: the posts move to the kept event, its facts are folded again from
storage and its decision goes through ``apply_decisions`` — one grade (the highest of them),
each milestone due at the earliest of its deadlines (never later), one unit in one role, one
alert chain (an alert already sent about the other event carries on as the kept event's; one
the kept event already has is no longer chased or sent). The merged-away event stays on record
pointing at the kept one (``events.merged_into``), and the merge is audited.

``split_event`` moves chosen posts to a new event decided afresh from ``now``; automatic
merging never joins again what an analyst has split.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit, event_or_fail, reason_text
from pipeline.actions.decisions import Applied, Before
from pipeline.actions.events import decide_stored, refold, store_decision
from pipeline.actions.units import withdraw
from pipeline.alerts import keys
from pipeline.config import Config
from pipeline.rules.analysis import NOT_LOCAL
from pipeline.rules.deadlines import called_milestones
from pipeline.storage import store
from pipeline.storage.models import (
    Alert,
    AlertDelivery,
    Assignment,
    AuditLog,
    Deadline,
    Event,
    LabelledExample,
    Post,
    Response,
)
from pipeline.vocabulary import GRADES, SYSTEM_ACTOR, highest, rank


def merge_events(session: Session, cfg: Config, keep_id: int, other_ids: list[int], *, reason: str, actor: str,
                 now: datetime) -> Applied:
    """Merge ``other_ids`` into ``keep_id`` (see the module docstring)."""
    actor, reason = actor_name(actor), reason_text(reason, "合并理由")
    keep = _open_event(session, keep_id)
    others = [_open_event(session, i) for i in dict.fromkeys(other_ids) if i != keep_id]
    if not others:
        raise ActionError("请指定要并入的其他事件（不能与保留的事件相同）")
    ids = [o.id for o in others]
    before = Before(keep.grade, bool(keep.relevant))
    was = {"grade": keep.grade, "posts": keep.post_count}
    for model in (Post, Response, LabelledExample):
        session.execute(update(model).where(model.event_id.in_(ids)).values(event_id=keep_id))
    _carry_event_state(keep, others)
    if keep.relevant or any(o.relevant for o in others):
        # Relevance follows the incident: a post set aside only for naming no 云和 place is about
        # 云和 once it is known to tell of a 云和 event (a flash written before anyone said where).
        store.follow_incident(session, [keep_id], NOT_LOCAL)
    if keep.override_topic is not None:
        session.execute(update(Post).where(Post.event_id == keep_id, Post.relevant.is_(True))
                        .values(topic=keep.override_topic))
    facts = refold(session, cfg, keep_id, None)
    keep.features = facts.to_json()
    keep.engagement = facts.engagement()
    decision = decide_stored(session, cfg, keep, facts)
    why = f"与事件 {'、'.join(map(str, ids))} 为同一事件，合并：{reason}"
    _carry_assignments(session, cfg, keep_id, ids, decision.grade, now, why)
    _carry_alerts(session, keep_id, ids, now)
    for o in others:
        o.merged_into, o.post_count = keep_id, 0
        audit(session, now, actor, "merged_into", "event", o.id, before=None, after=keep_id, reason=reason)
    applied = store_decision(session, cfg, keep, decision, before, now, actor, why)
    audit(session, now, actor, "merge_events", "event", keep_id, before=was,
          after={"grade": keep.grade, "posts": keep.post_count}, reason=reason, merged=ids)
    return applied


def merge_incident(session: Session, cfg: Config, ids: list[int], *, reason: str, now: datetime) -> int | None:
    """Triage's merge of stored events a post found to be one incident: the event with the
    highest grade is kept (the oldest of equals), so its alert chain carries on. Events an
    analyst split apart are not merged again. Returns the kept event (None: not merged)."""
    events = [e for e in (session.get(Event, i) for i in ids) if e is not None and e.merged_into is None]
    if len(events) < 2 or split_apart(session, [e.id for e in events]):
        return None
    keep = min(events, key=keep_order)
    merge_events(session, cfg, keep.id, [e.id for e in events if e is not keep], reason=reason, actor=SYSTEM_ACTOR,
                 now=now)
    return keep.id


def keep_order(event: Event) -> tuple[int, int]:
    """Which of events that are one incident is kept: the highest grade, then the oldest."""
    return (rank(event.grade) if event.grade else len(GRADES), event.id)


def split_event(session: Session, cfg: Config, event_id: int, post_ids: list[int], *, reason: str, actor: str,
                now: datetime) -> int:
    """Move ``post_ids`` out of ``event_id`` into a new event, graded, routed and given deadlines
    from ``now``; the event they leave is folded again (automatic grades only rise). Returns
    the new event's id."""
    actor, reason = actor_name(actor), reason_text(reason, "拆分理由")
    ev = _open_event(session, event_id)
    chosen = sorted(set(post_ids))
    found = list(session.scalars(select(Post).where(Post.event_id == event_id, Post.id.in_(chosen)).order_by(Post.id)))
    if len(found) != len(chosen):
        missing = sorted(set(chosen) - {p.id for p in found})
        raise ActionError(f"帖子 {'、'.join(map(str, missing))} 不在事件 {event_id} 中")
    if not found or len(found) >= ev.post_count:
        raise ActionError("请选择要拆出的帖子（不能是全部帖子）")
    first = found[0]
    new = Event(key=uuid.uuid4().hex, title=(first.title or first.text)[:60], relevant=False, grade_reasons=[],
                categories=[], features={}, post_count=len(found), first_seen_at=min(p.first_seen_at for p in found),
                last_seen_at=now)
    session.add(new)
    session.flush()
    note = {"how": "split", "from": event_id, "reasons": [f"{actor}拆分：{reason}"]}
    session.execute(update(Post).where(Post.id.in_(chosen)).values(event_id=new.id, joined=note))
    ev.post_count -= len(found)
    for target, before in ((new, Before(None, False)), (ev, Before(ev.grade, bool(ev.relevant)))):
        facts = refold(session, cfg, target.id, None)
        target.features = facts.to_json()
        decision = decide_stored(session, cfg, target, facts)
        if decision.relevant and target.clock_start_at is None:
            target.clock_start_at = now
        store_decision(session, cfg, target, decision, before, now, actor, f"拆分事件：{reason}")
    audit(session, now, actor, "split_event", "event", event_id, before=None, after=new.id, reason=reason,
          posts=chosen)
    return new.id


# --- merging, step by step -----------------------------------------------------------------------

def _open_event(session: Session, event_id: int) -> Event:
    ev = event_or_fail(session, event_id)
    if ev.merged_into is not None:
        raise ActionError(f"事件 {event_id} 已并入事件 {ev.merged_into}，请对事件 {ev.merged_into} 操作")
    return ev


def _carry_event_state(keep: Event, others: list[Event]) -> None:
    """The kept event takes the earliest clock and first sighting, every post, the highest
    automatic grade, and the analysts' corrections (its own first; an analyst's grade becomes
    the highest grade any of them had)."""
    events = [keep, *others]
    clocks = [e.clock_start_at for e in events if e.clock_start_at is not None]
    keep.clock_start_at = min(clocks) if clocks else None
    keep.first_seen_at = min(e.first_seen_at for e in events)
    keep.last_seen_at = max(e.last_seen_at for e in events)
    keep.post_count = sum(e.post_count for e in events)
    keep.auto_grade = highest(e.auto_grade for e in events)
    if any(e.override_grade for e in events):
        keep.override_grade = highest([*(e.override_grade for e in events), *(e.grade for e in events)])
        keep.grade_reasons = [{"rule": "override", "grade": keep.override_grade,
                               "detail": f"合并事件，取各事件中最高的等级{keep.override_grade}"}]
    for name in ("override_topic", "override_relevant", "override_rumor"):
        if getattr(keep, name) is None:
            setattr(keep, name, next((getattr(e, name) for e in others if getattr(e, name) is not None), None))


def _carry_assignments(session: Session, cfg: Config, keep_id: int, ids: list[int], grade: str | None,
                       now: datetime, why: str) -> None:
    """One unit, one role: a unit the kept event already has is withdrawn from the other event;
    any other unit moves over with its state (a second primary becomes cooperating). The kept
    primary's milestones become the earliest of each, for what the merged grade calls for."""
    held = store.assignments_of(session, [keep_id, *ids])
    on_keep = {a.unit_id for a in held.get(keep_id, [])}
    primary = next((a.id for a in held.get(keep_id, []) if a.role == "primary" and a.status != "withdrawn"), None)
    moves: list[tuple[int, int, str]] = []  # (assignment, unit, role on the kept event)
    leave: list[int] = []
    owners: list[int] = []  # primaries of the other events whose milestones are carried over
    for a in (a for eid in ids for a in held.get(eid, []) if a.status != "withdrawn"):
        if a.unit_id in on_keep or (a.role == "primary" and primary is not None):
            owners += [a.id] if a.role == "primary" else []
        if a.unit_id in on_keep:
            leave.append(a.id)
            continue
        role = "cooperating" if a.role == "primary" and primary is not None else a.role
        primary = a.id if role == "primary" else primary
        moves.append((a.id, a.unit_id, role))
        on_keep.add(a.unit_id)
    if primary is not None and grade is not None and owners:
        _earliest_deadlines(session, cfg, primary, owners, grade, now, why)
    for aid in leave:
        withdraw(session, aid, now=now, reason=why)
    for aid, unit_id, role in moves:
        session.execute(update(Assignment).where(Assignment.id == aid).values(
            event_id=keep_id, key=Assignment.key_for(keep_id, unit_id), role=role))


def _earliest_deadlines(session: Session, cfg: Config, primary: int, owners: list[int], grade: str, now: datetime,
                        why: str) -> None:
    """Each milestone the grade calls for, due at the earliest of the owners' deadlines and the
    primary's own (never later); the other owners' unmet milestones are then cancelled."""
    open_ = store.open_deadlines_of(session, [primary, *owners])
    mine = {d.milestone: d for d in open_.get(primary, [])}
    called = called_milestones(grade, cfg.policy)
    best: dict[str, store.DeadlineState] = {}
    for d in (d for aid in owners for d in open_.get(aid, [])):
        if d.met_at is None and d.milestone in called and (d.milestone not in best or d.due_at < best[d.milestone].due_at):
            best[d.milestone] = d
    for milestone, d in best.items():
        held = mine.get(milestone)
        values = {"grade": d.grade, "started_at": d.started_at, "due_at": d.due_at}
        if held is None:
            session.add(Deadline(assignment_id=primary, milestone=milestone, **values))
        elif held.met_at is None and d.due_at < held.due_at:
            session.execute(update(Deadline).where(Deadline.id == held.id).values(**values))
    session.execute(update(Deadline).where(Deadline.assignment_id.in_(owners), Deadline.met_at.is_(None),
                                           Deadline.cancelled_at.is_(None)).values(cancelled_at=now, cancel_reason=why))
    session.flush()


def _carry_alerts(session: Session, keep_id: int, ids: list[int], now: datetime) -> None:
    """One alert chain: the other events' first alerts (and their repeats) carry on as the kept
    event's unless it already has one for that grade and recipient; whatever stays behind is not
    sent any more."""
    have = set(session.scalars(select(Alert.key).where(Alert.event_id == keep_id, Alert.kind == "event")))
    moved: list[int] = []
    for alert in session.scalars(select(Alert).where(Alert.event_id.in_(ids), Alert.kind == "event")):
        key = keys.event_alert(keep_id, alert.grade, alert.recipient)
        if key not in have:
            alert.event_id, alert.key = keep_id, key
            have.add(key)
            moved.append(alert.id)
    session.flush()
    if moved:
        session.execute(update(Alert).where(Alert.kind == "escalation",
                                            Alert.payload["original_alert"].as_integer().in_(moved))
                        .values(event_id=keep_id), execution_options={"synchronize_session": False})
    stale = select(Alert.id).where(Alert.event_id.in_(ids))
    session.execute(update(AlertDelivery).where(AlertDelivery.alert_id.in_(stale), AlertDelivery.status == "pending")
                    .values(status="cancelled", last_error=f"事件已并入事件 {keep_id}，不再发送"),
                    execution_options={"synchronize_session": False})


def split_apart(session: Session, ids: list[int]) -> bool:
    """Whether an analyst split one of these events out of another of them."""
    rows = session.execute(select(AuditLog.entity_id, AuditLog.detail).where(
        AuditLog.action == "split_event", AuditLog.entity_id.in_(ids)))
    return any(isinstance(detail, dict) and detail.get("after") in ids for _, detail in rows)

