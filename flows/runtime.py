"""One runtime and one clock per flow run. The flow opens the runtime (settings, configuration,
one engine) and resolves ``now`` once — its scheduled start, or the time it was given — and
its tasks use both: tasks still pass only small values (ISO times, paths), the runtime reaches
them through a context variable, never as an argument."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from pipeline.runtime import Runtime, open_runtime
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI, parse_now

_CURRENT: ContextVar[Runtime | None] = ContextVar("yuqing_flow_runtime", default=None)


@contextmanager
def flow_runtime() -> Iterator[Runtime]:
    """The runtime of this flow run, shared by its tasks."""
    with open_runtime(Settings.from_env()) as rt:
        token = _CURRENT.set(rt)
        try:
            yield rt
        finally:
            _CURRENT.reset(token)


@contextmanager
def task_runtime() -> Iterator[Runtime]:
    """The flow run's runtime; a task called on its own opens one for itself."""
    rt = _CURRENT.get()
    if rt is not None:
        yield rt
        return
    with open_runtime(Settings.from_env()) as fresh:
        yield fresh


def run_clock(now: str | None) -> str:
    """The flow run's ``now`` as an ISO time, resolved once: the time given, else the run's
    scheduled start (so a run that waited in the queue still works to its own schedule), else
    the current time."""
    if now is not None:
        return parse_now(now).isoformat()
    scheduled: datetime | None = None
    try:
        from prefect.runtime import flow_run

        value = flow_run.scheduled_start_time
        scheduled = datetime.fromisoformat(str(value)) if not isinstance(value, datetime) else value
    except Exception:  # outside a flow run, or a Prefect without the attribute: the current time
        scheduled = None
    moment = scheduled if scheduled is not None and scheduled.tzinfo is not None else datetime.now(SHANGHAI)
    return moment.astimezone(SHANGHAI).isoformat()
