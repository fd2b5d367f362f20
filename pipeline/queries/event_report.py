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
from pipeline.queries.comments import event_comments
from pipeline.queries.headlines import headlines
from pipeline.queries.report_common import Count, counted
from pipeline.queries.rising import event_signals
from pipeline.rules.deadlines import handling_state
from pipeline.rules.grading import reader_detail
from pipeline.rules.spread import Spread, SpreadPost, chain, own_comment, spread
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
    grade_basis: tuple[tuple[str, str | None], ...]   # (reason, the grade it gives)
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
    spread: Spread                       # the repost tree and the key spreaders
    first_post: SamplePost | None        # the earliest post by its known time (首发)
    platform_firsts: tuple[tuple[str, datetime, int], ...]  # platform, its first post's time, posts
    opinions: tuple[str, ...]            # what people said in their own words (网民观点's input)
    sentiment: dict[str, int]            # posts by tone (负面 / 中性 / 正面; 未研判)

    @property
    def negative_share(self) -> float | None:
        judged = sum(n for k, n in self.sentiment.items() if k != "未研判")
        return self.sentiment.get("负面", 0) / judged if judged else None
    # heat index, 快速升温 figures, 持续发布 (pipeline.queries.rising.event_signals), when computed
    heat: float | None = None
    rising: str | None = None
    release: str | None = None

    @property
    def peak(self) -> tuple[datetime, int] | None:
        return max(self.timeline, key=lambda b: (b[1], -b[0].timestamp())) if self.timeline else None


@dataclass(frozen=True)
class _Post:
    key: str
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
    precision: str | None = None
    reposted: str | None = None
    sentiment: str | None = None

    @property
    def at(self) -> datetime:
        """When it was published, where known to the minute and not after its detection; else
        when it was detected (the rule of ``PostInput.known_time``)."""
        p = self.published_at
        return p if p is not None and self.precision in ("minute", "second") and p <= self.first_seen_at \
            else self.first_seen_at

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
    hourly = max([p.at for p in posts], default=last) - min([p.at for p in posts], default=first) < HOURLY_SPAN
    return EventFigures(
        now=now, event_id=ev.id, title=headlines(session, [event_id]).get(event_id, ev.title), relevant=bool(ev.relevant), topic=ev.topic,
        categories=tuple(ev.categories or ()), rumor=bool(ev.rumor), leadership=bool(ev.leadership), grade=ev.grade,
        grade_reasons=tuple(reader_detail(str(r.get("detail", r))) if isinstance(r, dict) else str(r)
                            for r in ev.grade_reasons or ()),
        grade_basis=tuple((reader_detail(str(r.get("detail", ""))), r.get("grade")) if isinstance(r, dict) else (str(r), None)
                          for r in ev.grade_reasons or ()),
        posts=len(posts), engagement=ev.engagement, first_seen_at=first, last_seen_at=last,
        first_published_at=min([p.published_at for p in posts if p.published_at], default=None),
        hourly=hourly, timeline=_timeline(posts, hourly), platforms=_platforms(posts),
        sources=counted(((p.source, 1) for p in posts), "未注明来源"), claims=_claims(posts),
        samples=_samples(posts), assignments=_assignments(session, event_id),
        deadlines=_deadlines(session, event_id, now), responses=_responses(session, event_id, now),
        gaps=tuple(g for g in open_gaps(session, first, max(last, now)) if g.overlaps(first, last)),
        spread=spread([SpreadPost(p.key, p.platform, p.author or p.source, p.text, p.at, sum(c or 0 for c in p.counts),
                                  p.reposted) for p in posts]),
        first_post=_sample("首发", min(posts, key=lambda p: p.at)) if posts else None,
        platform_firsts=_platform_firsts(posts), opinions=(*_opinions(posts), *(c.text for c in event_comments(session, event_id))),
        sentiment=dict(Counter(p.sentiment or "未研判" for p in posts)),
        **_signals(session, event_id, now, policy),
    )


