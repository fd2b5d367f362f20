"""The headlines of events for people (``pipeline.rules.headline``), read from their posts'
incident clues, titles and first texts — used wherever a report, a page, a list or an alert
names an event, so no screen shows the stored title (the first post cut at a fixed length)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.rules.headline import headline
from pipeline.storage.models import Event, Post
from pipeline.storage.store import chunks

POSTS_READ = 20   # the first posts of an event say what it is; later ones add nothing to a headline
T = TypeVar("T")


def headlines(session: Session, event_ids: Iterable[int]) -> dict[int, str]:
    """Event id -> headline, for each of ``event_ids`` that exists."""
    ids = list(dict.fromkeys(event_ids))
    posts: dict[int, list[tuple[Any, str | None, str]]] = defaultdict(list)
    titles: dict[int, str] = {}
    for part in chunks(ids):
        titles.update({eid: title for eid, title in session.execute(select(Event.id, Event.title).where(Event.id.in_(part)))})
        # Only each event's first posts leave the database: a viral event holds thousands.
        rank = func.row_number().over(partition_by=Post.event_id, order_by=(Post.first_seen_at, Post.id)).label("rank")
        first = (select(Post.event_id, Post.clues, Post.title, func.substr(Post.text, 1, 300).label("text"), rank)
                 .where(Post.event_id.in_(part)).subquery())
        stmt = (select(first.c.event_id, first.c.clues, first.c.title, first.c.text)
                .where(first.c.rank <= POSTS_READ).order_by(first.c.event_id, first.c.rank))
        result: Any = session.execute(stmt)
        for eid, clues, title, text in result:
            posts[eid].append((clues, title, text))
    return {eid: headline([c for c, _, _ in posts[eid] if isinstance(c, dict)],
                          [t for _, t, _ in posts[eid] if t], [x for _, _, x in posts[eid]], title)
            for eid, title in titles.items()}


def named(session: Session, items: Sequence[T]) -> list[T]:
    """``items`` (dataclasses with ``event_id`` and ``title``) with each title replaced by its
    event's headline; an item without an event keeps its title."""
    names = headlines(session, {i.event_id for i in items if i.event_id is not None})  # type: ignore[attr-defined]
    return [dataclasses.replace(i, title=names[i.event_id]) if i.event_id in names else i  # type: ignore[attr-defined,type-var]
            for i in items]
