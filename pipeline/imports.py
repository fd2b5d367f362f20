"""Files people already have: MediaCrawler's output and a county's 12345 work-order export, read
into validated posts and comments (``yuqing ingest --format …`` and ``folder`` sources).

Every line is checked on its own: a bad one becomes a ``Reject`` naming its file, line and the
reason in Chinese, the rest are kept. A folder is read recursively (``.jsonl``, ``.json``,
``.csv``); files that are still being written are never read: hidden files, ``*.part``, ``*.tmp``,
``*.crdownload``, ``*~`` are skipped, and a ``folder`` source reads a file only once it has been
unchanged for its settle time. Contents are read before comments, so a comment finds its post.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crawlers.boards import export_record
from crawlers.mediacrawler import comment_row, content_record, holds_comments, platform_of
from pipeline.comment_input import CommentInput, to_comment
from pipeline.config.files import ConfigError, load_file
from pipeline.normalize import PostInput, Reject, RejectedRecord, file_records, to_post

Format = Literal["mediacrawler", "hotline12345", "posts"]
SUFFIXES = (".jsonl", ".json", ".csv")
PARTIAL = (".part", ".partial", ".tmp", ".crdownload", ".download", "~")
MAPPED_FIELDS = ("id", "title", "text", "author", "published_at", "url", "forum", "type", "domain", "state",
                 "reply_unit", "reply", "reply_at")


class MappingError(ConfigError):
    """A 12345 column mapping that is missing or invalid; the message names the file."""


class HotlineMapping(BaseModel):
    """How a county's 12345 export names its columns: ``columns`` maps each field (``id``,
    ``text``, ``published_at``, ``reply_unit`` …) to the column header that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(default="12345热线", min_length=1, max_length=200)
    platform: str = Field(default="hotline", min_length=1, max_length=32)
    columns: dict[str, str]

    @field_validator("columns")
    @classmethod
    def _known(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in value if k not in MAPPED_FIELDS]
        if unknown:
            raise ValueError(f"未知字段 {'、'.join(unknown)}；可用字段：{'、'.join(MAPPED_FIELDS)}")
        if "text" not in value:
            raise ValueError("必须指明诉求内容所在的列（text）")
        return value


def load_mapping(path: Path) -> HotlineMapping:
    """Read and validate a column mapping (YAML)."""
    return load_file(HotlineMapping, path, error=MappingError)


@dataclass
class ImportBatch:
    """What some files gave: validated posts and comments, and the rejected lines by file."""

    posts: list[PostInput] = field(default_factory=list)
    comments: list[CommentInput] = field(default_factory=list)
    rejects: list[tuple[str, Reject]] = field(default_factory=list)
    files: int = 0
    per_file: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # path -> posts, comments, rejected

    def reasons(self) -> list[str]:
        return [f"{'/'.join(Path(name).parts[-3:])} 第 {r.line} 行：{r.reason}" for name, r in self.rejects]


def partial(path: Path) -> bool:
    """A file that is being written (or an editor's, or hidden): never read."""
    name = path.name.lower()
    return name.startswith((".", "~$")) or name.endswith(PARTIAL)


def source_files(paths: Iterable[Path]) -> list[Path]:
    """The data files of ``paths`` (folders read recursively), contents before comments."""
    found: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        found += [p for p in candidates if p.is_file() and p.suffix.lower() in SUFFIXES and not partial(p)]
    return sorted(dict.fromkeys(found), key=lambda p: (holds_comments(p), str(p)))


def _mediacrawler_line(path: Path, line: int, row: Any, now: datetime, batch: ImportBatch) -> None:
    if not isinstance(row, dict):
        raise RejectedRecord(f"不是 JSON 对象（而是 {type(row).__name__}）")
    platform = platform_of(path, row)
    if platform is None:
        raise RejectedRecord("无法判断平台：路径中没有 douyin、xhs、tieba 等平台文件夹，字段中也看不出")
    if holds_comments(path, row):
        batch.comments.append(to_comment(comment_row(row, platform), line, now))
    else:
        batch.posts.append(to_post(content_record(row, platform), line, now))


def _hotline_line(mapping: HotlineMapping, line: int, row: Any, now: datetime, batch: ImportBatch) -> None:
    if not isinstance(row, dict):
        raise RejectedRecord(f"不是 JSON 对象（而是 {type(row).__name__}）")
    renamed = {name: row.get(column) for name, column in mapping.columns.items()}
    batch.posts.append(to_post(export_record(renamed, source=mapping.source, platform=mapping.platform), line, now))


def read_file(path: Path, fmt: Format, mapping: HotlineMapping | None, now: datetime, batch: ImportBatch) -> None:
    """Read one file into ``batch``; each bad line is rejected with its reason."""
    batch.files += 1
    before = (len(batch.posts), len(batch.comments), len(batch.rejects))
    for line, row, raw in file_records(path):
        try:
            if isinstance(row, RejectedRecord):
                raise row
            if fmt == "hotline12345" and mapping is not None:
                _hotline_line(mapping, line, row, now, batch)
            elif fmt == "mediacrawler":
                _mediacrawler_line(path, line, row, now, batch)
            else:
                batch.posts.append(to_post(row, line, now))
        except RejectedRecord as exc:
            batch.rejects.append((str(path), Reject(line=line, reason=str(exc), raw=raw)))
    batch.per_file[str(path)] = (len(batch.posts) - before[0], len(batch.comments) - before[1],
                                 len(batch.rejects) - before[2])


def read_files(paths: list[Path], fmt: Format, mapping: HotlineMapping | None, now: datetime) -> ImportBatch:
    batch = ImportBatch()
    for path in paths:
        read_file(path, fmt, mapping, now, batch)
    fold_comment_counts(batch)
    return batch


def fold_comment_counts(batch: ImportBatch) -> None:
    """A post whose comment count is unknown or lower than the comments brought with it takes
    that number, so triage counts them in the event's reach."""
    brought = Counter((platform, note) for platform, note, _ in {(c.platform, c.note_id, c.comment_id)
                                                                  for c in batch.comments})
    for post in batch.posts:
        n = brought.get((post.platform, post.platform_id or ""), 0)
        if n and (post.comments is None or post.comments < n):
            post.comments = n


@dataclass(frozen=True)
class FileStamp:
    """A file as it was read: where, how large, when last changed, its content's SHA-256."""

    path: str
    size: int
    mtime: float
    sha256: str


def stamp(path: Path) -> FileStamp:
    info = path.stat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return FileStamp(str(path), info.st_size, info.st_mtime, digest)


def settled(path: Path, settle_seconds: float, wall: float) -> bool:
    """Unchanged for ``settle_seconds`` (by the file system's clock ``wall``): its writer is done."""
    return wall - path.stat().st_mtime >= settle_seconds
