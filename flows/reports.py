"""The scheduled ``reports`` flow (08:00 Asia/Shanghai, ``schedules.yaml``): the periodic
reports due at the run's time — the previous day's 舆情日报, on Mondays the previous week's 周报,
on the 1st the previous month's 月报 and 考核通报 — and those of every 08:00 run missed since the
last report produced (the scheduler was stopped), then any 舆情专报 still due, then delivery of
their notices. Re-running it (or running it on several workers) produces and announces nothing
twice: each report is keyed (``pipeline.reports.service``)."""

from __future__ import annotations

from typing import Any

from prefect import flow, task

from flows.operations import alerts_task, report, special_reports_task
from flows.runtime import flow_runtime, run_clock, task_now, task_runtime


@task(name="periodic-reports")
def periodic_reports_task(now: str | None) -> list[dict[str, Any]]:
    """The reports due now, and those of any 08:00 run missed since the last one produced."""
    from flows.deployments import missed_runs
    from pipeline.queries.reports import last_periodic_report_at
    from pipeline.reports.service import produce_missed_periodic_reports

    at = task_now(now)
    with task_runtime() as rt:
        missed = missed_runs(rt.settings.config_dir, "reports", rt.read(last_periodic_report_at), at)
        produced = produce_missed_periodic_reports(rt, at, [*missed, at])
    return [{"key": r.key, "title": r.title, "files": r.files} for r in produced]


@flow(name="reports")
def reports_flow(now: str | None = None) -> dict[str, Any]:
    at = run_clock(now)
    with flow_runtime():
        periodic = periodic_reports_task(at)
        special = special_reports_task(at)
        report("reports-summary", "报告生成", [f"{r['title']}：{r['files'].get('docx', '')}" for r in periodic]
               or ["本次没有新的定期报告（已生成过）"])
        return {"periodic": periodic, "special": special, "delivery": alerts_task(at)}
