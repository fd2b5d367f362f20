"""One event as its page shows it: posts (with links to their sources), the evidence for its
grade and for each unit's presence (the reasons triage stored), deadlines with their state,
alerts and who acknowledged them, responses, the audit trail and a timeline of all of it.

A unit's user sees an event only while the unit holds an assignment on it, and then only the
unit's own assignment, alerts and the deadlines it works to (``for_unit``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pipeline.catalog import timeline_names
from pipeline.queries.alerts import acknowledger
from pipeline.queries.comments import CommentView, event_comments
from pipeline.queries.headlines import headlines
from pipeline.rules.analysis import OWN_RELEASE
from pipeline.rules.deadlines import deadline_state
from pipeline.storage.models import Alert, Assignment, AuditLog, Deadline, Event, Post, Response, Source, Unit
from pipeline.vocabulary import ALERT_HEADINGS, ROLE_NAMES, STATUS_NAMES

# The audit log's action codes as the timeline names them: the event actions' own (one table,
# pipeline.catalog) and those of the system and of other actions.
ACTION_NAMES = {**timeline_names(),
                "acknowledge": "确认收到预警", "dispatch": "分发", "withdraw": "撤回",
                "own_release": "本县官方发布（记为回应）", "met_by_own_release": "官方发布满足时限",
                "board_reply": "留言板或热线答复（记为回应）", "board_reply_updated": "留言板或热线答复更新",
                "board_state": "留言办理状态变更", "met_by_board_reply": "留言板或热线答复满足时限"}

# How the audit's before/after values read to a person (the API keeps the stored JSON).
AUDIT_FIELDS = {"unit": "单位", "role": "角色", "kind": "回应方式", "link": "链接", "grade": "等级", "posts": "信息数",
                "username": "用户名", "token": "令牌"}
AUDIT_CODES = {**STATUS_NAMES, "acknowledged": "已确认", "enabled": "启用", "disabled": "停用"}
_CODED_ACTIONS = {"accept", "return", "close", "acknowledge", "disable_user"}   # their values are stored codes
_EVENT_ID_ACTIONS = {"merged_into", "split_event"}                              # their value is an event's id

POSTS_SHOWN = 50


@dataclass
class EventView:
    event: Event
    posts: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    alerts: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    own: dict[str, Any] | None = None  # the viewing unit's assignment
    comments: list[CommentView] = field(default_factory=list)  # on its posts (MediaCrawler's comment files)
    headline: str = ""                 # the event named for people (pipeline.rules.headline)

    splits: list[dict[str, Any]] = field(default_factory=list)  # the splits this event came out of

    @property
    def county_statement(self) -> bool:
        """Whether the event holds only the county's own releases, answering no event known: kept
        as the county's statement, with no task (RULES.md §4)."""
        return not self.event.relevant and self.event.irrelevant_reason == OWN_RELEASE

    def timeline(self) -> list[TimelineEntry]:
        """What happened, in time order to the minute shown; within a minute, in the order it
        was recorded (a response dated to the minute typed stays after the 签收 recorded in that
        minute). Merges and splits name the other event."""
        items = [_entry(self.event.first_seen_at, "首次发现")]
        items += [_entry(a["created_at"], f"分办给{a['unit']}（{ROLE_NAMES.get(a['role'], a['role'])}）")
                  for a in self.assignments]
        items += [_entry(a["accepted_at"], f"{a['unit']}签收") for a in self.assignments if a["accepted_at"]]
        items += [_entry(a["returned_at"], f"{a['unit']}退回") for a in self.assignments if a["returned_at"]]
        items += [_entry(a["closed_at"], f"{a['unit']}办结") for a in self.assignments if a["closed_at"]]
        items += [_entry(r["responded_at"], f"{r['unit']}回应：{r['kind']}", recorded=r["recorded_at"])
                  for r in self.responses]
        items += [_entry(al["created_at"], f"{ALERT_HEADINGS.get(al['kind'], al['kind'])}发给{al['recipient']}")
                  for al in self.alerts if al["level"] == 0]
        items += [_audit_entry(e) for e in self.audit]
        items += [_entry(s["at"], f"{s['actor']}：从事件 {s['from']} 拆分而来", (s["from"],)) for s in self.splits]
        return [item for _, item in sorted(items, key=lambda i: i[0])]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    events: tuple[int, ...] = ()   # the other events it names (merged, split), linked on the page


