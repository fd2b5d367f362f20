"""The scheduled flows as Prefect deployments, from ``data/config/schedules.yaml``.

Two ways to run them: ``yuqing serve`` serves them from one process on one machine
(``local_deployments``), and ``yuqing deploy`` registers them with a Prefect server's
*process* work pool (``deploy_to_pool``), where ``prefect worker start --pool …`` on any
number of machines picks up their runs. Workers run the flows from the project's checkout at
the same path on every machine and share the project's PostgreSQL database; every flow is
safe to run on several workers at once (claims by atomic rename, ``UPDATE … RETURNING``,
``SKIP LOCKED``, keyed inserts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import yaml

from pipeline.config import ConfigError
from pipeline.settings import PROJECT_ROOT, Settings

# name -> (module file, flow function): the entry points workers load from the checkout.
ENTRYPOINTS: dict[str, tuple[str, str]] = {
    "collect": ("flows/operations.py", "collect_flow"),
    "triage": ("flows/cycle.py", "triage_flow"),
    "dispatch": ("flows/operations.py", "dispatch_flow"),
    "alerts": ("flows/operations.py", "alerts_flow"),
    "sweep": ("flows/operations.py", "sweep_flow"),
    "retrain": ("flows/operations.py", "retrain_flow"),
    "reports": ("flows/reports.py", "reports_flow"),
    "backup": ("flows/upkeep.py", "backup_flow"),
    "purge": ("flows/upkeep.py", "purge_flow"),
}

# Settings a flow takes from its entry in schedules.yaml besides its schedule (run parameters).
PARAMETERS: dict[str, frozenset[str]] = {"backup": frozenset({"keep", "directory"})}


# A trial with ``--every N`` runs the operational flows every N seconds; retraining keeps its
# own schedule (a retrain every few seconds would only burn the CPU the trial is watching)
# unless it is asked for by name.
TRIAL_EXEMPT = frozenset({"retrain", "backup", "purge"})


@dataclass(frozen=True)
class Planned:
    name: str
    schedule: Any  # prefect.schedules.Schedule
    parameters: dict[str, Any] = field(default_factory=dict)


def planned(config_dir: Path, every: float | None = None, only: list[str] | None = None) -> list[Planned]:
    """The flows of ``schedules.yaml`` with their schedules (cron in the file's time zone);
    ``every`` replaces the schedules by that interval in seconds (trial runs), except retrain's
    unless ``only`` names it."""
    from prefect.schedules import Cron, Interval

    path = config_dir / "schedules.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    flows = spec.get("flows") if isinstance(spec, dict) else None
    if not isinstance(flows, dict):
        raise ConfigError(f"{path}: expected a 'flows' mapping")
    unknown = sorted((set(flows) - set(ENTRYPOINTS)) | (set(only or []) - set(flows)))
    if unknown:
        raise ValueError(f"unknown flow(s) {unknown}; flows are {sorted(set(flows) & set(ENTRYPOINTS))}")
    tz = spec.get("timezone", "Asia/Shanghai")
    result = []
    for name, sched in flows.items():
        if only and name not in only:
            continue
        if every is not None and (name not in TRIAL_EXEMPT or (only and name in only)):
            schedule = Interval(every, timezone=tz)
        elif isinstance(sched, dict) and "cron" in sched:
            schedule = Cron(sched["cron"], timezone=tz)
        elif isinstance(sched, dict) and "interval_seconds" in sched:
            schedule = Interval(float(sched["interval_seconds"]), timezone=tz)
        else:
            raise ConfigError(f"{path}: flow {name!r} needs 'cron' or 'interval_seconds'")
        result.append(Planned(name, schedule, _parameters(path, name, sched)))
    return result


MAKE_UP_LIMIT = 40  # scheduled report runs made up at most (about a month and a week of 08:00 runs)


def missed_runs(config_dir: Path, name: str, since: datetime | None, now: datetime,
                limit: int = MAKE_UP_LIMIT) -> list[datetime]:
    """The times flow ``name`` was due by its cron in ``schedules.yaml`` after ``since`` and up
    to ``now`` (the newest ``limit``); none without ``since`` or without a cron."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from prefect.server.schemas.schedules import CronSchedule

    path = config_dir / "schedules.yaml"
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    sched = (spec.get("flows") or {}).get(name) if isinstance(spec, dict) else None
    if since is None or not isinstance(sched, dict) or "cron" not in sched or since >= now:
        return []
    schedule = CronSchedule(cron=sched["cron"], timezone=spec.get("timezone", "Asia/Shanghai"))
    # get_dates is a coroutine; run it on a thread of its own, whatever loop the caller runs in
    with ThreadPoolExecutor(max_workers=1) as pool:
        dates = pool.submit(asyncio.run, schedule.get_dates(n=1000, start=since, end=now)).result()
    return [datetime.fromisoformat(d.isoformat()) for d in dates if since < d <= now][-limit:]


def _parameters(path: Path, name: str, sched: dict[str, Any]) -> dict[str, Any]:
    given = {k: v for k, v in sched.items() if k not in ("cron", "interval_seconds")}
    unknown = sorted(set(given) - PARAMETERS.get(name, frozenset()))
    if unknown:
        raise ConfigError(f"{path}：流程 {name} 不认识的配置项 {'、'.join(unknown)}（是否拼写有误？）")
    keep = given.get("keep", 1)
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
        raise ConfigError(f"{path}：流程 {name} 的 keep 应为不小于 1 的整数（保留的备份份数）")
    return given


def require_models(settings: Settings) -> None:
    """Refuse to start the schedules without usable default models: triage would fail at its
    first post, hours later and only in a flow run's log. Checks the files without loading them;
    a ModelError names the command that trains them (``yuqing models``)."""
    from classifiers.training import check_default_models

    check_default_models(settings.training_corpus_dir, settings.model_dir)


def flow_of(name: str) -> Any:
    """The flow object of a scheduled flow (imported here: Prefect is imported late on purpose)."""
    import importlib

    module, function = ENTRYPOINTS[name]
    return getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), function)


