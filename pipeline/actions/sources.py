"""Recording a collection run: each source's run, its new health and coverage gaps, and an
alert to the analysts when a source turns for the worse."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.alerts import keys
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import AlertDraft
from pipeline.config import Config
from pipeline.coverage import record_outage, record_search
from pipeline.rules.health import HealthState, RunFacts, assess, next_poll
from pipeline.storage.models import Source, SourceRun
from pipeline.vocabulary import HEALTH_NAMES


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
        source.poll_minutes = next_poll(facts.base_minutes, source.poll_minutes, facts.new, after.consecutive_failures > 0,
                                        facts.max_minutes)
        source.next_due_at = now + timedelta(minutes=source.poll_minutes)
        if after.health in ("degraded", "down") and (before.health != after.health):
            text = f"信息源「{facts.name}」（{facts.platform}）状态：{HEALTH_NAMES[after.health]}。原因：{after.reason}"
            drafts.append(AlertDraft(key=keys.source_health(source.id, after.health, now.isoformat()), kind="source",
                                     recipient=cfg.alerts.analyst_recipient, urgent=False, payload={"text": text}))
        stored.append((source, run))
    write_alerts(session, drafts, cfg.alerts, now)
    return stored
