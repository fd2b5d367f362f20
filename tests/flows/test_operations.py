"""Smoke test of every scheduled flow through Prefect (temporary local server, one process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.settings import PROJECT_ROOT, Settings

SCRIPT = """
import json
from flows.deployments import ENTRYPOINTS, flow_of
now = "2026-11-28T10:00:00+08:00"
out = {name: (flow_of(name)(now) if name != "retrain" else flow_of(name)()) for name in ENTRYPOINTS}
print("RESULT" + json.dumps(out, ensure_ascii=False, default=str))
"""


@pytest.mark.slow
def test_every_flow_runs_through_prefect(settings_for: Any, tmp_path: Path) -> None:
    settings: Settings = settings_for(f"sqlite:///{(tmp_path / 'ops.db').as_posix()}")
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "data" / "config", config)
    (config / "sources.yaml").write_text("sources: []\n", encoding="utf-8")  # no external sources in tests
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
                "YUQING_MODEL_DIR": str(tmp_path / "models"), "YUQING_CONFIG_DIR": str(config),
                "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"})
    subprocess.run([sys.executable, "-m", "yuqing.cli", "init"], env=env, check=True, capture_output=True, timeout=120)
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    out = json.loads(result.stdout.split("RESULT", 1)[1])
    assert out["collect"]["collected"] == {} and out["dispatch"] == {"dispatched": {}}
    assert out["triage"] == {"files": [], "dispatched": None}   # an empty inbox
    assert out["alerts"] == {"sent": 0, "failed": 0, "pending": 0}
    assert out["sweep"]["reminders_and_overdue"] == 0
    assert set(out["retrain"]) == {"topic", "grade", "rumor", "categories", "sentiment"}
    # 08:00 schedule, run at 10:00 on a Saturday: yesterday's (empty) 舆情日报, written and announced
    assert [r["key"] for r in out["reports"]["periodic"]] == ["daily:2026-11-27"] and out["reports"]["special"] == []
    assert Path(out["reports"]["periodic"][0]["files"]["docx"]).is_file()
    assert out["reports"]["delivery"]["failed"] == 2   # to 县政府领导 and 舆情分析员; no channel configured here
    assert all((tmp_path / "models" / kind / "model.json").is_file() for kind in out["retrain"])
    backups = list((settings.state_dir / "backups").glob("yuqing-backup-*.tar.gz"))
    assert [str(p) for p in backups] == [out["backup"]["file"]] and out["backup"]["removed"] == []
    assert out["purge"] == {"text": 0, "personal": 0}


def test_a_trial_every_few_seconds_leaves_retraining_on_its_own_schedule() -> None:
    from flows.deployments import planned

    trial = {p.name: p.schedule for p in planned(PROJECT_ROOT / "data" / "config", every=10)}
    assert trial["alerts"].interval is not None and trial["alerts"].interval.total_seconds() == 10
    assert trial["retrain"].interval is None and trial["retrain"].cron == "0 3 * * 1"
    asked = {p.name: p.schedule for p in planned(PROJECT_ROOT / "data" / "config", every=10, only=["retrain"])}
    assert list(asked) == ["retrain"] and asked["retrain"].interval is not None
    assert trial["backup"].cron == "30 2 * * *" and trial["purge"].interval is None  # upkeep keeps its schedule


def test_the_backup_entry_gives_its_flow_how_many_to_keep(tmp_path: Path) -> None:
    from flows.deployments import local_deployments, planned
    from pipeline.config import ConfigError

    plans = {p.name: p for p in planned(PROJECT_ROOT / "data" / "config")}
    assert plans["backup"].parameters == {"keep": 14} and plans["purge"].parameters == {}
    deployment = next(d for d in local_deployments(PROJECT_ROOT / "data" / "config", None, ["backup"]))
    assert deployment.parameters == {"keep": 14}
    for entry, problem in (("{cron: '0 2 * * *', keep: 0}", "flows.backup.keep：应不小于 1"),
                           ("{cron: '0 2 * * *', kept: 3}", "flows.backup.kept：不认识的配置项")):
        (tmp_path / "schedules.yaml").write_text(f"flows:\n  backup: {entry}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=problem):
            planned(tmp_path)
