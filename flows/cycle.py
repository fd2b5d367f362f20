"""One monitoring cycle as a Prefect flow: ingest → triage → dispatch.

Each task calls one plain function of ``pipeline.service`` (tested without Prefect) and
passes only paths, ISO times and small dataclasses between tasks.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, task

from flows.operations import dispatch_task
from pipeline import service
from pipeline.settings import Settings
from pipeline.timeparse import parse_now


@task(name="ingest", retries=2, retry_delay_seconds=2)
def ingest_task(path: str, now: str | None) -> service.ValidatedFile:
    settings = Settings.from_env()
    rejects = settings.state_dir / "rejects" / f"{Path(path).stem}.rejects.jsonl"
    return service.validate_file(Path(path), parse_now(now), rejects)


@task(name="triage")
def triage_task(validated: service.ValidatedFile, now: str | None) -> dict[str, Any]:
    settings = Settings.from_env()
    # The ingest step already recorded the rejects; this step only triages the valid posts.
    result = service.ingest_file(settings, Path(validated.path), parse_now(now), None)
    r = result.report
    return {"new_posts": r.new_posts, "duplicates": r.duplicates, "events_created": r.events_created,
            "events_updated": r.events_updated, "assignments_created": r.assignments_created,
            "deadlines_set": r.deadlines_set, "coverage_gaps": [g["text"] for g in r.coverage_gaps]}


@flow(name="triage-cycle")
def triage_cycle(path: str, now: str | None = None) -> dict[str, Any]:
    validated = ingest_task(path, now)
    counts = triage_task(validated, now)
    dispatched = dispatch_task(now)
    return {**asdict(validated), **counts, "dispatched": dispatched}
