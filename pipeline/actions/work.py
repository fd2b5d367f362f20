"""A unit's work on an assignment (RULES.md §4, the notice's 分级负责): handing new work out,
签收 (signing for it), 退回 (returning it to the coordinators with a reason), recording a
response (which meets the milestones its kind fits) and 办结 (closing it). Signing for an item
or answering it also answers the unit's alerts about it: nothing asks again for an
acknowledgement the unit has already given."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.actions.alerts import acknowledge_for_unit
from pipeline.actions.base import ActionError, actor_name, audit, event_or_fail, reason_text, unit_or_fail
from pipeline.alerts import keys
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import AlertDraft
from pipeline.config import Config
from pipeline.rules.links import web_link
from pipeline.rules.responses import evidence_refusal, time_refusal
from pipeline.rules.times import implausible
from pipeline.storage.models import Assignment, Deadline, Post, Response, Unit
from pipeline.vocabulary import MILESTONE_NAMES, STATUS_NAMES

PLACE_MAX = 200  # the column's width


def dispatch_new(session: Session, now: datetime) -> dict[str, int]:
    """Mark every new assignment dispatched; returns how many each unit received.

    One UPDATE … RETURNING takes only rows still ``new``: a concurrent worker (or a re-run
    after a crash) gets the rows it changed itself, so nothing is dispatched or counted twice.
    """
    changed = session.execute(
        update(Assignment).where(Assignment.status == "new").values(status="dispatched", dispatched_at=now)
        .returning(Assignment.unit_id)
    ).scalars().all()
    if not changed:
        return {}
    names = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(changed))))}
    per_unit: dict[str, int] = {}
    for uid in changed:
        per_unit[names[uid]] = per_unit.get(names[uid], 0) + 1
    audit(session, now, "dispatch", "dispatch", "assignment", None, after=per_unit)
    return per_unit


def _assignment(session: Session, event_id: int, unit: str) -> Assignment:
    event_or_fail(session, event_id)
    target = unit_or_fail(session, unit)
    row = session.scalar(select(Assignment).where(Assignment.event_id == event_id, Assignment.unit_id == target.id))
    if row is None or row.status == "withdrawn":
        raise ActionError(f"{unit}在事件 {event_id} 中没有待办")
    return row


def accept(session: Session, cfg: Config, event_id: int, unit: str, *, actor: str, now: datetime) -> None:
    """签收: the unit has the item and works it; its alerts about the item are answered."""
    actor = actor_name(actor)
    row = _assignment(session, event_id, unit)
    if row.status not in ("new", "dispatched"):
        raise ActionError(f"{unit}在事件 {event_id} 的待办状态为“{STATUS_NAMES.get(row.status, row.status)}”，无需签收")
    before = row.status
    row.status, row.accepted_at, row.accepted_by = "accepted", now, actor
    row.dispatched_at = row.dispatched_at or now
    acknowledge_for_unit(session, event_id, unit, f"{actor}（签收）", now)
    audit(session, now, actor, "accept", "assignment", row.id, before=before, after="accepted", event_id=event_id,
          unit=unit)


def return_item(session: Session, cfg: Config, event_id: int, unit: str, *, reason: str, actor: str,
                now: datetime) -> None:
    """退回: the unit says the item is not its to answer; the coordinators are told and reassign.
    The deadlines keep running (the event still needs its answer)."""
    actor, reason = actor_name(actor), reason_text(reason, "退回理由")
    row = _assignment(session, event_id, unit)
    if row.status not in ("new", "dispatched", "accepted"):
        raise ActionError(f"{unit}在事件 {event_id} 的待办状态为“{STATUS_NAMES.get(row.status, row.status)}”，不能退回")
    before = row.status
    row.status, row.returned_at, row.return_reason = "returned", now, reason
    acknowledge_for_unit(session, event_id, unit, f"{actor}（退回）", now)
    text = f"{unit}退回事件 {event_id}（{'牵头' if row.role == 'primary' else '配合'}）：{reason}。请协调改派。"
    drafts = [AlertDraft(key=keys.returned(row.id, now.isoformat(), c), kind="returned", recipient=c, urgent=False,
                         event_id=event_id, payload={"text": text, "unit": unit, "reason": reason})
              for c in cfg.units.coordinators]
    write_alerts(session, drafts, cfg.alerts, now)
    audit(session, now, actor, "return", "assignment", row.id, before=before, after="returned", reason=reason,
          event_id=event_id, unit=unit)


def check_link(link: str | None) -> str | None:
    """A response link must be a web link (``pipeline.rules.links``): no ``javascript:``,
    ``data:`` or local files, no whitespace or control characters."""
    if link is None or not link.strip():
        return None
    checked = web_link(link)
    if checked is None:
        raise ActionError("回应链接必须是以 http:// 或 https:// 开头、不含空白和控制字符的网址")
    return checked


def check_place(place: str | None) -> str | None:
    """Where a response took place, as recorded: one line of at most ``PLACE_MAX`` characters."""
    text = (place or "").strip()
    if not text:
        return None
    if len(text) > PLACE_MAX:
        raise ActionError(f"回应地点不能超过 {PLACE_MAX} 个字")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise ActionError("回应地点不能含有换行或控制字符")
    return text


def first_known(session: Session, event_id: int) -> datetime:
    """The event's first known publication: the earliest publish time or sighting of its posts
    (a date-only publish time counts from that day's start), or the event's first sighting."""
    event = event_or_fail(session, event_id)
    published, seen = session.execute(select(func.min(Post.published_at), func.min(Post.first_seen_at))
                                      .where(Post.event_id == event_id)).one()
    return min(t for t in (published, seen, event.first_seen_at) if t is not None)


def _checked_response(session: Session, cfg: Config, event_id: int, kind: str, link: str | None,
                      place: str | None, at: datetime, now: datetime) -> tuple[list[str], str | None, str | None]:
    """The milestones ``kind`` meets and the link and place to record, once the response shows
    something a reader can check and its time is one it can have had (RULES.md §4)."""
    meets = cfg.policy.response_kinds.get(kind)
    if meets is None:
        raise ActionError(f"未知回应方式“{kind}”；可选：{'、'.join(cfg.policy.response_kinds)}")
    link, place = check_link(link), check_place(place)
    refusal = (evidence_refusal(kind, link, place, cfg.policy.responses)
               or implausible(at, now, "回应时间")
               or time_refusal(at, first_known(session, event_id), now, cfg.policy.responses))
    if refusal:
        raise ActionError(refusal)
    return list(meets), link, place


def record_response(session: Session, cfg: Config, event_id: int, unit: str, kind: str, *, link: str | None,
                    at: datetime, actor: str, now: datetime, place: str | None = None) -> list[str]:
    """Record a unit's response; returns the milestones it met. A late response still meets its
    milestone, and the lateness stays on record (due_at < met_at): its time is refused when it
    lies before the event existed or after the moment it is recorded."""
    actor = actor_name(actor)
    meets, link, place = _checked_response(session, cfg, event_id, kind, link, place, at, now)
    row = _assignment(session, event_id, unit)
    response = Response(event_id=event_id, unit_id=row.unit_id, kind=kind, link=link, place=place, responded_at=at,
                        recorded_at=now, recorded_by=actor)
    session.add(response)
    session.flush()
    met: list[str] = []
    open_rows = list(session.scalars(select(Deadline).where(Deadline.assignment_id == row.id,
                                                            Deadline.cancelled_at.is_(None))))
    for d in open_rows:
        if d.met_at is None and d.milestone in meets:
            d.met_at, d.response_id = at, response.id
            met.append(d.milestone)
    if open_rows and all(d.met_at is not None for d in open_rows) and row.status in ("new", "dispatched", "accepted"):
        row.status = "responded"
        row.dispatched_at = row.dispatched_at or now
    acknowledge_for_unit(session, event_id, unit, f"{actor}（已回应）", now)
    audit(session, now, actor, "record_response", "event", event_id, after={"kind": kind, "link": link, "place": place},
          unit=unit, met=[MILESTONE_NAMES.get(m, m) for m in met], responded_at=at.isoformat())
    return met


def close_item(session: Session, cfg: Config, event_id: int, unit: str, *, actor: str, now: datetime,
               note: str | None = None) -> None:
    """办结: the unit's work on the item is done. The owner closes only when every milestone it
    holds is met (an open milestone would be lost from view)."""
    actor = actor_name(actor)
    row = _assignment(session, event_id, unit)
    if row.status in ("closed", "returned"):
        raise ActionError(f"{unit}在事件 {event_id} 的待办已是“{STATUS_NAMES[row.status]}”")
    unmet = list(session.scalars(select(Deadline.milestone).where(
        Deadline.assignment_id == row.id, Deadline.cancelled_at.is_(None), Deadline.met_at.is_(None))))
    if unmet:
        names = "、".join(MILESTONE_NAMES.get(m, m) for m in unmet)
        raise ActionError(f"尚有未满足的时限节点（{names}），请先登记回应再办结")
    before = row.status
    row.status, row.closed_at = "closed", now
    acknowledge_for_unit(session, event_id, unit, f"{actor}（办结）", now)
    audit(session, now, actor, "close", "assignment", row.id, before=before, after="closed", reason=note,
          event_id=event_id, unit=unit)
