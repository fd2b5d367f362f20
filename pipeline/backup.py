"""Backup and restore of a whole installation: the database (SQLite's online backup API or
``pg_dump``'s custom format), the models in use and the business configuration, in one
``.tar.gz`` with a manifest — yuqing's version, the Alembic revision, the model versions, the
rows of each table and the SHA-256 of every file.

A restore checks every checksum first, writes only into an empty database (or one it is told to
overwrite), checks that the restored tables hold the rows the manifest states, then upgrades
the schema if the backup came from an older release. Models and configuration files that differ
from those in place are replaced only when told to overwrite."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from classifiers.registry import MODEL_FILE, SIDECAR, ModelError, publish, read_sidecar, sha256_file
from classifiers.training import KINDS
from pipeline.files import open_private
from pipeline.settings import Settings
from pipeline.storage.db import engine_for, migrate
from pipeline.storage.dump import DumpError, copy_in, copy_out, engine_name, loaded_contents, occupied
from pipeline.timeparse import SHANGHAI

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database/yuqing.sqlite", "postgresql": "database/yuqing.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SCHEDULED_PREFIX = "yuqing-backup-"

Progress = Callable[[str], None]


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message, in Chinese, says why."""


class Refused(BackupError):
    """A restore refused before anything was written: a damaged or foreign archive, another
    engine, a database that is not empty, models or configuration that differ (without force)."""


def app_version() -> str:
    try:
        return metadata.version("yuqing")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_backup(settings: Settings, out: Path, now: datetime, progress: Progress = lambda _: None) -> dict[str, Any]:
    """Write the installation's backup archive to ``out`` (atomically, mode 0600); returns its manifest."""
    engine = engine_name(settings.database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".backup-") as tmp:
        staging = Path(tmp)
        progress(f"复制数据库（{ENGINE_NAMES[engine]}）…")
        try:
            held = copy_out(settings.database_url, staging / DATABASE_FILES[engine])
        except DumpError as exc:
            raise BackupError(str(exc)) from exc
        progress("复制模型与配置…")
        models = _copy_models(settings.model_dir, staging / "models")
        _copy_files(settings.config_dir, staging / "config")
        manifest = {"format": FORMAT, "app": "yuqing", "app_version": app_version(), "created_at": now.isoformat(),
                    "engine": engine, "alembic_revision": held.revision, "models": models, "tables": held.tables,
                    "files": {p.relative_to(staging).as_posix(): sha256_file(p)
                              for p in sorted(staging.rglob("*")) if p.is_file()}}
        progress("写入备份文件…")
        _write_archive(staging, manifest, out)
    return manifest


def _copy_models(model_dir: Path, target: Path) -> dict[str, str]:
    """The models in use (each kind's current version, not the older ones kept beside it)."""
    versions: dict[str, str] = {}
    for kind in KINDS:
        current = (model_dir / kind).resolve()
        if not (current / SIDECAR).is_file():
            continue
        (target / kind).mkdir(parents=True)
        for name in (MODEL_FILE, SIDECAR):
            shutil.copyfile(current / name, target / kind / name)
        versions[kind] = str(read_sidecar(current)["version"])
    return versions


def _copy_files(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / path.relative_to(source))


