"""Source health: what each collection run did per source, and whether the source is ok,
degraded or down, with the reason. Analysts are alerted (through the outbox) when a source
turns degraded or down.

``assess`` is a pure rule over one run's facts and the source's previous state; the
collectors hand their per-source report over as ``RunFacts`` (plain data: this module does
not know about Scrapy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.alerts import AlertDraft, write_alerts
from pipeline.config import Config
from pipeline.coverage import WindowOutcome, record_outage, record_search
from pipeline.models import Source, SourceRun

BLOCKING = {"anti_bot": "反爬拦截", "login_required": "需要登录或 Cookie 失效", "rate_limited": "请求过于频繁被限流"}
FAILING = {"fetch_failed": "无法连接", "http_error": "HTTP 错误", "api_error": "接口返回错误"}
HEALTH_NAMES = {"ok": "正常", "degraded": "降级", "down": "中断"}


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
    degraded at once, down after ``down_after`` in a row. A source that answers but has brought
    nothing new for ``stale_after`` is degraded (a dead mirror, a feed that stopped)."""
    blocking = [(k, d) for k, d in facts.problems if k in BLOCKING]
    failing = [(k, d) for k, d in facts.problems if k in FAILING]
    last_new = now if facts.new > 0 else before.last_new_at
    if blocking or (failing and facts.fetched == 0):
        failures = before.consecutive_failures + 1
        kind, detail = (blocking or failing)[0]
        label = BLOCKING.get(kind) or FAILING[kind]
        health = "down" if failures >= down_after else "degraded"
        reason = f"{label}：{detail[:200]}（连续 {failures} 次）"
    else:
        failures = 0
        stale = last_new is not None and now - last_new >= stale_after
        never = last_new is None and before.health is not None and before.since is not None \
            and now - before.since >= stale_after
        if stale or never:
            health = "degraded"
            hours = int(stale_after.total_seconds() // 3600)
            reason = f"超过 {hours} 小时没有新内容（源可能已停止更新）"
        else:
            health, reason = "ok", None
            if facts.problems:
                reason = "；".join(f"{k}：{d[:80]}" for k, d in facts.problems[:3])
    since = before.since if (before.health == health and before.since is not None) else now
    return HealthState(health, reason, since, failures, last_new)


def next_poll(base: float, current: float | None, new: int, failed: bool) -> float:
    """Adaptive polling: twice as often while a source produces, gradually less often while
    it is quiet, backing off when it fails; always within a quarter to four times ``base``."""
    current = current or base
    if failed:
        value = current * 2
    elif new > 0:
        value = current / 2
    else:
        value = current * 1.5
    return max(base / 4, min(base * 4, value))


def due_sources(session: Session, names: list[str], now: datetime) -> list[str]:
    """Of the configured sources ``names``, those never run or whose next poll is due."""
    next_due: dict[str, datetime | None] = {
        row.name: row.next_due_at
        for row in session.execute(select(Source.name, Source.next_due_at).where(Source.name.in_(names)))}
    return [n for n in names if (due := next_due.get(n)) is None or due <= now]


def validators_of(session: Session, names: list[str]) -> dict[str, dict[str, str | None]]:
    merged: dict[str, dict[str, str | None]] = {}
    stored: dict[str, Any] | None
    for stored in session.scalars(select(Source.http_validators).where(Source.name.in_(names))):
        merged.update(stored or {})
    return merged


def covered_until_of(session: Session, names: list[str]) -> dict[str, datetime | None]:
    """Keyword search sources: where each one's complete coverage ends."""
    stmt = select(Source.name, Source.search_covered_until).where(Source.name.in_(names))
    return {name: covered for name, covered in session.execute(stmt)}


def _record_coverage(session: Session, source: Source, facts: RunFacts, after: HealthState,
                     last_run: datetime | None, now: datetime) -> None:
    """A failed run opens (or extends) an outage gap; a search run moves its cursor."""
    if after.consecutive_failures > 0:
        record_outage(session, source, last_run, now, after.reason or "采集失败",
                      timedelta(minutes=facts.base_minutes))
    if facts.search_start is not None:
        record_search(session, source, facts.search_start, facts.windows, now)


def record_run(session: Session, cfg: Config, runs: list[RunFacts], now: datetime) -> list[tuple[Source, SourceRun]]:
    """Store each source's run and new health; alert the analysts on a turn for the worse."""
    stored: list[tuple[Source, SourceRun]] = []
    drafts: list[AlertDraft] = []
    for facts in runs:
        source = session.scalar(select(Source).where(Source.platform == facts.platform, Source.name == facts.name))
        if source is None:
            source = Source(platform=facts.platform, name=facts.name, local=facts.name in cfg.units.local_sources,
                            consecutive_failures=0)
            session.add(source)
            session.flush()
        before = HealthState(source.health, source.health_reason, source.health_since,
                             source.consecutive_failures or 0, source.last_new_at)
        after = assess(facts, before, now)
        _record_coverage(session, source, facts, after, source.last_run_at, now)
        run = SourceRun(source_id=source.id, started_at=now, fetched=facts.fetched, new=facts.new,
                        duplicates=facts.duplicates, rejected=facts.rejected,
                        problems=[{"kind": k, "detail": d} for k, d in facts.problems] +
                        [{"kind": "rejected", "detail": r} for r in facts.reject_reasons[:20]],
                        health=after.health or "ok", reason=after.reason)
        session.add(run)
        source.health, source.health_reason, source.health_since = after.health, after.reason, after.since
        source.consecutive_failures, source.last_new_at, source.last_run_at = after.consecutive_failures, \
            after.last_new_at, now
        if facts.validators:
            source.http_validators = {**(source.http_validators or {}), **facts.validators}
        source.poll_minutes = next_poll(facts.base_minutes, source.poll_minutes, facts.new, after.consecutive_failures > 0)
        source.next_due_at = now + timedelta(minutes=source.poll_minutes)
        if after.health in ("degraded", "down") and (before.health != after.health):
            text = f"信息源「{facts.name}」（{facts.platform}）状态：{HEALTH_NAMES[after.health]}。原因：{after.reason}"
            drafts.append(AlertDraft(key=f"source:{source.id}:{after.health}:{now.isoformat()}", kind="source",
                                     recipient=cfg.alerts.analyst_recipient, urgent=False, payload={"text": text}))
        stored.append((source, run))
    write_alerts(session, drafts, cfg.alerts, now)
    return stored


def source_table(session: Session) -> list[dict[str, Any]]:
    """Configured sources with their health, for ``yuqing sources``."""
    rows = []
    for s in session.scalars(select(Source).where(Source.health.is_not(None)).order_by(Source.name)):
        last = session.scalar(select(SourceRun).where(SourceRun.source_id == s.id).order_by(SourceRun.id.desc()).limit(1))
        rows.append({"name": s.name, "platform": s.platform, "health": s.health, "reason": s.health_reason,
                     "since": s.health_since, "last_run_at": s.last_run_at, "last_new_at": s.last_new_at,
                     "last_fetched": last.fetched if last else None, "last_new": last.new if last else None,
                     "last_rejected": last.rejected if last else None,
                     "search_covered_until": s.search_covered_until})
    return rows
