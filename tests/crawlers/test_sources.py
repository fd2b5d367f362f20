"""sources.yaml: the shipped file is valid; errors name the file and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.sources import SourcesError, load_sources, parse_sources
from pipeline.settings import PROJECT_ROOT


def test_shipped_sources_file_is_valid() -> None:
    loaded = load_sources(PROJECT_ROOT / "data" / "config" / "sources.yaml")
    by_name = {s.name: s for s in loaded.sources}
    assert {"feed", "weibo", "news_site", "wechat"} <= {s.kind for s in loaded.sources}
    assert by_name["云和发布"].effective_platform == "wechat"
    assert by_name["云和发布微博"].cookie_env == "YUQING_WEIBO_COOKIE"


def test_minimal_source_gets_defaults() -> None:
    source = parse_sources({"sources": [{"name": "云和新闻网", "kind": "news_site", "url": "http://www.example.cn/"}]}).sources[0]
    assert (source.interval_minutes, source.enabled, source.follow_links, source.max_pages) == (30, True, True, 50)
    assert source.effective_platform == "news" and source.start_urls == ["http://www.example.cn/"]
    # no politeness of its own: Scrapy's per-host slot with the polite defaults
    assert (source.download_delay, source.concurrency, source.download_slot) == (None, None, None)


def test_valid_selectors_are_kept() -> None:
    selectors = {"links": "ul.news-list li > a", "title": "h1.title", "body": "#zoom, div.TRS_Editor",
                 "time": "span.pubtime:first-child", "source": "div.info span:nth-of-type(2)"}
    raw = {"sources": [{"name": "县政府网", "kind": "news_site", "url": "http://www.example.cn/", "selectors": selectors}]}
    assert parse_sources(raw).sources[0].selectors.model_dump() == selectors


def test_politeness_per_source() -> None:
    raw = {"sources": [{"name": "县政府网", "kind": "news_site", "url": "http://www.example.cn/", "download_delay": 3,
                        "concurrency": 1},
                       {"name": "快源", "kind": "feed", "url": "http://feed.example.cn/", "concurrency": 4}]}
    slow, fast = parse_sources(raw).sources
    assert (slow.download_delay, slow.concurrency) == (3.0, 1)
    assert slow.download_slot == "source:县政府网" and slow.slot_settings() == {"delay": 3.0, "concurrency": 1}
    assert fast.slot_settings() == {"concurrency": 4}  # the delay stays the default (and AutoThrottle's)


@pytest.mark.parametrize(("entry", "message"), [
    ({"name": "坏源", "kind": "rss", "url": "http://x.cn/"}, "sources[1] (坏源)：kind：只能是"),
    ({"name": "坏源", "kind": "feed", "url": "ftp://x.cn/"}, "sources[1] (坏源)：url：不是 http(s) 网址"),
    ({"name": "坏源", "kind": "feed"}, "sources[1] (坏源)：url：缺少此项"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "intervall": 5}, "sources[1] (坏源)：intervall：不认识的配置项"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "cookie_env": "C"}, "cookie_env 只适用于 weibo 类信息源"),
    ({"name": "坏源", "kind": "news_site", "url": "http://x.cn/", "link_pattern": "(["}, "link_pattern"),
    ({"name": "云和发布", "kind": "feed", "url": "http://x.cn/"}, "信息源名称重复"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "download_delay": -1},
     "sources[1] (坏源)：download_delay：应不小于 0"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "download_delay": 3600},
     "sources[1] (坏源)：download_delay：应不大于 60"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "download_delay": "慢一点"},
     "sources[1] (坏源)：download_delay：应为数字"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "concurrency": 0},
     "sources[1] (坏源)：concurrency：应不小于 1"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "concurrency": 17},
     "sources[1] (坏源)：concurrency：应不大于 16"),
    ({"name": "坏源", "kind": "feed", "url": "http://x.cn/", "concurrency": True},
     "sources[1] (坏源)：concurrency：应为整数"),
    ({"name": "坏源", "kind": "news_site", "url": "http://x.cn/", "selectors": {"body": "div["}},
     "sources[1] (坏源)：selectors.body：CSS 选择器 'div[' 无效"),
    ({"name": "坏源", "kind": "news_site", "url": "http://x.cn/", "selectors": {"links": "ul.list a::attr(href)"}},
     "sources[1] (坏源)：selectors.links：CSS 选择器 'ul.list a::attr(href)' 无效"),
    ({"name": "坏源", "kind": "news_site", "url": "http://x.cn/", "selectors": {"time": ""}},
     "sources[1] (坏源)：selectors.time：CSS 选择器 '' 无效"),
])
def test_errors_name_file_and_entry(tmp_path: Path, entry: dict[str, object], message: str) -> None:
    import yaml

    path = tmp_path / "sources.yaml"
    first = {"name": "云和发布", "kind": "wechat", "url": "http://127.0.0.1/feed.xml"}
    path.write_text(yaml.safe_dump({"sources": [first, entry]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourcesError) as info:
        load_sources(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="配置文件不存在"):
        load_sources(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="YAML 格式错误"):
        load_sources(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="顶层应为"):
        load_sources(bad)


def test_the_user_agent_is_ascii() -> None:
    shipped = load_sources(PROJECT_ROOT / "data" / "config" / "sources.yaml")
    assert shipped.user_agent.isascii() and shipped.user_agent.startswith("yuqing/")
    assert parse_sources({"sources": []}).user_agent.isascii()  # the default too
    with pytest.raises(SourcesError, match="user_agent 只能使用英文字母"):
        parse_sources({"user_agent": "yuqing/0.1 (云和县政务舆情监测)", "sources": []})
    with pytest.raises(SourcesError, match="user_agent 只能使用英文字母"):
        parse_sources({"sources": [{"name": "源", "kind": "feed", "url": "http://x.cn/", "user_agent": "浏览器"}]})


def test_the_longest_wait_between_polls_is_capped_per_source() -> None:
    raw = {"sources": [{"name": "日报", "kind": "feed", "url": "http://x.cn/", "interval_minutes": 60},
                       {"name": "微博", "kind": "weibo", "url": "http://x.cn/", "interval_minutes": 10},
                       {"name": "搜索", "kind": "weibo", "url": "http://x.cn/", "interval_minutes": 10,
                        "max_interval_minutes": 15},
                       {"name": "周刊", "kind": "feed", "url": "http://x.cn/", "interval_minutes": 240}]}
    assert [s.longest_interval for s in parse_sources(raw).sources] == [60, 40, 15, 240]
    shipped = {s.name: s for s in load_sources(PROJECT_ROOT / "data" / "config" / "sources.yaml").sources}
    assert shipped["微博搜索·云和"].longest_interval == 20


def test_message_board_and_folder_sources() -> None:
    """Issue 20's kinds: a board needs its url, a folder its path (no url), a folder of 12345
    exports its column mapping; each error names the entry and what is missing, in Chinese."""
    spec = parse_sources({"sources": [
        {"name": "留言板", "kind": "message_board", "url": "https://rsshub.example.org/people/liuyan/1"},
        {"name": "共享文件夹", "kind": "folder", "path": "/srv/inbox"}]})
    board, folder = spec.sources
    assert board.effective_platform == "message_board" and board.start_urls == [board.url]
    assert (folder.format, folder.settle_seconds, folder.start_urls) == ("mediacrawler", 60, [])
    for entry, message in (({"name": "夹", "kind": "folder"}, "sources[0] (夹)：path：缺少此项"),
                           ({"name": "板", "kind": "message_board"}, "sources[0] (板)：url：缺少此项"),
                           ({"name": "热线", "kind": "folder", "path": "/x", "format": "hotline12345"},
                            "sources[0] (热线)：mapping：缺少此项")):
        with pytest.raises(SourcesError) as caught:
            parse_sources({"sources": [entry]})
        assert message in str(caught.value)
