"""Running crawls repeatedly in one process: a Twisted reactor in a daemon thread.

Scrapy's reactor cannot be restarted (STACK-NOTES §3), so ``CrawlerProcess`` works once per
process. Here the asyncio reactor is installed once, runs in a daemon thread, and each
``collect()`` call builds a ``CrawlerRunner`` inside it with ``blockingCallFromThread``: crawls
are repeatable and may be called from any thread (a Prefect task, a long-lived loop, tests).
One approach per process: do not mix with Scrapy's reactorless mode.

A crawl only collects: it returns the validated posts on its ``CollectReport``. Storing them
(triage, in the caller's thread, after the crawl) is ``pipeline.collect``'s business.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crawlers.items import CollectReport
from crawlers.search import Window, plan_window
from crawlers.sources import Source
from crawlers.spiders import CollectSpider

_lock = threading.Lock()
_thread: threading.Thread | None = None

POLITE_DEFAULTS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_DELAY_JITTER": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [429, 500, 502, 503, 504, 522, 524, 408],
    "DOWNLOAD_TIMEOUT": 20,
    "COOKIES_ENABLED": False,   # Weibo cookies come from configuration, per request
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "FEED_EXPORT_ENCODING": "utf-8",
    "ITEM_PIPELINES": {"crawlers.components.CollectPipeline": 300},
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawlers.components.ConcurrentSafeRobotsTxtMiddleware": 100,
    },
}


def _ensure_reactor() -> Any:
    """Install the asyncio reactor (once) and run it in a daemon thread; return the reactor."""
    global _thread
    with _lock:
        if _thread is None:
            from twisted.internet import asyncioreactor

            try:
                asyncioreactor.install()
            except Exception as exc:  # ReactorAlreadyInstalledError: fine only if it is the asyncio one
                from twisted.internet import reactor as installed

                if not isinstance(installed, asyncioreactor.AsyncioSelectorReactor):
                    raise RuntimeError(f"a non-asyncio Twisted reactor is already installed: {installed!r}") from exc
            from twisted.internet import reactor

            running: Any = reactor
            _thread = threading.Thread(target=running.run, kwargs={"installSignalHandlers": False},
                                       name="yuqing-twisted-reactor", daemon=True)
            _thread.start()
    from twisted.internet import reactor

    return reactor


def collect(sources: list[Source], now: datetime, *, user_agent: str | None = None,
            scrapy_settings: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None,
            validators: Mapping[str, Mapping[str, str | None]] | None = None,
            covered_until: Mapping[str, datetime | None] | None = None) -> CollectReport:
    """Crawl ``sources`` once and return what they yielded: per source, the validated posts
    (``SourceReport.posts``), counts, problems and HTTP validators. Nothing is stored.

    ``now`` is the collection time (relative times such as 刚刚 are resolved against it).
    Keyword search sources search the window from ``covered_until`` (their previous complete
    coverage) to ``now``. Blocks until the crawl is done; safe to call again in the same
    process and from any thread."""
    from scrapy.crawler import CrawlerRunner
    from twisted.internet import threads

    reactor = _ensure_reactor()
    config = crawl_settings(now, user_agent, scrapy_settings, sources)
    windows = search_windows(sources, now, covered_until or {})

    def start() -> Any:
        runner = CrawlerRunner(config)
        crawler = runner.create_crawler(CollectSpider)
        deferred = runner.crawl(crawler, sources=sources, environ=environ, validators=validators,
                                search_windows=windows)

        def done(_: Any) -> CollectReport:
            report = getattr(crawler.spider, "collect_report", None)
            report = report if isinstance(report, CollectReport) else CollectReport()
            for name, window in windows.items():
                report.for_source(name).search_window = window
            return report

        deferred.addCallback(done)
        return deferred

    result: CollectReport = threads.blockingCallFromThread(reactor, start)
    return result


def crawl_settings(now: datetime, user_agent: str | None, overrides: Mapping[str, Any] | None,
                   sources: list[Source]) -> dict[str, Any]:
    """The Scrapy settings of one crawl: polite defaults, the caller's overrides, a download
    slot for each source with its own delay or concurrency, and the collection time. Plain
    values only (no settings objects, models or sessions)."""
    config: dict[str, Any] = dict(POLITE_DEFAULTS)
    if user_agent:
        config["USER_AGENT"] = user_agent
    config.update(overrides or {})
    slots = dict(config.get("DOWNLOAD_SLOTS") or {})
    slots.update({s.download_slot: s.slot_settings() for s in sources if s.download_slot})
    config["DOWNLOAD_SLOTS"] = slots
    config["YUQING_NOW"] = now.isoformat()
    return config


def search_windows(sources: list[Source], now: datetime, covered_until: Mapping[str, datetime | None]) -> dict[str, Window]:
    """The window each enabled keyword search source searches in this run."""
    return {s.name: plan_window(now, covered_until.get(s.name), lookback_hours=s.search_lookback_hours,
                                overlap_hours=s.search_overlap_hours)
            for s in sources if s.enabled and s.is_search}


__all__ = ["POLITE_DEFAULTS", "CollectReport", "collect"]
