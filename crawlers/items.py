"""What the collect spider yields and what one crawl reports.

The spider yields ``RecordItem`` (a parsed post in the ingest schema, not yet validated), ``ProblemItem`` (an
anti-bot answer, a bozo feed, an HTTP error …), ``ValidatorItem`` (a start page's HTTP
validators, or its 304 answer) and ``CoverageItem`` (how a keyword search window ended). The
item pipeline folds them into a ``CollectReport``, one ``SourceReport`` per source, whose
``posts`` are the validated ``PostInput`` objects, ready to triage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawlers.records import Problem, Record
from crawlers.search import Window
from pipeline.normalize import PostInput


@dataclass
class RecordItem:
    """One collected post in the ingest schema."""

    source: str
    record: Record


@dataclass
class ProblemItem:
    """Something that went wrong with a source during this crawl."""

    source: str
    kind: str
    detail: str
    url: str | None = None


@dataclass
class ValidatorItem:
    """HTTP validators of a source's start page (or that it answered 304 Not Modified)."""

    source: str
    url: str
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


@dataclass
class CoverageItem:
    """How one leaf window of a keyword search ended: ``complete``, ``truncated`` (over the page
    cap even at one hour) or ``failed`` (a refusal or an error: nothing after it was seen)."""

    source: str
    window: Window
    outcome: str
    detail: str = ""


@dataclass
class SourceReport:
    """One source's part of one crawl: its validated posts and what source health is built on."""

    collected: int = 0      # posts validated and kept (== len(posts))
    rejected: int = 0       # records that failed validation (reasons in reject_reasons)
    duplicates_in_crawl: int = 0  # the same post met again in this crawl, dropped
    not_modified: int = 0   # start pages that answered 304: nothing new, nothing fetched
    posts: list[PostInput] = field(default_factory=list)
    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    reject_reasons: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    search_window: Window | None = None          # the window a keyword search source covered
    windows: list[CoverageItem] = field(default_factory=list)  # its leaf windows' outcomes
    # A folder source's comments and the files it read (``pipeline.collect``; a crawl has none).
    comments: list[Any] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)
    # Filled in by whoever stores the posts (``pipeline.collect``), never by the crawl:
    new: int = 0            # stored as new posts
    duplicates: int = 0     # already stored before


@dataclass
class CollectReport:
    """What one crawl collected, per source. It stores nothing: the posts are handed back."""

    sources: dict[str, SourceReport] = field(default_factory=dict)

    def for_source(self, name: str) -> SourceReport:
        return self.sources.setdefault(name, SourceReport())

    @property
    def posts(self) -> list[PostInput]:
        """Every source's posts, source by source."""
        return [post for report in self.sources.values() for post in report.posts]
