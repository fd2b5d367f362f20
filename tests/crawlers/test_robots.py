"""robots.txt kept for its lifetime across collection runs (each scheduled run is a process of
its own): fetched once while fresh, obeyed from the stored copy, fetched again when its
Cache-Control says not to keep it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from crawlers.robots import DEFAULT_LIFETIME, RobotsCache, lifetime
from crawlers.runner import collect
from crawlers.sources import Source
from tests.conftest import NOW
from tests.crawlers.test_crawl import FAST

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>政务动态</title>
<item><title>云和县召开防汛工作会议</title><link>{base}/news/1.html</link>
<description>云和县召开防汛工作会议，部署汛期各项工作。</description><pubDate>Sat, 28 Nov 2026 01:00:00 GMT</pubDate></item>
</channel></rss>"""


class Site(BaseHTTPRequestHandler):
    robots_hits: ClassVar[list[str]] = []
    cache_control: ClassVar[str | None] = None
    base: ClassVar[str] = ""

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            type(self).robots_hits.append(self.path)
            self._answer(b"User-agent: *\nDisallow: /private/\n", "text/plain", self.cache_control)
        elif self.path.endswith(".xml"):
            self._answer(FEED.format(base=self.base).encode(), "application/rss+xml", None)
        else:
            self._answer(b"<html><body>ok</body></html>", "text/html", None)

    def _answer(self, body: bytes, kind: str, cache: str | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if cache:
            self.send_header("Cache-Control", cache)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    Site.base = f"http://127.0.0.1:{server.server_address[1]}"
    Site.robots_hits, Site.cache_control = [], None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site.base
    finally:
        server.shutdown()
        server.server_close()


def _crawl(base: str, cache: Path) -> Any:
    sources = [Source(name="政务动态", kind="feed", url=f"{base}/feeds/zwdt.xml", follow_links=False),
               Source(name="禁抓", kind="feed", url=f"{base}/private/feed.xml")]
    return collect(sources, NOW, scrapy_settings={**FAST, "YUQING_ROBOTS_CACHE": str(cache)})


def test_robots_txt_is_fetched_once_while_fresh_and_still_obeyed(site: str, tmp_path: Path) -> None:
    for _ in range(3):  # three scheduled runs
        report = _crawl(site, tmp_path / "robots")
        assert report.sources["政务动态"].collected == 1
        assert "robots.txt" in report.sources["禁抓"].problems[0].detail  # obeyed from the stored copy too
    assert len(Site.robots_hits) == 1


def test_robots_txt_that_must_not_be_kept_is_fetched_every_run(site: str, tmp_path: Path) -> None:
    Site.cache_control = "no-store"
    for _ in range(2):
        _crawl(site, tmp_path / "robots")
    assert len(Site.robots_hits) == 2


@pytest.mark.parametrize(("status", "control", "seconds"), [
    (200, None, DEFAULT_LIFETIME), (200, "public, max-age=3600", 3600), (404, "max-age=600", 600),
    (200, "max-age=604800", 24 * 3600), (200, "no-store", 0), (200, "max-age=0", 0), (503, None, 0),
    (200, 's-maxage=5, max-age="120"', 120)])
def test_lifetime_follows_cache_control_within_a_day(status: int, control: str | None, seconds: float) -> None:
    assert lifetime(status, control) == seconds


def test_the_stored_copy_expires(tmp_path: Path) -> None:
    cache = RobotsCache(tmp_path)
    cache.put("http://a.example", b"User-agent: *\nDisallow: /x\n", 60, now=1000.0)
    assert cache.get("http://a.example", now=1059.0) == b"User-agent: *\nDisallow: /x\n"
    assert cache.get("http://a.example", now=1060.0) is None
    assert cache.get("https://a.example", now=1001.0) is None  # another origin
    cache.put("http://b.example", b"", 0, now=1000.0)
    assert cache.get("http://b.example", now=1000.0) is None
