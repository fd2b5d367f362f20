"""快速升温 (issue 19): whether an event is rising, from its posts' publication times and
engagement per hour, against its own recent history and the county's usual hourly level per
event. Pure: the clock is passed in; no storage.

The rule is a z-score of the last hour's count over the previous ``history_hours`` hourly
counts, with a Poisson floor on the spread (√ of the baseline: a quiet history of 0–1 posts
an hour must not make three posts a "burst"), and two guards that keep steady or small events
quiet: the hour must be at least ``min_ratio`` times the higher of the event's own mean and
the county's usual level (the median event's posts per hour), and at least the level's post
count (``levels``). The county's level is also a floor under the spread, so that an event
without history is measured against what is usual here rather than against nothing. Engagement
(reposts + comments + likes of the posts published in the hour) rises the same way, with
``min_engagement`` as its guard, for an event that has a history: a new event's one viral post
is the reach floors' matter (RULES.md §1), not a rise. ``benchmarks/bench_rising.py`` compares this rule with
Kleinberg's burst model on generated streams (README, "Rising events").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.config import Rising

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Sighting:
    """One post of an event: when it was published (or first seen) and its engagement."""

    at: datetime
    engagement: int = 0


@dataclass(frozen=True)
class Rise:
    level: int  # 1 … len(policy.levels)
    last_hour: int
    history_mean: float
    county_mean: float
    z: float
    engagement_last_hour: int
    engagement_mean: float
    hours: int = 6

    @property
    def figures(self) -> str:
        """The figures in Chinese: 近1小时 48 条，前6小时平均 3 条/小时 (and engagement)."""
        text = f"近1小时 {self.last_hour} 条，前{self.hours}小时平均 {_num(self.history_mean)} 条/小时"
        if self.engagement_last_hour:
            text += f"；互动 {self.engagement_last_hour} 次（前{self.hours}小时平均 {_num(self.engagement_mean)} 次/小时）"
        return text


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def hourly(sightings: Iterable[Sighting], now: datetime, hours: int) -> tuple[list[int], list[int]]:
    """Posts and engagement per hour for the ``hours`` hours before ``now``, oldest first (the
    last entry is the hour ending at ``now``). Sightings after ``now`` are ignored."""
    posts, engagement = [0] * hours, [0] * hours
    for s in sightings:
        if s.at > now:
            continue
        back = int((now - s.at) / HOUR)
        if back < hours:
            posts[hours - 1 - back] += 1
            engagement[hours - 1 - back] += max(s.engagement, 0)
    return posts, engagement


def z_score(value: float, history: list[int], floor_mean: float = 0.0) -> float:
    """How far ``value`` lies above the history's mean, in standard deviations; the deviation
    is at least √ of the larger of the mean and ``floor_mean`` (and at least 1)."""
    mean = sum(history) / len(history) if history else 0.0
    var = sum((x - mean) ** 2 for x in history) / len(history) if history else 0.0
    spread = max(math.sqrt(var), math.sqrt(max(mean, floor_mean)), 1.0)
    return (value - mean) / spread


def detect(sightings: Iterable[Sighting], county_mean: float, policy: Rising, now: datetime) -> Rise | None:
    """The event's rise at ``now``, or None. ``county_mean`` is the county's usual posts per
    hour for one event (``county_level``)."""
    posts, engagement = hourly(sightings, now, policy.history_hours + 1)
    last, history = posts[-1], posts[:-1]
    eng_last, eng_history = engagement[-1], engagement[:-1]
    mean = sum(history) / len(history)
    eng_mean = sum(eng_history) / len(eng_history)
    z = z_score(last, history, county_mean)
    by_posts = z >= policy.z and last >= policy.min_ratio * max(mean, county_mean)
    by_engagement = (sum(history) > 0 and eng_last >= policy.min_engagement and z_score(eng_last, eng_history) >= policy.z
                     and eng_last >= policy.min_ratio * max(eng_mean, 1e-9))
    level = sum(1 for n in policy.levels if last >= n) if by_posts else 0
    if by_engagement:
        level = max(level, 1)  # engagement alone raises the first level only
    if level == 0:
        return None
    return Rise(level, last, mean, county_mean, z, eng_last, eng_mean, hours=policy.history_hours)


def county_level(counts: list[int], hours: int) -> float:
    """The county's usual posts per hour for one event: the median over the events that had
    posts in the window (``counts``: each one's posts in it), per hour."""
    ordered = sorted(c for c in counts if c > 0)
    if not ordered or hours <= 0:
        return 0.0
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return median / hours
