"""Commands that keep an installation for years: ``backup`` (database, models in use and
configuration in one archive with a manifest), ``restore`` (into an empty database unless told
to overwrite) and ``purge`` (personal data past the retention periods of ``retention.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli.common import EXIT_USAGE, fail, moment, out, progress, runtime, settings
from yuqing.cli.tables import print_backup, print_purge

app = typer.Typer()

Now = Annotated[str | None, typer.Option(help="当前时间（ISO），默认当前时间")]


@app.command()
def backup(
    out_file: Annotated[Path, typer.Option("--out", help="备份文件（.tar.gz）")],
    now: Now = None,
) -> None:
    """备份数据库、在用模型与配置为一个文件（含清单：版本、各表行数、校验和）。"""
    from pipeline.backup import BackupError, create_backup

    at = moment(now)
    try:
        manifest = create_backup(settings(), out_file, at, progress)
    except BackupError as exc:
        raise fail(str(exc)) from exc
    print_backup(manifest, f"已备份到 {out_file}")


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="yuqing backup 生成的备份文件")],
    force: Annotated[bool, typer.Option("--force", help="覆盖非空数据库及不同的模型、配置")] = False,
) -> None:
    """从备份恢复：只写入空数据库（--force 覆盖）；先核对校验和，恢复后核对各表行数并升级数据库。
    恢复前请先停止 serve 与 web 等服务。"""
    from pipeline.backup import BackupError, Refused, restore_backup

    if not archive.is_file():
        raise fail(f"备份文件不存在：{archive}", EXIT_USAGE)
    try:
        manifest = restore_backup(settings(), archive, force, progress)
    except Refused as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    except BackupError as exc:
        raise fail(str(exc)) from exc
    print_backup(manifest, f"已从 {archive} 恢复")


@app.command()
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将处理的数量，不做改动")] = False,
    now: Now = None,
) -> None:
    """按 retention.yaml 的保存期限分批删除或清除个人信息（记入审计；不动未办结事件的帖子）。"""
    from pipeline.queries.retention import purge_plan
    from pipeline.service import purge_personal_data

    at = moment(now)
    with runtime() as rt:
        plan = rt.read(purge_plan, rt.cfg.retention, at)
        done = None if dry_run else purge_personal_data(rt, at, progress)
    print_purge(plan, done)
    if dry_run:
        out.print("去掉 --dry-run 即执行；每批记入审计，事件、分办、时限与审计记录不变。")
