"""Comment input: a comment row (``crawlers.mediacrawler.comment_row``) validated into a
``CommentInput``, as ``pipeline.normalize`` validates posts: text made plain, ids and lengths
checked, counts as numbers (unknown stays None), times aware with their precision. A row that
cannot be used raises ``RejectedRecord`` with the reason in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.normalize import MAX_AUTHOR, MAX_ID, MAX_TEXT, RejectedRecord, clean_text, parse_count, safe_raw
from pipeline.rules.times import implausible
from pipeline.timeparse import Precision, TimeParseError, parse_time

MAX_PLACE = 64


@dataclass
class CommentInput:
    """One validated comment, to be attached to the post whose platform id is ``note_id``."""

    line: int
    platform: str
    comment_id: str
    note_id: str
    text: str
    author: str | None
    published_at: datetime | None
    published_precision: Precision | None
    likes: int | None
    replies: int | None
    parent_comment_id: str | None
    ip_location: str | None
    raw: dict[str, Any] = field(default_factory=dict)


def _ident(row: dict[str, Any], name: str, label: str) -> str:
    value = row.get(name)
    if value in (None, ""):
        raise RejectedRecord(f"缺少{label}（{name}）")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RejectedRecord(f"{label}（{name}）应为文本或数字")
    text = str(value).strip()
    if len(text) > MAX_ID:
        raise RejectedRecord(f"{label}过长（{len(text)} 个字符，上限 {MAX_ID}）")
    return text


def _time(value: Any, now: datetime) -> tuple[datetime | None, Precision | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RejectedRecord("评论时间应为时间")
    try:
        at, precision = parse_time(value, now)
    except TimeParseError as exc:
        raise RejectedRecord(f"评论时间：{exc}") from exc
    return (None, None) if implausible(at, now, "评论时间") else (at, precision)


def to_comment(row: Any, line: int, now: datetime) -> CommentInput:
    """Validate one comment row; raise ``RejectedRecord`` when it is unusable."""
    if not isinstance(row, dict):
        raise RejectedRecord(f"不是 JSON 对象（而是 {type(row).__name__}）")
    text = clean_text(str(row.get("text") or ""))[:MAX_TEXT]
    if not text:
        raise RejectedRecord("评论内容为空")
    published_at, precision = _time(row.get("published_at"), now)
    author = clean_text(str(row.get("author") or ""))[:MAX_AUTHOR] or None
    place = clean_text(str(row.get("ip_location") or ""))[:MAX_PLACE] or None
    parent = row.get("parent_comment_id")
    return CommentInput(line=line, platform=str(row["platform"]), comment_id=_ident(row, "comment_id", "评论编号"),
                        note_id=_ident(row, "note_id", "所属帖子编号"), text=text, author=author,
                        published_at=published_at, published_precision=precision,
                        likes=parse_count("comment_like_count", row.get("likes")),
                        replies=parse_count("sub_comment_count", row.get("replies")),
                        parent_comment_id=None if parent is None else str(parent)[:MAX_ID],
                        ip_location=place, raw=safe_raw(row))
