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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.html import remove_tags_with_content, replace_entities

from pipeline.files import open_private
from pipeline.rules.times import implausible
from pipeline.timeparse import Precision, TimeParseError, parse_time

FIELDS = ("id", "platform", "source", "author", "title", "text", "url", "published_at", "reposts", "comments", "likes")
COUNT_FIELDS = ("reposts", "comments", "likes")
TEXT_FIELDS = ("id", "platform", "source", "author", "title", "text", "url")
MAX_TEXT = 20_000
# What the database holds (pipeline/storage/models.py): longer values are refused on one engine
# or the other, so they are checked here, per line, the same on both.
MAX_ID, MAX_PLATFORM, MAX_SOURCE, MAX_AUTHOR, MAX_TITLE, MAX_URL = 128, 32, 200, 200, 1000, 1000
MAX_COUNT = 10**12          # engagement beyond this is a broken field, not a count
MAX_RAW_STRING = 100_000    # strings kept in the raw payload
FUTURE_SLACK = timedelta(minutes=10)
_TRACKING = re.compile(r"^(utm_\w+|spm|from|isappinstalled|share_token|scene|srcid|sharer_\w+|clicktime|enterid|wfr|vd_source"
                       r"|xsec_\w+|previous_page)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SCRIPTS = ("script", "style", "iframe", "noscript")
# A tag starts with a letter (or is a comment / declaration): "3<5 且 6>4" is text, not a tag.
_TAG = re.compile(r"<!--.*?-->|<![^<>]*>|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>", re.S)


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
    # What validation changed or doubted, kept on the stored post: [{"kind": …, "detail": …}].
    notes: list[dict[str, str]] = field(default_factory=list)

    @property
    def input_id(self) -> str:
        return self.platform_id if self.platform_id is not None else f"line-{self.line}"

    def known_time(self, now: datetime) -> datetime:
        """When the post was published, where that is known to the minute and not after ``now``
        (a date-only time is no midnight fact, a later one a wrong clock); ``now`` otherwise."""
        t = self.published_at
        return t if t is not None and self.published_precision in ("minute", "second") and t <= now else now

    @property
    def truncated(self) -> bool:
        """Whether its text was cut to ``MAX_TEXT`` (a note says so)."""
        return any(n["kind"] == "truncated" for n in self.notes)

    @property
    def fingerprint(self) -> str:
        """Identity of a post that has neither a platform id nor a URL."""
        basis = "|".join([self.platform, self.author or "", self.content_hash, str(self.published_at or "")])
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()

    def identity(self) -> list[tuple[str, ...]]:
        return identity_keys(self.platform, self.platform_id, self.source, self.canonical_url, self.content_hash,
                             self.fingerprint)


# Platforms whose post ids are unique across the platform (a Weibo mid, an aweme_id, a note_id
# names one post however
# it was collected). Elsewhere (exports of other systems, hotline numbers …) an id is only
# unique within its source.
GLOBAL_ID_PLATFORMS = frozenset({"weibo", "douyin", "xhs", "kuaishou", "bilibili", "tieba", "zhihu"})


def identity_keys(platform: str, platform_id: str | None, source: str | None, canonical: str | None,
                  digest: str, fingerprint: str) -> list[tuple[str, ...]]:
    """Two posts are the same post when they share any of these keys: the same content from the
    same author and time; the same platform id (scoped to its source unless the platform's ids
    are global) with the same text; the same canonical URL with the same text. An id or a URL
    whose text differs names a different post (another system's item 1, a page rewritten)."""
    keys: list[tuple[str, ...]] = [("fp", fingerprint)]
    if platform_id is not None:
        if platform in GLOBAL_ID_PLATFORMS:
            keys.append(("id", platform, platform_id))
        else:
            keys.append(("id", platform, source or "", platform_id, digest))
    if canonical:
        keys.append(("url", canonical, digest))
    return keys


@dataclass
class ParsedFile:
    posts: list[PostInput]
    rejects: list[Reject]

    @property
    def truncated(self) -> int:
        """Posts whose text was cut to ``MAX_TEXT`` (each carries a note saying so)."""
        return sum(1 for p in self.posts if p.truncated)


def _strip_markup(value: str) -> str:
    # Until nothing changes: removing one tag can join its neighbours into another ("<<b>script>").
    for _ in range(5):
        if "<" not in value or ">" not in value:
            break
        stripped = _TAG.sub("", remove_tags_with_content(value, which_ones=_SCRIPTS))
        if stripped == value:
            break
        value = stripped
    return value


def clean_text(value: str) -> str:
    """Plain text from possibly-HTML input: scripts and styles dropped with their content. Entities
    are decoded once and the result is stripped again, so ``&lt;script&gt;`` never comes back as
    a tag (a doubly encoded ``&amp;lt;`` stays visible text)."""
    value = _strip_markup(value)
    if "&" in value:
        value = _strip_markup(replace_entities(value))
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


def parse_count(name: str, value: Any, notes: list[dict[str, str]] | None = None) -> int | None:
    """Engagement counts; unknown stays None (never 0). Accepts "1.2万" and "10万+". A count too
    large to be real becomes unknown, with a note."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RejectedRecord(f"字段 {name} 应为数量，实为 {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip().rstrip("+").replace(",", "")
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(万|w|W|亿)?", text)
        if not m:
            raise RejectedRecord(f"字段 {name} 不是有效的数量：{value[:40]!r}")
        number = float(m.group(1)) * {"万": 1e4, "w": 1e4, "W": 1e4, "亿": 1e8}.get(m.group(2) or "", 1)
    else:
        number = float(value)
    if number < 0 or number != number:
        raise RejectedRecord(f"字段 {name} 不能为负数或非数字：{value!r}")
    if number > MAX_COUNT:
        if notes is not None:
            notes.append({"kind": "count_out_of_range", "detail": f"{name} 为 {value!r}，超出合理范围，按未知处理"})
        return None
    return int(number)


def _text_field(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RejectedRecord(f"字段 {name} 应为文本，实为 {type(value).__name__}")
    text = clean_text(str(value))
    return text or None


def _limit(values: dict[str, str | None], notes: list[dict[str, str]]) -> None:
    """Identity fields that do not fit are refused; descriptive ones are cut, with a note."""
    for name, most, label in (("id", MAX_ID, "编号"), ("platform", MAX_PLATFORM, "平台名称"),
                              ("source", MAX_SOURCE, "来源名称")):
        if values[name] is not None and len(values[name] or "") > most:
            raise RejectedRecord(f"{label}过长（{len(values[name] or '')} 个字符，上限 {most}）")
    for name, most, label in (("author", MAX_AUTHOR, "作者"), ("title", MAX_TITLE, "标题"),
                              ("text", MAX_TEXT, "正文")):
        value = values[name]
        if value is not None and len(value) > most:
            values[name] = value[:most]
            kind = "truncated" if name == "text" else f"{name}_truncated"
            notes.append({"kind": kind, "detail": f"{label}过长（{len(value)} 个字符），已截断为 {most} 个字符"})


def _published(record: dict[str, Any], now: datetime, notes: list[dict[str, str]]) -> tuple[datetime | None, Precision | None]:
    raw_time = record.get("published_at")
    if raw_time is None or raw_time == "":
        return None, None
    if isinstance(raw_time, bool) or not isinstance(raw_time, str | int | float):
        raise RejectedRecord(f"字段 published_at 应为时间，实为 {type(raw_time).__name__}")
    try:
        published_at, precision = parse_time(raw_time, now)
    except TimeParseError as exc:
        raise RejectedRecord(f"字段 published_at：{exc}") from exc
    refusal = implausible(published_at, now, "发布时间")
    if refusal:
        # Unknown rather than stored: year 1 or 9999 cannot be meant, and one that shifts out of
        # years 1–9999 in UTC could not even be written (the whole batch would fail with it).
        notes.append({"kind": "implausible_published_at", "detail": f"{refusal}（{raw_time}），按未知处理"})
        return None, None
    if published_at > now + FUTURE_SLACK:
        # Kept as given (it may be a clock set wrong), flagged, and never used for deadlines:
        # an event's clock starts no later than its detection (pipeline.rules.decide.event_clock).
        notes.append({"kind": "future_published_at",
                      "detail": f"发布时间 {published_at.isoformat()} 晚于监测时间（时钟偏差或字段错误），时限按监测时间计算"})
    return published_at, precision


def _canonical(url: str | None, notes: list[dict[str, str]]) -> str | None:
    canonical = canonical_url(url)
    if canonical is not None and len(canonical) > MAX_URL:
        notes.append({"kind": "long_url", "detail": f"网址过长（{len(canonical)} 个字符），以其摘要识别"})
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return canonical


def safe_raw(value: Any) -> Any:
    """The raw record as stored: no NUL characters (PostgreSQL refuses them in jsonb), no string
    longer than ``MAX_RAW_STRING``."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value[:MAX_RAW_STRING]
    if isinstance(value, dict):
        return {safe_raw(str(k)): safe_raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_raw(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def to_post(record: Any, line: int, now: datetime) -> PostInput:
    """Validate one decoded record; raise ``RejectedRecord`` with the reason when it is unusable."""
    if not isinstance(record, dict):
        raise RejectedRecord(f"不是 JSON 对象（而是 {type(record).__name__}）")
    values = {name: _text_field(record, name) for name in TEXT_FIELDS}
    if not values["text"]:
        raise RejectedRecord("正文为空" if "text" in record else "缺少字段 text")
    notes: list[dict[str, str]] = []
    _limit(values, notes)
    text = values["text"] or ""
    published_at, precision = _published(record, now, notes)
    counts = {name: parse_count(name, record.get(name), notes) for name in COUNT_FIELDS}
    return PostInput(
        line=line,
        platform=(values["platform"] or "unknown").lower(),
        platform_id=values["id"],
        source=values["source"],
        author=values["author"],
        title=values["title"],
        text=text,
        url=values["url"],
        canonical_url=_canonical(values["url"], notes),
        published_at=published_at,
        published_precision=precision,
        reposts=counts["reposts"],
        comments=counts["comments"],
        likes=counts["likes"],
        content_hash=content_hash(text),
        raw=safe_raw(record),
        notes=notes,
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # legacy exports from Windows tools are GBK


def _lines(path: Path) -> Iterator[bytes]:
    """The lines of a file as ``bytes.splitlines`` gives them, read as the file is consumed."""
    with path.open("rb") as fh:
        for chunk in fh:
            yield from chunk.splitlines()


def _jsonl_records(lines: Iterable[bytes]) -> Iterator[tuple[int, Any, str]]:
    for lineno, raw in enumerate(lines, start=1):
        try:
            line = _decode(raw)
        except UnicodeDecodeError:
            yield lineno, RejectedRecord("该行既不是 UTF-8 也不是 GB18030 编码的文本"), raw.decode("utf-8", "replace")
            continue
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), line
        except json.JSONDecodeError as exc:
            yield lineno, RejectedRecord(f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）"), line


def _csv_records(data: bytes) -> Iterator[tuple[int, Any, str]]:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        yield 1, RejectedRecord("文件既不是 UTF-8 也不是 GB18030 编码的文本"), ""
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    try:
        for row in reader:
            raw = json.dumps(row, ensure_ascii=False)
            if None in row:
                yield start, RejectedRecord("列数多于表头"), raw
            else:
                yield start, {k: (v if v != "" else None) for k, v in row.items() if k}, raw
            start = reader.line_num + 1
    except csv.Error as exc:
        yield start, RejectedRecord(f"CSV 格式错误：{exc}"), ""


def _json_array_records(data: bytes) -> Iterator[tuple[int, Any, str]]:
    """A file holding one JSON array (MediaCrawler's ``json`` output): item N is "line" N."""
    try:
        items = json.loads(_decode(data))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        yield 1, RejectedRecord(f"JSON 文件无法解析：{exc}"), ""
        return
    for number, item in enumerate(items if isinstance(items, list) else [items], start=1):
        yield number, item, json.dumps(item, ensure_ascii=False)[:MAX_RAW_STRING]


def file_records(path: Path) -> Iterator[tuple[int, Any, str]]:
    """The decoded records of a ``.csv``, ``.jsonl`` or ``.json`` file (one array, or one object
    a line), each with its line (or item) number and raw text; a bad one is a ``RejectedRecord``.
    JSON lines are read as they are consumed, not all at once."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path.read_bytes())
    if suffix == ".json":
        data = path.read_bytes()
        if data.lstrip()[:1] == b"[":
            return _json_array_records(data)
    return _jsonl_records(_lines(path))


def iter_posts(path: Path, now: datetime) -> Iterator[PostInput | Reject]:
    """The validated posts of a ``.jsonl`` / ``.json`` or ``.csv`` file, and a ``Reject`` for each
    bad line, in file order, as the file is read."""
    for lineno, record, raw in file_records(path):
        try:
            if isinstance(record, RejectedRecord):
                raise record
            yield to_post(record, lineno, now)
        except RejectedRecord as exc:
            yield Reject(line=lineno, reason=str(exc), raw=raw)


def read_posts(path: Path, now: datetime) -> ParsedFile:
    """Read a ``.jsonl`` / ``.json`` or ``.csv`` file of posts; bad lines become rejects."""
    parsed = ParsedFile(posts=[], rejects=[])
    for item in iter_posts(path, now):
        if isinstance(item, Reject):
            parsed.rejects.append(item)
        else:
            parsed.posts.append(item)
    return parsed


def write_rejects(rejects: list[Reject], path: Path) -> None:
    with open_private(path, "w", encoding="utf-8") as out:
        for r in rejects:
            out.write(json.dumps({"line": r.line, "reason": r.reason, "raw": r.raw}, ensure_ascii=False) + "\n")
