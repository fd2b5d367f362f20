"""Scheduled operation: thin Prefect flows over plain functions of ``pipeline.service``.

Each task passes only ISO times and small dicts; retries only on the task that does I/O to
the outside (alert delivery). Re-running any of them after a crash repeats no work: dispatch
only moves ``new`` assignments, the outbox is keyed, deliveries are claimed one at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, task

from pipeline import service
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI


def _moment(now: str | None) -> datetime:
    if now is None:
        return datetime.now(SHANGHAI)
    parsed = datetime.fromisoformat(now)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


@task(name="dispatch")
def dispatch_task(now: str | None) -> dict[str, int]:
    return service.dispatch(Settings.from_env(), _moment(now))


@task(name="deliver-alerts", retries=2, retry_delay_seconds=5)
def alerts_task(now: str | None) -> dict[str, int]:
    return service.deliver_alerts(Settings.from_env(), _moment(now))


@task(name="sweep")
def sweep_task(now: str | None) -> dict[str, int]:
    return service.sweep_deadlines(Settings.from_env(), _moment(now))


@flow(name="dispatch")
def dispatch_flow(now: str | None = None) -> dict[str, Any]:
    return {"dispatched": dispatch_task(now)}


@flow(name="alerts")
def alerts_flow(now: str | None = None) -> dict[str, Any]:
    return alerts_task(now)


@flow(name="sweep")
def sweep_flow(now: str | None = None) -> dict[str, Any]:
    created = sweep_task(now)
    return {**created, "delivery": alerts_task(now)}  # new reminders go out in the same run


FLOWS = {"dispatch": dispatch_flow, "alerts": alerts_flow, "sweep": sweep_flow}