def _write_archive(staging: Path, manifest: dict[str, Any], out: Path) -> None:
    part = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open_private(part, "wb") as handle, tarfile.open(fileobj=handle, mode="w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(datetime.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            for name in manifest["files"]:
                archive.add(staging / name, arcname=name, recursive=False)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def read_manifest(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack ``archive`` into ``into`` and check it: a yuqing backup, every file present with
    the checksum the manifest states, nothing else. Returns the manifest."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise Refused(f"备份文件不存在或缺少清单：{archive}") from exc
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as exc:
        raise Refused(f"不是可读的 yuqing 备份文件（{archive}）：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("app") != "yuqing" or manifest.get("format") != FORMAT:
        raise Refused(f"不是本版本可恢复的 yuqing 备份文件：{archive}")
    files = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    bad = sorted(name for name, digest in manifest["files"].items()
                 if name not in files or sha256_file(into / name) != digest)
    extra = sorted(files - set(manifest["files"]))
    if bad or extra:
        raise Refused(f"备份文件已损坏：{'、'.join([*bad, *extra][:5])} 的校验和与清单不符")
    return manifest


def restore_backup(settings: Settings, archive: Path, force: bool = False,
                   progress: Progress = lambda _: None) -> dict[str, Any]:
    """Restore ``archive`` into the configured database, model and configuration directories;
    refuses a database that is not empty and models or configuration files that differ from
    the backup's, unless ``force``. Returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="yuqing-restore-") as tmp:
        unpacked = Path(tmp)
        progress("校验备份文件…")
        manifest = read_manifest(archive, unpacked)
        _check_target(settings, manifest, unpacked, force)
        progress(f"恢复数据库（{ENGINE_NAMES[manifest['engine']]}）…")
        try:
            copy_in(settings.database_url, unpacked / DATABASE_FILES[manifest["engine"]], overwrite=force)
            held = loaded_contents(settings.database_url)
        except DumpError as exc:
            raise BackupError(str(exc)) from exc
        if held.tables != manifest["tables"] or held.revision != manifest["alembic_revision"]:
            raise BackupError("恢复后的数据与备份清单不符（各表行数或数据库版本不同），请检查数据库后重试")
        with engine_for(settings.database_url) as engine:
            migrate(engine)  # a backup of an older release is upgraded like ``yuqing init`` would
        progress("恢复模型与配置…")
        _place_models(unpacked / "models", settings.model_dir, force)
        _place_files(unpacked / "config", settings.config_dir, force)
    return manifest


def _check_target(settings: Settings, manifest: dict[str, Any], unpacked: Path, force: bool) -> None:
    engine = engine_name(settings.database_url)
    if manifest["engine"] != engine:
        raise Refused(f"备份来自 {ENGINE_NAMES.get(manifest['engine'], manifest['engine'])} 数据库，"
                          f"不能恢复到 {ENGINE_NAMES[engine]}：请把 YUQING_DATABASE_URL 指向同类数据库")
    if not force:
        with engine_for(settings.database_url) as eng:
            tables, rows = occupied(eng)
        if tables:
            raise Refused(f"目标数据库不是空的（已有 {tables} 张表，共 {rows} 行数据）：恢复只写入空数据库；"
                              f"确要用备份覆盖其中的全部数据，请加 --force")
        clashes = _model_clashes(unpacked / "models", settings.model_dir) + _file_clashes(
            unpacked / "config", settings.config_dir)
        if clashes:
            raise Refused(f"以下模型或配置与备份中的不同：{'、'.join(clashes[:6])}；确要用备份替换，请加 --force")


def _same_model(unpacked: Path, target: Path) -> bool:
    try:
        return sha256_file(unpacked / MODEL_FILE) == sha256_file(target.resolve() / MODEL_FILE)
    except OSError:
        return False


def _model_clashes(unpacked: Path, model_dir: Path) -> list[str]:
    kinds = sorted(p.name for p in unpacked.iterdir()) if unpacked.is_dir() else []
    return [f"模型 {kind}" for kind in kinds if (model_dir / kind).exists() and not _same_model(unpacked / kind, model_dir / kind)]


def _file_clashes(unpacked: Path, target: Path) -> list[str]:
    return [f"配置 {p.relative_to(unpacked).as_posix()}" for p in sorted(unpacked.rglob("*"))
            if p.is_file() and (target / p.relative_to(unpacked)).is_file()
            and sha256_file(p) != sha256_file(target / p.relative_to(unpacked))]


def _place_models(unpacked: Path, model_dir: Path, force: bool) -> None:
    """Each backed-up model published as the current version of its kind (atomically, as a
    retrained model is), unless the same model is in place already."""
    if not unpacked.is_dir():
        return
    model_dir.mkdir(parents=True, exist_ok=True)
    for source in sorted(unpacked.iterdir()):
        target = model_dir / source.name
        if target.exists() and _same_model(source, target):
            continue
        if target.exists() and not force:
            raise Refused(f"模型 {source.name} 与备份中的不同；确要替换，请加 --force")
        staging = model_dir / f".{source.name}.restore-{uuid.uuid4().hex[:6]}"
        shutil.copytree(source, staging)
        try:
            read_sidecar(staging)
        except ModelError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise BackupError(str(exc)) from exc
        publish(staging, target)


def _place_files(unpacked: Path, target: Path, force: bool) -> None:
    for path in sorted(unpacked.rglob("*")) if unpacked.is_dir() else []:
        if not path.is_file():
            continue
        dest = target / path.relative_to(unpacked)
        if dest.is_file() and sha256_file(dest) == sha256_file(path):
            continue
        if dest.is_file() and not force:
            raise Refused(f"配置 {dest} 与备份中的不同；确要替换，请加 --force")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def scheduled_backup(settings: Settings, directory: Path, keep: int, now: datetime,
                     progress: Progress = lambda _: None) -> dict[str, Any]:
    """The scheduled ``backup`` flow's work: a new archive named by its time (北京时间) in
    ``directory``, then only the newest ``keep`` of them kept. Returns what was written and removed."""
    if keep < 1:
        raise BackupError("保留份数（keep）至少为 1")
    out = directory / f"{SCHEDULED_PREFIX}{now.astimezone(SHANGHAI):%Y%m%d-%H%M%S}.tar.gz"
    manifest = create_backup(settings, out, now, progress)
    removed = prune_backups(directory, keep)
    return {"file": str(out), "rows": sum(manifest["tables"].values()), "removed": [str(p) for p in removed]}


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` scheduled backups of ``directory`` (by the time in
    their names); returns the removed ones. Other files are never touched."""
    found = sorted(directory.glob(f"{SCHEDULED_PREFIX}*.tar.gz"), key=lambda p: p.name, reverse=True)
    for old in found[keep:]:
        old.unlink()
    return found[keep:]
