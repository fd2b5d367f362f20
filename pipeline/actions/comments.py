"""Storing comments (MediaCrawler's comment files): one state change, each comment once, attached
to its post.

A comment is known by its platform and comment id: importing the same file again stores nothing.
It is attached to the post of its platform whose platform id is the comment's ``note_id``; a
comment whose post is not stored yet waits (``post_id`` NULL) and is attached when the post
arrives. Comments count in the event's reach: a post whose comment count is unknown or lower
than the comments stored for it takes that number, and its event's engagement grows by the
difference (the grade follows when triage next decides the event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from pipeline.comment_input import CommentInput
from pipeline.storage.models import Comment, Event, Post

CHUNK = 500


@dataclass
class CommentCounts:
    new: int = 0
    duplicates: int = 0
    attached: int = 0


def _known(session: Session, comments: list[CommentInput]) -> set[tuple[str, str]]:
    keys = sorted({(c.platform, c.comment_id) for c in comments})
    known: set[tuple[str, str]] = set()
    for i in range(0, len(keys), CHUNK):
        part = keys[i:i + CHUNK]
        known.update((p, c) for p, c in session.execute(select(Comment.platform, Comment.comment_id).where(
            tuple_(Comment.platform, Comment.comment_id).in_(part))))
    return known


def record_comments(session: Session, comments: list[CommentInput], now: datetime) -> CommentCounts:
    """Store the comments not stored yet, then attach every waiting comment whose post is stored."""
    counts = CommentCounts()
    seen = _known(session, comments)
    for c in comments:
        key = (c.platform, c.comment_id)
        if key in seen:
            counts.duplicates += 1
            continue
        seen.add(key)
        session.add(Comment(platform=c.platform, comment_id=c.comment_id, note_id=c.note_id, text=c.text,
                            author=c.author, published_at=c.published_at, published_precision=c.published_precision,
                            likes=c.likes, replies=c.replies, parent_comment_id=c.parent_comment_id,
                            ip_location=c.ip_location, raw=c.raw, first_seen_at=now))
        counts.new += 1
    session.flush()
    counts.attached = attach_waiting(session)
    return counts


def attach_waiting(session: Session) -> int:
    """Attach comments waiting for their post; count them in their posts' reach."""
    waiting = list(session.scalars(select(Comment).where(Comment.post_id.is_(None))))
    if not waiting:
        return 0
    posts: dict[tuple[str, str | None], int] = {}
    for platform, platform_id, post_id in session.execute(
            select(Post.platform, Post.platform_id, func.min(Post.id))
            .where(Post.platform.in_({c.platform for c in waiting}), Post.platform_id.in_({c.note_id for c in waiting}))
            .group_by(Post.platform, Post.platform_id)):
        posts[(platform, platform_id)] = post_id
    touched: set[int] = set()
    for c in waiting:
        found = posts.get((c.platform, c.note_id))
        if found is not None:
            c.post_id = found
            touched.add(found)
    session.flush()
    _count_in_reach(session, sorted(touched))
    return sum(1 for c in waiting if c.post_id is not None)


def _count_in_reach(session: Session, post_ids: list[int]) -> None:
    stored = {pid: n for pid, n in session.execute(select(Comment.post_id, func.count())
                                                   .where(Comment.post_id.in_(post_ids)).group_by(Comment.post_id))}
    for post in session.scalars(select(Post).where(Post.id.in_(post_ids))):
        n = int(stored.get(post.id, 0))
        if post.comments is None or post.comments < n:
            grown = n - (post.comments or 0)
            post.comments = n
            event = session.get(Event, post.event_id)
            if event is not None:
                event.engagement = (event.engagement or 0) + grown