def _signals(session: Session, event_id: int, now: datetime, policy: PolicyConfig | None) -> dict[str, Any]:
    if policy is None:
        return {}
    s = event_signals(session, event_id, policy, now)
    return {"heat": s.heat, "rising": s.rising, "release": s.release}


def _posts(session: Session, event_id: int, now: datetime) -> list[_Post]:
    stmt = (select(Post.id, Post.platform_id, Post.platform, Source.name, Source.local, Post.author, Post.title,
                   Post.text, Post.url, Post.published_at, Post.first_seen_at, Post.reposts, Post.comments, Post.likes,
                   Post.published_precision, Post.raw, Post.sentiment)
            .outerjoin(Source, Source.id == Post.source_id)
            .where(Post.event_id == event_id, Post.first_seen_at <= now).order_by(Post.first_seen_at, Post.id))
    rows: Any = session.execute(stmt)
    return [_Post(str(pid or f"#{rid}"), pf, src, bool(local), author, title, text, url, pub, seen, (r, c, lk), prec,
                  _reposted(raw), tone)
            for rid, pid, pf, src, local, author, title, text, url, pub, seen, r, c, lk, prec, raw, tone in rows]


def _reposted(raw: Any) -> str | None:
    """The platform id of the post this one reposts, when the crawler recorded it."""
    value = raw.get("retweeted_id") if isinstance(raw, dict) else None
    return str(value) if value else None


def _platform_firsts(posts: list[_Post]) -> tuple[tuple[str, datetime, int], ...]:
    """When each platform first carried the event, in that order, with its posts."""
    firsts: dict[str, datetime] = {}
    counts: Counter[str] = Counter()
    for p in posts:
        counts[p.platform] += 1
        firsts[p.platform] = min(firsts.get(p.platform, p.at), p.at)
    return tuple((pf, at, counts[pf]) for pf, at in sorted(firsts.items(), key=lambda kv: (kv[1], kv[0])))


def _opinions(posts: list[_Post]) -> list[str]:
    """People's own words: an original post's title and text; of a repost, the comment its
    poster added and those added along its ``//@`` chain (not the passed-on original, already
    counted as its own post or not people's words)."""
    said: list[str] = []
    for p in posts:
        links = chain(p.text)
        if not links:
            said.append(f"{p.title}。{p.text}" if p.title else p.text)
            continue
        said.append(own_comment(p.text))
        said.extend(words for _, words in links[:-1])
    return [s for s in said if s]


def _floor(moment: datetime, hourly: bool) -> datetime:
    local = moment.astimezone(SHANGHAI)
    return local.replace(minute=0, second=0, microsecond=0) if hourly else local.replace(
        hour=0, minute=0, second=0, microsecond=0)


def _timeline(posts: list[_Post], hourly: bool) -> tuple[tuple[datetime, int], ...]:
    """Posts per hour (or day) of their publication (``_Post.at``), every bucket from the first
    to the last, empty ones included."""
    if not posts:
        return ()
    counts = Counter(_floor(p.at, hourly) for p in posts)
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
        samples.append(_sample(why, p))
    return tuple(samples)


def _sample(why: str, p: _Post) -> SamplePost:
    excerpt = p.text if len(p.text) <= 160 else p.text[:159] + "…"
    return SamplePost(why, p.platform, p.source, p.author, p.at, p.first_seen_at, p.engagement, excerpt, p.url)


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
                              handling_state(d, now, met, c)) for u, m, s, d, met, c in rows)


def _responses(session: Session, event_id: int, now: datetime) -> tuple[ResponseLine, ...]:
    stmt = (select(Unit.name, Response.kind, Response.link, Response.responded_at).join(Unit, Unit.id == Response.unit_id)
            .where(Response.event_id == event_id, Response.responded_at <= now).order_by(Response.responded_at))
    rows: Any = session.execute(stmt)
    return tuple(ResponseLine(*row) for row in rows)
