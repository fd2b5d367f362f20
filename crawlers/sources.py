"""Collection sources: ``data/config/sources.yaml`` loaded and validated into ``Source`` objects.

A source needs only ``name``, ``kind`` and ``url``; everything else has a default. Errors name
the file and the offending entry (by position and name), never a bare traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crawlers.search import is_search_url
from pipeline.config.files import ConfigError, field_path, read_yaml, validated

SourceKind = Literal["feed", "weibo", "news_site", "wechat", "message_board", "folder"]
DEFAULT_PLATFORM: dict[str, str] = {"feed": "news", "weibo": "weibo", "news_site": "news", "wechat": "wechat",
                                    "message_board": "message_board", "folder": "file"}
FileFormat = Literal["mediacrawler", "hotline12345", "posts"]
MAX_DOWNLOAD_DELAY = 60.0  # seconds: slower than this, a run of max_pages pages outlasts any polling interval


class SourcesError(ConfigError):
    """``sources.yaml`` is missing, unreadable or invalid; the message names file and entry."""


class Selectors(BaseModel):
    """Site-specific CSS selectors for ``news_site`` pages (all optional; generic extraction otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    links: str | None = None       # on the list page: article links (``a`` elements or their parents)
    title: str | None = None
    body: str | None = None
    time: str | None = None
    source: str | None = None

    @field_validator("links", "title", "body", "time", "source")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        """Compiled as the extractor will use it (lxml's cssselect, HTML rules): a selector that
        cannot be compiled would otherwise match nothing, silently, on every run."""
        if value is not None:
            try:
                CSSSelector(value, translator="html")
            except SelectorError as exc:
                raise ValueError(f"CSS 选择器 {value!r} 无效：{exc}") from exc
        return value


class Source(BaseModel):
    """One place to collect from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    kind: SourceKind
    url: str | None = None                                 # every kind but folder
    path: str | None = None                                # folder: the directory watched
    format: FileFormat = "mediacrawler"                    # folder: what its files are
    mapping: str | None = None                             # folder of 12345 exports: the column mapping (YAML)
    settle_seconds: float = Field(default=60, ge=0, le=24 * 3600)  # folder: a file unchanged this long is complete
    urls: list[str] = Field(default_factory=list)          # more start URLs of the same source
    platform: str | None = None                            # default by kind: news / weibo / wechat
    interval_minutes: float = Field(default=30, ge=0.1, le=7 * 24 * 60)
    enabled: bool = True
    township: str | None = None                            # place hint: a township's own account
    unit: str | None = None                                # unit hint: the unit that runs the account
    follow_links: bool = True                              # feed items with only a title: fetch the article
    link_pattern: str | None = None                        # news_site: regex an article URL must match
    max_pages: int = Field(default=50, ge=1, le=10_000)    # news_site: articles per run; weibo: pages
    selectors: Selectors = Field(default_factory=Selectors)
    cookie_env: str | None = None                          # weibo: name of the env var holding the cookie
    # weibo keyword search (a containerid=100103… URL): how far back a first run (or a run after
    # a long outage) searches, and how much of the last covered window is searched again
    # because posts reach Weibo's search index late.
    search_lookback_hours: float = Field(default=24, ge=1, le=30 * 24)
    search_overlap_hours: float = Field(default=1, ge=0, le=48)
    user_agent: str | None = None
    # The longest wait between two polls, however long the source has been quiet or failing
    # (adaptive polling: ``pipeline.rules.health.next_poll``); default 4 × interval_minutes,
    # at most 60 minutes (never less than interval_minutes). Keep it short for urgent sources.
    max_interval_minutes: float | None = Field(default=None, ge=0.1, le=7 * 24 * 60)
    timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # Politeness of this source, when it must differ from the defaults (robots.txt, 2 requests
    # at once per domain, about 1 s between requests, AutoThrottle): seconds between its
    # requests (used as given: AutoThrottle does not change it), and requests at once.
    download_delay: float | None = Field(default=None, ge=0, le=MAX_DOWNLOAD_DELAY, strict=True)
    concurrency: int | None = Field(default=None, ge=1, le=16, strict=True)

    @field_validator("url", "urls")
    @classmethod
    def _http_urls(cls, value: str | list[str] | None) -> str | list[str] | None:
        for url in [] if value is None else [value] if isinstance(value, str) else value:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"不是 http(s) 网址：{url!r}")
        return value

    @field_validator("user_agent")
    @classmethod
    def _ascii_agent(cls, value: str | None) -> str | None:
        return None if value is None else ascii_user_agent(value)

    @field_validator("name")
    @classmethod
    def _stripped(cls, value: str) -> str:
        if value.strip() != value or not value.strip():
            raise ValueError("名称不能为空，前后不能有空格")
        return value

    @field_validator("link_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"link_pattern 不是有效的正则表达式：{exc}") from exc
        return value

    @model_validator(mode="after")
    def _kind_specific(self) -> Source:
        if self.cookie_env is not None and self.kind != "weibo":
            raise ValueError("cookie_env 只适用于 weibo 类信息源")
        if self.kind == "folder":
            if not self.path:
                raise ValueError("path：缺少此项（folder 类信息源要监视的文件夹）")
            if self.format == "hotline12345" and not self.mapping:
                raise ValueError("mapping：缺少此项（12345 热线导出文件的列对应关系 YAML 文件）")
        elif not self.url:
            raise ValueError("url：缺少此项")
        return self

    @property
    def longest_interval(self) -> float:
        """The cap of adaptive polling in minutes (see ``max_interval_minutes``)."""
        if self.max_interval_minutes is not None:
            return max(self.max_interval_minutes, self.interval_minutes)
        return max(self.interval_minutes, min(4 * self.interval_minutes, 60.0))

    @property
    def is_search(self) -> bool:
        """A Weibo keyword search, collected in time windows (``crawlers.search``)."""
        return self.kind == "weibo" and any(is_search_url(u) for u in self.start_urls)

    @property
    def effective_platform(self) -> str:
        return self.platform or DEFAULT_PLATFORM[self.kind]

    @property
    def download_slot(self) -> str | None:
        """Scrapy's download slot for this source's requests when it sets its own politeness
        (its start pages and every page it follows share it); None: the per-host default."""
        if self.download_delay is None and self.concurrency is None:
            return None
        return f"source:{self.name}"

    def slot_settings(self) -> dict[str, float]:
        """This source's entry of Scrapy's ``DOWNLOAD_SLOTS`` (only what it sets)."""
        settings: dict[str, float] = {}
        if self.download_delay is not None:
            settings["delay"] = self.download_delay
        if self.concurrency is not None:
            settings["concurrency"] = self.concurrency
        return settings

    @property
    def start_urls(self) -> list[str]:
        if self.url is None:  # a folder: nothing to fetch over HTTP
            return []
        return [self.url, *[u for u in self.urls if u != self.url]]


def ascii_user_agent(value: str) -> str:
    """A User-Agent header must be printable ASCII: raw Chinese arrives as mojibake on some
    servers and is refused by some firewalls (RFC 9110 field values are ASCII in practice)."""
    if not value.strip() or not all(32 <= ord(c) < 127 for c in value):
        raise ValueError("user_agent 只能使用英文字母、数字与 ASCII 标点（中文会在部分网站乱码或被防火墙拒绝），"
                         "例如 \"yuqing/0.1 (Yunhe County public opinion monitoring; +https://www.yunhe.gov.cn)\"")
    return value


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = "yuqing/0.1 (Yunhe County public opinion monitoring; +https://www.yunhe.gov.cn)"
    sources: list[Source]

    @field_validator("user_agent")
    @classmethod
    def _ascii_agent(cls, value: str) -> str:
        return ascii_user_agent(value)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for s in self.sources:
            if s.name in seen:
                raise ValueError(f"信息源名称重复：{s.name!r}")
            seen.add(s.name)
        return self


def _describe(raw: Any, loc: tuple[Any, ...]) -> str:
    """``sources[2] (云和发布): url`` from a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
        entries = raw.get("sources") if isinstance(raw, dict) else None
        name = None
        if isinstance(entries, list) and loc[1] < len(entries) and isinstance(entries[loc[1]], dict):
            name = entries[loc[1]].get("name")
        head = f"sources[{loc[1]}]" + (f" ({name})" if name else "")
        rest = ".".join(str(p) for p in loc[2:])
        return f"{head}：{rest}" if rest else head
    return field_path(raw, loc)


def parse_sources(raw: Any, origin: str = "sources.yaml") -> SourcesFile:
    """Validate already-decoded YAML; ``origin`` names the file in error messages."""
    return validated(SourcesFile, raw, origin, describe=_describe, top="顶层应为包含 sources 列表的映射", error=SourcesError)


def load_sources(path: Path) -> SourcesFile:
    """Read and validate a sources file (``data/config/sources.yaml`` by default)."""
    return parse_sources(read_yaml(path, SourcesError), str(path))
