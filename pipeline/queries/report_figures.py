"""The figures of a 舆情日报 / 周报 / 月报 (RULES.md §5, §8), read for one period.

Posts are counted by ``first_seen_at`` — when the system first detected them — not by their
publish time (often unknown or only a date). 涉云和信息 are the relevant posts; events are the
the events of ``report_common.period_events`` (merged-away duplicates are not events). Every
figure is counted over the whole period; the event lists are cut to their first rows (the most
serious, then the most discussed) and carry the full count beside them, so no sentence ever
counts a cut list. A period still running is read up to ``now``; its 环比 compares the same
elapsed span of the previous period. Everything is a plain dataclass, built as of ``now``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from pipeline.coverage import GapView, open_gaps
from pipeline.queries.queues import past_due_clause, unmet_deadline
from pipeline.queries.report_common import (
    Count,
    EventLine,
    answered_events,
    counted,
    event_lines,
    handling_of,
    period_events,
    relevant_posts_in,
    transferred_events,
)
from pipeline.rules.periods import Period
from pipeline.storage.models import Assignment, Deadline, Event, Post, Source, SourceRun
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
    trend: tuple[int, ...]            # relevant posts per bucket of their publication (hour of a day, day of a week/month)
    published_before: int             # relevant posts of the span published before the period began
    platforms: tuple[Count, ...]      # relevant posts by platform code
    sources: tuple[Count, ...]        # relevant posts by source name, the most active first
    topics: tuple[Count, ...]
    sentiment: tuple[Count, ...] | None  # None: posts carry no sentiment (not analysed)
    media: int                        # relevant posts from news sites (the rest: netizens, accounts)
    reposts: int                      # relevant posts that are reposts (转发)
    events_active: int                # the period's events (report_common.period_events)
    events_new: dict[str, int]        # of those, first detected in the span, by grade
    urgent_total: int                 # new events of the urgent grades
    urgent_handling: dict[str, int]   # ... by handling state (HANDLING_NAMES)
    top_events: tuple[EventLine, ...]  # the first TOP_EVENTS of the period's events
    key_counts: tuple[Count, ...]     # the period's events per key category (RULES.md §2)
    key_total: int                    # the period's events with a key category
    key_items: tuple[EventLine, ...]  # ... the first KEY_ITEMS of them
    rumour_total: int                 # the period's rumour events
    rumour_transferred: int           # ... with a 线索移交 recipient
    rumour_answered: int              # ... with a response recorded
    rumours: tuple[EventLine, ...]    # ... the first KEY_ITEMS of them
    overdue_total: int                # the period's events whose owner has a milestone overdue now
    overdue_ids: tuple[int, ...]      # ... the first TOP_EVENTS of them (most serious first)
    sources_health: tuple[SourceLine, ...]
    gaps: tuple[GapView, ...]
    previous_platforms: tuple[Count, ...] = ()   # the same figures of the previous span (环比)
    previous_topics: tuple[Count, ...] = ()
    previous_sentiment: tuple[Count, ...] | None = None
    returning: int = 0                # the period's events first detected before it (the matter came back)
    due_soon: int = 0                 # unmet milestones of the period's events due within 24 h of ``now``
    first_collected: datetime | None = None   # the first post the system ever detected

    @property
    def complete(self) -> bool:
        return self.until >= self.period.end


def _span(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (column >= start) & (column < end)


_relevant_in = relevant_posts_in


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
    active = period_events(session, start, until)
    facts = _facts(session, active, start, until, now)
    new = [f for f in facts if f.new]
    urgent_new = [f for f in new if f.grade in urgent]
    rumours = [f for f in facts if f.rumor]
    overdue = [f.event_id for f in _by_severity(facts, active) if f.handling == "overdue"]
    trend, earlier = _trend(session, period, until)
    lines = lambda chosen, n: tuple(event_lines(session, _ranked(chosen, active, n), now))  # noqa: E731
    return PeriodFigures(
        period=period, now=now, until=until,
        collected=count(_span(Post.first_seen_at, start, until)),
        relevant=count(relevant),
        previous_relevant=count(_relevant_in(*previous_span(period, until))),
        trend=trend,
        published_before=earlier,
        platforms=_grouped(session, Post.platform, relevant, "未知平台"),
        sources=_sources(session, relevant),
        topics=_grouped(session, Post.topic, relevant, "未分类"),
        sentiment=sentiment_counts(session, start, until),
        media=count(relevant, Post.platform.in_(MEDIA_PLATFORMS)),
        reposts=count(relevant, or_(Post.text.like("%//@%"), Post.text.like("转发%"))),
        events_active=len(active),
        events_new={g: sum(1 for f in new if f.grade == g) for g in GRADES},
        urgent_total=len(urgent_new),
        urgent_handling=dict(Counter(f.handling for f in urgent_new)),
        top_events=lines(facts, TOP_EVENTS),
        key_counts=counted(((c, 1) for f in facts for c in f.categories), "未分类"),
        key_total=sum(1 for f in facts if f.categories),
        key_items=lines([f for f in facts if f.categories], KEY_ITEMS),
        rumour_total=len(rumours),
        rumour_transferred=sum(1 for f in rumours if f.transferred),
        rumour_answered=sum(1 for f in rumours if f.answered),
        rumours=lines(rumours, KEY_ITEMS),
        overdue_total=len(overdue),
        overdue_ids=tuple(overdue[:TOP_EVENTS]),
        sources_health=_sources_health(session, start, until),
        gaps=tuple(open_gaps(session, start, until)),
        returning=sum(1 for f in facts if not f.new and f.first_seen_at < start),
        due_soon=_due_soon(session, list(active), now),
        first_collected=session.scalar(select(func.min(Post.first_seen_at))),
        **_previous(session, period, until),
    )


def _previous(session: Session, period: Period, until: datetime) -> dict[str, Any]:
    """The previous span's platforms, topics and tones (the 研判's changes)."""
    before = previous_span(period, until)
    return {"previous_platforms": _grouped(session, Post.platform, _relevant_in(*before), "未知平台"),
            "previous_topics": _grouped(session, Post.topic, _relevant_in(*before), "未分类"),
            "previous_sentiment": sentiment_counts(session, *before)}


def _due_soon(session: Session, event_ids: list[int], now: datetime, within: timedelta = timedelta(hours=24)) -> int:
    """Unmet, uncancelled milestones of the working units of these events due in the next ``within``."""
    total = 0
    for part in chunks(event_ids):
        stmt = (select(func.count()).select_from(Deadline).join(Assignment, Assignment.id == Deadline.assignment_id)
                .where(Assignment.event_id.in_(part), Assignment.status != "withdrawn", unmet_deadline(),
                       ~past_due_clause(Deadline.due_at, now),
                       past_due_clause(Deadline.due_at, now + within)))
        total += int(session.scalar(stmt) or 0)
    return total


def posted_at(published: datetime | None, precision: str | None, seen: datetime) -> datetime:
    """When a post appeared: its publication time where known to the minute and not after its
    detection (the rule of ``PostInput.known_time``), else its detection time."""
    return published if published is not None and precision in ("minute", "second") and published <= seen else seen


def _trend(session: Session, period: Period, until: datetime) -> tuple[tuple[int, ...], int]:
    """The period's relevant posts per hour or day of their publication (``posted_at``), and how
    many of them were published before the period began (detected in it: they are counted in
    the period's 涉云和信息, not drawn at its first hour)."""
    buckets, earlier = [0] * len(period.buckets()), 0
    stmt = select(Post.published_at, Post.published_precision, Post.first_seen_at).where(
        _relevant_in(period.start, until))
    rows: Any = session.execute(stmt)
    for published, precision, seen in rows:
        at = posted_at(published, precision, seen)
        if at < period.start:
            earlier += 1
        else:
            buckets[period.bucket_of(at)] += 1
    return tuple(buckets), earlier


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


@dataclass(frozen=True)
class _Facts:
    event_id: int
    grade: str | None
    categories: tuple[str, ...]
    rumor: bool
    new: bool            # first detected in the span
    handling: str        # the owner's worst milestone state now (HANDLING_NAMES)
    transferred: bool    # has a 线索移交 recipient
    answered: bool       # has a response recorded
    first_seen_at: datetime


def _facts(session: Session, active: dict[int, int], start: datetime, until: datetime, now: datetime) -> list[_Facts]:
    """What the figures count of every one of the period's events."""
    ids = list(active)
    handling = handling_of(session, ids, now)
    transferred = transferred_events(session, ids)
    answered = answered_events(session, ids, now)
    rows: list[_Facts] = []
    for part in chunks(ids):
        stmt = select(Event.id, Event.grade, Event.categories, Event.rumor, Event.first_seen_at).where(Event.id.in_(part))
        result: Any = session.execute(stmt)
        for eid, grade, cats, rumor, seen in result:
            rows.append(_Facts(int(eid), grade, tuple(cats or ()), bool(rumor), start <= seen < until,
                               handling[eid], eid in transferred, eid in answered, seen))
    return rows


def _by_severity(facts: list[_Facts], active: dict[int, int]) -> list[_Facts]:
    """The most serious events first, then the most discussed in the span."""
    severity = lambda g: rank(g) if g in GRADES else len(GRADES)  # noqa: E731
    return sorted(facts, key=lambda f: (severity(f.grade), -active[f.event_id], f.event_id))


def _ranked(facts: list[_Facts], active: dict[int, int], n: int) -> dict[int, int]:
    """The first ``n`` by severity: id -> posts in the span."""
    return {f.event_id: active[f.event_id] for f in _by_severity(facts, active)[:n]}


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
