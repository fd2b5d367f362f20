"""The state directory's files are the owner's alone from the moment they exist, whatever the
umask: the SQLite database (password and token hashes) with its -wal and -shm files, reports,
rejects files and the secret key."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.normalize import Reject, write_rejects
from pipeline.reports.service import write_atomically
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, migrate


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask, under which open() makes world-readable files."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_and_shm_are_0600(tmp_path: Path, open_umask: None) -> None:
    database = tmp_path / "state" / "yuqing.db"
    engine = make_engine(f"sqlite:///{database.as_posix()}")
    try:
        migrate(engine)
        with engine.connect() as conn:  # while a connection is open, the -wal and -shm files exist
            conn.execute(text("INSERT INTO units (name, kind) VALUES ('测试单位', 'department')"))
            files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}.migrate-lock")]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        engine.dispose()
    os.chmod(database, 0o640)  # an existing file keeps the mode its owner gave it
    make_engine(f"sqlite:///{database.as_posix()}").dispose()
    assert _mode(database) == 0o640


def test_reports_rejects_and_the_secret_key_are_0600(tmp_path: Path, open_umask: None) -> None:
    report = tmp_path / "state" / "reports" / "daily" / "2026-11-27.docx"
    write_atomically(report, b"report")
    rejects = tmp_path / "state" / "rejects" / "posts.rejects.jsonl"
    rejects.parent.mkdir(parents=True)
    write_rejects([Reject(line=1, reason="空文本", raw="{}")], rejects)
    settings = Settings.from_env({"YUQING_STATE_DIR": str(tmp_path / "state")})
    settings.secret()
    assert {p.name: _mode(p) for p in (report, rejects, tmp_path / "state" / "secret.key")} == {
        "2026-11-27.docx": 0o600, "posts.rejects.jsonl": 0o600, "secret.key": 0o600}
