"""The analyst's desk: the stream of triaged posts with their events, filtered (grade, topic,
unit, status, platform, source, time range, key category, rumour, 待复核, full-text search),
a page at a time: by default the posts of the open events in the urgency order
(pipeline/rules/urgency.py), each event's newest post first, then every other post newest first;
as choices newest or least-certain first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, case, cast, exists, func, select
from sqlalchemy.orm import Session

from classifiers.tokenize import Tokenizer
from pipeline.queries.urgency import ranked_open_events
from pipeline.search import ensure_indexed, matching_posts
from pipeline.storage.models import Assignment, Event, Post, PostIndex, Source, Unit

PAGE_SIZE = 50
REVIEW_BELOW = 0.6  # 待复核: a post whose topic or grade model was less sure than this


@dataclass(frozen=True)
class DeskFilter:
    grade: str | None = None
    topic: str | None = None
    unit: str | None = None
    status: str | None = None        # the primary assignment's status
    platform: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    category: str | None = None
    rumor: bool | None = None
    relevant: bool | None = None
    review: bool = False             # the events triage marked 待复核 (pipeline/rules/review.py)
    sentiment: str | None = None     # the post's 负面 / 中性 / 正面
    q: str = ""
    order: str = "urgency"          # urgency | newest | uncertain
    page: int = 1


@dataclass(frozen=True)
class DeskRow:
    post_id: int
    event_id: int
    first_seen_at: datetime
    platform: str
    source: str | None
    author: str | None
    title: str | None
    snippet: str
    url: str | None
    grade: str | None
    topic: str | None
    relevant: bool
    rumor: bool
    categories: list[str]
    certainty: float | None
    sentiment: str | None = None
    needs_review: bool = False
    review_reasons: list[str] = field(default_factory=list)
    primary_unit: str | None = None
    primary_status: str | None = None


@dataclass
class DeskPage:
    rows: list[DeskRow]
    page: int
    has_next: bool


def _assigned(*conditions: Any) -> Any:
    return exists().where(Assignment.event_id == Post.event_id, *conditions)


def _conditions(session: Session, tokenizer: Tokenizer, f: DeskFilter) -> list[Any]:
    simple = [(f.grade, Event.grade), (f.topic, Event.topic), (f.platform, Post.platform), (f.source, Source.name),
              (f.rumor, Event.rumor), (f.relevant, Event.relevant), (f.sentiment, Post.sentiment)]
    where: list[Any] = [col == value for value, col in simple if value is not None]
    if f.unit:
        unit_id = session.scalar(select(Unit.id).where(Unit.name == f.unit))
        where.append(_assigned(Assignment.unit_id == (unit_id or -1), Assignment.status != "withdrawn"))
    if f.status:
        where.append(_assigned(Assignment.role == "primary", Assignment.status == f.status))
    if f.since:
        where.append(Post.first_seen_at >= f.since)
    if f.until:
        where.append(Post.first_seen_at < f.until)
    if f.category:
        where.append(cast(Event.categories, Text).like(f'%"{f.category}"%'))
    if f.review:
        where.append(Event.needs_review.is_(True))
    if f.q.strip():
        match = matching_posts(session, tokenizer, f.q)
        if match is not None:
            where.append(Post.id.in_(match))
    return where


def _order(session: Session, f: DeskFilter, now: datetime | None) -> list[Any]:
    if f.order == "uncertain":
        return [PostIndex.certainty.asc().nulls_last(), Post.id.desc()]
    ranked = ranked_open_events(session, now) if f.order == "urgency" and now is not None else []
    if not ranked:
        return [Post.id.desc()]
    return [case({eid: i for i, eid in enumerate(ranked)}, value=Post.event_id, else_=len(ranked)), Post.id.desc()]


def desk_page(session: Session, tokenizer: Tokenizer, f: DeskFilter, now: datetime | None = None) -> DeskPage:
    """One page of the desk: ``PAGE_SIZE`` rows and whether another page follows. The urgency
    order needs the clock (``now``); without it the page is newest first."""
    ensure_indexed(session, tokenizer)
    stmt = (select(Post.id, Post.event_id, Post.first_seen_at, Post.platform, Source.name, Post.author, Post.title,
                   func.substr(Post.text, 1, 160), Post.url, Event.grade, Event.topic, Event.relevant, Event.rumor,
                   Event.categories, PostIndex.certainty, Post.sentiment, Event.needs_review, Event.review_reasons)
            .join(Event, Event.id == Post.event_id).outerjoin(Source, Source.id == Post.source_id)
            .outerjoin(PostIndex, PostIndex.post_id == Post.id).where(*_conditions(session, tokenizer, f)))
    order = _order(session, f, now)
    page = max(f.page, 1)
    found = session.execute(stmt.order_by(*order).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    rows = [DeskRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or "", r[8], r[9], r[10], bool(r[11]),
                    bool(r[12]), list(r[13] or []), r[14], r[15], bool(r[16]), list(r[17] or []))
            for r in found[:PAGE_SIZE]]
    owners = primary_units(session, sorted({r.event_id for r in rows}))
    rows = [DeskRow(**{**r.__dict__, "primary_unit": owners.get(r.event_id, (None, None))[0],
                       "primary_status": owners.get(r.event_id, (None, None))[1]}) for r in rows]
    return DeskPage(rows, page, len(found) > PAGE_SIZE)


def primary_units(session: Session, event_ids: list[int]) -> dict[int, tuple[str, str]]:
    """event id -> (primary unit, its assignment status)."""
    if not event_ids:
        return {}
    stmt = (select(Assignment.event_id, Unit.name, Assignment.status).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id.in_(event_ids), Assignment.role == "primary", Assignment.status != "withdrawn"))
    return {eid: (name, status) for eid, name, status in session.execute(stmt)}


def desk_options(session: Session) -> dict[str, list[str]]:
    """What the desk's filters offer: units, platforms and sources present in the database."""
    return {"units": list(session.scalars(select(Unit.name).order_by(Unit.kind.desc(), Unit.id))),
            "platforms": list(session.scalars(select(Post.platform).distinct().order_by(Post.platform))),
            "sources": list(session.scalars(select(Source.name).order_by(Source.name)))}
