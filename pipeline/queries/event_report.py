"""The figures of a 舆情专报 for one event (RULES.md §5, §8): what it is, how it spread
(platforms, timeline, first and peak moments, engagement), what is said (its main claims and
sample posts), its grade with the evidence, who owns it with their deadlines, and the responses
so far. Everything as of ``now``: posts detected later are not in it yet.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.config import PolicyConfig
from pipeline.coverage import GapView, open_gaps
from pipeline.queries.report_common import Count, counted, deadline_state
from pipeline.queries.rising import event_signals
from pipeline.storage.models import Assignment, Deadline, Event, Post, Response, Source, Unit
from pipeline.timeparse import SHANGHAI

HOURLY_SPAN = timedelta(hours=72)   # a timeline shorter than this is drawn by hour, else by day
SAMPLES = 5
CLAIMS = 5
_REPOST = re.compile(r"^\s*转发微博[:：]?\s*")
_MENTION = re.compile(r"^@[^:：\s]{1,30}[:：]\s*")
_SENTENCE = re.compile(r"[。！？!?\n]")


class UnknownEvent(LookupError):
    """No event with that number; the message is Chinese."""


@dataclass(frozen=True)
class SamplePost:
    why: str                 # 最早发现 / 互动量最高 / 权威发布
    platform: str
    source: str | None
    author: str | None
    published_at: datetime | None
    first_seen_at: datetime
    engagement: int | None
    text: str                # an excerpt
    url: str | None


@dataclass(frozen=True)
class PlatformSpread:
    platform: str
    posts: int
    reposts: int
    comments: int
    likes: int
    unknown: int             # posts with an unknown count (not included in the sums)


@dataclass(frozen=True)
class AssignmentLine:
    unit: str
    role: str
    status: str
    reasons: tuple[str, ...]
    return_reason: str | None


@dataclass(frozen=True)
class DeadlineLine:
    unit: str
    milestone: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    state: str


@dataclass(frozen=True)
class ResponseLine:
    unit: str
    kind: str
    link: str | None
    responded_at: datetime


@dataclass(frozen=True)
class EventFigures:
    now: datetime
    event_id: int
    title: str
    relevant: bool
    topic: str | None
    categories: tuple[str, ...]
    rumor: bool
    leadership: bool
    grade: str | None
    grade_reasons: tuple[str, ...]
    posts: int
    engagement: int | None
    first_seen_at: datetime
    last_seen_at: datetime
    first_published_at: datetime | None
    hourly: bool
    timeline: tuple[tuple[datetime, int], ...]
    platforms: tuple[PlatformSpread, ...]
    sources: tuple[Count, ...]
    claims: tuple[Count, ...]            # leading sentences, how many posts say them
    samples: tuple[SamplePost, ...]
    assignments: tuple[AssignmentLine, ...]
    deadlines: tuple[DeadlineLine, ...]
    responses: tuple[ResponseLine, ...]
    gaps: tuple[GapView, ...]
    # heat index, 快速升温 figures, 持续发布 (pipeline.queries.rising.event_signals), when computed
    heat: float | None = None
    rising: str | None = None
    release: str | None = None

    @property
    def peak(self) -> tuple[datetime, int] | None:
        return max(self.timeline, key=lambda b: (b[1], -b[0].timestamp())) if self.timeline else None


@dataclass(frozen=True)
class _Post:
    platform: str
    source: str | None
    local: bool
    author: str | None
    title: str | None
    text: str
    url: str | None
    published_at: datetime | None
    first_seen_at: datetime
    counts: tuple[int | None, int | None, int | None]

    @property
    def engagement(self) -> int | None:
        return None if any(c is None for c in self.counts) else sum(c or 0 for c in self.counts)


def event_figures(session: Session, event_id: int, now: datetime, policy: PolicyConfig | None = None) -> EventFigures:
    """The 专报's figures of one event; with ``policy``, its heat index, rise and 持续发布 too."""
    ev = session.get(Event, event_id)
    if ev is None:
        raise UnknownEvent(f"没有编号为 {event_id} 的事件")
    posts = _posts(session, event_id, now)
    first = min([p.first_seen_at for p in posts], default=ev.first_seen_at)
    last = max([p.first_seen_at for p in posts], default=ev.last_seen_at)
    hourly = last - first < HOURLY_SPAN
    return EventFigures(
        now=now, event_id=ev.id, title=ev.title, relevant=bool(ev.relevant), topic=ev.topic,
        categories=tuple(ev.categories or ()), rumor=bool(ev.rumor), leadership=bool(ev.leadership), grade=ev.grade,
        grade_reasons=tuple(str(r.get("detail", r)) if isinstance(r, dict) else str(r) for r in ev.grade_reasons or ()),
        posts=len(posts), engagement=ev.engagement, first_seen_at=first, last_seen_at=last,
        first_published_at=min([p.published_at for p in posts if p.published_at], default=None),
        hourly=hourly, timeline=_timeline(posts, hourly), platforms=_platforms(posts),
        sources=counted(((p.source, 1) for p in posts), "未注明来源"), claims=_claims(posts),
        samples=_samples(posts), assignments=_assignments(session, event_id),
        deadlines=_deadlines(session, event_id, now), responses=_responses(session, event_id, now),
        gaps=tuple(g for g in open_gaps(session, first, max(last, now)) if g.overlaps(first, last)),
        **_signals(session, event_id, now, policy),
    )


def _signals(session: Session, event_id: int, now: datetime, policy: PolicyConfig | None) -> dict[str, Any]:
    if policy is None:
        return {}
    s = event_signals(session, event_id, policy, now)
    return {"heat": s.heat, "rising": s.rising, "release": s.release}


