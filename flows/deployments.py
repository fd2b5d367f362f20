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

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from pipeline.config.files import load_file
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



# A trial with ``--every N`` runs the operational flows every N seconds; retraining keeps its
# own schedule (a retrain every few seconds would only burn the CPU the trial is watching)
# unless it is asked for by name.
TRIAL_EXEMPT = frozenset({"retrain", "backup", "purge"})


# --- schedules.yaml ------------------------------------------------------------------------------

class FlowSchedule(BaseModel):
    """One flow's entry: a cron (in the file's time zone) or an interval, not both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str | None = None
    interval_seconds: float | None = Field(default=None, gt=0)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        from prefect.schedules import Cron  # Prefect is imported late on purpose

        if value is not None:
            try:
                Cron(value)
            except ValueError as exc:
                raise ValueError(f"cron 表达式“{value}”无效（应为五段：分 时 日 月 周）") from exc
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> FlowSchedule:
        if (self.cron is None) == (self.interval_seconds is None):
            raise ValueError("应有 cron 或 interval_seconds（二者取一）")
        return self

    def parameters(self) -> dict[str, Any]:
        """The flow's run parameters given in its entry (besides its schedule)."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if k not in ("cron", "interval_seconds")}


class BackupSchedule(FlowSchedule):
    """The backup flow's entry also says how many archives to keep and where to write them."""

    keep: int = Field(default=1, ge=1, strict=True)  # backups kept (the newest)
    directory: str | None = None  # default: $YUQING_STATE_DIR/backups


def _flows_model() -> type[BaseModel]:
    """The ``flows`` mapping: one optional entry per scheduled flow (ENTRYPOINTS); any other
    name is an error naming it."""
    entry = {"backup": BackupSchedule}
    fields: dict[str, Any] = {name: (entry.get(name, FlowSchedule) | None, None) for name in ENTRYPOINTS}
    return create_model("FlowsSchedule", __config__=ConfigDict(extra="forbid", frozen=True), **fields)


class SchedulesFile(BaseModel):
    """``data/config/schedules.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "Asia/Shanghai"
    flows: _flows_model()  # type: ignore[valid-type]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知时区“{value}”（例如 Asia/Shanghai）") from exc
        return value

    def entries(self) -> dict[str, FlowSchedule]:
        """The flows given a schedule, by name."""
        return {name: entry for name in ENTRYPOINTS if (entry := getattr(self.flows, name)) is not None}


def load_schedules(config_dir: Path) -> SchedulesFile:
    """``schedules.yaml`` read and validated; a ConfigError names the file and the field."""
    return load_file(SchedulesFile, config_dir / "schedules.yaml")


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

    spec = load_schedules(config_dir)
    flows = spec.entries()
    unknown = sorted(set(only or []) - set(flows))
    if unknown:
        raise ValueError(f"unknown flow(s) {unknown}; flows are {sorted(flows)}")
    result = []
    for name, sched in flows.items():
        if only and name not in only:
            continue
        if every is not None and (name not in TRIAL_EXEMPT or (only and name in only)):
            schedule = Interval(every, timezone=spec.timezone)
        elif sched.cron is not None:
            schedule = Cron(sched.cron, timezone=spec.timezone)
        else:
            assert sched.interval_seconds is not None
            schedule = Interval(sched.interval_seconds, timezone=spec.timezone)
        result.append(Planned(name, schedule, sched.parameters()))
    return result


MAKE_UP_LIMIT = 40  # scheduled report runs made up at most (about a month and a week of 08:00 runs)


def missed_runs(config_dir: Path, name: str, since: datetime | None, now: datetime,
                limit: int = MAKE_UP_LIMIT) -> list[datetime]:
    """The times flow ``name`` was due by its cron in ``schedules.yaml`` after ``since`` and up
    to ``now`` (the newest ``limit``); none without ``since`` or without a cron."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from prefect.server.schemas.schedules import CronSchedule

    spec = load_schedules(config_dir)
    sched = spec.entries().get(name)
    if since is None or sched is None or sched.cron is None or since >= now:
        return []
    schedule = CronSchedule(cron=sched.cron, timezone=spec.timezone)
    # get_dates is a coroutine; run it on a thread of its own, whatever loop the caller runs in
    with ThreadPoolExecutor(max_workers=1) as pool:
        dates = pool.submit(asyncio.run, schedule.get_dates(n=1000, start=since, end=now)).result()
    return [datetime.fromisoformat(d.isoformat()) for d in dates if since < d <= now][-limit:]


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
