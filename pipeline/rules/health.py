"""Source health (pure rules): whether a source is ok, degraded or down after a collection run,
with the reason, and how often to poll it next.

``assess`` is a pure rule over one run's facts and the source's previous state; the
collectors hand their per-source report over as ``RunFacts`` (plain data: this module does
not know about Scrapy). Recording a run is ``pipeline.actions.sources.record_run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

BLOCKING = {"anti_bot": "反爬拦截", "login_required": "需要登录或 Cookie 失效", "rate_limited": "请求过于频繁被限流"}
FAILING = {"fetch_failed": "无法连接", "http_error": "HTTP 错误", "api_error": "接口返回错误"}
# The source answered, but not all of it could be read: degraded (what was usable is kept),
# yet not a failure that counts towards down.
PARSING = {"bozo_feed": "订阅源格式有误，只读出了部分内容"}


@dataclass(frozen=True)
class WindowOutcome:
    """How one leaf window of a keyword search ended: complete, truncated or failed."""

    start: datetime
    end: datetime
    outcome: str
    detail: str = ""


@dataclass(frozen=True)
class RunFacts:
    """One source's part of one collection run."""

    name: str
    platform: str
    fetched: int
    new: int
    duplicates: int
    rejected: int
    reject_reasons: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    not_modified: int = 0                      # start pages that answered 304
    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    base_minutes: float = 30.0                 # the configured polling interval
    max_minutes: float | None = None           # the longest wait between polls (None: 4 × base)
    search_start: datetime | None = None       # keyword search: the start of the window searched
    windows: list[WindowOutcome] = field(default_factory=list)  # keyword search: leaf windows


@dataclass(frozen=True)
class HealthState:
    health: str | None
    reason: str | None
    since: datetime | None
    consecutive_failures: int
    last_new_at: datetime | None


def assess(facts: RunFacts, before: HealthState, now: datetime, down_after: int = 3,
           stale_after: timedelta = timedelta(hours=48)) -> HealthState:
    """Blocking answers (anti-bot, login, rate limit) and fetch failures count as failures:
    degraded at once, down after ``down_after`` in a row. A feed that could not be parsed
    whole (feedparser's bozo) is degraded too, its usable items kept, but it is no failure:
    the count of failures starts again. A source that answers but has brought nothing new for
    ``stale_after`` is degraded (a dead mirror, a feed that stopped)."""
    blocking = [(k, d) for k, d in facts.problems if k in BLOCKING]
    failing = [(k, d) for k, d in facts.problems if k in FAILING]
    parsing = [(k, d) for k, d in facts.problems if k in PARSING]
    last_new = now if facts.new > 0 else before.last_new_at
    failures = 0
    if blocking or (failing and facts.fetched == 0):
        failures = before.consecutive_failures + 1
        kind, detail = (blocking or failing)[0]
        label = BLOCKING.get(kind) or FAILING[kind]
        health = "down" if failures >= down_after else "degraded"
        reason: str | None = f"{label}：{detail[:200]}（连续 {failures} 次）"
    elif parsing:
        kind, detail = parsing[0]
        health, reason = "degraded", f"{PARSING[kind]}：{detail[:200]}"
    elif _stale(last_new, before, now, stale_after):
        hours = int(stale_after.total_seconds() // 3600)
        health, reason = "degraded", f"超过 {hours} 小时没有新内容（源可能已停止更新）"
    else:
        health = "ok"
        reason = "；".join(f"{k}：{d[:80]}" for k, d in facts.problems[:3]) or None
    since = before.since if (before.health == health and before.since is not None) else now
    return HealthState(health, reason, since, failures, last_new)


def _stale(last_new: datetime | None, before: HealthState, now: datetime, stale_after: timedelta) -> bool:
    """Nothing new for ``stale_after``: since the last new post, or (never any) since the state began."""
    if last_new is not None:
        return now - last_new >= stale_after
    return before.health is not None and before.since is not None and now - before.since >= stale_after


def next_poll(base: float, current: float | None, new: int, failed: bool, longest: float | None = None) -> float:
    """Adaptive polling: twice as often while a source produces, gradually less often while
    it is quiet, backing off when it fails; always within a quarter of ``base`` and
    ``longest`` (the source's cap, never below ``base``; four times ``base`` when not given),
    so that a source that recovers is seen again soon."""
    cap = base * 4 if longest is None else max(base, longest)
    current = min(current or base, cap)
    if failed:
        value = current * 2
    elif new > 0:
        value = current / 2
    else:
        value = current * 1.5
    return max(base / 4, min(cap, value))
