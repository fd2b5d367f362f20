"""Set-up of a fresh database by several processes at once (workers on several machines, two
flow runs): migrated and seeded once, without one of them failing."""

from __future__ import annotations

import multiprocessing
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from pipeline.config import Config
from pipeline.runtime import open_runtime
from pipeline.settings import Settings
from pipeline.storage.db import make_engine
from pipeline.storage.models import Unit


def _initialise(settings: Settings, barrier: multiprocessing.synchronize.Barrier, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    try:
        barrier.wait(timeout=60)
        with open_runtime(settings, prepare=False) as rt:
            queue.put(rt.prepare())
    except Exception as exc:  # reported to the test, which fails with it
        queue.put(f"{type(exc).__name__}: {exc}")


def test_concurrent_first_initialisations_all_succeed(empty_db_url: str, settings_for: Any, cfg: Config) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_initialise, args=(settings_for(empty_db_url), barrier, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    outcomes = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    units = len(cfg.units.townships) + len(cfg.units.departments)
    assert sum(outcomes) == units                  # each unit added by exactly one of them
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() is not None
            assert {"posts", "events", "coverage_gaps"} <= set(inspect(conn).get_table_names())
            assert conn.execute(select(func.count()).select_from(Unit)).scalar_one() == units
    finally:
        engine.dispose()


def test_scheduled_steps_work_on_a_fresh_database(empty_db_url: str, settings_for: Any) -> None:
    """A dispatch, sweep or alerts run may be the first thing to touch a new database: its
    runtime prepares the schema first."""
    from datetime import datetime

    from pipeline import service
    from pipeline.timeparse import SHANGHAI

    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    for step in (lambda rt: service.dispatch(rt, now) == {},
                 lambda rt: sum(service.sweep_deadlines(rt, now).values()) == 0,
                 lambda rt: service.deliver_alerts(rt, now, env={}) == {"sent": 0, "failed": 0, "pending": 0}):
        with open_runtime(settings_for(empty_db_url)) as rt:
            assert step(rt)
