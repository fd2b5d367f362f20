"""Purging personal data past its retention period (``data/config/retention.yaml``), one batch
per call and one audit entry per batch: which posts, under which period, what was removed.
Posts of open events are never due (``pipeline.queries.retention``); events, assignments,
deadlines, responses and the audit trail are never changed, so every report and 考核 figure of a
past period stays what it was."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, text, update
from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.config import RetentionConfig
from pipeline.queries.retention import due_posts
from pipeline.rules.retention import REMOVED_TEXT, cleared
from pipeline.storage.models import Event, Post
from pipeline.vocabulary import SYSTEM_ACTOR


def remove_irrelevant_texts(session: Session, cfg: RetentionConfig, now: datetime, actor: str = SYSTEM_ACTOR) -> int:
    """Remove the title, text and personal fields of the next batch of 无关 posts past their
    period (and their words from the search index); an 无关 event none of whose posts keeps its
    text loses its title too. Returns how many posts were purged (0: none left)."""
    ids = due_posts(session, "text", cfg, now, cfg.batch_size)
    if not ids:
        return 0
    session.execute(update(Post).where(Post.id.in_(ids)).values(**cleared("text"), purged_at=now))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("UPDATE post_index SET tsv = NULL WHERE post_id = ANY(:ids)"), {"ids": ids})
    kept = exists().where(Post.event_id == Event.id, Post.purged.is_distinct_from("text"))
    touched = select(Post.event_id).where(Post.id.in_(ids))
    session.execute(update(Event).where(Event.id.in_(touched), Event.relevant.is_(False), ~kept)
                    .values(title=REMOVED_TEXT), execution_options={"synchronize_session": False})
    audit(session, now, actor, "purge_text", "post", None, after="text", reason=f"无关信息超过保存期限（{cfg.irrelevant_post_days} 天）",
          post_ids=ids)
    return len(ids)


def clear_closed_personal(session: Session, cfg: RetentionConfig, now: datetime, actor: str = SYSTEM_ACTOR) -> int:
    """Clear the personal fields of the next batch of posts of events closed (办结) by every unit
    longer ago than their period; their text stays. Returns how many (0: none left)."""
    ids = due_posts(session, "personal", cfg, now, cfg.batch_size)
    if not ids:
        return 0
    session.execute(update(Post).where(Post.id.in_(ids)).values(**cleared("personal"), purged_at=now))
    audit(session, now, actor, "purge_personal", "post", None, after="personal",
          reason=f"已办结事件超过保存期限（{cfg.closed_event_days} 天）", post_ids=ids)
    return len(ids)
