"""The comments on an event's posts, for its page and the 专报's 网民观点: who said what, when,
where from and how many liked it; most liked first (then earliest), top-level and replies alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import Comment, Post

COMMENTS_SHOWN = 200


@dataclass(frozen=True)
class CommentView:
    """One comment as people read it (text is crawled text: render it inert)."""

    id: int
    post_id: int
    platform: str
    author: str | None
    text: str
    published_at: datetime | None
    likes: int | None
    replies: int | None
    ip_location: str | None
    is_reply: bool


def event_comments(session: Session, event_id: int, limit: int = COMMENTS_SHOWN) -> list[CommentView]:
    """The comments on the posts of ``event_id``: most liked first, then earliest."""
    stmt = (select(Comment).join(Post, Post.id == Comment.post_id).where(Post.event_id == event_id)
            .order_by(Comment.likes.desc().nulls_last(), Comment.published_at.asc().nulls_last(), Comment.id)
            .limit(limit))
    return [CommentView(c.id, c.post_id or 0, c.platform, c.author, c.text, c.published_at, c.likes, c.replies,
                        c.ip_location, c.parent_comment_id is not None) for c in session.scalars(stmt)]


def comment_count(session: Session, event_id: int) -> int:
    """How many comments the event's posts have stored."""
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(Comment).join(Post, Post.id == Comment.post_id)
                              .where(Post.event_id == event_id)) or 0)