def local_deployments(config_dir: Path, every: float | None, only: list[str] | None = None) -> list[Any]:
    """Deployments for ``prefect.serve`` in this process (``yuqing serve``)."""
    return [flow_of(p.name).to_deployment(name=p.name, schedules=[p.schedule], parameters=p.parameters)
            for p in planned(config_dir, every, only)]


def ensure_process_pool(pool: str) -> bool:
    """Create the process work pool unless it exists; True when it was created."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            existing = client.read_work_pool(pool)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
            return True
        if existing.type != "process":
            raise ValueError(f"work pool {pool!r} is of type {existing.type!r}; yuqing deploys to a process pool")
        return False


def deploy_to_pool(config_dir: Path, pool: str, every: float | None = None, only: list[str] | None = None,
                   source: Path = PROJECT_ROOT) -> list[str]:
    """Register the scheduled flows with the server at ``PREFECT_API_URL`` in work pool ``pool``
    (created as a process pool if missing); workers run them from ``source``. Re-running
    updates the deployments in place. Returns ``flow/deployment`` names."""
    from prefect import Flow

    ensure_process_pool(pool)
    names = []
    for p in planned(config_dir, every, only):
        module, function = ENTRYPOINTS[p.name]
        # Called from sync code, from_source returns the flow itself (not a coroutine).
        flow = cast("Flow[..., Any]", Flow.from_source(source=str(source), entrypoint=f"{module}:{function}"))
        flow.deploy(name=p.name, work_pool_name=pool, schedules=[p.schedule], parameters=p.parameters, build=False, push=False,
                    print_next_steps=False, tags=["yuqing"])
        names.append(f"{flow.name}/{p.name}")
    return names
