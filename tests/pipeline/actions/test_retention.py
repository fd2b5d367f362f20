"""Retention on both engines: after a generated month of work, a purge at a time past the 无关
period removes the texts and personal fields of 无关 posts only; past the closed-event period it
clears the personal fields of closed events' posts; posts of open events are never touched; the
month's 月报 and 考核通报 (their figures and every sheet of their workbooks) are the same before and
after; each batch is audited; a second purge finds nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.config import Config, RetentionConfig
from pipeline.queries.assessment import assessment_figures
from pipeline.queries.report_figures import period_figures
from pipeline.queries.retention import open_event, purge_plan
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.retention import REMOVED_TEXT
from pipeline.runtime import Runtime
from pipeline.search import ensure_indexed, matching_posts
from pipeline.service import purge_personal_data
from pipeline.storage.models import AuditLog, Event, Post
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.pipeline.month import MONTH, triage_month, work_month
from tests.pipeline.reports.conftest import sheets

LATER = datetime(2027, 3, 15, 9, 0, tzinfo=SHANGHAI)  # past 90 days, within 3 years of the month
YEARS_LATER = datetime(2030, 1, 15, 9, 0, tzinfo=SHANGHAI)  # past both periods


def _posts(rt: Runtime) -> dict[int, tuple[Any, ...]]:
    with rt.session() as s:
        rows = s.execute(select(Post.id, Post.relevant, Post.author, Post.url, Post.raw, Post.title, Post.text,
                                Post.purged, Post.event_id)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def _open_posts(rt: Runtime) -> set[int]:
    with rt.session() as s:
        return set(s.scalars(select(Post.id).where(Post.event_id.in_(select(Event.id).where(open_event())))))


def _found(s: Session, ctx: TriageContext, words: str) -> set[int]:
    found = matching_posts(s, ctx.tokenizer, words)
    return set(s.scalars(select(Post.id).where(Post.id.in_(select(found.subquery())))))


def _figures(rt: Runtime, now: datetime) -> tuple[Any, ...]:
    """The month's figures, and the 月报 and 考核通报 workbooks made from them (every sheet)."""
    books = [sheets(render_xlsx(build(rt, Spec(kind, MONTH), now))) for kind in ("monthly", "assessment")]
    return rt.read(period_figures, MONTH, now), rt.read(assessment_figures, MONTH, now), *books


def test_purge_follows_the_periods_and_keeps_the_figures(db_url: str, runtime_for: Callable[[str], Runtime],
                                                         ctx: TriageContext, cfg: Config) -> None:
    rt = runtime_for(db_url)
    triage_month(rt, ctx, 80)
    closed = work_month(rt, cfg)
    assert closed
    # The shared configuration with small batches: several batches (and audit entries) per rule.
    rt._config = type(cfg)(units=cfg.units, topics=cfg.topics, policy=cfg.policy, alerts=cfg.alerts,
                           schemes=cfg.schemes, retention=RetentionConfig(batch_size=7))
    before, open_before = _posts(rt), _open_posts(rt)
    figures = {now: _figures(rt, now) for now in (LATER, YEARS_LATER)}
    irrelevant = {pid for pid, p in before.items() if not p[0]}
    assert irrelevant and open_before
    with rt.session() as s:
        ensure_indexed(s, ctx.tokenizer)
        assert _found(s, ctx, "迪士尼") & irrelevant

    plan = {line.rule: line for line in rt.read(purge_plan, rt.cfg.retention, LATER)}
    assert plan["personal"].posts == 0 and plan["text"].posts > 0
    assert purge_personal_data(rt, LATER) == {"text": plan["text"].posts, "personal": 0}
    after = _posts(rt)
    purged = {pid for pid, p in after.items() if p[6] == "text"}
    assert purged and purged <= irrelevant and not purged & open_before
    for pid in purged:
        assert after[pid][1:6] == (None, None, {}, None, REMOVED_TEXT)
    for pid in set(before) - purged:
        assert after[pid] == before[pid]  # nothing else changed
    assert {now: _figures(rt, now) for now in (LATER, YEARS_LATER)} == figures
    with rt.session() as s:
        assert not _found(s, ctx, "迪士尼") & purged  # the desk's search no longer finds their words
        titles = s.execute(select(Event.title, func.count(Post.id), func.count(Post.purged))
                           .join(Post, Post.event_id == Event.id).where(Event.relevant.is_(False))
                           .group_by(Event.id, Event.title)).all()
        assert titles and all((title == REMOVED_TEXT) == (n == gone) for title, n, gone in titles)

    assert purge_personal_data(rt, YEARS_LATER)["personal"] > 0
    final = _posts(rt)
    with rt.session() as s:
        of_closed = set(s.scalars(select(Post.id).where(Post.event_id.in_(closed))))
    for pid in of_closed - purged:
        assert final[pid][6] == "personal" and final[pid][1:4] == (None, None, {}) and final[pid][5] == before[pid][5]
    for pid in open_before:
        assert final[pid] == before[pid]  # posts of open events: never touched
    assert {now: _figures(rt, now) for now in (LATER, YEARS_LATER)} == figures

    with rt.session() as s:
        entries = s.scalars(select(AuditLog).where(AuditLog.action.in_(("purge_text", "purge_personal")))).all()
        assert sum(len(e.detail["post_ids"]) for e in entries) == len(purged) + len(of_closed - purged)
        assert len(entries) > 2 and all(len(e.detail["post_ids"]) <= 7 for e in entries)
        assert s.scalar(select(func.count()).select_from(Post).where(Post.purged.is_not(None))) == len(
            purged | of_closed)
    assert purge_personal_data(rt, YEARS_LATER + timedelta(days=1)) == {"text": 0, "personal": 0}