def _entry(at: datetime, text: str, events: tuple[int, ...] = (),
           recorded: datetime | None = None) -> tuple[tuple[datetime, datetime], TimelineEntry]:
    return (at.replace(second=0, microsecond=0), recorded or at), TimelineEntry(at, text, events)


def _audit_entry(e: dict[str, Any]) -> tuple[tuple[datetime, datetime], TimelineEntry]:
    """An audit entry in the timeline; a merge or a split names the other event(s)."""
    detail, action = e["detail"] or {}, e["action"]
    text = f"{e['actor']}：{ACTION_NAMES.get(action, action)}"
    others: tuple[int, ...] = ()
    if action == "split_event" and isinstance(detail.get("after"), int):
        others = (detail["after"],)
        text += f"，拆出为事件 {others[0]}"
    elif action == "merged_into" and isinstance(detail.get("after"), int):
        others = (detail["after"],)
        text += f"：事件 {others[0]}"
    elif action == "merge_events" and isinstance(detail.get("merged"), list):
        others = tuple(i for i in detail["merged"] if isinstance(i, int))
        text += "，并入事件 " + "、".join(map(str, others))
    return _entry(e["at"], text, others)


def audit_value(action: str, value: Any) -> str:
    """An audit entry's before or after value in Chinese: 一般, 是/否 (相关/无关), 已签收,
    单位：崇头镇；角色：牵头 … — never JSON with ``\\u`` escapes, ``true`` or internal codes."""
    if value is None:
        return "无" if action == "regrade" else ""     # an event set aside as 无关 loses its grade
    if isinstance(value, bool):
        if action == "set_relevance":
            return "相关" if value else "无关"
        return "是" if value else "否"
    if isinstance(value, int) and action in _EVENT_ID_ACTIONS:
        return f"事件 {value}"
    if isinstance(value, str) and action in _CODED_ACTIONS:
        return AUDIT_CODES.get(value, value)
    if isinstance(value, dict):
        order = list(AUDIT_FIELDS)   # PostgreSQL's JSONB does not keep the keys' order
        keys = sorted(value, key=lambda k: order.index(k) if k in order else len(order))
        parts = [f"{AUDIT_FIELDS.get(str(k), k)}：{_field_value(str(k), value[k], action)}" for k in keys
                 if value[k] is not None]
        return "；".join(parts)
    if isinstance(value, list | tuple):
        return "、".join(audit_value(action, v) for v in value)
    return str(value)


def _field_value(key: str, value: Any, action: str) -> str:
    if key == "role" and isinstance(value, str):
        return ROLE_NAMES.get(value, value)
    return audit_value(action, value)


def _assignments(session: Session, event_id: int, unit_id: int | None) -> list[dict[str, Any]]:
    stmt = (select(Assignment, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id == event_id).order_by(Assignment.id))
    if unit_id is not None:
        stmt = stmt.where(Assignment.unit_id == unit_id)
    return [{"id": a.id, "unit": name, "unit_id": a.unit_id, "role": a.role, "status": a.status,
             "reasons": list(a.reasons or []), "created_at": a.created_at, "accepted_at": a.accepted_at,
             "accepted_by": a.accepted_by, "returned_at": a.returned_at, "return_reason": a.return_reason,
             "closed_at": a.closed_at, "withdrawn_at": a.withdrawn_at, "withdraw_reason": a.withdraw_reason}
            for a, name in session.execute(stmt)]


def _deadlines(session: Session, event_id: int, now: datetime, primary_only: bool) -> list[dict[str, Any]]:
    stmt = (select(Deadline, Unit.name, Assignment.role).join(Assignment, Assignment.id == Deadline.assignment_id)
            .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id == event_id)
            .order_by(Deadline.due_at))
    if primary_only:
        stmt = stmt.where(Assignment.role == "primary", Assignment.status != "withdrawn")
    return [{"unit": unit, "milestone": d.milestone, "grade": d.grade, "started_at": d.started_at, "due_at": d.due_at,
             "met_at": d.met_at, "cancelled_at": d.cancelled_at, "cancel_reason": d.cancel_reason,
             "state": deadline_state(d.due_at, now, d.started_at, d.met_at, d.cancelled_at)}
            for d, unit, _role in session.execute(stmt)]


