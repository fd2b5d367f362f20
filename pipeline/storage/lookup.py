"""What clustering loads from storage: the look-up texts (MinHash signatures) and incident
facts of the posts of events still open to new posts, a bounded number per event, so that an
event of 10,000 posts costs no more to load and look up than one of ten."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.storage.models import Event, Post


def representatives(session: Session, since: datetime, per_event: int) -> list[tuple[int, int, bytes]]:
    """(event id, post id, MinHash) of the posts kept for look-up, at most ``per_event`` per
    event seen since ``since``. Posts stored before representatives were recorded count as
    representatives, the first of each event first."""
    rank = func.row_number().over(partition_by=Post.event_id, order_by=Post.id).label("rank")
    inner = (select(Post.event_id, Post.id, Post.minhash, rank).join(Event, Event.id == Post.event_id)
             .where(Event.last_seen_at >= since, Event.merged_into.is_(None), Post.minhash.is_not(None),
                    or_(Post.indexed.is_(None), Post.indexed.is_(True)))
             .subquery())
    stmt = select(inner.c.event_id, inner.c.id, inner.c.minhash).where(inner.c.rank <= per_event).order_by(inner.c.id)
    return cast(list[tuple[int, int, bytes]], [tuple(row) for row in session.execute(stmt)])


def recent_clues(session: Session, since: datetime, per_event: int) -> list[tuple[int, dict[str, Any]]]:
    """(event id, clues) of the first ``per_event`` posts with incident facts of each event
    seen since ``since``."""
    rank = func.row_number().over(partition_by=Post.event_id, order_by=Post.id).label("rank")
    inner = (select(Post.event_id, Post.id, Post.clues, rank).join(Event, Event.id == Post.event_id)
             .where(Event.last_seen_at >= since, Event.merged_into.is_(None), Post.clues.is_not(None))
             .subquery())
    stmt = select(inner.c.event_id, inner.c.clues).where(inner.c.rank <= per_event).order_by(inner.c.id)
    return cast(list[tuple[int, dict[str, Any]]], [tuple(row) for row in session.execute(stmt)])


def recent_openings(session: Session, since: datetime,
                    chars: int) -> list[tuple[int, str, str | None, str, datetime]]:
    """(event id, author, title, the first ``chars`` characters of the text, publication time) of
    the posts with an author published since ``since``, oldest first: what a later repost may
    quote, what the account's next post may go on about."""
    stmt = (select(Post.event_id, Post.author, Post.title, func.substr(Post.text, 1, chars), Post.published_at)
            .join(Event, Event.id == Post.event_id)
            .where(Event.last_seen_at >= since, Event.merged_into.is_(None), Post.author.is_not(None),
                   Post.published_at >= since)
            .order_by(Post.published_at, Post.id))
    return cast(list[tuple[int, str, str | None, str, datetime]], [tuple(row) for row in session.execute(stmt)])


def event_places(session: Session, since: datetime) -> dict[int, list[list[str]]]:
    """The sets of townships named by the posts of each event seen since ``since`` (events whose
    posts name none are left out): an event's place identity."""
    stmt = (select(Event.id, Event.features["townsets"])
            .where(Event.last_seen_at >= since, Event.merged_into.is_(None)))
    return {cast(int, event_id): cast(list[list[str]], sets) for event_id, sets in session.execute(stmt) if sets}
