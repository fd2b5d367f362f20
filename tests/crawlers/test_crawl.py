"""Scrapy crawls of the fixture site on 127.0.0.1, twice in one process, into a real database."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawlers.runner import collect
from crawlers.sources import Source
from pipeline.runtime import Runtime
from pipeline.storage.db import make_engine
from pipeline.storage.models import Post
from pipeline.timeparse import SHANGHAI
from tests.crawlers.conftest import SiteHandler

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}


def _sources(base: str) -> list[Source]:
    return [
        Source(name="云和发布", kind="wechat", url=f"{base}/feeds/yunhefabu.xml"),
        Source(name="云和县人民政府·政务动态", kind="feed", url=f"{base}/feeds/zwdt.xml"),
        Source(name="坏镜像", kind="feed", url=f"{base}/feeds/broken.xml"),
        Source(name="云和新闻网", kind="news_site", url=f"{base}/news/index.html"),
        Source(name="云和发布微博", kind="weibo", url=f"{base}/api/container/getIndex?containerid=1076037000000001"),
        Source(name="过期Cookie", kind="weibo", url=f"{base}/api/blocked/getIndex?containerid=1076037000000002"),
        Source(name="被反爬", kind="weibo", url=f"{base}/api/antibot432?containerid=1"),
        Source(name="跳登录", kind="weibo", url=f"{base}/api/login-redirect?containerid=1"),
        Source(name="死镜像", kind="feed", url="http://127.0.0.1:9/feeds/gone.xml"),
        Source(name="禁抓", kind="news_site", url=f"{base}/private/list.html"),
        Source(name="停用", kind="feed", url=f"{base}/feeds/zwdt.xml", enabled=False),
    ]


def _posts(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Post)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_two_consecutive_crawls_store_nothing_twice(site_url: str, runtime_for: Callable[[str], Runtime],
                                                   tmp_path: Path) -> None:
    from pipeline.collect import store_posts

    url = f"sqlite:///{(tmp_path / 'crawl.db').as_posix()}"
    SiteHandler.hits.clear()
    first = collect(_sources(site_url), NOW, scrapy_settings=FAST)

    by = first.sources
    assert by["云和发布"].collected == 2
    assert by["云和县人民政府·政务动态"].collected == 2
    assert by["云和新闻网"].collected == 3
    assert by["云和发布微博"].collected == 4
    assert by["坏镜像"].collected == 1 and "bozo_feed" in {p.kind for p in by["坏镜像"].problems}
    assert "http_error" in {p.kind for p in by["坏镜像"].problems}  # its item's link is a 404: title kept
    assert [p.kind for p in by["过期Cookie"].problems] == ["login_required"]
    assert [p.kind for p in by["被反爬"].problems] == ["anti_bot"]
    assert [p.kind for p in by["跳登录"].problems] == ["login_required"]
    assert [p.kind for p in by["死镜像"].problems] == ["fetch_failed"]
    assert "停用" not in by
    assert not any(h.startswith("/private/") for h in SiteHandler.hits)  # robots.txt obeyed
    assert "robots.txt" in by["禁抓"].problems[0].detail
    assert "/statuses/extend?id=5100000000000002" in SiteHandler.hits
    assert all(len(r.posts) == r.collected for r in by.values())

    posts = {p.url: p for p in first.posts}
    wechat = posts[f"{site_url}/mp/s/yh001.html"]
    assert wechat.text.startswith("因紧水滩镇自来水管网改造施工需要") and wechat.source == "云和发布"
    gbk = posts[f"{site_url}/news/2026-11/26/art_3.html"]
    assert gbk.title == "云和梯田景区冬季开放时间调整" and gbk.platform == "news"
    fire = next(p for p in first.posts if p.platform_id == "5100000000000002")
    assert "电动自行车不要在楼道" in fire.text
    assert not (tmp_path / "crawl.db").exists()  # the crawl itself stores nothing, opens no database

    rt = runtime_for(url)
    store_posts(rt, first, NOW, lambda _: None)
    assert sum(r.new for r in by.values()) == 12 and sum(r.duplicates for r in by.values()) == 0
    assert by["云和新闻网"].new == 3 and _posts(url) == 12

    second = collect(_sources(site_url), NOW, scrapy_settings=FAST)
    store_posts(rt, second, NOW, lambda _: None)
    assert sum(r.new for r in second.sources.values()) == 0
    assert sum(r.duplicates for r in second.sources.values()) == 12
    assert _posts(url) == 12


def test_rejects_are_dropped_with_reason_and_counted(site_url: str) -> None:
    from scrapy.exceptions import DropItem

    from crawlers.components import CollectPipeline
    from crawlers.items import RecordItem

    pipeline = CollectPipeline(now=NOW)
    good: dict[str, Any] = {"id": "1", "platform": "weibo", "text": "云和县城停电", "published_at": "刚刚"}
    pipeline.process_item(RecordItem("s", good))
    with pytest.raises(DropItem, match="正文为空"):
        pipeline.process_item(RecordItem("s", {"id": "2", "platform": "weibo", "text": "<script>x()</script>"}))
    with pytest.raises(DropItem, match="published_at"):
        pipeline.process_item(RecordItem("s", {"id": "3", "platform": "weibo", "text": "x", "published_at": "上周某天"}))
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item(RecordItem("s", dict(good)))
    counts = pipeline.report.sources["s"]
    assert (counts.collected, counts.rejected, counts.duplicates_in_crawl) == (1, 2, 1)
    assert counts.reject_reasons[0] == "正文为空"
    assert [(p.platform, p.platform_id, p.published_at) for p in counts.posts] == [("weibo", "1", NOW)]


def test_crawl_is_repeatable_and_returns_posts_without_a_database(site_url: str) -> None:
    from pipeline.normalize import PostInput

    sources = [Source(name="云和新闻网", kind="news_site", url=f"{site_url}/news/index.html")]
    runs = [collect(sources, NOW, scrapy_settings=FAST) for _ in range(3)]
    assert [r.sources["云和新闻网"].collected for r in runs] == [3, 3, 3]
    for run in runs:
        assert all(isinstance(p, PostInput) for p in run.posts)
        assert sorted(p.title or "" for p in run.posts) == sorted(
            ["石塘镇集镇至长汀村道路修复工程今日完工", "我县开展冬季森林防火专项检查", "云和梯田景区冬季开放时间调整"])
        assert {p.source for p in run.posts} >= {"云和新闻网"}


def test_each_record_is_validated_once_and_a_reject_never_reaches_triage(
        migrated_sqlite: Callable[[str], str], site_url: str, runtime_for: Callable[[str], Runtime], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    import crawlers.components
    import pipeline.normalize
    import pipeline.triage
    from pipeline.collect import collect_once
    from pipeline.normalize import PostInput

    validated: list[Any] = []
    triaged: list[list[PostInput]] = []
    real_to_post, real_triage = pipeline.normalize.to_post, pipeline.triage.triage_posts

    def counting_to_post(record: Any, line: int, now: datetime) -> PostInput:
        validated.append(record.get("title"))
        return real_to_post(record, line, now)

    def recording_triage(session: Any, posts: list[PostInput], *args: Any, **kwargs: Any) -> Any:
        triaged.append(list(posts))
        return real_triage(session, posts, *args, **kwargs)

    for module in (crawlers.components, pipeline.normalize):
        monkeypatch.setattr(module, "to_post", counting_to_post)
    monkeypatch.setattr(pipeline.triage, "triage_posts", recording_triage)
    rt = runtime_for(migrated_sqlite("once.db"))
    settings = rt.settings
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "融媒体", "kind": "feed", "follow_links": False,
                                                 "url": f"{site_url}/feeds/one_bad_date.xml"}]},
                                   allow_unicode=True), encoding="utf-8")
    facts = collect_once(rt, path, None, NOW, scrapy_settings=FAST)[0]
    assert sorted(validated) == ["云和县图书馆冬季开放时间调整", "云和县城区部分路段今晚施工封闭"]  # once each, never again
    assert (facts.fetched, facts.rejected, facts.new) == (1, 1, 1)
    assert len(facts.reject_reasons) == 1 and "published_at" in facts.reject_reasons[0]
    assert [[p.title for p in batch] for batch in triaged] == [["云和县城区部分路段今晚施工封闭"]]  # one transaction
    assert _posts(settings.database_url) == 1


def test_collect_records_source_health_and_alerts_analysts(
        migrated_sqlite: Callable[[str], str], site_url: str, runtime_for: Callable[[str], Runtime],
        tmp_path: Path) -> None:
    import subprocess
    import sys

    import yaml

    from pipeline.collect import collect_once
    from pipeline.storage.db import session_scope
    from pipeline.storage.models import Alert
    from pipeline.storage.models import Source as SourceRow

    rt = runtime_for(migrated_sqlite("health.db"))
    settings = rt.settings
    spec = {"sources": [
        {"name": "云和发布", "kind": "wechat", "url": f"{site_url}/feeds/yunhefabu.xml"},
        {"name": "被反爬", "kind": "weibo", "url": f"{site_url}/api/antibot432?containerid=1"},
        {"name": "死镜像", "kind": "feed", "url": "http://127.0.0.1:9/feeds/gone.xml"},
    ]}
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    facts = {f.name: f for f in collect_once(rt, path, None, NOW, scrapy_settings=FAST)}
    assert facts["云和发布"].new > 0 and facts["被反爬"].fetched == 0
    again = {f.name: f for f in collect_once(rt, path, ["云和发布"], NOW, scrapy_settings=FAST)}
    assert again["云和发布"].new == 0 and again["云和发布"].not_modified == 1  # unchanged feed: 304, nothing stored
    engine = make_engine(settings.database_url)
    with session_scope(engine) as s:
        health = {r.name: (r.health, r.health_reason) for r in s.scalars(select(SourceRow).where(
            SourceRow.health.is_not(None)))}
        alerts = [a.payload["text"] for a in s.scalars(select(Alert).where(Alert.kind == "source"))]
    assert health["云和发布"][0] == "ok"
    assert health["被反爬"][0] == "degraded" and "反爬" in (health["被反爬"][1] or "")
    assert health["死镜像"][0] == "degraded" and "无法连接" in (health["死镜像"][1] or "")
    assert len(alerts) == 2 and all("信息源" in t for t in alerts)  # one per source turning degraded
    env = {"YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
           "YUQING_MODEL_DIR": str(settings.model_dir), "PATH": "/usr/bin:/bin"}
    shown = subprocess.run([sys.executable, "-m", "yuqing.cli", "sources"], capture_output=True, text=True, env=env,
                           timeout=120)  # a pipe: 80 columns
    assert shown.returncode == 0 and "降级" in shown.stdout and "正常" in shown.stdout
    from rich.cells import cell_len

    lines = shown.stdout.splitlines()
    table = lines[:lines.index("原因：")]
    assert max(cell_len(line) for line in table) <= 80  # the table fits; reasons follow it, one line each
    reason = health["死镜像"][1] or ""
    assert any(reason in line for line in lines)  # the full reason, on one line of its own, not cut mid-URL
    assert any(line.startswith("云和发布") for line in lines)  # names whole, not "云和发 …"
    as_json = subprocess.run([sys.executable, "-m", "yuqing.cli", "sources", "--json"], capture_output=True, text=True,
                             env=env, timeout=120)
    rows = {r["name"]: r for r in map(json.loads, as_json.stdout.splitlines())}
    assert rows["死镜像"]["health"] == "degraded" and rows["死镜像"]["reason"] == reason


def test_a_broken_feed_is_degraded_and_its_usable_items_are_stored(migrated_sqlite: Callable[[str], str], site_url: str, tmp_path: Path,
                                                                   runtime_for: Callable[[str], Runtime]) -> None:
    import yaml

    from pipeline.collect import collect_once
    from pipeline.storage.db import session_scope
    from pipeline.storage.models import CoverageGap
    from pipeline.storage.models import Source as SourceRow

    rt = runtime_for(migrated_sqlite("bozo.db"))
    settings = rt.settings
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "坏镜像", "kind": "feed", "url": f"{site_url}/feeds/broken.xml"}]},
                                   allow_unicode=True), encoding="utf-8")
    facts = collect_once(rt, path, None, NOW, scrapy_settings=FAST)[0]
    assert "bozo_feed" in {k for k, _ in facts.problems} and (facts.fetched, facts.new) == (1, 1)
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as s:
            row = s.scalar(select(SourceRow).where(SourceRow.name == "坏镜像"))
            assert row is not None and row.health == "degraded" and row.consecutive_failures == 0
            assert "格式有误" in (row.health_reason or "") and "not well-formed" in (row.health_reason or "")
            assert [p.title for p in s.scalars(select(Post))] == ["赤石乡农产品展销会本周末举行"]
            assert s.scalar(select(func.count()).select_from(CoverageGap)) == 0  # items came: no outage
    finally:
        engine.dispose()


def test_unchanged_feed_is_not_fetched_again_and_polling_adapts(
        migrated_sqlite: Callable[[str], str], site_url: str, runtime_for: Callable[[str], Runtime],
        tmp_path: Path) -> None:
    from datetime import timedelta

    import yaml

    from pipeline.collect import collect_once
    from pipeline.storage.db import session_scope
    from pipeline.storage.models import Source as SourceRow

    rt = runtime_for(migrated_sqlite("incr.db"))
    settings = rt.settings
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "政务动态", "kind": "feed", "url": f"{site_url}/feeds/zwdt.xml",
                                                 "follow_links": False, "interval_minutes": 20}]},
                                   allow_unicode=True), encoding="utf-8")
    first = collect_once(rt, path, None, NOW, scrapy_settings=FAST)[0]
    assert first.new > 0 and first.not_modified == 0 and first.validators  # Last-Modified remembered
    engine = make_engine(settings.database_url)
    with session_scope(engine) as s:
        row = s.scalar(select(SourceRow).where(SourceRow.name == "政务动态"))
        assert row is not None and row.poll_minutes == 10 and row.next_due_at == NOW + timedelta(minutes=10)
    assert collect_once(rt, path, None, NOW + timedelta(minutes=5), scrapy_settings=FAST, due_only=True) == []
    second = collect_once(rt, path, None, NOW + timedelta(minutes=11), scrapy_settings=FAST, due_only=True)[0]
    assert second.not_modified == 1 and second.fetched == 0 and second.new == 0  # 304: nothing downloaded
    with session_scope(engine) as s:
        row = s.scalar(select(SourceRow).where(SourceRow.name == "政务动态"))
        assert row is not None and row.health == "ok" and row.poll_minutes == 15  # quiet: polled less often


def test_major_post_in_a_local_feed_gives_exactly_one_alert_per_recipient(
        runtime_for: Callable[[str], Runtime], tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import yaml

    from pipeline.collect import collect_once
    from pipeline.service import deliver_alerts
    from tests.pipeline.receivers import http_receiver, smtp_receiver

    item = ("<item><title>崇头镇大巴坠崖</title><guid>major-1</guid><link>http://127.0.0.1/a/1.html</link>"
            "<description>崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行</description></item>")
    feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>云和新闻</title>'
            f"<link>http://127.0.0.1/</link><description>t</description>{item}</channel></rss>").encode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = feed if self.path == "/feed.xml" else b"User-agent: *\nAllow: /\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rt = runtime_for(f"sqlite:///{(tmp_path / 'major.db').as_posix()}")
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": "本地新闻", "kind": "feed", "follow_links": False,
                                                 "url": f"http://127.0.0.1:{server.server_address[1]}/feed.xml"}]},
                                   allow_unicode=True), encoding="utf-8")
    try:
        with smtp_receiver() as (port, mails), http_receiver(secret="SECm") as (url, rec):
            env = {"YUQING_SMTP_HOST": "127.0.0.1", "YUQING_SMTP_PORT": str(port)}
            env.update({f"YUQING_DINGTALK_{g}_{k}": v for g in ("UNITS", "COORDINATORS", "LEADERSHIP")
                        for k, v in (("URL", url), ("SECRET", "SECm"))})
            for minute in (0, 10, 20):  # collecting and delivering again sends nothing twice
                when = NOW.replace(minute=minute)
                collect_once(rt, path, None, when, scrapy_settings=FAST)
                deliver_alerts(rt, when, env)
            tokens = {t for m in rec.messages for t in re.findall(r"yuqing ack ([A-Za-z0-9_-]+)", m["body"]["markdown"]["text"])}
            # 崇头镇, 县政府办公室 and 县委宣传部: one alert each, each with its own acknowledgement token;
            # the two coordinators share one group, which gets one message asking both
            assert len(rec.messages) == 2 and len(tokens) == 3
            assert len(mails) == 1  # 县政府办公室's second channel
    finally:
        server.shutdown()
