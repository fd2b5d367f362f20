"""Scheduled operation: thin Prefect flows over plain functions of ``pipeline.service``.

Each flow resolves its clock once and opens one runtime (``flows.runtime``); each task passes
only ISO times and small dicts; retries only on the task that does I/O to the outside (alert
delivery). Re-running any of them after a crash repeats no work: dispatch only moves ``new``
assignments, the outbox is keyed, deliveries are claimed one at a time.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from flows.runtime import flow_runtime, run_clock, task_now, task_runtime
from pipeline import service


def report(key: str, title: str, lines: list[str]) -> None:
    """What a run did, where operators look: the run's log and a markdown artifact in the UI."""
    logger = get_run_logger()
    for line in lines:
        logger.info(line)
    create_markdown_artifact(key=key, markdown="\n".join([f"### {title}", "", *(f"- {line}" for line in lines)]),
                             description=title)


@task(name="dispatch")
def dispatch_task(now: str | None) -> dict[str, int]:
    with task_runtime() as rt:
        return service.dispatch(rt, task_now(now))


@task(name="deliver-alerts", retries=2, retry_delay_seconds=5)
def alerts_task(now: str | None) -> dict[str, int]:
    with task_runtime() as rt:
        # Without a given time, each message is recorded at the moment it goes out.
        return service.deliver_alerts(rt, task_now(now), clock=None if now is not None else partial(task_now, None))


@task(name="sweep")
def sweep_task(now: str | None) -> dict[str, int]:
    with task_runtime() as rt:
        return service.sweep_deadlines(rt, task_now(now))


@task(name="special-reports")
def special_reports_task(now: str | None) -> list[str]:
    """舆情专报 for events that reached an urgent grade since the last look (after triage, in its
    own units of work); returns the report keys produced."""
    from pipeline.reports.service import produce_due_special_reports

    with task_runtime() as rt:
        produced = [r.key for r in produce_due_special_reports(rt, task_now(now))]
    if produced:
        report("special-reports", "舆情专报", [f"已生成并通知舆情分析员：{key}" for key in produced])
    return produced


@task(name="collect", retries=1, retry_delay_seconds=10)
def collect_task(now: str | None) -> dict[str, Any]:
    from pipeline.collect import collect_once

    with task_runtime() as rt:
        facts = collect_once(rt, rt.settings.config_dir / "sources.yaml", None, task_now(now), due_only=True)
    return {f.name: {"fetched": f.fetched, "new": f.new, "problems": len(f.problems),
                     "problem_details": [f"{k}: {d[:120]}" for k, d in f.problems[:3]]} for f in facts}


@flow(name="collect")
def collect_flow(now: str | None = None) -> dict[str, Any]:
    """Collect the sources whose adaptive polling time has come, then hand out new work."""
    at = run_clock(now)
    with flow_runtime():
        collected = collect_task(at)
        report("collect-summary", "采集结果", [
            f"{name}：抓取 {c['fetched']}，新增 {c['new']}" + (f"；问题：{'；'.join(c['problem_details'])}" if c["problems"] else "")
            for name, c in collected.items()] or ["没有到期的信息源"])
        result: dict[str, Any] = {"collected": collected, "dispatched": dispatch_task(at)}
        if any(c["new"] for c in collected.values()):
            result["special_reports"] = special_reports_task(at)
            result["alerts"] = alerts_task(at)  # 第一时间: urgent alerts (and the 专报 notice) go out in the same run
    return result


@flow(name="dispatch")
def dispatch_flow(now: str | None = None) -> dict[str, Any]:
    at = run_clock(now)
    with flow_runtime():
        return {"dispatched": dispatch_task(at)}


@flow(name="alerts")
def alerts_flow(now: str | None = None) -> dict[str, Any]:
    at = run_clock(now)
    with flow_runtime():
        special_reports_task(at)  # an analyst's regrade to 重大 also calls for a 专报
        return alerts_task(at)


@flow(name="sweep")
def sweep_flow(now: str | None = None) -> dict[str, Any]:
    at = run_clock(now)
    with flow_runtime():
        created = sweep_task(at)
        return {**created, "delivery": alerts_task(at)}  # new reminders go out in the same run


@task(name="retrain")
def retrain_task(now: str | None) -> list[dict[str, Any]]:
    with task_runtime() as rt:
        return service.retrain_models(rt, task_now(now))


@flow(name="retrain")
def retrain_flow(now: str | None = None) -> dict[str, str]:
    """Retrain the default models on the corpus plus the analysts' corrections; each is replaced
    (atomically) only if not worse on the same held-out data. Returns kind → version in place."""
    from classifiers.retraining import describe_decision

    at = run_clock(now)
    with flow_runtime():
        decisions = retrain_task(at)
        report("retrain-summary", "模型再训练", [describe_decision(d) for d in decisions])
    return {str(d["kind"]): str(d["version"]) for d in decisions}

