"""The Scrapy components the runner enables besides the spider: the item pipeline that folds
the spider's items into a ``CollectReport`` (validated posts per source, counts, problems), and
a robots.txt middleware safe for concurrent first requests to one host that keeps robots.txt
for its lifetime across runs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from crawlers.items import CollectReport, CoverageItem, ProblemItem, RecordItem, ValidatorItem
from crawlers.records import Problem
from crawlers.robots import RobotsCache, lifetime
from pipeline.normalize import RejectedRecord, to_post
from pipeline.timeparse import SHANGHAI


class CollectPipeline:
    """The one item pipeline: validate each record once, count per source, hand the posts back.

    A record that fails ``pipeline.normalize.to_post`` is dropped with its reason and counted;
    a post met again in this crawl (same platform id, URL or fingerprint) is dropped and
    counted. Valid posts go on the source's ``SourceReport.posts``. Nothing is stored here: the
    crawl runs in the reactor thread, and storing is the caller's business once it is over.
    """

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.report = CollectReport()
        self._seen: set[tuple[str, str]] = set()
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CollectPipeline:
        now = crawler.settings.get("YUQING_NOW")
        pipeline = cls(datetime.fromisoformat(now) if isinstance(now, str) else datetime.now(SHANGHAI))
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider: scrapy.Spider | None = None) -> None:
        spider = spider or (self.crawler.spider if self.crawler is not None else None)
        if spider is not None:  # Scrapy >= 2.13 calls open_spider() without the spider
            setattr(spider, "collect_report", self.report)  # noqa: B010 - Spider has no such attribute declared

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if isinstance(item, RecordItem):
            return self._record(item)
        if not isinstance(item, ValidatorItem | CoverageItem | ProblemItem):
            raise DropItem(f"unexpected item type {type(item).__name__}")
        counts = self.report.for_source(item.source)
        if isinstance(item, ValidatorItem):
            if item.not_modified:
                counts.not_modified += 1
            else:
                counts.validators[item.url] = {"etag": item.etag, "last_modified": item.last_modified}
        elif isinstance(item, CoverageItem):
            counts.windows.append(item)
        else:
            counts.problems.append(Problem(item.kind, item.detail, item.url))  # type: ignore[arg-type]
        return item

    def _record(self, item: RecordItem) -> RecordItem:
        counts = self.report.for_source(item.source)
        position = counts.collected + counts.rejected + counts.duplicates_in_crawl + 1
        try:
            post = to_post(item.record, position, self.now)
        except RejectedRecord as exc:
            counts.rejected += 1
            counts.reject_reasons.append(str(exc))
            raise DropItem(f"{item.source}: rejected: {exc}") from exc
        keys = [("id", f"{post.platform}:{post.platform_id}")] if post.platform_id else []
        if post.canonical_url:
            keys.append(("url", post.canonical_url))
        if not keys:
            keys.append(("hash", post.fingerprint))
        if any(k in self._seen for k in keys):
            counts.duplicates_in_crawl += 1
            # Expected, not a problem: split search windows and feeds overlapping a list page
            # yield the same post twice. Counted, logged quietly.
            raise DropItem(f"{item.source}: duplicate within this crawl ({keys[0][1]})", log_level="DEBUG")
        self._seen.update(keys)
        counts.collected += 1
        counts.posts.append(post)
        return item


class ConcurrentSafeRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy 2.19's robots.txt middleware, fixed for concurrent first requests to one host,
    and reading and keeping robots.txt in the on-disk cache of ``crawlers.robots`` when the
    ``YUQING_ROBOTS_CACHE`` setting names its folder.

    While robots.txt is being fetched, every further request to that host awaits the same
    Deferred through ``asFuture``, which consumes its result: from the second waiter on the
    parser is ``None`` and the request goes out unchecked (measured: with three sources on one
    host a disallowed URL was fetched). Each waiter here gets its own relayed Deferred.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        folder = crawler.settings.get("YUQING_ROBOTS_CACHE")
        self._cache = RobotsCache(Path(folder)) if folder else None

    async def robot_parser(self, request: scrapy.Request) -> Any:
        url = urlparse_cached(request)
        netloc = url.netloc
        if self._cache is not None and netloc not in self._parsers:
            body = self._cache.get(f"{url.scheme}://{netloc}")
            if body is not None:  # fetched by an earlier run and still fresh
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                self._stats.inc_value("robotstxt/cache_hit")
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result

            pending.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Any, netloc: str, request: scrapy.Request) -> None:
        await super()._parse_robots(response, netloc, request)
        if self._cache is not None:
            control = response.headers.get(b"Cache-Control")
            seconds = lifetime(response.status, control.decode("latin-1") if control else None)
            self._cache.put(f"{urlparse_cached(request).scheme}://{netloc}", response.body, seconds)
