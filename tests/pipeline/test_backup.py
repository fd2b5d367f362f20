"""Backup → restore on both engines: the restored installation gives the same export, the same
考核 figures and the same model versions; a non-empty database, a damaged archive and another
engine are refused in Chinese; scheduled backups keep the newest N."""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from classifiers.registry import read_sidecar
from classifiers.training import KINDS
from pipeline.backup import BackupError, create_backup, prune_backups, restore_backup, scheduled_backup
from pipeline.config import Config
from pipeline.queries.assessment import assessment_figures
from pipeline.queries.export import export_events
from pipeline.runtime import Runtime
from pipeline.settings import Settings
from pipeline.triage import TriageContext
from tests.conftest import postgres_database
from tests.pipeline.month import AFTER, MONTH, triage_month, work_month


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same engine: where the backup is restored."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{(tmp_path / 'restored' / 'yuqing.db').as_posix()}"
        return
    with postgres_database("yuqing_restore") as url:
        yield url


def _restore_settings(settings: Settings, url: str, tmp_path: Path) -> Settings:
    env = {"YUQING_DATABASE_URL": url, "YUQING_STATE_DIR": str(tmp_path / "restored-state"),
           "YUQING_MODEL_DIR": str(tmp_path / "restored-models"), "YUQING_CONFIG_DIR": str(settings.config_dir)}
    return Settings.from_env(env)


def _picture(rt: Runtime) -> tuple[list[dict[str, Any]], Any]:
    exported = list(rt.stream(export_events, False))
    figures = rt.read(assessment_figures, MONTH, AFTER)
    assert figures.units and figures.late_cases  # a month with work on time and late
    return exported, figures


def test_backup_restores_the_same_installation(db_url: str, other_url: str, runtime_for: Callable[[str], Runtime],
                                               settings_for: Any, ctx: TriageContext, cfg: Config,
                                               tmp_path: Path) -> None:
    rt = runtime_for(db_url)
    triage_month(rt, ctx, 60)
    work_month(rt, cfg)
    before = _picture(rt)
    archive = tmp_path / "out" / "backup.tar.gz"
    manifest = create_backup(settings_for(db_url), archive, AFTER)
    assert archive.stat().st_mode & 0o077 == 0
    assert manifest["alembic_revision"] and manifest["tables"]["posts"] > 100 and manifest["tables"]["audit_log"] > 0
    assert set(manifest["models"]) == set(KINDS) and {"users", "api_tokens", "deadlines"} <= set(manifest["tables"])
    assert any(name.startswith("config/") for name in manifest["files"])

    target = _restore_settings(settings_for(db_url), other_url, tmp_path)
    restored = restore_backup(target, archive)
    assert restored == manifest
    assert {kind: read_sidecar(target.model_dir / kind)["version"] for kind in KINDS} == manifest["models"]
    assert _picture(runtime_for(other_url)) == before

    with pytest.raises(BackupError, match="目标数据库不是空的"):
        restore_backup(target, archive)
    restore_backup(target, archive, force=True)  # told to overwrite: the same installation again
    assert _picture(runtime_for(other_url)) == before


def test_a_damaged_archive_or_another_engine_is_refused(
        migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Path, cfg: Config,
        runtime_for: Callable[[str], Runtime]) -> None:
    url = migrated_sqlite("a.db")
    runtime_for(url)
    archive = tmp_path / "a.tar.gz"
    create_backup(settings_for(url), archive, AFTER)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name.startswith("config/units"):
                member.size = 3
                data = __import__("io").BytesIO(b"bad")
            dst.addfile(member, data)
    fresh = _restore_settings(settings_for(url), f"sqlite:///{(tmp_path / 'b.db').as_posix()}", tmp_path)
    with pytest.raises(BackupError, match="已损坏"):
        restore_backup(fresh, damaged)
    on_pg = _restore_settings(settings_for(url), "postgresql+psycopg://postgres@127.0.0.1:5432/none", tmp_path)
    with pytest.raises(BackupError, match="备份来自 SQLite 数据库，不能恢复到 PostgreSQL"):
        restore_backup(on_pg, archive)


def test_scheduled_backups_keep_the_newest(migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Path,
                                           runtime_for: Callable[[str], Runtime]) -> None:
    url = migrated_sqlite("a.db")
    runtime_for(url)
    (tmp_path / "backups").mkdir()
    (tmp_path / "backups" / "other.tar.gz").write_bytes(b"not ours")
    from datetime import timedelta

    made = [scheduled_backup(settings_for(url), tmp_path / "backups", 2, AFTER + timedelta(days=d)) for d in range(3)]
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert kept == ["other.tar.gz", Path(made[1]["file"]).name, Path(made[2]["file"]).name]
    assert made[2]["removed"] == [made[0]["file"]]
    assert prune_backups(tmp_path / "backups", 2) == []
