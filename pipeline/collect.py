"""The collect unit of work (``yuqing collect`` and the collect flow): crawl the configured
sources once, then (after the crawl, in this thread) triage each source's validated posts in
one transaction per source, and record each source's run and health. One failing source never
stops the others from being crawled."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from crawlers.items import CollectReport, SourceReport
from crawlers.records import Problem
from crawlers.runner import collect
from crawlers.sources import Source, load_sources
from pipeline.actions.files import record_files
from pipeline.actions.sources import record_run
from pipeline.imports import ImportBatch, MappingError, load_mapping
from pipeline.queries.sources import covered_until_of, due_sources, validators_of
from pipeline.rules.health import RunFacts, WindowOutcome
from pipeline.runtime import Runtime
from pipeline.service import read_folder, store_batch


def select_sources(path: Path, names: list[str] | None) -> tuple[list[Source], str]:
    """The enabled sources of ``path`` (or the named ones); unknown names are an error."""
    spec = load_sources(path)
    if names:
        known = {s.name for s in spec.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"{path}：没有名为 {'、'.join(unknown)} 的信息源；现有信息源：{'、'.join(sorted(known))}")
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
                              max_minutes=s.longest_interval,
                              search_start=r.search_window.start if r.search_window else None,
                              windows=[WindowOutcome(w.window.start, w.window.end, w.outcome, w.detail)
                                       for w in r.windows]))
    return facts


def collect_once(rt: Runtime, sources_path: Path, names: list[str] | None, now: datetime,
                 scrapy_settings: dict[str, object] | None = None, due_only: bool = False,
                 progress: Callable[[str], None] = lambda _: None) -> list[RunFacts]:
    """Crawl the sources (with ``due_only``, those whose adaptive polling time has come),
    conditionally where their start pages gave validators before; store; record health."""
    sources, user_agent = select_sources(sources_path, names)
    with rt.session() as session:
        if due_only:
            due = set(due_sources(session, [s.name for s in sources], now))
            sources = [s for s in sources if s.name in due]
        validators = validators_of(session, [s.name for s in sources])
        covered = covered_until_of(session, [s.name for s in sources if s.is_search])
    if not sources:
        return []
    progress(f"采集 {len(sources)} 个信息源")
    # robots.txt kept for its lifetime across runs (each scheduled run is a process of its own)
    crawl = {"YUQING_ROBOTS_CACHE": str(rt.settings.state_dir / "robots"), **(scrapy_settings or {})}
    fetched = [s for s in sources if s.kind != "folder"]
    report = collect(fetched, now, user_agent=user_agent, scrapy_settings=crawl, validators=validators,
                     covered_until=covered) if fetched else CollectReport()
    for source in sources:
        if source.kind == "folder":
            read_source_folder(rt, source, now, report.for_source(source.name), sources_path.parent)
    store_posts(rt, report, now, progress)
    facts = run_facts(sources, report)
    rt.act(record_run, rt.cfg, facts, now)
    return facts


def store_posts(rt: Runtime, report: CollectReport, now: datetime, progress: Callable[[str], None]) -> None:
    """Triage each source's posts in its own transaction, so that source health knows what each
    one brought that was new, then record the replies found with them and their comments; a
    folder's files are remembered once what they held is stored. Fills in ``new`` and
    ``duplicates``."""
    for name, counts in report.sources.items():
        if counts.posts or counts.comments:
            progress(f"研判 {name} 的 {len(counts.posts)} 条帖子")
            batch = ImportBatch(posts=counts.posts, comments=counts.comments)
            stored = store_batch(rt, batch, now)
            counts.new = stored.report.new_posts + stored.comments_new
            counts.duplicates = stored.report.duplicates + stored.comments_duplicate
        if counts.files:
            rt.act(record_files, name, counts.files, now)


def read_source_folder(rt: Runtime, source: Source, now: datetime, counts: SourceReport, config_dir: Path) -> None:
    """A ``folder`` source's new files as its part of this run (posts, comments, rejected
    lines); an unreadable folder or mapping is the run's problem, as a failed fetch is."""
    folder = Path(source.path or "")
    if not folder.is_dir():
        counts.problems.append(Problem("fetch_failed", f"文件夹不存在或无法读取：{folder}"))
        return
    try:
        mapping = load_mapping(config_dir / source.mapping) if source.mapping else None
    except MappingError as exc:
        counts.problems.append(Problem("malformed", str(exc)))
        return
    batch, stamps = read_folder(rt, source.name, folder, source.format, mapping, source.settle_seconds, now,
                                time.time())
    counts.posts, counts.comments = batch.posts, batch.comments
    counts.files = [(s, batch.per_file.get(s.path, (0, 0, 0))) for s in stamps]
    counts.collected, counts.rejected = len(batch.posts) + len(batch.comments), len(batch.rejects)
    counts.reject_reasons = batch.reasons()
