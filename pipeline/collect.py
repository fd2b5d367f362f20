"""The collect unit of work (``yuqing collect`` and the collect flow): crawl the configured
sources once, then (after the crawl, in this thread) triage each source's validated posts in
one transaction per source, and record each source's run and health. One failing source never
stops the others from being crawled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crawlers.items import CollectReport
from crawlers.runner import collect
from crawlers.sources import Source, load_sources
from pipeline.actions.sources import record_run
from pipeline.config import load_config
from pipeline.queries.sources import covered_until_of, due_sources, validators_of
from pipeline.rules.health import RunFacts, WindowOutcome
from pipeline.service import initialise, triage_with_retry
from pipeline.settings import Settings
from pipeline.storage.db import engine_for, session_scope
from pipeline.triage import TriageContext


def select_sources(path: Path, names: list[str] | None) -> tuple[list[Source], str]:
    """The enabled sources of ``path`` (or the named ones); unknown names are an error."""
    spec = load_sources(path)
    if names:
        known = {s.name for s in spec.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"{path}: no source named {', '.join(unknown)}; sources are {', '.join(sorted(known))}")
        return [s for s in spec.sources if s.name in names], spec.user_agent
    return [s for s in spec.sources if s.enabled], spec.user_agent


def run_facts(sources: list[Source], report: CollectReport) -> list[RunFacts]:
    facts = []
    for s in sources:
        r = report.for_source(s.name)
        facts.append(RunFacts(name=s.name, platform=s.effective_platform, fetched=r.collected, new=r.new,
                              duplicates=r.duplicates, rejected=r.rejected, reject_reasons=list(r.reject_reasons),
                              problems=[(p.kind, p.detail) for p in r.problems], not_modified=r.not_modified,
                              validators=dict(r.validators), base_minutes=float(s.interval_minutes),
                              search_start=r.search_window.start if r.search_window else None,
                              windows=[WindowOutcome(w.window.start, w.window.end, w.outcome, w.detail)
                                       for w in r.windows]))
    return facts


def collect_once(settings: Settings, sources_path: Path, names: list[str] | None, now: datetime,
                 scrapy_settings: dict[str, object] | None = None, due_only: bool = False) -> list[RunFacts]:
    """Crawl the sources (with ``due_only``, those whose adaptive polling time has come),
    conditionally where their start pages gave validators before; store; record health."""
    sources, user_agent = select_sources(sources_path, names)
    initialise(settings)
    with engine_for(settings.database_url) as engine, session_scope(engine) as session:
        if due_only:
            due = set(due_sources(session, [s.name for s in sources], now))
            sources = [s for s in sources if s.name in due]
        validators = validators_of(session, [s.name for s in sources])
        covered = covered_until_of(session, [s.name for s in sources if s.is_search])
    if not sources:
        return []
    report = collect(sources, now, user_agent=user_agent, scrapy_settings=scrapy_settings, validators=validators,
                     covered_until=covered)
    store_posts(settings, report, now)
    facts = run_facts(sources, report)
    cfg = load_config(settings.config_dir)
    with engine_for(settings.database_url) as engine, session_scope(engine) as session:
        record_run(session, cfg, facts, now)
    return facts


def store_posts(settings: Settings, report: CollectReport, now: datetime) -> None:
    """Triage each source's posts in its own transaction, so that source health knows what each
    one brought that was new; fills in the sources' ``new`` and ``duplicates``."""
    ctx: TriageContext | None = None
    for counts in report.sources.values():
        if not counts.posts:
            continue
        ctx = ctx or TriageContext.build(settings, progress=lambda _: None)
        triage = triage_with_retry(settings, counts.posts, ctx, now)
        counts.new, counts.duplicates = triage.new_posts, triage.duplicates
