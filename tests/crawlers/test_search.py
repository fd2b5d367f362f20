"""Weibo keyword search in time windows against a local search that caps its pages like Weibo's:
windows split until they fit, a one-hour window over the cap is reported as truncated, runs go
on from where complete coverage ended, outages become coverage gaps that a later search fills,
and triage output says where coverage was incomplete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from crawlers.runner import collect
from crawlers.search import HOUR, Window, ceil_hour, floor_hour, plan_window, window_url
from crawlers.sources import Source
from pipeline.collect import collect_once
from pipeline.normalize import to_post
from pipeline.queries.export import export_events
from pipeline.queries.sources import source_table
from pipeline.queries.status import status
from pipeline.runtime import Runtime
from pipeline.service import triage_with_retry
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import CoverageGap
from pipeline.storage.models import Source as SourceRow
from pipeline.timeparse import SHANGHAI
from tests.crawlers.conftest import SearchPost, SiteHandler

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}
SEARCH_PATH = "/api/search/getIndex?containerid=100103type%3D61%26q%3D云和%26t%3D&page_type=searchall"

_DAILY = ["云和梯田景区今天人好多，停车场排了快一个小时的队", "云和木玩小镇新开了一家手作店，孩子玩得很开心",
          "请问云和县城到崇头镇的班车几点发车", "云和雪梨今年收成不错，果农说价格比去年高",
          "云和县人民医院的挂号系统今天上午卡了很久", "云和湖边的步道修好了，晚上散步的人很多",
          "云和县第二中学门口早上接送孩子的车太多了", "云和的黄家畲村民宿周末都订满了"]


def _dataset() -> list[SearchPost]:
    """100 everyday posts over the day before NOW, and a burst of 45 in the hour 09:00-10:00
    (an accident): more than one window's page cap (3 pages of 10) can serve."""
    start = NOW - timedelta(hours=24) + timedelta(minutes=7)
    posts = [SearchPost(f"49{k:08d}", start + timedelta(minutes=13 * k), f"{_DAILY[k % len(_DAILY)]}（{k}）",
                        author=f"云和网友{k}") for k in range(100)]
    burst = NOW - HOUR
    posts += [SearchPost(f"48{i:08d}", burst + timedelta(minutes=i),
                         f"云和县紧水滩镇S50高速出口一辆货车侧翻，现场第{i}条消息：交警已到场处置", author=f"路过的司机{i}")
              for i in range(45)]
    return posts


@pytest.fixture
def search() -> Iterator[None]:
    SiteHandler.search.posts = _dataset()
    SiteHandler.search.blocked = False
    yield
    SiteHandler.search.posts, SiteHandler.search.blocked = [], False


def test_windows_are_whole_hours_and_split_near_the_middle() -> None:
    window = plan_window(NOW + timedelta(minutes=17), None, lookback_hours=24, overlap_hours=1)
    assert window == Window(floor_hour(NOW - timedelta(hours=24)), NOW + HOUR)
    first, second = window.halves()
    assert first.start == window.start and second.end == window.end and first.end == second.start
    assert (first.end - first.start) == timedelta(hours=12)
    assert not Window(NOW, NOW + HOUR).splittable
    # later runs go on from the end of complete coverage, less the overlap
    assert plan_window(NOW + timedelta(minutes=30), NOW, lookback_hours=24, overlap_hours=1) == \
        Window(NOW - HOUR, NOW + HOUR)
    # an outage longer than the look-back is not searched further back than the look-back
    assert plan_window(NOW, NOW - timedelta(days=5), lookback_hours=24, overlap_hours=1).start == NOW - timedelta(hours=24)
    assert ceil_hour(NOW) == NOW and ceil_hour(NOW + timedelta(seconds=1)) == NOW + HOUR
    url = window_url("https://m.weibo.cn" + SEARCH_PATH, Window(NOW - HOUR, NOW), page=2)
    assert "timescope%3Dcustom%3A2026-11-28-9%3A2026-11-28-10" in url and "page=2" in url
    assert "q%3D%E4%BA%91%E5%92%8C" in url  # the keyword stays nested in the containerid once


def test_search_splits_windows_until_the_page_cap_loses_nothing(site_url: str, search: None) -> None:
    source = Source(name="云和关键词", kind="weibo", url=site_url + SEARCH_PATH, max_pages=3)
    report = collect([source], NOW, scrapy_settings=FAST).for_source("云和关键词")
    assert report.search_window == Window(NOW - timedelta(hours=24), NOW)
    # every everyday post, and of the burst hour what the cap serves: 30 of 45
    assert report.collected == 100 + 30
    leaves = sorted(report.windows, key=lambda w: w.window.start)
    assert [w.outcome for w in leaves].count("truncated") == 1
    truncated = next(w for w in leaves if w.outcome == "truncated")
    assert truncated.window == Window(NOW - HOUR, NOW) and "翻页上限" in truncated.detail
    assert all(w.outcome == "complete" for w in leaves if w is not truncated)
    # the leaves tile the searched window with no hole
    assert leaves[0].window.start == NOW - timedelta(hours=24) and leaves[-1].window.end == NOW
    assert all(a.window.end == b.window.start for a, b in pairwise(leaves))
    assert any(p.kind == "truncated" for p in report.problems)


