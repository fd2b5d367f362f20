"""The triage output of stored posts (one JSON object per input item, in input order): what
``yuqing triage`` writes and the triage flows return, read from what the database holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage import store
from pipeline.storage.models import Assignment, Deadline, Event, Post, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import MILESTONES


class PostFields(NamedTuple):
    relevant: bool
    topic: str | None
    categories: list[str]
    rumor: bool
    event_id: int
    sentiment: str | None = None
    irrelevant_reason: str | None = None
    schemes: list[Any] | None = None


def describe_posts(session: Session, post_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The triage output of stored posts, from what the database holds (columns only, each
    event described once)."""
    posts: dict[int, PostFields] = {}
    for part in store.chunks(post_ids):
        stmt = select(Post.id, Post.relevant, Post.topic, Post.categories, Post.rumor, Post.event_id, Post.sentiment,
                      Post.irrelevant_reason, Post.schemes)
        for row in session.execute(stmt.where(Post.id.in_(part))):
            posts[row.id] = PostFields(row.relevant, row.topic, row.categories, row.rumor, row.event_id, row.sentiment,
                                       row.irrelevant_reason, row.schemes)
    events = describe_events(session, sorted({p.event_id for p in posts.values()}))
    out: dict[int, dict[str, Any]] = {}
    for pid in post_ids:
        p = posts[pid]
        base = {"relevant": bool(p.relevant), "topic": p.topic, "categories": list(p.categories or []),
                "rumor": bool(p.rumor), "event_id": p.event_id, "sentiment": p.sentiment,
                "irrelevant_reason": p.irrelevant_reason, "schemes": list(p.schemes or [])}
        event = events[p.event_id]
        out[pid] = {**base, **event} if p.relevant and event["relevant"] else {**base, **event, **_NOT_RELEVANT}
    return out


OUTPUT_CHUNK = 2000


def iter_output(session: Session, post_ids: list[int], input_ids: list[str],
                chunk: int = OUTPUT_CHUNK) -> Iterator[dict[str, Any]]:
    """The triage output of a batch (``TriageReport.post_ids`` / ``input_ids``), one object per
    input post in input order, read from storage a chunk at a time: a large batch is written out
    without holding its whole output."""
    for start in range(0, len(post_ids), chunk):
        ids = post_ids[start:start + chunk]
        described = describe_posts(session, sorted(set(ids)))
        for pid, input_id in zip(ids, input_ids[start:start + chunk], strict=True):
            yield {"id": input_id, **described[pid]}


_NOT_RELEVANT: dict[str, Any] = {"relevant": False, "grade": None, "grade_reasons": [], "primary_unit": None,
                                 "cooperating_units": [], "transfer_units": [], "coordinators": [],
                                 "leadership": False, "deadlines": [], "needs_review": False, "review_reasons": []}
_MILESTONE_ORDER = {m: i for i, m in enumerate(MILESTONES)}


def describe_events(session: Session, event_ids: list[int]) -> dict[int, dict[str, Any]]:
    events: dict[int, dict[str, Any]] = {}
    primary_of: dict[int, int] = {}
    for part in store.chunks(event_ids):
        stmt = select(Event.id, Event.relevant, Event.grade, Event.grade_reasons, Event.leadership, Event.sentiment,
                      Event.needs_review, Event.review_reasons, Event.model_versions)
        for ev in session.execute(stmt.where(Event.id.in_(part))):
            events[ev.id] = {"relevant": bool(ev.relevant), "grade": ev.grade,
                             "grade_reasons": list(ev.grade_reasons or []), "primary_unit": None,
                             "cooperating_units": [], "transfer_units": [], "coordinators": [],
                             "leadership": bool(ev.leadership), "deadlines": [],
                             "event_sentiment": ev.sentiment, "needs_review": bool(ev.needs_review),
                             "review_reasons": list(ev.review_reasons or []),
                             "model_versions": dict(ev.model_versions or {})}
        stmt2 = (select(Assignment.event_id, Assignment.role, Unit.name, Assignment.id)
                 .join(Unit, Unit.id == Assignment.unit_id)
                 .where(Assignment.event_id.in_(part), Assignment.status != "withdrawn")
                 .order_by(Assignment.id))
        for eid, role, name, aid in session.execute(stmt2):
            target = events[eid]
            if role == "primary":
                target["primary_unit"] = name
                primary_of[aid] = eid
            else:
                target[{"cooperating": "cooperating_units", "transfer": "transfer_units",
                        "coordinator": "coordinators"}[role]].append(name)
    for part in store.chunks(sorted(primary_of)):
        stmt3 = select(Deadline.assignment_id, Deadline.milestone, Deadline.due_at)
        for aid, milestone, due in session.execute(stmt3.where(Deadline.assignment_id.in_(part),
                                                             Deadline.cancelled_at.is_(None))):
            events[primary_of[aid]]["deadlines"].append(
                {"milestone": milestone, "due_at": due.astimezone(SHANGHAI).isoformat()})
    for described in events.values():
        described["deadlines"].sort(key=lambda d: _MILESTONE_ORDER.get(d["milestone"], 9))
    return events
