"""What ``/metrics`` counts, read from the database at scrape time (so the counters survive
restarts and agree between processes): posts collected per source and triaged, relevant
events by grade, overdue milestones, alert deliveries sent and failed attempts per channel,
collection runs and errors per source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.queries.queues import past_due_clause, unmet_deadline
from pipeline.storage.models import AlertDelivery, Deadline, Event, Post, Source, SourceRun


@dataclass(frozen=True)
class SourceCounts:
    name: str
    collected: int          # items fetched over all runs
    runs: int
    errors: int             # runs that ended degraded or down
    consecutive_failures: int


@dataclass(frozen=True)
class ChannelCounts:
    channel: str
    sent: int
    failed_attempts: int    # attempts that did not deliver
    pending: int


@dataclass(frozen=True)
class MetricCounts:
    posts_triaged: int
    posts_relevant: int
    events_by_grade: dict[str, int]
    overdue_milestones: int
    open_milestones: int
    channels: list[ChannelCounts]
    sources: list[SourceCounts]


def metric_counts(session: Session, now: datetime) -> MetricCounts:
    grades = session.execute(select(Event.grade, func.count()).where(
        Event.relevant.is_(True), Event.merged_into.is_(None), Event.grade.is_not(None)).group_by(Event.grade)).all()
    return MetricCounts(
        posts_triaged=session.scalar(select(func.count()).select_from(Post)) or 0,
        posts_relevant=session.scalar(select(func.count()).select_from(Post).where(Post.relevant.is_(True))) or 0,
        events_by_grade={str(g): int(n) for g, n in grades},
        overdue_milestones=session.scalar(select(func.count()).select_from(Deadline)
                                          .where(unmet_deadline(), past_due_clause(Deadline.due_at, now))) or 0,
        open_milestones=session.scalar(select(func.count()).select_from(Deadline).where(unmet_deadline())) or 0,
        channels=_channels(session),
        sources=_sources(session),
    )


def _channels(session: Session) -> list[ChannelCounts]:
    sent = AlertDelivery.status == "sent"
    rows = session.execute(select(
        AlertDelivery.channel, func.count().filter(sent),
        func.coalesce(func.sum(AlertDelivery.attempts), 0) - func.count().filter(sent),
        func.count().filter(AlertDelivery.status == "pending"),
    ).group_by(AlertDelivery.channel).order_by(AlertDelivery.channel))
    return [ChannelCounts(str(c), int(s), int(f), int(p)) for c, s, f, p in rows]


def _sources(session: Session) -> list[SourceCounts]:
    runs = (select(SourceRun.source_id, func.count().label("runs"),
                   func.coalesce(func.sum(SourceRun.fetched), 0).label("fetched"),
                   func.count().filter(SourceRun.health.in_(("degraded", "down"))).label("errors"))
            .group_by(SourceRun.source_id).subquery())
    rows = session.execute(select(Source.name, runs.c.fetched, runs.c.runs, runs.c.errors, Source.consecutive_failures)
                           .outerjoin(runs, runs.c.source_id == Source.id).order_by(Source.name))
    return [SourceCounts(str(n), int(f or 0), int(r or 0), int(e or 0), int(c or 0)) for n, f, r, e, c in rows.tuples()]
