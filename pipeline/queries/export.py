"""Export of stored events with their posts, assignments and deadlines, as plain dictionaries.

Each event also lists the coverage gaps (source outages, truncated searches) that overlap its
time span: posts of the event may be missing from those spans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pipeline.coverage import open_gaps
from pipeline.storage.models import Assignment, Event, Post
from pipeline.timeparse import SHANGHAI


def _iso(value: Any) -> str | None:
    return value.astimezone(SHANGHAI).isoformat() if value is not None else None


def export_events(session: Session, relevant_only: bool = False) -> Iterator[dict[str, Any]]:
    stmt = select(Event).options(
        selectinload(Event.assignments).selectinload(Assignment.unit),
        selectinload(Event.assignments).selectinload(Assignment.deadlines),
    ).order_by(Event.id)
    if relevant_only:  # live county matters: not set aside, not merged into another event
        stmt = stmt.where(Event.relevant.is_(True), Event.merged_into.is_(None))
    gaps = open_gaps(session)
    for ev in session.scalars(stmt):
        posts = session.execute(
            select(Post.id, Post.platform, Post.platform_id, Post.url, Post.author, Post.published_at, Post.topic,
                   Post.notes, Post.sentiment, Post.irrelevant_reason, Post.schemes, Post.joined)
            .where(Post.event_id == ev.id).order_by(Post.id)
        ).all()
        start = min([ev.first_seen_at, *(p.published_at for p in posts if p.published_at is not None)])
        yield {
            "event_id": ev.id, "title": ev.title, "relevant": ev.relevant, "topic": ev.topic, "grade": ev.grade,
            "grade_reasons": ev.grade_reasons, "categories": ev.categories, "rumor": ev.rumor,
            "leadership": ev.leadership, "engagement": ev.engagement, "post_count": ev.post_count,
            "sentiment": ev.sentiment, "needs_review": ev.needs_review, "review_reasons": ev.review_reasons or [],
            "irrelevant_reason": ev.irrelevant_reason, "model_versions": ev.model_versions or {},
            "merged_into": ev.merged_into,
            "first_seen_at": _iso(ev.first_seen_at), "clock_start_at": _iso(ev.clock_start_at),
            "posts": [{"post_id": p.id, "platform": p.platform, "id": p.platform_id, "url": p.url,
                       "author": p.author, "published_at": _iso(p.published_at), "topic": p.topic,
                       "notes": p.notes or [], "sentiment": p.sentiment, "irrelevant_reason": p.irrelevant_reason,
                       "schemes": p.schemes or [], "joined": p.joined} for p in posts],
            "overrides": {k: v for k, v in (("grade", ev.override_grade), ("topic", ev.override_topic),
                                                ("relevant", ev.override_relevant), ("rumor", ev.override_rumor),
                                                ("sentiment", ev.override_sentiment))
                          if v is not None},
            "assignments": [
                {"unit": a.unit.name, "role": a.role, "status": a.status, "reasons": a.reasons,
                 "accepted_at": _iso(a.accepted_at), "returned_at": _iso(a.returned_at),
                 "return_reason": a.return_reason, "closed_at": _iso(a.closed_at), "withdrawn_at": _iso(a.withdrawn_at),
                 "deadlines": [{"milestone": d.milestone, "grade": d.grade, "started_at": _iso(d.started_at),
                                "due_at": _iso(d.due_at), "met_at": _iso(d.met_at),
                                "cancelled_at": _iso(d.cancelled_at), "cancel_reason": d.cancel_reason}
                               for d in a.deadlines]}
                for a in ev.assignments
            ],
            "coverage_gaps": [g.as_dict() for g in gaps if g.overlaps(start, ev.last_seen_at)],
        }

