"""Input normalisation: read JSONL or CSV post files into validated ``PostInput`` records.

Crawled and imported text is untrusted. Each line is checked on its own: a malformed line,
a field of the wrong type, an unparseable time or an empty text becomes a ``Reject`` with
its line number and reason, and the valid lines go on.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

from pipeline.timeparse import Precision, TimeParseError, parse_time

FIELDS = ("id", "platform", "source", "author", "title", "text", "url", "published_at", "reposts", "comments", "likes")
COUNT_FIELDS = ("reposts", "comments", "likes")
TEXT_FIELDS = ("id", "platform", "source", "author", "title", "text", "url")
MAX_TEXT = 20_000
_TRACKING = re.compile(r"^(utm_\w+|spm|from|isappinstalled|share_token|scene|srcid|sharer_\w+|clicktime|enterid|wfr|vd_source)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RejectedRecord(ValueError):
    """A record that cannot be ingested; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Reject:
    line: int
    reason: str
    raw: str


@dataclass
class PostInput:
    """One validated input post, ready to store."""

    line: int
    platform: str
    platform_id: str | None
    source: str | None
    author: str | None
    title: str | None
    text: str
    url: str | None
    canonical_url: str | None
    published_at: datetime | None
    published_precision: Precision | None
    reposts: int | None
    comments: int | None
    likes: int | None
    content_hash: str
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def input_id(self) -> str:
        return self.platform_id if self.platform_id is not None else f"line-{self.line}"

    @property
    def fingerprint(self) -> str:
        """Identity of a post that has neither a platform id nor a URL."""
        basis = "|".join([self.platform, self.author or "", self.content_hash, str(self.published_at or "")])
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()


@dataclass
class ParsedFile:
    posts: list[PostInput]
    rejects: list[Reject]


def clean_text(value: str) -> str:
    """Plain text from possibly-HTML input: scripts and styles dropped with their content."""
    if "<" in value and ">" in value:
        value = remove_tags(remove_tags_with_content(value, which_ones=("script", "style", "iframe", "noscript")))
    if "&" in value:
        value = replace_entities(value)
    value = _CONTROL.sub("", value)
    return re.sub(r"[ \t\u3000\xa0]+", " ", value).strip()


def content_hash(text: str) -> str:
    normalised = re.sub(r"\s+", "", text)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, drop fragments and tracking parameters, sort the query."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def parse_count(name: str, value: Any) -> int | None:
    """Engagement counts; unknown stays None (never 0). Accepts "1.2万" and "10万+"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RejectedRecord(f"field {name}: expected a count, got {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip().rstrip("+").replace(",", "")
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(万|w|W|亿)?", text)
        if not m:
            raise RejectedRecord(f"field {name}: not a count: {value!r}")
        number = float(m.group(1)) * {"万": 1e4, "w": 1e4, "W": 1e4, "亿": 1e8}.get(m.group(2) or "", 1)
    else:
        number = float(value)
    if number < 0 or number != number:
        raise RejectedRecord(f"field {name}: count must be a non-negative number, got {value!r}")
    return int(number)


def _text_field(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RejectedRecord(f"field {name}: expected text, got {type(value).__name__}")
    text = clean_text(str(value))
    return text or None


def to_post(record: Any, line: int, now: datetime) -> PostInput:
    """Validate one decoded record; raise ``RejectedRecord`` with the reason when it is unusable."""
    if not isinstance(record, dict):
        raise RejectedRecord(f"expected a JSON object, got {type(record).__name__}")
    values = {name: _text_field(record, name) for name in TEXT_FIELDS}
    text = values["text"]
    if not text:
        raise RejectedRecord("empty text" if "text" in record else "missing field: text")
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    published_at: datetime | None = None
    precision: Precision | None = None
    raw_time = record.get("published_at")
    if raw_time is not None and raw_time != "":
        if not isinstance(raw_time, str | int | float):
            raise RejectedRecord(f"field published_at: expected a time, got {type(raw_time).__name__}")
        try:
            published_at, precision = parse_time(raw_time, now)
        except TimeParseError as exc:
            raise RejectedRecord(f"field published_at: {exc}") from exc
    counts = {name: parse_count(name, record.get(name)) for name in COUNT_FIELDS}
    url = values["url"]
    return PostInput(
        line=line,
        platform=(values["platform"] or "unknown").lower(),
        platform_id=values["id"],
        source=values["source"],
        author=values["author"],
        title=values["title"],
        text=text,
        url=url,
        canonical_url=canonical_url(url),
        published_at=published_at,
        published_precision=precision,
        reposts=counts["reposts"],
        comments=counts["comments"],
        likes=counts["likes"],
        content_hash=content_hash(text),
        raw=record,
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # legacy exports from Windows tools are GBK


def _jsonl_records(data: bytes) -> Iterator[tuple[int, Any, str]]:
    for lineno, raw in enumerate(data.splitlines(), start=1):
        try:
            line = _decode(raw)
        except UnicodeDecodeError:
            yield lineno, RejectedRecord("line is neither UTF-8 nor GB18030 text"), raw.decode("utf-8", "replace")
            continue
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), line
        except json.JSONDecodeError as exc:
            yield lineno, RejectedRecord(f"malformed JSON: {exc.msg} (column {exc.colno})"), line


def _csv_records(data: bytes) -> Iterator[tuple[int, Any, str]]:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        yield 1, RejectedRecord("file is neither UTF-8 nor GB18030 text"), ""
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    try:
        for row in reader:
            raw = json.dumps(row, ensure_ascii=False)
            if None in row:
                yield start, RejectedRecord("more columns than the header"), raw
            else:
                yield start, {k: (v if v != "" else None) for k, v in row.items() if k}, raw
            start = reader.line_num + 1
    except csv.Error as exc:
        yield start, RejectedRecord(f"malformed CSV: {exc}"), ""


def read_posts(path: Path, now: datetime) -> ParsedFile:
    """Read a ``.jsonl`` / ``.json`` or ``.csv`` file of posts; bad lines become rejects."""
    data = path.read_bytes()
    records = _csv_records(data) if path.suffix.lower() == ".csv" else _jsonl_records(data)
    parsed = ParsedFile(posts=[], rejects=[])
    for lineno, record, raw in records:
        try:
            if isinstance(record, RejectedRecord):
                raise record
            parsed.posts.append(to_post(record, lineno, now))
        except RejectedRecord as exc:
            parsed.rejects.append(Reject(line=lineno, reason=str(exc), raw=raw))
    return parsed


def write_rejects(rejects: list[Reject], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for r in rejects:
            out.write(json.dumps({"line": r.line, "reason": r.reason, "raw": r.raw}, ensure_ascii=False) + "\n")
