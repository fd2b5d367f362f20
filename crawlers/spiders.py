"""The collect spider: one spider that fetches and parses every source kind.

It only parses and yields items (``crawlers.items``): records, problems, HTTP validators and
keyword-search window outcomes. What happens to them is the item pipeline's business
(``crawlers.components.CollectPipeline``); the spider keeps no state about results.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.articles import extract_article
from crawlers.boards import parse_board
from crawlers.feeds import parse_feed
from crawlers.items import CollectReport, CoverageItem, ProblemItem, RecordItem, ValidatorItem
from crawlers.pages import list_page_links
from crawlers.records import Problem, Record
from crawlers.search import Window, fits, is_search_url, window_url
from crawlers.sources import Source
from crawlers.weibo import WeiboResult, apply_long_text, parse_weibo

ARTICLE_FIELDS_FROM_PAGE = ("title", "published_at")


def _problem_items(source: Source, problems: list[Problem]) -> Iterator[ProblemItem]:
    for p in problems:
        yield ProblemItem(source.name, p.kind, p.detail, p.url)


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def _with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


class CollectSpider(scrapy.Spider):
    """Collects every given source once: feeds, WeChat mirror feeds, Weibo JSON, news sites, message boards."""

    name = "yuqing_collect"

    def __init__(self, sources: list[Source], environ: Mapping[str, str] | None = None,
                 validators: Mapping[str, Mapping[str, str | None]] | None = None,
                 search_windows: Mapping[str, Window] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sources = [s for s in sources if s.enabled]
        self.environ = dict(os.environ if environ is None else environ)
        self.validators = {url: dict(v) for url, v in (validators or {}).items()}
        self.search_windows = dict(search_windows or {})
        self.collect_report: CollectReport | None = None

    # ------------------------------------------------------------------ start

    async def start(self) -> Any:  # Scrapy >= 2.13
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        for source in self.sources:
            for url in source.start_urls:
                window = self.search_windows.get(source.name)
                if source.kind == "weibo" and window is not None and is_search_url(url):
                    yield self._request(source, window_url(url, window), self.parse_search, page=1, window=window)
                    continue
                request = self._request(source, url, self._callback(source), page=1)
                known = self.validators.get(url) or {}
                if source.kind != "weibo" and (known.get("etag") or known.get("last_modified")):
                    # Conditional GET: an unchanged feed or list page answers 304 with no body.
                    if known.get("etag"):
                        request.headers["If-None-Match"] = str(known["etag"])
                    if known.get("last_modified"):
                        request.headers["If-Modified-Since"] = str(known["last_modified"])
                    request.meta["handle_httpstatus_list"] = [304]
                yield request

    @staticmethod
    def _validator(response: Response, source: Source) -> ValidatorItem | None:
        """The start page's HTTP validators to remember, or its 304 Not Modified answer."""
        if response.status == 304:
            return ValidatorItem(source.name, response.url, None, None, not_modified=True)
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            return ValidatorItem(source.name, response.url, etag.decode("latin-1") if etag else None,
                                 modified.decode("latin-1") if modified else None)
        return None

    def _callback(self, source: Source) -> Any:
        return {"feed": self.parse_feed, "wechat": self.parse_feed, "weibo": self.parse_weibo,
                "news_site": self.parse_list, "message_board": self.parse_board}[source.kind]

    def _request(self, source: Source, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        meta: dict[str, Any] = {"download_timeout": source.timeout_seconds}
        if source.download_slot:  # its own delay / concurrency (DOWNLOAD_SLOTS, set by the runner)
            meta["download_slot"] = source.download_slot
            if source.download_delay is not None:
                meta["autothrottle_dont_adjust_delay"] = True
        headers: dict[str, str] = {}
        if source.user_agent:
            headers["User-Agent"] = source.user_agent
        if source.kind == "weibo":
            meta.update({"handle_httpstatus_all": True, "dont_redirect": True})
            headers.setdefault("Accept", "application/json, text/plain, */*")
            if source.cookie_env and self.environ.get(source.cookie_env):
                headers["Cookie"] = self.environ[source.cookie_env]
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, headers=headers,
                              cb_kwargs={"source": source, **kwargs}, dont_filter=kwargs.get("page", 0) == 1)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source: Source = request.cb_kwargs["source"]
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind = "rate_limited" if response.status == 429 else "http_error"
            yield ProblemItem(source.name, kind, f"HTTP {response.status}", request.url)
        else:
            yield ProblemItem(source.name, "fetch_failed", f"{type(failure.value).__name__}: {failure.value}", request.url)
        window = request.cb_kwargs.get("window")
        if window is not None:  # a search window that could not be fetched is not covered
            yield CoverageItem(source.name, window, "failed", f"{type(failure.value).__name__}")
        fallback = request.cb_kwargs.get("record")
        if fallback is not None:  # the article could not be fetched: keep what the feed said
            yield RecordItem(source.name, fallback)

    # ------------------------------------------------------------------ feeds

    def parse_feed(self, response: Response, source: Source, page: int = 1) -> Iterator[Any]:
        validator = self._validator(response, source) if page == 1 else None
        if validator is not None:
            yield validator
            if validator.not_modified:
                return
        result = parse_feed(response.body, source=source.name, platform=source.effective_platform, url=response.url,
                            content_type=_content_type(response))
        yield from _problem_items(source, result.problems)
        for record in result.records:
            needs = record.pop("needs_article", False)
            if needs and source.follow_links and record.get("url"):
                yield self._request(source, str(record["url"]), self.parse_article, record=record)
            else:
                yield RecordItem(source.name, record)

    def parse_board(self, response: Response, source: Source, page: int = 1) -> Iterator[Any]:
        """A message board: RSSHub's 留言板 feed, or an export of the same fields (JSON, CSV)."""
        validator = self._validator(response, source) if page == 1 else None
        if validator is not None:
            yield validator
            if validator.not_modified:
                return
        result = parse_board(response.body, source=source.name, url=response.url, content_type=_content_type(response))
        yield from _problem_items(source, result.problems)
        for record in result.records:
            yield RecordItem(source.name, record)

    # ------------------------------------------------------------------ articles

    def parse_list(self, response: Response, source: Source, page: int = 1) -> Iterator[Any]:
        validator = self._validator(response, source) if page == 1 else None
        if validator is not None:
            yield validator
            if validator.not_modified:
                return
        links = list_page_links(response.body, response.url, link_pattern=source.link_pattern,
                                selector=source.selectors.links,
                                content_type=_content_type(response))
        if not links:
            yield ProblemItem(source.name, "empty", "no article links on the list page", response.url)
        for url in links[: source.max_pages]:
            yield self._request(source, url, self.parse_article)

    def parse_article(self, response: Response, source: Source, record: Record | None = None) -> Iterator[Any]:
        article = extract_article(response.body, response.url, selectors=source.selectors,
                                  content_type=_content_type(response))
        usable = bool(article.text) and len(article.text) >= 40
        yield from _problem_items(source, [p for p in article.problems if not usable or p.detail != "no publish time found"])
        if record is not None:  # a feed item followed to its page: the page fills in the text
            merged = dict(record)
            if usable:
                merged["text"] = article.text
                for name in ARTICLE_FIELDS_FROM_PAGE:
                    merged[name] = merged.get(name) or getattr(article, name)
                if source.kind != "wechat" and article.source:
                    merged["page_source"] = article.source
            yield RecordItem(source.name, merged)
            return
        if usable:
            yield RecordItem(source.name, article.to_record(platform=source.effective_platform, default_source=source.name))

    # ------------------------------------------------------------------ weibo

    def parse_weibo(self, response: Response, source: Source, page: int = 1) -> Iterator[Any]:
        result = self._weibo_answer(response)
        yield from _problem_items(source, result.problems)
        yield from self._weibo_records(response, source, result)
        if not result.records or page >= source.max_pages:
            return
        if result.next_page and result.next_page > page:
            yield self._request(source, _with_query(response.url, page=result.next_page), self.parse_weibo,
                                page=result.next_page)
        elif result.since_id:  # the newer timeline API pages by a since_id cursor instead
            yield self._request(source, _with_query(response.url, since_id=result.since_id), self.parse_weibo,
                                page=page + 1)

    def parse_search(self, response: Response, source: Source, window: Window, page: int = 1) -> Iterator[Any]:
        """One page of a keyword search window: page on, split the window when its results
        exceed the page cap, or report how the window ended (complete, truncated, failed)."""
        result = self._weibo_answer(response)
        yield from _problem_items(source, result.problems)
        yield from self._weibo_records(response, source, result)
        failures = [p for p in result.problems if p.kind != "empty"]
        if failures and not result.records:
            yield CoverageItem(source.name, window, "failed", failures[0].detail)
            return
        too_many = page == 1 and fits(result.total, result.statuses, source.max_pages) is False
        more = result.statuses > 0 and bool(result.next_page) and (result.next_page or 0) > page
        if window.splittable and (too_many or (more and page >= source.max_pages)):
            for half in window.halves():
                yield self._request(source, window_url(response.url, half), self.parse_search, page=1, window=half)
        elif more and page < source.max_pages:
            yield self._request(source, window_url(response.url, window, page + 1), self.parse_search,
                                page=page + 1, window=window)
        elif more or too_many:
            detail = (f"搜索时段 {window.label()} 的结果超过翻页上限（{source.max_pages} 页"
                      + (f"，共约 {result.total} 条" if result.total else "") + "），超出部分未能采集")
            yield ProblemItem(source.name, "truncated", detail, response.url)
            yield CoverageItem(source.name, window, "truncated", detail)
        else:
            yield CoverageItem(source.name, window, "complete")

    @staticmethod
    def _weibo_answer(response: Response) -> WeiboResult:
        location = response.headers.get("Location")
        final_url = response.urljoin(location.decode("latin-1")) if location else None
        return parse_weibo(response.body, status=response.status, url=response.url, final_url=final_url)

    def _weibo_records(self, response: Response, source: Source, result: WeiboResult) -> Iterator[Any]:
        """The statuses of an answer; a truncated long text is fetched in full first."""
        long_ids = set(result.long_text_ids)
        origin = urlsplit(response.url)
        for record in result.records:
            if record.get("id") in long_ids:
                url = f"{origin.scheme}://{origin.netloc}/statuses/extend?id={record['id']}"
                yield self._request(source, url, self.parse_long_text, record=record)
            else:
                yield RecordItem(source.name, record)

    def parse_long_text(self, response: Response, source: Source, record: Record) -> Iterator[Any]:
        result = parse_weibo(response.body, status=response.status, url=response.url, status_id=str(record["id"]))
        yield from _problem_items(source, result.problems)
        long_text = result.long_texts.get(str(record["id"]))
        merged = apply_long_text(record, long_text) if long_text else {k: v for k, v in record.items() if k != "is_long_text"}
        yield RecordItem(source.name, merged)
