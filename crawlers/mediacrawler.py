"""MediaCrawler's files (抖音, 小红书, 快手, B站, 贴吧, 知乎, 微博) → ingest records and comment rows.

Analysts run MediaCrawler themselves; it writes ``data/{platform}/{jsonl|json|csv}/
{crawler_type}_{contents|comments}_{YYYY-MM-DD}.{ext}``. The platform and whether a file holds
contents or comments are read from the path, else from the fields (``aweme_id`` is 抖音's,
``comment_id`` makes a comment). Field names differ by platform and version: ids are
``note_id`` / ``aweme_id`` / ``video_id`` / ``content_id``, texts ``desc`` / ``content``, times
``create_time`` / ``time`` in epoch seconds or milliseconds (often as strings, as are counts).
Pure functions of the decoded rows; reading the files is ``pipeline.imports``'s business.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from crawlers.records import Record, make_record

# MediaCrawler's platform folders and short names → the platform codes posts are stored under.
PLATFORM_CODES: dict[str, str] = {
    "douyin": "douyin", "dy": "douyin", "xhs": "xhs", "xiaohongshu": "xhs", "kuaishou": "kuaishou", "ks": "kuaishou",
    "bilibili": "bilibili", "bili": "bilibili", "tieba": "tieba", "zhihu": "zhihu", "weibo": "weibo", "wb": "weibo",
}
# The source name posts of each platform are stored under (as county readers name them).
SOURCE_NAMES: dict[str, str] = {"douyin": "抖音", "xhs": "小红书", "kuaishou": "快手", "bilibili": "B站",
                                "tieba": "贴吧", "zhihu": "知乎", "weibo": "微博"}
_ID_FIELDS = ("note_id", "aweme_id", "video_id", "content_id", "id")
_TEXT_FIELDS = ("desc", "content", "content_text", "text")
_TIME_FIELDS = ("create_time", "time", "publish_time", "created_time")
_URL_FIELDS = ("note_url", "aweme_url", "video_url", "content_url", "url")
_AUTHOR_FIELDS = ("nickname", "user_nickname", "user_name", "author")
_KIND = re.compile(r"(?:^|_)(contents|comments|creator)(?:_|\.|$)")


def first(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    """The first of ``names`` the row has a value for."""
    return next((row[n] for n in names if row.get(n) not in (None, "")), None)


def epoch(value: Any) -> Any:
    """An epoch time written as digits ("1732761000", "1732761000000") as a number; else as given."""
    if isinstance(value, str) and re.fullmatch(r"\d{9,13}", value.strip()):
        return int(value.strip())
    return value


def platform_of(path: PurePath, row: dict[str, Any] | None = None) -> str | None:
    """The platform from the path's folders or the file name, else from the fields."""
    for part in reversed(path.parts[:-1]):
        if part.lower() in PLATFORM_CODES:
            return PLATFORM_CODES[part.lower()]
    stem = path.name.lower()
    for name, code in PLATFORM_CODES.items():
        if stem.startswith(name + "_"):
            return code
    if row:
        if "aweme_id" in row or "aweme_url" in row:
            return "douyin"
        if "tieba_name" in row or "tieba_link" in row:
            return "tieba"
        if "xsec_token" in row or ("note_url" in row and "xiaohongshu" in str(row.get("note_url"))):
            return "xhs"
    return None


def holds_comments(path: PurePath, row: dict[str, Any] | None = None) -> bool:
    """Whether a file holds comments: ``…_comments_…`` in its name, else ``comment_id`` in its rows."""
    found = _KIND.search(path.name.lower())
    if found:
        return found.group(1) == "comments"
    return bool(row) and "comment_id" in (row or {})


def content_record(row: dict[str, Any], platform: str) -> Record:
    """A content row (a note, a video, a thread) as an ingest record; counts and times as given,
    for validation to read (strings such as "1.2万" included)."""
    text = first(row, _TEXT_FIELDS)
    title = row.get("title") or None
    note_id = first(row, _ID_FIELDS)
    return make_record(
        id=None if note_id is None else str(note_id), platform=platform, source=SOURCE_NAMES.get(platform, platform),
        author=first(row, _AUTHOR_FIELDS), title=title, text=text if text not in (None, "") else (title or ""),
        url=first(row, _URL_FIELDS), published_at=epoch(first(row, _TIME_FIELDS)),
        reposts=first(row, ("shared_count", "share_count", "video_share_count")),
        comments=first(row, ("comments_count", "comment_count", "total_replay_num", "video_comment")),
        likes=first(row, ("liked_count", "like_count", "voteup_count", "video_like_count")),
        collected=first(row, ("collected_count", "video_favorite_count")), ip_location=row.get("ip_location") or None,
        source_keyword=row.get("source_keyword") or None, user_id=row.get("user_id") or None)


def comment_row(row: dict[str, Any], platform: str) -> dict[str, Any]:
    """A comment row in one spelling: ``comment_id, note_id, text, author, published_at, likes,
    replies, parent_comment_id, ip_location`` (values as given, for validation to read)."""
    parent = row.get("parent_comment_id")
    return {"platform": platform, "comment_id": row.get("comment_id"), "note_id": first(row, _ID_FIELDS[:-1]),
            "text": row.get("content") if row.get("content") not in (None, "") else row.get("text"),
            "author": first(row, _AUTHOR_FIELDS), "published_at": epoch(first(row, _TIME_FIELDS)),
            "likes": first(row, ("comment_like_count", "like_count", "liked_count")),
            "replies": first(row, ("sub_comment_count", "sub_comments_count")),
            "parent_comment_id": None if parent in (None, "", 0, "0") else str(parent),
            "ip_location": row.get("ip_location") or None}
