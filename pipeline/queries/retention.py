"""Which posts the retention periods make due (``pipeline.rules.retention``), and how many —
the view ``yuqing purge --dry-run`` shows. An event is *open* while any unit's item on it is not
办结 (nor withdrawn), and a relevant event no unit holds an item on is treated as open too:
posts of open events are never due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from pipeline.config import RetentionConfig
from pipeline.rules.retention import cutoffs
from pipeline.storage.models import Assignment, Event, Post


def _unfinished() -> ColumnElement[bool]:
    return exists().where(Assignment.event_id == Event.id, Assignment.status.not_in(("closed", "withdrawn")))


def _held() -> ColumnElement[bool]:
    return exists().where(Assignment.event_id == Event.id, Assignment.status != "withdrawn")


def open_event() -> ColumnElement[bool]:
    """An event whose posts a purge never touches."""
    return or_(_unfinished(), and_(Event.relevant.is_(True), Event.merged_into.is_(None), ~_held()))


def _closed_before(cut: datetime) -> ColumnElement[bool]:
    last = (select(func.max(Assignment.closed_at)).where(Assignment.event_id == Event.id, Assignment.status == "closed")
            .scalar_subquery())
    return and_(_held(), ~_unfinished(), last < cut)


def due(rule: str, cfg: RetentionConfig, now: datetime) -> ColumnElement[bool]:
    """Posts due under ``rule``: ``text`` (无关 posts past their period: text and personal
    fields) or ``personal`` (posts of events closed longer than theirs: personal fields)."""
    cut = cutoffs(cfg, now)
    if rule == "text":
        settled = select(Event.id).where(~open_event())
        return and_(Post.relevant.is_(False), Post.first_seen_at < cut.irrelevant,
                    or_(Post.purged.is_(None), Post.purged != "text"), Post.event_id.in_(settled))
    if rule == "personal":
        closed = select(Event.id).where(_closed_before(cut.closed))
        return and_(Post.purged.is_(None), Post.first_seen_at < cut.closed, Post.event_id.in_(closed))
    raise ValueError(f"unknown purge rule {rule!r}")


def due_posts(session: Session, rule: str, cfg: RetentionConfig, now: datetime, limit: int) -> list[int]:
    """The next ``limit`` due post ids, oldest first."""
    return list(session.scalars(select(Post.id).where(due(rule, cfg, now)).order_by(Post.id).limit(limit)))


@dataclass(frozen=True)
class PurgeLine:
    rule: str
    days: int
    posts: int
    events: int


def purge_plan(session: Session, cfg: RetentionConfig, now: datetime) -> list[PurgeLine]:
    """How many posts (and of how many events) each rule would purge now."""
    lines = []
    for rule, days in (("text", cfg.irrelevant_post_days), ("personal", cfg.closed_event_days)):
        posts, events = session.execute(select(func.count(), func.count(func.distinct(Post.event_id)))
                                        .where(due(rule, cfg, now))).one()
        lines.append(PurgeLine(rule, days, int(posts or 0), int(events or 0)))
    return lines
