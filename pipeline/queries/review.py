"""待复核 first: the events whose automatic decision needs an analyst, most serious first, then
the newest; the ordering is also offered to other lists (the web desk) as ``REVIEW_FIRST``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from pipeline.queries.headlines import named
from pipeline.storage.models import Event
from pipeline.vocabulary import GRADES

_GRADE_ORDER = case({g: i for i, g in enumerate(GRADES)}, value=Event.grade, else_=len(GRADES))
# Order any query over events: 待复核 first, the most serious grade first, the newest first.
REVIEW_FIRST: list[Any] = [Event.needs_review.desc(), _GRADE_ORDER, Event.last_seen_at.desc(), Event.id.desc()]


@dataclass(frozen=True)
class ReviewItem:
    event_id: int
    title: str
    grade: str | None
    topic: str | None
    sentiment: str | None
    needs_review: bool
    reasons: list[str]
    last_seen_at: datetime


def review_list(session: Session, limit: int = 50, only_flagged: bool = True) -> list[ReviewItem]:
    """Relevant events, 待复核 first (only those when ``only_flagged``)."""
    stmt = select(Event).where(Event.relevant.is_(True))
    if only_flagged:
        stmt = stmt.where(Event.needs_review.is_(True))
    return named(session, [ReviewItem(ev.id, ev.title, ev.grade, ev.topic, ev.sentiment, bool(ev.needs_review),
                       list(ev.review_reasons or []), ev.last_seen_at)
            for ev in session.scalars(stmt.order_by(*REVIEW_FIRST).limit(limit))])
