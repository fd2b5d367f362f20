"""One runtime and one clock per flow run. The flow opens the runtime (settings, configuration,
one engine); each task works at the moment it starts (or at the time the run was given), so
what it records carries the time it happened; tasks use both: tasks still pass only small values (ISO times, paths), the runtime reaches
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


def run_clock(now: str | None) -> str | None:
    """The time a flow run was given (for trials and tests), as an ISO time; None when it was
    given none."""
    return parse_now(now).isoformat() if now is not None else None


def task_now(now: str | None) -> datetime:
    """The moment a task works at: the time the run was given, else the moment the task
    starts. Never the run's scheduled start: a run that waited for a free slot (or for a
    server that was down) would record its collection, detections, deadlines and deliveries
    as having happened before they did, and deadlines would start before anyone could have
    seen the post."""
    return parse_now(now) if now is not None else datetime.now(SHANGHAI)