def test_a_timeline_paged_by_since_id_is_followed_up_to_max_pages(site_url: str, search: None) -> None:
    url = f"{site_url}/api/timeline/getIndex?containerid=1076037000000009"
    SiteHandler.search.posts = _dataset()[:25]
    pages = {n: collect([Source(name="云和发布微博", kind="weibo", url=url, max_pages=n)], NOW,
                        scrapy_settings=FAST).for_source("云和发布微博").collected for n in (1, 2, 5)}
    assert pages == {1: 10, 2: 20, 5: 25}


def _add(posts: list[SearchPost], *minutes: int) -> None:
    for m in minutes:
        posts.append(SearchPost(f"47{m:08d}", NOW + timedelta(minutes=m),
                                f"云和县城北路{m}号附近停水了，什么时候能恢复供水？", author=f"城北居民{m}"))


def _search_hits() -> int:
    return sum(1 for h in SiteHandler.hits if h.startswith("/api/search/"))


def _gaps(url: str) -> list[tuple[str, datetime, datetime, bool]]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            return [(g.kind, g.start_at, g.end_at, g.filled_at is not None)
                    for g in s.scalars(select(CoverageGap).order_by(CoverageGap.id))]
    finally:
        engine.dispose()


def _source_row(url: str) -> tuple[str | None, datetime | None]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == "云和关键词"))
            assert row is not None
            return row.health, row.search_covered_until
    finally:
        engine.dispose()


@pytest.mark.slow
def test_search_runs_are_incremental_and_outages_become_gaps_that_a_later_search_fills(
        site_url: str, search: None, db_url: str, runtime_for: Callable[[str], Runtime], tmp_path: Path) -> None:
    rt = runtime_for(db_url)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "云和关键词", "kind": "weibo", "url": site_url + SEARCH_PATH,
                                                 "max_pages": 3}]}, allow_unicode=True), encoding="utf-8")
    first = collect_once(rt, path, None, NOW, scrapy_settings=FAST)[0]
    assert first.new == 130 and _source_row(db_url) == ("ok", NOW)
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as s:      # what `yuqing sources` shows
            assert [r["search_covered_until"] for r in source_table(s)] == [NOW]
    finally:
        engine.dispose()
    assert _gaps(db_url) == [("truncated", NOW - HOUR, NOW, False)]

    # a later run searches only from the end of coverage (less an hour's overlap): new posts only
    _add(SiteHandler.search.posts, 5, 10, 15)
    hits = _search_hits()
    second = collect_once(rt, path, None, NOW + timedelta(minutes=30), scrapy_settings=FAST)[0]
    assert second.new == 3 and second.duplicates == 30
    assert _search_hits() - hits <= 6        # the overlap hour (3 pages) and the new hour, not the day
    assert _gaps(db_url) == [("truncated", NOW - HOUR, NOW, False)]  # re-seen, not recorded twice

    # blocked twice: one outage gap, extended; the cursor stays where coverage ended
    SiteHandler.search.blocked = True
    _add(SiteHandler.search.posts, 40, 50)
    for minutes in (60, 75):
        blocked = collect_once(rt, path, None, NOW + timedelta(minutes=minutes), scrapy_settings=FAST)[0]
        assert blocked.fetched == 0
    health, covered = _source_row(db_url)
    assert health == "degraded" and covered == NOW + timedelta(minutes=30)
    outage = ("outage", NOW + timedelta(minutes=30), NOW + timedelta(minutes=75), False)
    assert _gaps(db_url) == [("truncated", NOW - HOUR, NOW, False), outage]

    # triage output in the meantime says coverage is incomplete, and for which span (only the
    # gaps that overlap what it triaged: the truncated hour lies before this post)
    record = {"id": "x1", "platform": "weibo", "source": "新浪微博", "text": "云和县城北路停水一整天了，有没有人管？",
              "published_at": (NOW + timedelta(minutes=45)).isoformat()}
    report = triage_with_retry(rt, [to_post(record, 1, NOW + timedelta(minutes=80))], NOW + timedelta(minutes=80))
    texts = [g["text"] for g in report.coverage_gaps]
    assert len(texts) == 1 and "信息源中断" in texts[0] and "10:30–11-28 11:15" in texts[0]
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as s:
            exported = [e for e in export_events(s) if any(p["id"] == "x1" for p in e["posts"])]
        assert exported and [g["kind"] for g in exported[0]["coverage_gaps"]] == ["outage"]
        with session_scope(engine) as s:
            st = status(s, NOW + timedelta(minutes=80))   # what `yuqing status` shows
        assert [t.split("：")[0] for t in st["sources_not_ok"]] == ["云和关键词"] and "降级" in st["sources_not_ok"][0]
        assert len(st["coverage_gaps_last_7d"]) == 2
    finally:
        engine.dispose()

    # back again: the search goes back over the outage, finds what was missed, fills the gap
    SiteHandler.search.blocked = False
    back = collect_once(rt, path, None, NOW + timedelta(minutes=90), scrapy_settings=FAST)[0]
    assert back.new == 2
    assert _source_row(db_url) == ("ok", NOW + timedelta(minutes=90))
    assert _gaps(db_url) == [("truncated", NOW - HOUR, NOW, False), (*outage[:3], True)]
