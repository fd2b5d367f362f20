"""What the CLI tests share: the command run as a user runs it, in a pipe, and a SQLite
installation to run it against."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import Settings


def run(args: list[str], settings: Settings, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``yuqing ARGS`` in a pipe (80 columns: no COLUMNS from the terminal running the tests),
    against ``settings``' database, state and models, with ``env`` added."""
    environment = {**{k: v for k, v in os.environ.items() if k != "COLUMNS"}, "YUQING_DATABASE_URL": settings.database_url,
                   "YUQING_STATE_DIR": str(settings.state_dir), "YUQING_MODEL_DIR": str(settings.model_dir), **env}
    return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=300)


@pytest.fixture
def sqlite_settings(settings_for, migrated_sqlite) -> Settings:  # type: ignore[no-untyped-def]
    """Settings on a SQLite database at the newest revision (the commands would migrate it)."""
    settings: Settings = settings_for(migrated_sqlite("cli.db"))
    return settings
