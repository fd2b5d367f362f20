"""``yuqing backup`` / ``restore`` / ``purge`` as an IT officer runs them, in a pipe at 80
columns: Chinese tables and messages, a refused restore into a non-empty database (exit 2), a
purge preview that changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from sqlalchemy import func, select

from pipeline.config import Config
from pipeline.runtime import Runtime
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.models import Post
from pipeline.triage import TriageContext
from tests.pipeline.month import triage_month, work_month
from tests.yuqing.conftest import run

LATER = "2027-03-15T09:00:00+08:00"
ROOT = str(PROJECT_ROOT)  # this checkout's code in the command, whatever the caller's PYTHONPATH


def _purged(rt: Runtime) -> int:
    with rt.session() as s:
        return int(s.scalar(select(func.count()).select_from(Post).where(Post.purged.is_not(None))) or 0)


def test_backup_restore_and_purge_commands(sqlite_settings: Settings, settings_for: Any, tmp_path: Path,
                                           runtime_for: Callable[[str], Runtime], ctx: TriageContext,
                                           cfg: Config) -> None:
    rt = runtime_for(sqlite_settings.database_url)
    triage_month(rt, ctx, 30)
    work_month(rt, cfg)
    archive = tmp_path / "backups" / "yuqing.tar.gz"
    done = run(["backup", "--out", str(archive)], sqlite_settings, tmp_path, PYTHONPATH=ROOT)
    assert done.returncode == 0, done.stderr
    assert "已备份到" in done.stdout and "事件" in done.stdout and "模型 topic" in done.stdout
    assert max(cell_len(line) for line in done.stdout.splitlines()) <= 80

    target = Settings.from_env({"YUQING_DATABASE_URL": f"sqlite:///{(tmp_path / 'new' / 'y.db').as_posix()}",
                                "YUQING_STATE_DIR": str(tmp_path / "new"), "YUQING_MODEL_DIR": str(tmp_path / "models")})
    restored = run(["restore", str(archive)], target, tmp_path, PYTHONPATH=ROOT)
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout and (tmp_path / "models" / "topic" / "model.json").is_file()
    again = run(["restore", str(archive)], target, tmp_path, PYTHONPATH=ROOT)
    assert again.returncode == 2 and "目标数据库不是空的" in again.stderr and "--force" in again.stderr
    missing = run(["restore", str(tmp_path / "nothing.tar.gz")], target, tmp_path, PYTHONPATH=ROOT)
    assert missing.returncode == 2 and "备份文件不存在" in missing.stderr

    preview = run(["purge", "--dry-run", "--now", LATER], sqlite_settings, tmp_path, PYTHONPATH=ROOT)
    assert preview.returncode == 0, preview.stderr
    assert "预览" in preview.stdout and "无关信息" in preview.stdout and _purged(rt) == 0
    assert max(cell_len(line) for line in preview.stdout.splitlines()) <= 80
    purged = run(["purge", "--now", LATER], sqlite_settings, tmp_path, PYTHONPATH=ROOT)
    assert purged.returncode == 0, purged.stderr
    assert _purged(rt) > 0 and f"{_purged(rt)}" in purged.stdout