def _posts(session: Session, event_id: int, now: datetime) -> list[_Post]:
    stmt = (select(Post.platform, Source.name, Source.local, Post.author, Post.title, Post.text, Post.url,
                   Post.published_at, Post.first_seen_at, Post.reposts, Post.comments, Post.likes)
            .outerjoin(Source, Source.id == Post.source_id)
            .where(Post.event_id == event_id, Post.first_seen_at <= now).order_by(Post.first_seen_at, Post.id))
    rows: Any = session.execute(stmt)
    return [_Post(pf, src, bool(local), author, title, text, url, pub, seen, (r, c, lk))
            for pf, src, local, author, title, text, url, pub, seen, r, c, lk in rows]


def _floor(moment: datetime, hourly: bool) -> datetime:
    local = moment.astimezone(SHANGHAI)
    return local.replace(minute=0, second=0, microsecond=0) if hourly else local.replace(
        hour=0, minute=0, second=0, microsecond=0)


def _timeline(posts: list[_Post], hourly: bool) -> tuple[tuple[datetime, int], ...]:
    """Posts per hour (or day), every bucket from the first to the last, empty ones included."""
    if not posts:
        return ()
    counts = Counter(_floor(p.first_seen_at, hourly) for p in posts)
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    at, end, buckets = min(counts), max(counts), []
    while at <= end:
        buckets.append((at, counts.get(at, 0)))
        at += step  # Shanghai keeps no daylight saving time: a day is always 24 hours
    return tuple(buckets)


def _platforms(posts: list[_Post]) -> tuple[PlatformSpread, ...]:
    spread: dict[str, list[int]] = {}
    for p in posts:
        row = spread.setdefault(p.platform, [0, 0, 0, 0, 0])
        row[0] += 1
        for i, value in enumerate(p.counts, start=1):
            row[i] += value or 0
        row[4] += any(c is None for c in p.counts)
    ordered = sorted(spread.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return tuple(PlatformSpread(name, *values) for name, values in ordered)


def _own_words(text: str) -> str:
    """A repost's own comment, or — when it adds none — the text it passes on (the end of the
    ``//@name:`` chain)."""
    parts = _REPOST.sub("", text).split("//@")
    own = parts[0].strip()
    return own if own or len(parts) == 1 else _MENTION.sub("", "@" + parts[-1]).strip()


def _lead(p: _Post) -> str:
    """What a post says first: its title, else the first sentence of its own words."""
    words = _own_words(p.text)
    text = (p.title or next((s for s in _SENTENCE.split(words) if s.strip()), words)).strip()
    return text if len(text) <= 60 else text[:59] + "…"


def _claims(posts: list[_Post]) -> tuple[Count, ...]:
    said = Counter(lead for lead in map(_lead, posts) if lead)
    return tuple(Count(text, n) for text, n in sorted(said.items(), key=lambda kv: -kv[1])[:CLAIMS])


def _samples(posts: list[_Post]) -> tuple[SamplePost, ...]:
    """The first post detected, the most engaged ones and the earliest from a local account."""
    chosen: list[tuple[str, _Post]] = []
    if posts:
        chosen.append(("最早发现", posts[0]))
    engaged = sorted((p for p in posts if p.engagement), key=lambda p: -(p.engagement or 0))
    chosen.extend(("互动量最高", p) for p in engaged[:2])
    chosen.extend(("本地权威发布", p) for p in [q for q in posts if q.local][:1])
    chosen.extend(("其他平台", p) for p in {q.platform: q for q in reversed(posts)}.values())
    seen: set[int] = set()
    samples: list[SamplePost] = []
    for why, p in chosen:
        if id(p) in seen or len(samples) >= SAMPLES:
            continue
        seen.add(id(p))
        excerpt = p.text if len(p.text) <= 160 else p.text[:159] + "…"
        samples.append(SamplePost(why, p.platform, p.source, p.author, p.published_at, p.first_seen_at,
                                  p.engagement, excerpt, p.url))
    return tuple(samples)


def _assignments(session: Session, event_id: int) -> tuple[AssignmentLine, ...]:
    order = {"primary": 0, "cooperating": 1, "transfer": 2, "coordinator": 3}
    stmt = (select(Unit.name, Assignment.role, Assignment.status, Assignment.reasons, Assignment.return_reason)
            .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id == event_id))
    rows: Any = session.execute(stmt)
    lines = [AssignmentLine(u, role, status, tuple(str(r) for r in reasons or ()), why) for u, role, status, reasons, why in rows]
    return tuple(sorted(lines, key=lambda a: (a.status == "withdrawn", order.get(a.role, 9), a.unit)))


def _deadlines(session: Session, event_id: int, now: datetime) -> tuple[DeadlineLine, ...]:
    stmt = (select(Unit.name, Deadline.milestone, Deadline.started_at, Deadline.due_at, Deadline.met_at,
                   Deadline.cancelled_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id == event_id).order_by(Deadline.due_at, Deadline.id))
    rows: Any = session.execute(stmt)
    return tuple(DeadlineLine(u, m, s, d, met if met is not None and met <= now else None,
                              deadline_state(d, met, c, now)) for u, m, s, d, met, c in rows)


def _responses(session: Session, event_id: int, now: datetime) -> tuple[ResponseLine, ...]:
    stmt = (select(Unit.name, Response.kind, Response.link, Response.responded_at).join(Unit, Unit.id == Response.unit_id)
            .where(Response.event_id == event_id, Response.responded_at <= now).order_by(Response.responded_at))
    rows: Any = session.execute(stmt)
    return tuple(ResponseLine(*row) for row in rows)
