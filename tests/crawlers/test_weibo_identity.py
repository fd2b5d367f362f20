"""One Weibo post, one stored row: a status reached through an RSSHub-style feed is identified
as the Weibo collector identifies it (platform ``weibo``, the numeric mid, the same URL)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from crawlers.feeds import parse_feed
from crawlers.weibo import bid_to_mid, parse_weibo, status_link
from pipeline.runtime import Runtime
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Post
from tests.crawlers.conftest import SITE
from tests.crawlers.test_crawl import FAST, NOW


def _shared_weibo_answers() -> list[Path]:
    root = Path(os.environ.get("YUQING_FIXTURES_DIR", PROJECT_ROOT.parent / "shared" / "fixtures"))
    answers = sorted((root / "weibo_api").glob("*.json"))
    if not answers:
        pytest.skip(f"no Weibo API answers under {root / 'weibo_api'} (set YUQING_FIXTURES_DIR to shared/fixtures)")
    return answers


def _pairs(doc: Any) -> Iterator[tuple[str, str]]:
    """(bid, mid) of every object in a Weibo answer that carries both."""
    if isinstance(doc, dict):
        mid = doc.get("mid") or doc.get("id")
        if isinstance(doc.get("bid"), str) and mid:
            yield doc["bid"], str(mid)
        for value in doc.values():
            yield from _pairs(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _pairs(value)


def test_bid_to_mid_on_weibos_own_pairs() -> None:
    pairs = {pair for path in _shared_weibo_answers() for pair in _pairs(json.loads(path.read_text("utf-8")))}
    assert len(pairs) >= 10
    for bid, mid in pairs:
        assert bid_to_mid(bid) == mid
        assert status_link(f"https://weibo.com/1669879400/{bid}") == (mid, bid)
        assert status_link(f"https://m.weibo.cn/status/{mid}") == (mid, None)


def test_what_is_not_a_status_is_left_alone() -> None:
    for bad in ("", "Hy-VegYAP", "ZZZZZZZZZ"):  # empty, not base62, a group over 7 digits
        with pytest.raises(ValueError):
            bid_to_mid(bad)
    for url in ("https://weibo.com/u/7000000001", "https://weibo.com/7000000001/followers",
                "https://weibo.com/7000000001", "http://www.yunhe.gov.cn/art/2026/11/27/art_1.html", None):
        assert status_link(url) is None


def test_feed_items_linking_to_statuses_are_weibo_posts() -> None:
    items = "".join(f"<item><title>t{i}</title><link>{link}</link><description>云和县第{i}条消息的正文，足够长的一段文字，"
                    f"用来确认不会被当作只有标题的条目去抓取原文页面。</description></item>"
                    for i, link in enumerate(["https://weibo.com/7000000001/P3wQinPlb",
                                              "https://m.weibo.cn/status/5108412345678901",
                                              "https://m.weibo.cn/status/P3wQinPlb",
                                              "http://www.yunhe.gov.cn/art/2026/11/27/art_1.html"]))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()
    records = parse_feed(feed, source="镜像").records
    api = parse_weibo((SITE / "api/single/getIndex").read_bytes()).records[0]
    for record in records[:3]:
        assert (record["platform"], record["id"], record["url"]) == ("weibo", api["id"], api["url"])
        assert record["title"] is None and record["needs_article"] is False
    assert records[0]["bid"] == "P3wQinPlb" and "bid" not in records[1]
    assert (records[3]["platform"], records[3]["url"]) == ("news", "http://www.yunhe.gov.cn/art/2026/11/27/art_1.html")


def test_the_same_post_by_feed_and_by_api_is_stored_once(
        migrated_sqlite: Callable[[str], str], site_url: str, runtime_for: Callable[[str], Runtime],
        tmp_path: Path) -> None:
    from pipeline.collect import collect_once

    rt = runtime_for(migrated_sqlite("once.db"))
    settings = rt.settings
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [
        {"name": "云和发布·RSSHub", "kind": "feed", "url": f"{site_url}/feeds/rsshub_weibo.xml"},
        {"name": "云和发布微博", "kind": "weibo", "url": f"{site_url}/api/single/getIndex?containerid=1076037000000001"},
    ]}, allow_unicode=True), encoding="utf-8")
    by_feed = collect_once(rt, path, ["云和发布·RSSHub"], NOW, scrapy_settings=FAST)[0]
    by_api = collect_once(rt, path, ["云和发布微博"], NOW, scrapy_settings=FAST)[0]
    assert (by_feed.fetched, by_feed.new) == (1, 1)
    assert (by_api.fetched, by_api.new, by_api.duplicates) == (1, 0, 1)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as s:
            rows = [(p.platform, p.platform_id, p.url) for p in s.scalars(select(Post))]
    finally:
        engine.dispose()
    assert rows == [("weibo", "5108412345678901", "https://m.weibo.cn/detail/5108412345678901")]
