"""The headlines of events for people (``pipeline.rules.headline``), read from their posts'
incident clues, titles and first texts — used wherever a report lists or names an event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.rules.headline import headline
from pipeline.storage.models import Event, Post
from pipeline.storage.store import chunks

POSTS_READ = 20   # the first posts of an event say what it is; later ones add nothing to a headline


def headlines(session: Session, event_ids: Iterable[int]) -> dict[int, str]:
    """Event id -> headline, for each of ``event_ids`` that exists."""
    ids = list(dict.fromkeys(event_ids))
    posts: dict[int, list[tuple[Any, str | None, str]]] = defaultdict(list)
    titles: dict[int, str] = {}
    for part in chunks(ids):
        titles.update({eid: title for eid, title in session.execute(select(Event.id, Event.title).where(Event.id.in_(part)))})
        stmt = (select(Post.event_id, Post.clues, Post.title, func.substr(Post.text, 1, 300))
                .where(Post.event_id.in_(part)).order_by(Post.event_id, Post.first_seen_at, Post.id))
        result: Any = session.execute(stmt)
        for eid, clues, title, text in result:
            if len(posts[eid]) < POSTS_READ:
                posts[eid].append((clues, title, text))
    return {eid: headline([c for c, _, _ in posts[eid] if isinstance(c, dict)],
                          [t for _, t, _ in posts[eid] if t], [x for _, _, x in posts[eid]], title)
            for eid, title in titles.items()}