def _posts(session: Session, event_id: int) -> list[dict[str, Any]]:
    stmt = (select(Post, Source.name).outerjoin(Source, Source.id == Post.source_id)
            .where(Post.event_id == event_id).order_by(Post.id).limit(POSTS_SHOWN))
    return [{"id": p.id, "platform": p.platform, "source": src, "author": p.author, "title": p.title, "text": p.text,
             "url": p.url, "published_at": p.published_at, "first_seen_at": p.first_seen_at,
             "engagement": (p.reposts, p.comments, p.likes), "notes": p.notes or [], "joined": p.joined}
            for p, src in session.execute(stmt)]


def _alerts(session: Session, event_id: int, recipient: str | None) -> list[dict[str, Any]]:
    stmt = select(Alert).where(Alert.event_id == event_id).order_by(Alert.id)
    if recipient is not None:
        stmt = stmt.where(Alert.recipient == recipient)
    return [{"id": a.id, "kind": a.kind, "recipient": a.recipient, "urgent": a.urgent, "level": a.level,
             "grade": a.grade, "created_at": a.created_at, "acknowledged_at": a.acknowledged_at,
             "acknowledged_by": a.acknowledged_by, "acknowledged_as": acknowledger(a.acknowledged_by, a.acknowledged_declared),
             "acknowledged_declared": a.acknowledged_declared, "acknowledged_via": a.acknowledged_via,
             "acknowledged_channel": a.acknowledged_channel, "acknowledged_from": a.acknowledged_from}
            for a in session.scalars(stmt)]


def _responses(session: Session, event_id: int, unit_id: int | None) -> list[dict[str, Any]]:
    stmt = (select(Response, Unit.name).join(Unit, Unit.id == Response.unit_id)
            .where(Response.event_id == event_id).order_by(Response.responded_at))
    if unit_id is not None:
        stmt = stmt.where(Response.unit_id == unit_id)
    return [{"unit": unit, "kind": r.kind, "link": r.link, "place": r.place, "responded_at": r.responded_at,
             "recorded_at": r.recorded_at, "recorded_by": r.recorded_by} for r, unit in session.execute(stmt)]


def _audit(session: Session, event_id: int, assignment_ids: list[int], alert_ids: list[int]) -> list[dict[str, Any]]:
    stmt = select(AuditLog).where(or_(
        and_(AuditLog.entity == "event", AuditLog.entity_id == event_id),
        and_(AuditLog.entity == "assignment", AuditLog.entity_id.in_(assignment_ids or [-1])),
        and_(AuditLog.entity == "alert", AuditLog.entity_id.in_(alert_ids or [-1])))).order_by(AuditLog.id)
    return [{"at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail} for e in session.scalars(stmt)]


def _splits(session: Session, event_id: int, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The splits that made this event: its posts name the event they were split from."""
    origins = {p["joined"]["from"] for p in posts
               if isinstance(p["joined"], dict) and p["joined"].get("how") == "split" and isinstance(p["joined"].get("from"), int)}
    if not origins:
        return []
    stmt = select(AuditLog).where(AuditLog.entity == "event", AuditLog.entity_id.in_(origins),
                                  AuditLog.action == "split_event").order_by(AuditLog.id)
    return [{"at": e.at, "actor": e.actor, "from": e.entity_id} for e in session.scalars(stmt)
            if (e.detail or {}).get("after") == event_id]


def event_view(session: Session, event_id: int, now: datetime, unit_id: int | None = None) -> EventView | None:
    """The event's page; None when there is no such event, or (``unit_id``) when the unit holds
    no assignment on it — the same answer, so an id guessed by a unit tells it nothing."""
    event = session.get(Event, event_id)
    if event is None:
        return None
    if unit_id is not None:
        own = [a for a in _assignments(session, event_id, unit_id) if a["status"] != "withdrawn"]
        if not own:
            return None
        unit = session.get(Unit, unit_id)
        return EventView(event, _posts(session, event_id), own, _deadlines(session, event_id, now, True),
                         _alerts(session, event_id, unit.name if unit else ""),
                         _responses(session, event_id, unit_id), own=own[0], comments=event_comments(session, event_id),
                         headline=headlines(session, [event_id]).get(event_id, event.title))
    assignments = _assignments(session, event_id, None)
    alerts, posts = _alerts(session, event_id, None), _posts(session, event_id)
    return EventView(event, posts, assignments, _deadlines(session, event_id, now, False), alerts,
                     _responses(session, event_id, None),
                     _audit(session, event_id, [a["id"] for a in assignments], [a["id"] for a in alerts]),
                     comments=event_comments(session, event_id), splits=_splits(session, event_id, posts),
                     headline=headlines(session, [event_id]).get(event_id, event.title))
