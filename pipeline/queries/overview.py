"""The overview for leaders and coordinators: volume over time by topic and by grade, open
items by unit, sources' health and the coverage gaps of the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.coverage import open_gaps
from pipeline.queries.queues import open_assignment
from pipeline.queries.sources import source_table
from pipeline.storage.models import Assignment, Event, Post, Unit
from pipeline.timeparse import SHANGHAI


@dataclass
class Overview:
    days: list[date]
    posts_by_topic: dict[str, list[int]]    # topic -> posts per day
    events_by_grade: dict[str, list[int]]   # grade -> new relevant events per day
    open_by_unit: list[tuple[str, int, int]]  # unit, open items (returned included), returned
    sources: list[dict[str, Any]]
    gaps: list[str]


def _day(value: datetime) -> date:
    return value.astimezone(SHANGHAI).date()


def overview(session: Session, now: datetime, days: int = 14) -> Overview:
    start_day = _day(now) - timedelta(days=days - 1)
    start = datetime.combine(start_day, datetime.min.time(), SHANGHAI)
    index = {start_day + timedelta(days=i): i for i in range(days)}
    by_topic: dict[str, list[int]] = {}
    stmt = (select(Post.first_seen_at, Event.topic).join(Event, Event.id == Post.event_id)
            .where(Post.first_seen_at >= start, Event.relevant.is_(True)))
    for seen, topic in session.execute(stmt):
        if (i := index.get(_day(seen))) is not None:
            by_topic.setdefault(topic or "—", [0] * days)[i] += 1
    by_grade: dict[str, list[int]] = {}
    for seen, grade in session.execute(select(Event.first_seen_at, Event.grade)
                                       .where(Event.first_seen_at >= start, Event.relevant.is_(True))):
        if (i := index.get(_day(seen))) is not None:
            by_grade.setdefault(grade or "—", [0] * days)[i] += 1
    open_stmt = (select(Unit.name, func.count(), func.count(Assignment.returned_at))
                 .join(Assignment, Assignment.unit_id == Unit.id)
                 .where(or_(open_assignment(), Assignment.status == "returned"),
                        Assignment.role != "coordinator")
                 .group_by(Unit.name).order_by(func.count().desc()))
    return Overview(list(index), by_topic, by_grade, [(u, n, r) for u, n, r in session.execute(open_stmt)],
                    source_table(session), [g.text() for g in open_gaps(session, now - timedelta(days=7), now)])
