"""The demo runs at the current time: its sample, written around 2026-11-28 10:00, is moved by
one offset so that moment falls on the demo's ``now`` (date-only times by whole days, still
date-only), so deadlines, alerts and 考核 read the same at any real date as they did on the
sample's own day — never a week overdue at a newcomer's first look."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Assignment, Deadline, Post
from pipeline.timeparse import SHANGHAI
from yuqing.demo import DEMO_NOW, demo_clock, run_demo, shifted_sample

LATER = datetime(2027, 3, 15, 14, 37, tzinfo=SHANGHAI)   # 106 days, 4 h 37 min after the sample's day


def test_every_sample_time_moves_by_one_offset_and_dates_stay_dates() -> None:
    text = (PROJECT_ROOT / "data" / "sample" / "demo_posts.jsonl").read_text(encoding="utf-8")
    before = {r["id"]: r["published_at"] for r in map(json.loads, text.splitlines())}
    after = {r["id"]: r["published_at"] for r in map(json.loads, shifted_sample(text, LATER).splitlines())}
    assert len(shifted_sample(text, LATER).splitlines()) == len(text.splitlines())   # the duplicate line stays
    assert after["demo-001"] == "2027-03-14T12:52:00+08:00"     # 2026-11-27 08:15 + (LATER - DEMO_NOW)
    assert after["demo-043"] == "2027-03-14" and before["demo-043"] == "2026-11-27"  # the day before, as a day
    assert after["demo-046"] is None
    for key, was in before.items():
        if was and len(was) > 10:
            assert datetime.fromisoformat(after[key]) - datetime.fromisoformat(was) == LATER - DEMO_NOW, key
    assert shifted_sample(text, DEMO_NOW) == "\n".join(json.dumps(json.loads(x), ensure_ascii=False)
                                                         for x in text.splitlines()) + "\n"


def test_the_demo_clock_is_now_to_the_minute() -> None:
    clock = demo_clock(None)
    assert abs(clock - datetime.now(SHANGHAI)) < timedelta(minutes=2) and clock.second == clock.microsecond == 0
    assert demo_clock(LATER) == LATER


def _relative_state(settings: Settings, now: datetime) -> tuple[set[tuple[Any, ...]], dict[str, Any]]:
    """Every deadline relative to the demo's now, and each post's publish time and precision."""
    engine = make_engine(settings.database_url)
    with session_scope(engine) as s:
        deadlines = {(a.event_id, a.unit_id, d.milestone, d.due_at - now, d.met_at is None, d.cancelled_at is None)
                     for d, a in s.execute(select(Deadline, Assignment).join(Assignment))}
        posts = {p.platform_id: (p.published_at, p.published_precision) for p in s.scalars(select(Post))}
    engine.dispose()
    return deadlines, posts


def test_the_demo_placed_later_reads_as_it_did_on_the_samples_day(settings_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    runs = {}
    for name, now in (("fixed", DEMO_NOW), ("later", LATER)):
        settings = settings_for(f"sqlite:///{(tmp_path / f'{name}.db').as_posix()}")
        result = run_demo(settings, now=now)
        assert result.now == now
        runs[name] = (_relative_state(settings, now), result)
    (fixed_deadlines, fixed_posts), fixed = runs["fixed"]
    (later_deadlines, later_posts), later = runs["later"]
    assert fixed_deadlines and later_deadlines == fixed_deadlines
    assert any(open_ and due > timedelta(0) for _, _, _, due, open_, _ in later_deadlines)   # live, not all overdue
    assert [(u, [(i.event_id, i.overdue) for i in items]) for u, items in later.queues] == \
        [(u, [(i.event_id, i.overdue) for i in items]) for u, items in fixed.queues]
    assert later_posts["demo-043"][1] == "day" and later_posts["demo-043"][0].astimezone(SHANGHAI).date() == \
        (LATER - timedelta(days=1)).date()
    assert later_posts["demo-020"][0] - fixed_posts["demo-020"][0] == LATER - DEMO_NOW
