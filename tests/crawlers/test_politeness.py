"""Per-source politeness: a source's ``download_delay`` and ``concurrency`` reach its own Scrapy
download slot, and the requests it sends to a local server keep to them."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any, ClassVar

import pytest
from scrapy import signals

from crawlers.runner import collect
from crawlers.sources import Source
from pipeline.timeparse import SHANGHAI

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
ARTICLES = 4
LATENCY = 0.1  # seconds the server takes for each article


class SlotRecorder:
    """A Scrapy extension (enabled through EXTENSIONS) that keeps the downloader's slots as
    they are when the spider closes: key → (delay, concurrency)."""

    slots: ClassVar[dict[str, tuple[float, int]]] = {}

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SlotRecorder:
        return cls(crawler)

    def closed(self, spider: Any) -> None:
        slots = self.crawler.engine.downloader.slots
        type(self).slots = {key: (slot.delay, slot.concurrency) for key, slot in slots.items()}


class Site:
    """List pages and slow article pages under /<site>/; records when each article was asked
    for and how many were being served at once, per site."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts: dict[str, list[float]] = {}
        self.active: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    def serve(self, path: str) -> bytes:
        m = re.fullmatch(r"/(\w+)/2026/11/(\d+)\.html", path)
        if m is None:
            site = path.strip("/").split("/")[0]
            links = "".join(f'<li><a href="/{site}/2026/11/{n}.html">第{n}篇</a></li>' for n in range(ARTICLES))
            return f"<html><body><ul>{links}</ul></body></html>".encode()
        site, n = m.group(1), int(m.group(2))
        with self.lock:
            self.starts.setdefault(site, []).append(time.monotonic())
            self.active[site] = self.active.get(site, 0) + 1
            self.peak[site] = max(self.peak.get(site, 0), self.active[site])
        time.sleep(LATENCY)
        with self.lock:
            self.active[site] -= 1
        body = "".join(f"<p>云和县第{n}条测试新闻的第{i}段正文，内容用于检验抓取礼貌设置是否生效。</p>" for i in range(4))
        return (f"<html><head><title>云和县测试新闻第{n}篇</title>"
                f'<meta name="publishdate" content="2026-11-27 09:00"></head>'
                f'<body><h1>云和县测试新闻第{n}篇</h1><div class="article">{body}</div></body></html>').encode()


@pytest.fixture
def site() -> Iterator[tuple[str, Site]]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else state.serve(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_a_sources_delay_and_concurrency_reach_its_download_slot(site: tuple[str, Site]) -> None:
    base, state = site
    sources = [
        Source(name="慢站", kind="news_site", url=f"{base}/slow/index.html", download_delay=0.5, concurrency=1),
        Source(name="宽站", kind="news_site", url=f"{base}/wide/index.html", concurrency=3),
        Source(name="普通站", kind="news_site", url=f"{base}/plain/index.html"),
    ]
    # AutoThrottle on, but allowed to go no higher than 0.05 s: it would pull a delay of 0.5 s
    # down to that, unless the source's own delay is left alone as configured.
    settings = {"DOWNLOAD_DELAY": 0, "DOWNLOAD_DELAY_JITTER": 0, "AUTOTHROTTLE_ENABLED": True,
                "AUTOTHROTTLE_START_DELAY": 0, "AUTOTHROTTLE_MAX_DELAY": 0.05, "RETRY_TIMES": 0,
                "LOG_LEVEL": "ERROR", "EXTENSIONS": {"tests.crawlers.test_politeness.SlotRecorder": 0}}
    report = collect(sources, NOW, scrapy_settings=settings)
    assert {name: r.collected for name, r in report.sources.items()} == {"慢站": ARTICLES, "宽站": ARTICLES,
                                                                          "普通站": ARTICLES}

    slots = SlotRecorder.slots
    assert slots["source:慢站"] == (0.5, 1)
    assert slots["source:宽站"][1] == 3 and slots["source:宽站"][0] <= 0.05  # delay left to AutoThrottle
    assert slots["127.0.0.1"][1] == 2  # sources without their own settings: the per-host default

    slow = state.starts["slow"]
    assert len(slow) == ARTICLES and min(b - a for a, b in pairwise(slow)) >= 0.45  # 0.5 s apart, not LATENCY
    assert state.peak["slow"] == 1
    # never more at once than its 3; more than the slow source's 1 (how many overlap in fact
    # depends on the machine's load, so reaching exactly 3 is not asserted)
    assert 1 < state.peak["wide"] <= 3
