"""Crawl throughput: 2,000 article pages behind one list page on a local site (127.0.0.1),
fetched by our collector (news_site: list page -> articles, extraction, validation; no
database) and by a bare Scrapy spider doing the same fetches with no processing, in the same
run, at the same concurrency settings. Prints pages per second and the ratio.

    python benchmarks/bench_crawl.py [--pages 2000]
"""

from __future__ import annotations

import argparse
import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import scrapy

from crawlers.runner import collect
from crawlers.sources import Source
from pipeline.timeparse import SHANGHAI

SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True}
PARAGRAPHS = ["云和县召开专题会议，部署冬季安全生产和森林防火工作，要求各乡镇（街道）压实属地责任。",
              "会议指出，要聚焦重点行业领域，开展隐患排查整治，确保群众生命财产安全。",
              "石塘镇、崇头镇等地已组织力量对辖区内的山塘水库、在建工地开展拉网式检查。",
              "县应急管理局相关负责人表示，将加强值班值守，做好各类突发事件的应急处置准备。"]


def page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPHS[(n + i) % 4]}（第{n}篇第{i}段）</p>" for i in range(6))
    return (f'<html><head><meta charset="utf-8"><title>云和新闻 第{n}篇</title>'
            f'<meta name="publishdate" content="2026-11-{(n % 27) + 1:02d} 09:30"></head><body>'
            f'<div class="nav">首页 | 新闻 | 政务</div><h1>云和县部署冬季安全生产工作（{n}）</h1>'
            f'<div class="info">来源：云和新闻网 2026-11-{(n % 27) + 1:02d} 09:30</div>'
            f'<div class="article">{body}</div><div class="footer">版权所有 云和县融媒体中心</div>'
            "</body></html>").encode()


def start_site(pages: int) -> ThreadingHTTPServer:
    listing = ("<html><head><meta charset='utf-8'><title>云和新闻</title></head><body><ul>" +
               "".join(f'<li><a href="/news/2026/11/{n}.html">云和新闻第{n}篇</a></li>' for n in range(pages)) +
               "</ul></body></html>").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            m = re.fullmatch(r"/news/2026/11/(\d+)\.html", self.path)
            body = listing if self.path == "/news/index.html" else page(int(m.group(1))) if m else \
                b"User-agent: *\nAllow: /\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class BareSpider(scrapy.Spider):
    """The same fetches (list page, then every article) with no processing at all."""

    name = "bare"

    def __init__(self, list_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.list_url = list_url
        self.pages = 0

    async def start(self) -> Any:
        yield scrapy.Request(self.list_url, callback=self.parse_list)

    def parse_list(self, response: Any) -> Iterator[Any]:
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)

    def parse_article(self, response: Any) -> None:
        self.pages += 1


def run_bare(list_url: str) -> tuple[int, float]:
    from scrapy.crawler import CrawlerRunner
    from twisted.internet import threads

    from crawlers.runner import _ensure_reactor

    reactor = _ensure_reactor()
    holder: dict[str, Any] = {}

    def start() -> Any:
        runner = CrawlerRunner({**SETTINGS, "TELNETCONSOLE_ENABLED": False})
        crawler = runner.create_crawler(BareSpider)
        holder["crawler"] = crawler
        return runner.crawl(crawler, list_url=list_url)

    t0 = time.perf_counter()
    threads.blockingCallFromThread(reactor, start)
    return holder["crawler"].spider.pages, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    server = start_site(args.pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    source = Source(name="云和新闻网", kind="news_site", url=f"{base}/news/index.html", max_pages=args.pages,
                    link_pattern=r"/news/2026/11/\d+\.html$")
    run_bare(f"{base}/news/index.html")  # warm-up: reactor, imports
    bare_pages, bare_s = run_bare(f"{base}/news/index.html")
    t0 = time.perf_counter()
    report = collect([source], datetime.now(SHANGHAI), scrapy_settings=SETTINGS)
    ours_s = time.perf_counter() - t0
    ours = report.for_source(source.name).collected
    server.shutdown()
    print(f"bare spider:   {bare_pages} pages in {bare_s:.2f} s  ({bare_pages / bare_s:,.0f} pages/s)")
    print(f"our collector: {ours} articles in {ours_s:.2f} s  ({ours / ours_s:,.0f} pages/s), with extraction "
          f"and validation, rejects {report.for_source(source.name).rejected}")
    print(f"ratio ours / bare: {(ours / ours_s) / (bare_pages / bare_s):.2f}  (target >= 0.80)")


if __name__ == "__main__":
    main()
