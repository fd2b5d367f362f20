"""Coverage gaps: the time spans in which posts of a source may be missing, so that triage
output can say that its picture of that span is incomplete instead of pretending otherwise.

Two kinds: an *outage* (a source failed: anti-bot answer, expired cookie, dead mirror …; one
row per outage, extended while the failures go on) and a *truncated* search window (a one-hour
Weibo search window with more results than the page cap serves). A keyword search source that
later searches a span completely fills the outage gaps inside it (its search goes back to where
its complete coverage ended). Store functions take the session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.rules.health import WindowOutcome
from pipeline.storage.models import CoverageGap, Source
from pipeline.timeparse import SHANGHAI, span_label

KIND_NAMES = {"outage": "信息源中断", "truncated": "搜索结果超出翻页上限"}


@dataclass(frozen=True)
class GapView:
    source: str
    platform: str
    kind: str
    start_at: datetime
    end_at: datetime
    reason: str

    def text(self) -> str:
        """``云和关键词搜索（weibo）11-28 08:00–11-28 12:00 信息源中断：…`` for output."""
        return (f"{self.source}（{self.platform}）{span_label(self.start_at, self.end_at)} "
                f"{KIND_NAMES.get(self.kind, self.kind)}：{self.reason}")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.end_at >= start and self.start_at <= end

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "platform": self.platform, "kind": self.kind,
                "start_at": self.start_at.astimezone(SHANGHAI).isoformat(),
                "end_at": self.end_at.astimezone(SHANGHAI).isoformat(), "reason": self.reason,
                "text": self.text()}


def record_outage(session: Session, source: Source, last_run: datetime | None, now: datetime,
                  reason: str, interval: timedelta) -> CoverageGap:
    """A failed run: extend the source's ongoing outage (the one reaching ``last_run``, the
    previous run) to ``now``, or open one that starts at ``last_run`` — the last run before the
    failures (``interval`` before now for a source never run)."""
    ongoing = session.scalar(select(CoverageGap).where(
        CoverageGap.source_id == source.id, CoverageGap.kind == "outage", CoverageGap.filled_at.is_(None),
        CoverageGap.end_at >= (last_run or now)).order_by(CoverageGap.end_at.desc()).limit(1))
    if ongoing is not None:
        ongoing.end_at, ongoing.reason = max(ongoing.end_at, now), reason
        return ongoing
    start = last_run or now - interval
    return _get_or_add(session, source, "outage", min(start, now), now, reason, now)


def record_search(session: Session, source: Source, searched_start: datetime, leaves: list[WindowOutcome],
                  now: datetime) -> None:
    """A keyword search run over ``[searched_start, …)``: truncated windows become gaps; the
    cursor moves to the start of the earliest failed window (searched again next run) or to
    ``now``; outage gaps inside the span now completely searched are trimmed or filled."""
    for leaf in leaves:
        if leaf.outcome == "truncated":
            _get_or_add(session, source, "truncated", leaf.start, min(leaf.end, now), leaf.detail, now)
    failed = [leaf.start for leaf in leaves if leaf.outcome == "failed"]
    if not leaves:
        return  # nothing was searched (the first request failed before any window answered)
    covered = min([*failed, now])
    if covered > searched_start:
        source.search_covered_until = max(covered, source.search_covered_until or covered)
        _fill_outages(session, source, searched_start, covered, now)


def _fill_outages(session: Session, source: Source, start: datetime, end: datetime, now: datetime) -> None:
    stmt = select(CoverageGap).where(CoverageGap.source_id == source.id, CoverageGap.kind == "outage",
                                     CoverageGap.filled_at.is_(None), CoverageGap.end_at > start,
                                     CoverageGap.start_at < end)
    for gap in session.scalars(stmt):
        if gap.start_at >= start and gap.end_at <= end:
            gap.filled_at = now
        elif gap.start_at < start and gap.end_at <= end:
            gap.end_at = start   # only the part before the searched span is still missing


def _get_or_add(session: Session, source: Source, kind: str, start: datetime, end: datetime,
                reason: str, now: datetime) -> CoverageGap:
    """Idempotent: re-recording the same gap (a re-run after a crash) updates it."""
    gap = session.scalar(select(CoverageGap).where(CoverageGap.source_id == source.id, CoverageGap.kind == kind,
                                                   CoverageGap.start_at == start))
    if gap is None:
        gap = CoverageGap(source_id=source.id, kind=kind, start_at=start, end_at=end, reason=reason,
                          recorded_at=now)
        session.add(gap)
        session.flush()
    else:
        gap.end_at, gap.reason = max(gap.end_at, end), reason
    return gap


def open_gaps(session: Session, start: datetime | None = None, end: datetime | None = None) -> list[GapView]:
    """Unfilled gaps of any source that overlap ``[start, end]`` (unbounded where None), oldest first."""
    stmt = (select(CoverageGap, Source.name, Source.platform).join(Source, Source.id == CoverageGap.source_id)
            .where(CoverageGap.filled_at.is_(None)).order_by(CoverageGap.start_at, CoverageGap.id))
    if start is not None:
        stmt = stmt.where(CoverageGap.end_at >= start)
    if end is not None:
        stmt = stmt.where(CoverageGap.start_at <= end)
    return [GapView(name, platform, g.kind, g.start_at, g.end_at, g.reason)
            for g, name, platform in session.execute(stmt)]
