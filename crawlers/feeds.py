"""RSS / Atom feeds → ingest records (feedparser on bytes fetched by the caller).

A feed that feedparser flags as ``bozo`` is reported as a ``bozo_feed`` problem *and* whatever
entries it still yielded are returned, so nothing is silently accepted or dropped. HTML in
titles and descriptions is reduced to text with ``pipeline.normalize.clean_text``. Items that
carry only a title (WeChat mirrors) are marked ``needs_article`` so a spider can follow the link.
Items linking to a Weibo status (RSSHub Weibo feeds) become Weibo records, identified as the
Weibo collector identifies them.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from typing import Any

import feedparser

from crawlers.records import ParseResult, Problem, Record, make_record
from crawlers.weibo import status_link, status_url
from pipeline.normalize import clean_text
from pipeline.timeparse import SHANGHAI

# WeChat mirror feeds title the channel "杭州发布 | wechat-feeds"; keep the account name.
_CHANNEL_SUFFIX = re.compile(r"\s*[|｜]\s*(wechat-feeds|wechat2rss|RSSHub|微信公众号).*$", re.IGNORECASE)
SHORT_TEXT = 60  # a text this short that only repeats the title is "title only"


def _entry_text(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = clean_text(content.get("value") or "")
        if value:
            return value
    return clean_text(entry.get("summary") or entry.get("description") or "")


def _entry_time(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        parsed = entry.get(f"{key}_parsed")
        if parsed:  # feedparser normalised it to UTC; hand on 北京时间 ISO 8601
            return datetime.fromtimestamp(calendar.timegm(parsed), SHANGHAI).isoformat()
        if raw:
            return str(raw)
    return None


def feed_title(parsed: Any) -> str | None:
    title = clean_text(parsed.feed.get("title") or "")
    return _CHANNEL_SUFFIX.sub("", title) or None


def read_feed(data: bytes, url: str | None = None, content_type: str | None = None) -> tuple[Any, ParseResult]:
    """Parse feed bytes: feedparser's result, and a ``ParseResult`` holding the problems found
    (a bozo feed, no feed at all, no items); records are the caller's to add."""
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    if url:  # the base for relative item links (a content type must come with it, or feedparser objects)
        headers["content-location"] = url
        headers.setdefault("content-type", "application/xml")
    parsed = feedparser.parse(data, response_headers=headers or None)
    result = ParseResult()
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        result.problems.append(Problem("bozo_feed", f"{type(exc).__name__}: {exc}" if exc else "feed not well-formed", url))
    if not parsed.entries:
        if not parsed.get("version"):
            result.problems.append(Problem("malformed", "not an RSS or Atom feed", url))
        else:
            result.problems.append(Problem("empty", "feed has no items", url))
    return parsed, result


def parse_feed(data: bytes, *, source: str, platform: str = "news", url: str | None = None,
               content_type: str | None = None) -> ParseResult:
    """Parse feed bytes. ``source`` is the configured source name (a WeChat account, a site).

    Each record has ``needs_article`` True when its text is only the title or a short teaser.
    """
    parsed, result = read_feed(data, url, content_type)
    if not parsed.entries:
        return result
    channel = feed_title(parsed)
    for entry in parsed.entries:
        record = _entry_record(entry, source=source, platform=platform, channel=channel)
        if record is None:
            link = entry.get("link") or "no link"
            result.problems.append(Problem("empty", f"item without title or text ({link})", url))
        else:
            result.records.append(record)
    return result


def _entry_record(entry: Any, *, source: str, platform: str, channel: str | None) -> Record | None:
    """One item as a record; None when it has neither title nor text. An item that links to a
    Weibo status (an RSSHub Weibo feed) is that status: platform ``weibo``, its numeric mid as
    id and the URL the Weibo collector gives it, so both are one post to ingest."""
    title = clean_text(entry.get("title") or "") or None
    text = _entry_text(entry)
    link = entry.get("link") or None
    only_title = not text or (title is not None and text.strip() == title) or (len(text) < SHORT_TEXT and bool(title))
    text = text or title or ""
    if not text:
        return None
    author = clean_text(entry.get("author") or "") or channel
    status = status_link(link)
    if status is not None:  # a status has no title (the feed's is its text cut short); no page to follow
        mid, bid = status
        return make_record(id=mid, platform="weibo", source=source, author=author, title=None, text=text,
                           url=status_url(mid), published_at=_entry_time(entry), bid=bid, needs_article=False)
    return make_record(id=entry.get("id") or None, platform=platform, source=source, author=author, title=title,
                       text=text, url=link, published_at=_entry_time(entry), needs_article=bool(only_title and link))
