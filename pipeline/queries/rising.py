"""快速升温 read from storage: each event's posts per hour by publication time (a minute-precise
publish time not after the sighting, else the sighting), the county's usual level, the rises
``pipeline.rules.rising`` finds at ``now``, the events marked rising, and each event's heat
index (``pipeline.rules.heat``); ``event_signals`` gathers what an event's page and 专报 show
of them, with its 持续发布 gap (``pipeline.queries.releases``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pipeline.config import Heat, PolicyConfig, Rising
from pipeline.queries.releases import release_statuses
from pipeline.rules.heat import HeatCounts, heat_index
from pipeline.rules.rising import Rise, Sighting, county_level, detect
from pipeline.storage.models import Event, Post

_PRECISE = ("minute", "second")


def sighting_time(published_at: datetime | None, precision: str | None, first_seen_at: datetime) -> datetime:
    """When a post counts as appearing: its publish time when known to the minute (never later
    than it was first seen), else when it was first seen."""
    if published_at is not None and precision in _PRECISE:
        return min(published_at, first_seen_at)
    return first_seen_at


def sightings(session: Session, since: datetime, now: datetime) -> dict[int, list[Sighting]]:
    """Per open county event (relevant, not merged away): its posts seen from ``since`` to ``now``."""
    engagement = func.coalesce(Post.reposts, 0) + func.coalesce(Post.comments, 0) + func.coalesce(Post.likes, 0)
    stmt = (select(Post.event_id, Post.published_at, Post.published_precision, Post.first_seen_at, engagement)
            .join(Event, Event.id == Post.event_id)
            .where(Post.relevant.is_(True), Event.relevant.is_(True), Event.merged_into.is_(None),
                   Post.first_seen_at >= since, Post.first_seen_at <= now))
    out: dict[int, list[Sighting]] = {}
    for event_id, published, precision, seen, eng in session.execute(stmt):
        at = sighting_time(published, precision, seen)
        if since <= at <= now:
            out.setdefault(event_id, []).append(Sighting(at, int(eng or 0)))
    return out


def current_rises(session: Session, policy: Rising, now: datetime) -> dict[int, Rise]:
    """The events rising at ``now``: those with posts in the last hour whose hour stands out
    against their own history and the county's usual level."""
    window = max(policy.county_hours, policy.history_hours + 1)
    seen = sightings(session, now - timedelta(hours=window), now)
    county_since = now - timedelta(hours=policy.county_hours)
    usual = county_level([sum(1 for s in v if s.at >= county_since) for v in seen.values()], policy.county_hours)
    last_hour = now - timedelta(hours=1)
    rises: dict[int, Rise] = {}
    for event_id, posts in seen.items():
        if any(s.at > last_hour for s in posts):
            rise = detect(posts, usual, policy, now)
            if rise is not None:
                rises[event_id] = rise
    return rises


def rising_event_ids(session: Session, now: datetime, policy: Rising | None = None) -> set[int]:
    """Events 快速升温 at ``now``: marked by a sweep within ``hold_hours`` (``policy``: the
    configured ``rising`` of policy.yaml; its defaults when not given)."""
    hold = timedelta(hours=(policy or Rising()).hold_hours)
    stmt = select(Event.id).where(Event.rising_at.is_not(None), Event.rising_at >= now - hold, Event.rising_at <= now,
                                  Event.relevant.is_(True), Event.merged_into.is_(None))
    return set(session.scalars(stmt))


def rising_figures(session: Session, event_ids: list[int], now: datetime,
                   policy: Rising | None = None) -> dict[int, str]:
    """Per event marked rising at ``now``: the figures of its last rise (近1小时 48 条，前6小时平均 3 条/小时)."""
    if not event_ids:
        return {}
    marked = rising_event_ids(session, now, policy)
    stmt = select(Event.id, Event.rising_figures).where(Event.id.in_(event_ids))
    return {i: f for i, f in session.execute(stmt) if i in marked and f}


def heat_indices(session: Session, event_ids: list[int], policy: Heat) -> dict[int, float]:
    """Per event: its heat index over all its posts (unknown counts as 0)."""
    if not event_ids:
        return {}
    media = func.sum(case((Post.platform.in_(policy.media_platforms), 1), else_=0))
    stmt = (select(Post.event_id, func.count(), func.sum(func.coalesce(Post.reposts, 0)),
                   func.sum(func.coalesce(Post.comments, 0)), func.sum(func.coalesce(Post.likes, 0)), media)
            .where(Post.event_id.in_(event_ids)).group_by(Post.event_id))
    return {int(row[0]): heat_index(HeatCounts(*(int(x or 0) for x in row[1:])), policy)
            for row in session.execute(stmt)}


@dataclass(frozen=True)
class EventSignals:
    """What the event page and the 专报 show beside the grade: heat, rise, 持续发布."""

    heat: float | None
    rising: str | None  # the figures of its rise while it is marked 快速升温
    release: str | None  # 持续发布, for an open event of the tracked grades
    release_overdue: bool = False


def event_signals(session: Session, event_id: int, policy: PolicyConfig, now: datetime) -> EventSignals:
    """One event's heat index, rise and release gap at ``now``."""
    heat = heat_indices(session, [event_id], policy.heat).get(event_id)
    rising = rising_figures(session, [event_id], now, policy.rising).get(event_id)
    release = release_statuses(session, policy.release_gap, now, [event_id]).get(event_id)
    return EventSignals(heat, rising, release.text(now) if release else None, bool(release and release.overdue))
