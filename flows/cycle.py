"""Triage as Prefect flows: one monitoring cycle over a file (``yuqing run``: ingest → triage →
dispatch), and the scheduled ``triage`` flow that takes in the files waiting in the inbox.

Each task calls one plain function of ``pipeline.service`` / ``pipeline.inbox`` (tested
without Prefect) and passes only paths, ISO times and small dataclasses between tasks.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, task

from flows.operations import dispatch_task, report, special_reports_task
from flows.runtime import flow_runtime, run_clock, task_now, task_runtime
from pipeline import inbox, service
from pipeline.settings import Settings


@task(name="ingest", retries=2, retry_delay_seconds=2)
def ingest_task(path: str, now: str | None) -> service.ValidatedFile:
    settings = Settings.from_env()
    rejects = settings.state_dir / "rejects" / f"{Path(path).stem}.rejects.jsonl"
    return service.validate_file(Path(path), task_now(now), rejects)


@task(name="triage")
def triage_task(validated: service.ValidatedFile, now: str | None) -> dict[str, Any]:
    # The ingest step already recorded the rejects; this step only triages the valid posts.
    with task_runtime() as rt:
        result = service.ingest_file(rt, Path(validated.path), task_now(now), None, describe=False)
    r = result.report
    return {"new_posts": r.new_posts, "duplicates": r.duplicates, "events_created": r.events_created,
            "events_updated": r.events_updated, "assignments_created": r.assignments_created,
            "deadlines_set": r.deadlines_set, "coverage_gaps": [g["text"] for g in r.coverage_gaps]}


@flow(name="triage-cycle")
def triage_cycle(path: str, now: str | None = None) -> dict[str, Any]:
    at = run_clock(now)
    with flow_runtime():
        validated = ingest_task(path, at)
        counts = triage_task(validated, at)
        dispatched = dispatch_task(at)
    return {**asdict(validated), **counts, "dispatched": dispatched}


@task(name="claim-inbox-file")
def claim_task(folder: str) -> str | None:
    claimed = inbox.claim(Path(folder))
    return str(claimed) if claimed is not None else None


@task(name="finish-inbox-file")
def finish_task(claimed: str) -> str:
    return str(inbox.finish(Path(claimed)))


@flow(name="triage")
def triage_flow(now: str | None = None, folder: str | None = None, max_files: int = 20) -> dict[str, Any]:
    """Triage the files waiting in the inbox (``$YUQING_STATE_DIR/inbox`` unless ``folder``),
    one claimed file at a time, then hand out the new work."""
    at = run_clock(now)
    folder = folder or str(Settings.from_env().state_dir / "inbox")
    Path(folder).mkdir(parents=True, exist_ok=True)
    inbox.reclaim(Path(folder))
    files: list[dict[str, Any]] = []
    with flow_runtime():
        for _ in range(max_files):
            claimed = claim_task(folder)
            if claimed is None:
                break
            validated = ingest_task(claimed, at)
            counts = triage_task(validated, at)
            files.append({"file": finish_task(claimed), **asdict(validated), **counts})
        gaps = sorted({gap for f in files for gap in f["coverage_gaps"]})
        report("triage-summary", "研判结果", [
            *(f"{Path(f['file']).name}：有效 {f['valid']}，拒收 {f['rejected']}，新入库 {f['new_posts']}，"
              f"新事件 {f['events_created']}，新分办 {f['assignments_created']}" for f in files),
            *(f"采集覆盖不完整：{gap}" for gap in gaps)] or ["收件箱中没有待研判的文件"])
        result: dict[str, Any] = {"files": files, "dispatched": dispatch_task(at) if files else None}
        if files:
            result["special_reports"] = special_reports_task(at)  # after the triage transaction, never in it
        return result
