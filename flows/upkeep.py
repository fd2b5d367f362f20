"""The scheduled upkeep of an installation (``schedules.yaml``): ``backup`` writes a backup
archive and keeps the newest N (``pipeline.backup.scheduled_backup``); ``purge`` applies the
retention periods of ``retention.yaml`` (``pipeline.service.purge_personal_data``). Thin: each
task calls one plain function, tested without Prefect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task

from flows.operations import report
from flows.runtime import flow_runtime, run_clock, task_now, task_runtime

DEFAULT_KEEP = 14


@task(name="backup")
def backup_task(now: str | None, keep: int, directory: str | None) -> dict[str, Any]:
    from pipeline.backup import scheduled_backup

    with task_runtime() as rt:
        target = Path(directory) if directory else rt.settings.state_dir / "backups"
        return scheduled_backup(rt.settings, target, keep, task_now(now))


@flow(name="backup")
def backup_flow(now: str | None = None, keep: int = DEFAULT_KEEP, directory: str | None = None) -> dict[str, Any]:
    """A backup archive under ``directory`` ($YUQING_STATE_DIR/backups by default), the newest
    ``keep`` kept."""
    at = run_clock(now)
    with flow_runtime():
        done = backup_task(at, keep, directory)
        report("backup-summary", "备份", [f"已备份到 {done['file']}（{done['rows']} 行数据）",
                                          *(f"已删除较早的备份 {p}" for p in done["removed"])])
    return done


@task(name="purge")
def purge_task(now: str | None) -> dict[str, int]:
    from pipeline.service import purge_personal_data

    with task_runtime() as rt:
        return purge_personal_data(rt, task_now(now))


@flow(name="purge")
def purge_flow(now: str | None = None) -> dict[str, int]:
    """Personal data past its retention period removed or masked, in audited batches."""
    at = run_clock(now)
    with flow_runtime():
        done = purge_task(at)
        report("purge-summary", "保存期限清理", [f"无关信息删除正文 {done['text']} 条",
                                                  f"已办结事件清除个人信息 {done['personal']} 条"])
    return done
