"""The figures of a 舆情日报 / 周报 / 月报 (RULES.md §5, §8), read for one period.

Posts are counted by ``first_seen_at`` — when the system first detected them — not by their
publish time (often unknown or only a date). 涉云和信息 are the relevant posts; events are the
relevant events. A period still running is read up to ``now``; its 环比 compares the same
elapsed span of the previous period. Everything is a plain dataclass, built as of ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from pipeline.coverage import GapView, open_gaps
from pipeline.queries.report_common import Count, EventLine, counted, event_lines
from pipeline.reports.periods import Period
from pipeline.storage.models import Event, Post, Source, SourceRun
from pipeline.storage.store import chunks
from pipeline.vocabulary import GRADES, rank

TOP_EVENTS = 10
TOP_SOURCES = 10
KEY_ITEMS = 30
MEDIA_PLATFORMS: tuple[str, ...] = ("news",)


@dataclass(frozen=True)
class SourceLine:
    """A configured collector source: its health now and its runs in the period."""

    name: str
    platform: str
    health: str
    reason: str | None
    runs: int
    failed_runs: int


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    now: datetime
    until: datetime                   # the figures stop here (the period's end, or now)
    collected: int                    # every post detected in the span
    relevant: int                     # 涉云和信息
    previous_relevant: int            # the same span of the previous period
    trend: tuple[int, ...]            # relevant posts per bucket (hour of a day, day of a week/month)
    platforms: tuple[Count, ...]      # relevant posts by platform code
    sources: tuple[Count, ...]        # relevant posts by source name, the most active first
    topics: tuple[Count, ...]
    sentiment: tuple[Count, ...] | None  # None: posts carry no sentiment (not analysed)
    media: int                        # relevant posts from news sites (the rest: netizens, accounts)
    reposts: int                      # relevant posts that are reposts (转发)
    events_active: int                # relevant events with posts in the span
    events_new: dict[str, int]        # relevant events first detected in the span, by grade
    urgent_new: tuple[EventLine, ...]  # of those, the urgent grades, with their handling
    top_events: tuple[EventLine, ...]
    key_counts: tuple[Count, ...]     # active events per key category (RULES.md §2)
    key_items: tuple[EventLine, ...]
    rumours: tuple[EventLine, ...]
    sources_health: tuple[SourceLine, ...]
    gaps: tuple[GapView, ...]

    @property
    def complete(self) -> bool:
        return self.until >= self.period.end


def _span(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (column >= start) & (column < end)


def _relevant_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return Post.relevant.is_(True) & _span(Post.first_seen_at, start, end)


def previous_span(period: Period, until: datetime) -> tuple[datetime, datetime]:
    """The previous period, or as much of it as the current one has run."""
    prev = period.previous()
    if until >= period.end:
        return prev.start, prev.end
    return prev.start, min(prev.end, prev.start + (until - period.start))


def period_figures(session: Session, period: Period, now: datetime, urgent: tuple[str, ...] = GRADES[:2]) -> PeriodFigures:
    """Every figure of the periodic report for ``period`` as of ``now`` (see the module doc)."""
    until = period.until(now)
    start = period.start
    count = lambda *where: int(session.scalar(select(func.count()).select_from(Post).where(*where)) or 0)  # noqa: E731
    relevant = _relevant_in(start, until)
    active = _active_events(session, start, until)
    facts = _facts(session, active)
    new_events = _new_events(session, start, until)
    return PeriodFigures(
        period=period, now=now, until=until,
        collected=count(_span(Post.first_seen_at, start, until)),
        relevant=count(relevant),
        previous_relevant=count(_relevant_in(*previous_span(period, until))),
        trend=_trend(session, period, until),
        platforms=_grouped(session, Post.platform, relevant, "未知平台"),
        sources=_sources(session, relevant),
        topics=_grouped(session, Post.topic, relevant, "未分类"),
        sentiment=sentiment_counts(session, start, until),
        media=count(relevant, Post.platform.in_(MEDIA_PLATFORMS)),
        reposts=count(relevant, or_(Post.text.like("%//@%"), Post.text.like("转发%"))),
        events_active=len(active),
        events_new={g: sum(1 for grade in new_events.values() if grade == g) for g in GRADES},
        urgent_new=tuple(event_lines(session, {e: active.get(e, 0) for e, g in new_events.items() if g in urgent}, now)),
        top_events=tuple(event_lines(session, _ranked(facts, active, TOP_EVENTS), now)),
        key_counts=counted(((c, 1) for f in facts for c in f.categories), "未分类"),
        key_items=tuple(event_lines(session, _ranked([f for f in facts if f.categories], active, KEY_ITEMS), now)),
        rumours=tuple(event_lines(session, _ranked([f for f in facts if f.rumor], active, KEY_ITEMS), now)),
        sources_health=_sources_health(session, start, until),
        gaps=tuple(open_gaps(session, start, until)),
    )


def _trend(session: Session, period: Period, until: datetime) -> tuple[int, ...]:
    buckets = [0] * len(period.buckets())
    stmt = select(Post.first_seen_at).where(_relevant_in(period.start, until))
    for seen in session.scalars(stmt):
        buckets[period.bucket_of(seen)] += 1
    return tuple(buckets)


def _grouped(session: Session, column: Any, where: ColumnElement[bool],
             missing: str) -> tuple[Count, ...]:
    result: Any = session.execute(select(column, func.count()).where(where).group_by(column))
    return counted(((name, n) for name, n in result), missing)


def _sources(session: Session, where: ColumnElement[bool]) -> tuple[Count, ...]:
    stmt = (select(Source.name, func.count()).select_from(Post).outerjoin(Source, Source.id == Post.source_id)
            .where(where).group_by(Source.name))
    return counted(((name, n) for name, n in session.execute(stmt)), "未注明来源")


def sentiment_counts(session: Session, start: datetime, until: datetime) -> tuple[Count, ...] | None:
    """Relevant posts by tone (情感倾向) when triage records one on posts; None while it does not."""
    column = getattr(Post, "sentiment", None)
    if column is None:
        return None
    return _grouped(session, column, _relevant_in(start, until), "未研判")


def _active_events(session: Session, start: datetime, until: datetime) -> dict[int, int]:
    """Relevant events with posts detected in the span -> how many."""
    stmt = (select(Post.event_id, func.count()).join(Event, Event.id == Post.event_id)
            .where(_relevant_in(start, until), Event.relevant.is_(True)).group_by(Post.event_id))
    return {eid: int(n) for eid, n in session.execute(stmt)}


def _new_events(session: Session, start: datetime, until: datetime) -> dict[int, str | None]:
    stmt = select(Event.id, Event.grade).where(Event.relevant.is_(True), _span(Event.first_seen_at, start, until))
    return {eid: grade for eid, grade in session.execute(stmt)}


@dataclass(frozen=True)
class _Facts:
    event_id: int
    grade: str | None
    categories: tuple[str, ...]
    rumor: bool


def _facts(session: Session, active: dict[int, int]) -> list[_Facts]:
    """Grade, key categories and rumour flag of the active events."""
    rows: list[_Facts] = []
    for part in chunks(list(active)):
        stmt = select(Event.id, Event.grade, Event.categories, Event.rumor).where(Event.id.in_(part))
        result: Any = session.execute(stmt)
        for eid, grade, cats, rumor in result:
            rows.append(_Facts(int(eid), grade, tuple(cats or ()), bool(rumor)))
    return rows


def _ranked(facts: list[_Facts], active: dict[int, int], n: int) -> dict[int, int]:
    """The most serious events first, then the most discussed in the span: id -> posts."""
    severity = lambda g: rank(g) if g in GRADES else len(GRADES)  # noqa: E731
    ordered = sorted(facts, key=lambda f: (severity(f.grade), -active[f.event_id], f.event_id))
    return {f.event_id: active[f.event_id] for f in ordered[:n]}


def _sources_health(session: Session, start: datetime, until: datetime) -> tuple[SourceLine, ...]:
    result: Any = session.execute(
        select(SourceRun.source_id, func.count(), func.sum(case((SourceRun.health != "ok", 1), else_=0)))
        .where(_span(SourceRun.started_at, start, until)).group_by(SourceRun.source_id))
    runs = {sid: (int(n), int(failed or 0)) for sid, n, failed in result}
    stmt = select(Source).where(Source.health.is_not(None)).order_by(Source.name)
    return tuple(SourceLine(s.name, s.platform, str(s.health), s.health_reason, *runs.get(s.id, (0, 0)))
                 for s in session.scalars(stmt))


def period_texts(session: Session, period: Period, now: datetime) -> Iterator[str]:
    """The titles and texts of the span's relevant posts (for the hot words), streamed."""
    stmt = (select(Post.title, Post.text).where(_relevant_in(period.start, period.until(now)))
            .execution_options(yield_per=2000))
    for title, text in session.execute(stmt):
        yield f"{title}\n{text}" if title else text
