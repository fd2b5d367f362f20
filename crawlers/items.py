"""What the collect spider yields and what one crawl reports.

The spider yields ``RecordItem`` (a parsed post in the ingest schema), ``ProblemItem`` (an
anti-bot answer, a bozo feed, an HTTP error …), ``ValidatorItem`` (a start page's HTTP
validators, or its 304 answer) and ``CoverageItem`` (how a keyword search window ended). The
item pipeline folds them into a ``CollectReport``, one ``SourceReport`` per source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawlers.records import Problem, Record
from crawlers.search import Window


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
    """Per-source counts of one crawl (what source health will be built on)."""

    collected: int = 0
    new: int = 0            # stored as new posts by ingest
    duplicates: int = 0     # already stored before this crawl
    rejected: int = 0
    duplicates_in_crawl: int = 0
    not_modified: int = 0   # start pages that answered 304: nothing new, nothing fetched
    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    reject_reasons: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    search_window: Window | None = None          # the window a keyword search source covered
    windows: list[CoverageItem] = field(default_factory=list)  # its leaf windows' outcomes


@dataclass
class CollectReport:
    """What one crawl did: per source, and what ingest stored."""

    sources: dict[str, SourceReport] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    new_posts: int = 0
    duplicates: int = 0
    ingest_rejects: list[str] = field(default_factory=list)
    ingested: bool = False

    def for_source(self, name: str) -> SourceReport:
        return self.sources.setdefault(name, SourceReport())
