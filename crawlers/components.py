"""The Scrapy components the runner enables besides the spider: the item pipeline that folds
the spider's items into a ``CollectReport``, and a robots.txt middleware safe for concurrent
first requests to one host.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawlers.items import CollectReport, CoverageItem, ProblemItem, RecordItem, ValidatorItem
from crawlers.records import Problem, Record
from pipeline.normalize import RejectedRecord, to_post
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI


class IngestPipeline:
    """The one item pipeline: validate, count, drop rejects with their reason, ingest at close."""

    def __init__(self, settings: Settings | None, now: datetime, ingest: bool, ctx: Any = None) -> None:
        self.settings = settings
        self.now = now
        self.ingest = ingest and settings is not None
        self.ctx = ctx
        self.report = CollectReport()
        self._seen: set[tuple[str, str]] = set()
        self._sources: list[str] = []  # the source of each record, in order
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> IngestPipeline:
        now = crawler.settings.get("YUQING_NOW")
        now = datetime.fromisoformat(now) if isinstance(now, str) else (now or datetime.now(SHANGHAI))
        pipeline = cls(crawler.settings.get("YUQING_SETTINGS"), now, crawler.settings.getbool("YUQING_INGEST", True),
                       crawler.settings.get("YUQING_TRIAGE_CONTEXT"))
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item: Any, spider: scrapy.Spider | None = None) -> Any:
        if isinstance(item, ValidatorItem):
            counts = self.report.for_source(item.source)
            if item.not_modified:
                counts.not_modified += 1
            else:
                counts.validators[item.url] = {"etag": item.etag, "last_modified": item.last_modified}
            return item
        if isinstance(item, CoverageItem):
            self.report.for_source(item.source).windows.append(item)
            return item
        if isinstance(item, ProblemItem):
            self.report.for_source(item.source).problems.append(Problem(item.kind, item.detail, item.url))  # type: ignore[arg-type]
            return item
        if not isinstance(item, RecordItem):
            raise DropItem(f"unexpected item type {type(item).__name__}")
        counts = self.report.for_source(item.source)
        try:
            post = to_post(item.record, len(self.report.records) + 1, self.now)
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
        self.report.records.append(item.record)
        self._sources.append(item.source)
        return item

    def close_spider(self, spider: scrapy.Spider | None = None) -> None:
        if self.ingest and self.report.records and self.settings is not None:
            from pipeline.service import ingest_records

            # One ingest per source, so that source health knows what each one brought that was new.
            by_source: dict[str, list[Record]] = {}
            for name, record in zip(self._sources, self.report.records, strict=True):
                by_source.setdefault(name, []).append(record)
            for name, records in by_source.items():
                triage, rejects = ingest_records(self.settings, records, self.now, self.ctx)
                counts = self.report.for_source(name)
                counts.new, counts.duplicates = triage.new_posts, triage.duplicates
                counts.rejected += len(rejects)
                counts.reject_reasons += [r.reason for r in rejects]
                self.report.new_posts += triage.new_posts
                self.report.duplicates += triage.duplicates
                self.report.ingest_rejects += [f"{name} {r.line}: {r.reason}" for r in rejects]
            self.report.ingested = True
        spider = spider or (self.crawler.spider if self.crawler is not None else None)
        if spider is not None:  # Scrapy >= 2.13 calls close_spider() without the spider
            setattr(spider, "collect_report", self.report)  # noqa: B010 - Spider has no such attribute declared



class ConcurrentSafeRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy 2.19's robots.txt middleware, fixed for concurrent first requests to one host.

    While robots.txt is being fetched, every further request to that host awaits the same
    Deferred through ``asFuture``, which consumes its result: from the second waiter on the
    parser is ``None`` and the request goes out unchecked (measured: with three sources on one
    host a disallowed URL was fetched). Each waiter here gets its own relayed Deferred.
    """

    async def robot_parser(self, request: scrapy.Request) -> Any:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result

            pending.addBoth(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
