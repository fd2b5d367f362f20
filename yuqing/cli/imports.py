"""``yuqing ingest --format mediacrawler|hotline12345``: files people already have (MediaCrawler's
output, a county's 12345 export) read, triaged and stored, with a summary and every rejected
line's file, line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from pipeline.files import open_private
from pipeline.imports import Format, ImportBatch, MappingError, load_mapping
from yuqing.cli.common import EXIT_REJECTS, EXIT_USAGE, err, fail, moment, out, print_gaps, print_input_notes, progress, runtime, settings

REJECTS_SHOWN = 20


def import_paths(paths: list[Path], fmt: str, mapping_path: Path | None, now: str | None, rejects: Path | None) -> None:
    """Check the paths and mapping (usage errors exit 2), import, summarise (rejects exit 3)."""
    from pipeline.service import import_files

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"文件或文件夹不存在：{'、'.join(missing)}", EXIT_USAGE)
    if fmt == "hotline12345" and mapping_path is None:
        raise fail("--format hotline12345 需要 --mapping（列对应关系 YAML 文件）", EXIT_USAGE)
    try:
        mapping = load_mapping(mapping_path) if mapping_path is not None else None
    except MappingError as exc:
        raise fail(f"列对应关系文件有误：{exc}", EXIT_USAGE) from exc
    at = moment(now)
    file_format: Format = "hotline12345" if fmt == "hotline12345" else "mediacrawler"
    with runtime() as rt:
        batch, stored = import_files(rt, paths, file_format, mapping, at, progress)
    report = stored.report
    out.print(f"读取 {batch.files} 个文件：帖子 {len(batch.posts)} 条（新入库 {report.new_posts}，重复 {report.duplicates}），"
              f"评论 {len(batch.comments)} 条（新入库 {stored.comments_new}，重复 {stored.comments_duplicate}），"
              f"拒收 {len(batch.rejects)} 行；新事件 {report.events_created}，更新事件 {report.events_updated}，"
              f"新分办 {report.assignments_created}，时限 {report.deadlines_set}；留言回复记为回应 {stored.replies} 件")
    print_input_notes(report.notes)
    print_gaps(report.coverage_gaps)
    if batch.rejects:
        _report_rejects(batch, rejects or settings().state_dir / "rejects" / f"import-{at:%Y%m%d%H%M%S}.rejects.jsonl")
        raise typer.Exit(EXIT_REJECTS)


def _report_rejects(batch: ImportBatch, path: Path) -> None:
    for line in batch.reasons()[:REJECTS_SHOWN]:
        err.print(f"[yellow]拒收：{escape(line)}[/yellow]")
    if len(batch.rejects) > REJECTS_SHOWN:
        err.print(f"[yellow]… 另有 {len(batch.rejects) - REJECTS_SHOWN} 行被拒收[/yellow]")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path, "w", encoding="utf-8") as fh:
        for name, r in batch.rejects:
            fh.write(json.dumps({"file": name, "line": r.line, "reason": r.reason, "raw": r.raw}, ensure_ascii=False) + "\n")
    err.print(f"拒收记录已写入 {escape(str(path))}")
