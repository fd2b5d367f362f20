"""``yuqing deploy`` to a Prefect work pool, and two Prefect workers triaging and dispatching the
same backlog concurrently on PostgreSQL without processing anything twice.

A real ``prefect server`` (SQLite under the test's directory), the deployments registered by
the CLI, two ``prefect worker start`` processes polling the pool, and flow runs of the
``triage`` and ``dispatch`` deployments started at the same time over one shared inbox and
one PostgreSQL database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from flows.serve import start_server
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Assignment, AuditLog, Post

pytestmark = pytest.mark.slow
NOW = "2026-11-28T10:00:00+08:00"
POOL = "yuqing-test-pool"


@pytest.fixture
def prefect_api(settings_for: Any, tmp_path: Path) -> Iterator[str]:
    """A local Prefect server for this test; PREFECT_API_URL restored afterwards."""
    before = os.environ.get("PREFECT_API_URL")
    os.environ.pop("PREFECT_API_URL", None)
    server = start_server(settings_for(f"sqlite:///{(tmp_path / 'unused.db').as_posix()}"), None, lambda _: None)
    try:
        yield os.environ["PREFECT_API_URL"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


def _backlog(inbox: Path) -> int:
    """The demo posts split over six files, plus one file sent twice under another name."""
    lines = (PROJECT_ROOT / "data" / "sample" / "demo_posts.jsonl").read_text(encoding="utf-8").splitlines()
    inbox.mkdir(parents=True)
    for k in range(6):
        (inbox / f"part{k}.jsonl").write_text("\n".join(lines[k::6]) + "\n", encoding="utf-8")
    shutil.copy(inbox / "part0.jsonl", inbox / "part0-again.jsonl")
    return len({json.loads(line)["id"] for line in lines})


def _env(settings: Settings, api: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "YUQING_"))}
    config = tmp_path / "config"   # the project's configuration, minus external sources
    shutil.copytree(PROJECT_ROOT / "data" / "config", config)
    (config / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    env.update({"YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
                "YUQING_MODEL_DIR": str(settings.model_dir), "YUQING_CONFIG_DIR": str(config),
                "PREFECT_API_URL": api, "PREFECT_HOME": str(tmp_path / "prefect-client"),
                "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "COLUMNS": "200"})
    return env


def _wait(ids: list[Any], timeout: float) -> list[Any]:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = [client.read_flow_run(i) for i in ids]
            if all(r.state is not None and r.state.is_final() for r in runs) or time.monotonic() > deadline:
                return runs
            time.sleep(2)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_triage_and_dispatch_one_backlog_without_doing_anything_twice(
        db_url: str, settings_for: Any, prefect_api: str, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    settings = settings_for(db_url)
    unique_posts = _backlog(settings.state_dir / "inbox")
    env = _env(settings, prefect_api, tmp_path)
    cli = [sys.executable, "-m", "yuqing.cli"]
    deployed = subprocess.run([*cli, "deploy", "--pool", POOL, "--flow", "triage", "--flow", "dispatch", "--allow-missing-channels",
                               "--every", "86400"], env=env, capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "triage/triage" in deployed.stdout and "dispatch/dispatch" in deployed.stdout
    with get_client(sync_client=True) as client:
        names = {d.name: d for d in client.read_deployments()}
        assert {"triage", "dispatch"} <= set(names) and names["triage"].work_pool_name == POOL
        assert names["triage"].schedules, "the deployment keeps its schedule"

    logs = [(tmp_path / f"worker{k}.log").open("w") for k in (1, 2)]
    workers = [subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--name",
                                 f"worker-{k}", "--limit", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
               for k, log in zip((1, 2), logs, strict=True)]
    try:
        params = {"now": NOW}
        started = [run_deployment(f"{flow}/{flow}", parameters=params, timeout=0)
                   for flow in ("triage", "triage", "dispatch", "triage", "dispatch")]
        runs = _wait([r.id for r in started], timeout=400)
        with get_client(sync_client=True) as client:
            seen_workers = {w.name for w in client.read_workers_for_work_pool(POOL)}
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        for log in logs:
            log.close()
    worker_output = "".join((tmp_path / f"worker{k}.log").read_text()[-6000:] for k in (1, 2))
    states = [f"{r.name}: {r.state.type.value if r.state else None} {r.state.message if r.state else ''}" for r in runs]
    assert all(r.state is not None and r.state.is_completed() for r in runs), "\n".join([*states, worker_output])
    assert {"worker-1", "worker-2"} <= seen_workers

    inbox = settings.state_dir / "inbox"
    assert sorted(p.name for p in (inbox / "done").iterdir()) == sorted(
        [f"part{k}.jsonl" for k in range(6)] + ["part0-again.jsonl"])   # each file taken once
    assert not [p for p in inbox.iterdir() if p.is_file()] and not list((inbox / "processing").iterdir())
    engine = make_engine(db_url)
    try:
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(Post)) == unique_posts
            keys = Counter(s.execute(select(Assignment.event_id, Assignment.unit_id)).all())
            assert keys and max(keys.values()) == 1                  # no assignment twice, one role per unit
            statuses = Counter(s.scalars(select(Assignment.status)))
            assert "new" not in statuses and statuses["dispatched"] == sum(keys.values())  # all handed out
            handed = sum(sum(a.detail["after"].values())
                         for a in s.scalars(select(AuditLog).where(AuditLog.action == "dispatch")))
            dispatched = s.scalar(select(func.count()).select_from(Assignment)
                                  .where(Assignment.dispatched_at.is_not(None)))
            assert handed == dispatched          # every dispatched assignment was handed out once
    finally:
        engine.dispose()
