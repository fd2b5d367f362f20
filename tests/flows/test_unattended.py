"""Running unattended: Prefect's own history bounded, and the runner's capacity messages kept
back unless runs are really late."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from flows.serve import PREFECT_RETENTION, QuietCapacity, server_environment


def _record(at: float, msg: str = "%d scheduled runs skipped (at capacity)") -> logging.LogRecord:
    record = logging.LogRecord("prefect.runner", logging.INFO, __file__, 1, msg, (2,), None)
    record.created = at
    return record


def test_capacity_messages_are_kept_back_unless_runs_wait_without_a_break() -> None:
    quiet = QuietCapacity(patience=300, gap=30)
    # every 20 s for 4 minutes, with breaks: nothing is said
    assert not any(quiet.filter(_record(t)) for t in [0, 20, 40, 100, 120, 200, 220, 240])
    # then without a break for 5 minutes: said once, as a warning with how long
    said = [t for t in range(260, 900, 10) if quiet.filter(_record(t))]
    assert said == [500, 800]  # the stretch began at 200 (the gap before it was 80 s); then once per 5 min
    assert quiet.filter(_record(1200)) is False  # after a 310 s break the stretch starts again
    other = _record(0, "Runner 'x' submitting flow run")
    assert quiet.filter(other) and other.levelno == logging.INFO


def test_the_warning_says_how_long_runs_waited() -> None:
    quiet = QuietCapacity(patience=60, gap=30)
    records = [_record(t) for t in range(0, 70, 10)]
    shown = [r for r in records if quiet.filter(r)]
    assert len(shown) == 1 and shown[0].levelname == "WARNING"
    assert "waited for a free slot for 60 s" in shown[0].getMessage()


def test_prefect_server_history_is_bounded(tmp_path: Path) -> None:
    env = server_environment(tmp_path / "prefect", {"PATH": "/usr/bin:/bin", "PREFECT_API_URL": "http://x/api"})
    assert "PREFECT_API_URL" not in env and env["PREFECT_HOME"] == str(tmp_path / "prefect")
    assert {k: env[k] for k in PREFECT_RETENTION} == PREFECT_RETENTION
    kept = server_environment(tmp_path, {"PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": "P14D"})
    assert kept["PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD"] == "P14D"  # the environment wins
    read = subprocess.run([sys.executable, "-c", (
        "import json; from prefect.settings import get_current_settings as g; s = g().server; "
        "v = s.services.db_vacuum; print(json.dumps([sorted(v.enabled), v.retention_period.total_seconds(), "
        "s.events.retention_period.total_seconds(), "
        "v.event_retention_overrides['prefect.flow-run.heartbeat'].total_seconds()]))")],
        env={**env, "DO_NOT_TRACK": "1"}, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(read.stdout.strip().splitlines()[-1]) == [["events", "flow_runs"], 3 * 86400, 86400, 6 * 3600]
