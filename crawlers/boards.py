"""Message boards (人民网领导留言板 and the provincial boards like it) → ingest records.

Two shapes carry the same fields: RSSHub's 留言板 route (``/people/liuyan/:id/:state?``: each
item's categories are ``[forumName, typeName, domainName, stateInfo]``, the reply and the
replying unit are in its description, ``updated`` is the reply time) and a plain JSON / JSONL /
CSV export of the same fields. Each message is a record of platform ``message_board`` whose text
is the citizen's message only (the reply never changes the message's identity); the board's
fields travel in ``board``: type (建言 / 投诉 / 咨询), domain, status, replying unit, reply text
and reply time. Whether and how a reply becomes a response is ``pipeline.actions.board_replies``'s
business.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
from datetime import datetime
from typing import Any

from crawlers.feeds import read_feed
from crawlers.records import ParseResult, Problem, make_record
from pipeline.normalize import clean_text
from pipeline.timeparse import SHANGHAI

PLATFORM = "message_board"
# Markers of the reply inside an item's description, as the boards print them.
_UNIT = r"(?:回复机构|回复单位|答复单位|办理单位)"
_REPLY = r"(?:回复内容|答复内容|回复)"
_WHEN = r"(?:回复时间|答复时间)"
_MARKER = re.compile(rf"({_UNIT}|{_REPLY}|{_WHEN})\s*[:：]")
# Export field names → the board's fields (people.cn's own names first, then plain ones).
EXPORT_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("tid", "id"), "title": ("threadsTitle", "title"), "text": ("threadContent", "content", "text"),
    "author": ("nickName", "author"), "published_at": ("threadsCheckTime", "published_at", "time"),
    "url": ("url", "link"), "forum": ("forumName", "forum"), "type": ("typeName", "type"),
    "domain": ("domainName", "domain"), "state": ("stateInfo", "state", "status"),
    "reply_unit": ("answerOrganization", "reply_unit", "unit"), "reply": ("replyContent", "reply"),
    "reply_at": ("replyTime", "reply_at"),
}


def split_description(text: str) -> dict[str, str]:
    """The message and the reply parts of a description: ``{"text", "reply_unit", "reply",
    "reply_at"}`` (only those present). Text before the first marker is the message."""
    parts = _MARKER.split(text)
    found = {"text": parts[0].strip()}
    for marker, value in zip(parts[1::2], parts[2::2], strict=False):
        key = ("reply_unit" if re.fullmatch(_UNIT, marker) else "reply_at" if re.fullmatch(_WHEN, marker)
               else "reply")
        found.setdefault(key, value.strip())
    return {k: v for k, v in found.items() if v}


def _iso(parsed: Any) -> str | None:
    return datetime.fromtimestamp(calendar.timegm(parsed), SHANGHAI).isoformat() if parsed else None


def _entry_board(entry: Any) -> tuple[dict[str, str], dict[str, Any]]:
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    description = clean_text(next((c for c in contents if c), None) or entry.get("summary") or "")
    parts = split_description(description)
    terms = [clean_text(t.get("term") or "") for t in entry.get("tags") or []]
    terms += [""] * (4 - len(terms))
    board: dict[str, Any] = {"forum": terms[0] or None, "type": terms[1] or None, "domain": terms[2] or None,
                             "state": terms[3] or None, "reply_unit": parts.get("reply_unit"),
                             "reply": parts.get("reply")}
    published = _iso(entry.get("published_parsed"))
    updated = _iso(dict.get(entry, "updated_parsed"))  # feedparser's get() would hand on the published time
    # ``updated`` is the reply time when the item has a reply (and differs from publication).
    board["reply_at"] = parts.get("reply_at") or (updated if board["reply"] and updated != published else None)
    return parts, board


def parse_board_feed(data: bytes, *, source: str, url: str | None = None) -> ParseResult:
    """RSSHub's 留言板 feed (RSS or Atom) as message records."""
    parsed, result = read_feed(data, url)
    for entry in parsed.entries:
        parts, board = _entry_board(entry)
        result.records.append(make_record(
            id=entry.get("id") or entry.get("link") or None, platform=PLATFORM, source=source,
            author=clean_text(entry.get("author") or "") or "网民", title=clean_text(entry.get("title") or "") or None,
            text=parts.get("text", ""), url=entry.get("link") or None,
            published_at=_iso(entry.get("published_parsed")) or entry.get("published"), board=board))
    return result


def _field(row: dict[str, Any], name: str) -> Any:
    return next((row[k] for k in EXPORT_FIELDS[name] if row.get(k) not in (None, "")), None)


def export_record(row: Any, *, source: str, platform: str = PLATFORM) -> Any:
    """One row of a board (or hotline) export in the board's field names as a record; a row
    that is not an object is handed on as it is, for validation to refuse with its reason."""
    if not isinstance(row, dict):
        return row
    board = {name: _field(row, name) for name in ("forum", "type", "domain", "state", "reply_unit", "reply", "reply_at")}
    text = _field(row, "text")
    return make_record(id=None if _field(row, "id") is None else str(_field(row, "id")), platform=platform,
                       source=source, author=_field(row, "author") or "网民", title=_field(row, "title"),
                       text=text if text is not None else "", url=_field(row, "url"),
                       published_at=_field(row, "published_at"), board=board)


def export_rows(data: bytes, *, csv_file: bool) -> list[Any]:
    """The rows of a JSON array, JSONL or CSV export (a line that is not JSON becomes a string,
    refused later with its line)."""
    text = data.decode("utf-8-sig", errors="replace")
    if csv_file:
        return [{k: v for k, v in row.items() if k} for row in csv.DictReader(io.StringIO(text, newline=""))]
    stripped = text.lstrip()
    if stripped.startswith("["):
        loaded = json.loads(stripped)
        return loaded if isinstance(loaded, list) else [loaded]
    rows: list[Any] = []
    for line in text.splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                rows.append(line)
    return rows


def parse_board(data: bytes, *, source: str, url: str | None = None, content_type: str | None = None) -> ParseResult:
    """A board answer of any of its shapes: RSS/Atom, JSON (array or lines) or CSV."""
    head = data.lstrip()[:1]
    is_csv = "csv" in (content_type or "").lower() or (url or "").lower().split("?")[0].endswith(".csv")
    if head in (b"<", b"") and not is_csv:
        return parse_board_feed(data, source=source, url=url)
    result = ParseResult()
    try:
        rows = export_rows(data, csv_file=is_csv)
    except (json.JSONDecodeError, csv.Error) as exc:
        result.problems.append(Problem("malformed", f"留言板导出文件无法解析：{exc}", url))
        return result
    result.records = [export_record(row, source=source) for row in rows]
    if not result.records:
        result.problems.append(Problem("empty", "留言板没有留言", url))
    return result
