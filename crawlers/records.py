"""What every parser returns: ingest-schema records plus the problems met on the way.

A record is a plain dict with the fields of ``yuqing ingest`` (``id, platform, source, author,
title, text, url, published_at, reposts, comments, likes``); extra keys (``ip_region``,
``retweeted_id`` …) travel in the post's raw payload. Unknown counts are ``None``, never 0.
Problems are typed so source health can tell an anti-bot answer from a malformed feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RECORD_FIELDS = ("id", "platform", "source", "author", "title", "text", "url", "published_at",
                 "reposts", "comments", "likes")

ProblemKind = Literal[
    "anti_bot",        # Weibo HTTP 432/418, a captcha page
    "login_required",  # ok:-100, a redirect to passport.weibo.cn: the cookie expired or is missing
    "rate_limited",    # HTTP 429 / "请求过于频繁"
    "api_error",       # ok:0 with a message, an unexpected JSON shape
    "malformed",       # bytes that are not the expected JSON / XML / HTML
    "bozo_feed",       # feedparser flagged the feed (records may still come out of it)
    "http_error",      # 4xx / 5xx other than the above
    "empty",           # a feed or page with nothing usable in it
    "fetch_failed",    # DNS, connection refused, timeout
    "truncated",       # a one-hour search window with more results than the page cap serves
]


@dataclass(frozen=True)
class Problem:
    """Something wrong with one answer from one source; ``detail`` is shown to analysts."""

    kind: ProblemKind
    detail: str
    url: str | None = None


Record = dict[str, Any]


@dataclass
class ParseResult:
    """Records parsed from one answer and the problems found in it (both may be non-empty)."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def make_record(*, id: str | None, platform: str, source: str | None, author: str | None,
                title: str | None, text: str, url: str | None, published_at: str | int | float | None,
                reposts: Any = None, comments: Any = None, likes: Any = None, **extra: Any) -> Record:
    """Build a record with every ingest field present (missing values explicit ``None``)."""
    record: Record = {
        "id": id, "platform": platform, "source": source, "author": author, "title": title,
        "text": text, "url": url, "published_at": published_at,
        "reposts": reposts, "comments": comments, "likes": likes,
    }
    record.update({k: v for k, v in extra.items() if v is not None})
    return record
