"""Smoke test of the Prefect flow through Prefect's temporary local server (no server configured)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings

pytestmark = pytest.mark.slow


def test_run_executes_one_cycle_through_prefect(settings_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings: Settings = settings_for(f"sqlite:///{(tmp_path / 'flow.db').as_posix()}")
    src = tmp_path / "cycle.jsonl"
    src.write_text(json.dumps({"id": "f1", "platform": "weibo", "text": "崇头镇梯田景区停车场收费太贵，游客意见很大"},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
                "YUQING_MODEL_DIR": str(settings.model_dir), "PREFECT_HOME": str(tmp_path / "prefect"),
                "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"})
    cmd = [sys.executable, "-m", "yuqing.cli", "run", str(src), "--now", "2026-11-28T10:00:00+08:00"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "本轮：有效 1 条" in result.stdout and "新入库 1" in result.stdout and "分发" in result.stdout
    again = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=env, timeout=300)
    second = json.loads(again.stdout)
    assert second["new_posts"] == 0 and second["dispatched"] == {}
    # Prefect really ran both cycles: its own database records two completed triage-cycle runs
    # with their three tasks each.
    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as db:
        runs = db.execute("SELECT fr.state_type FROM flow_run fr JOIN flow f ON f.id = fr.flow_id "
                          "WHERE f.name = 'triage-cycle'").fetchall()
        tasks = db.execute("SELECT name, state_type FROM task_run").fetchall()
    assert runs == [("COMPLETED",), ("COMPLETED",)]
    assert sorted({k.split("-")[0] for k, _ in tasks}) == ["dispatch", "ingest", "triage"]
    assert all(state == "COMPLETED" for _, state in tasks) and len(tasks) == 6
