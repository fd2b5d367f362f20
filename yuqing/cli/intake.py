"""Commands that take posts in: ingest and triage a file, run one cycle through Prefect, and
export what is stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yuqing.cli.common import EXIT_REJECTS, EXIT_USAGE, err, fail, moment, out, print_gaps, print_input_notes, progress, runtime, settings

app = typer.Typer()


def _ingest(file: Path, now: str | None, rejects: Path | None, output: Path | None) -> None:
    from pipeline.service import dispatch, ingest_file, write_output

    if not file.is_file():
        raise fail(f"文件不存在：{file}", EXIT_USAGE)
    s = settings()
    default_rejects = (output.with_suffix(".rejects.jsonl") if output
                       else s.state_dir / "rejects" / f"{file.stem}.rejects.jsonl")
    at = moment(now)
    with runtime() as rt:
        # The output is read back from storage afterwards, a chunk at a time (bounded memory).
        result = ingest_file(rt, file, at, rejects or default_rejects, progress, describe=False)
        dispatched = dispatch(rt, at)  # handed to the units now, as `serve` would (never left 待分发)
        if output is not None:
            write_output(rt, result.report, output, progress)
    report = result.report
    out.print(f"读取 {result.read} 条：新入库 {report.new_posts}，重复 {report.duplicates}，"
              f"拒收 {len(result.rejects)}；新事件 {report.events_created}，更新事件 {report.events_updated}，"
              f"新分办 {report.assignments_created}，时限 {report.deadlines_set}")
    out.print(f"已分发 {sum(dispatched.values())} 件至各单位待办")
    if output is not None:
        out.print(f"研判结果已写入 {escape(str(output))}")
    print_input_notes(report.notes)
    print_gaps(report.coverage_gaps)
    if result.rejects:
        for r in result.rejects[:20]:
            err.print(f"[yellow]第 {r.line} 行拒收：{escape(r.reason)}[/yellow]")
        if len(result.rejects) > 20:
            err.print(f"[yellow]… 另有 {len(result.rejects) - 20} 行被拒收[/yellow]")
        err.print(f"拒收记录已写入 {escape(str(result.rejects_path))}")
        raise typer.Exit(EXIT_REJECTS)


FORMATS = ("posts", "mediacrawler", "hotline12345")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="帖子文件；--format mediacrawler/hotline12345 时可为多个文件或文件夹")],
    now: Annotated[str | None, typer.Option(help="监测时间（ISO），默认当前时间")] = None,
    rejects: Annotated[Path | None, typer.Option(help="拒收记录文件")] = None,
    fmt: Annotated[str, typer.Option("--format", help="posts（本系统字段，默认）、mediacrawler、hotline12345")] = "posts",
    mapping: Annotated[Path | None, typer.Option(help="12345 热线导出的列对应关系（YAML），--format hotline12345 时必填")] = None,
) -> None:
    """入库、研判并分发帖子（有拒收时退出码为 3）；也可导入 MediaCrawler 的采集文件（含评论）与 12345 热线工单导出。"""
    if fmt not in FORMATS:
        raise fail(f"不支持的格式：{fmt}；可用：{'、'.join(FORMATS)}", EXIT_USAGE)
    if fmt == "posts":
        if len(paths) != 1:
            raise fail("--format posts 一次只能入库一个文件", EXIT_USAGE)
        _ingest(paths[0], now, rejects, None)
        return
    from yuqing.cli.imports import import_paths  # here: its readers load only when used

    import_paths(paths, fmt, mapping, now, rejects)


@app.command()
def triage(
    file: Annotated[Path, typer.Argument(help="JSONL 或 CSV 帖子文件")],
    output: Annotated[Path, typer.Option("--output", "-o", help="研判结果 JSONL")],
    now: Annotated[str | None, typer.Option(help="本文件帖子的监测时间（ISO）")] = None,
    rejects: Annotated[Path | None, typer.Option(help="拒收记录文件，默认 OUT.rejects.jsonl")] = None,
) -> None:
    """入库、研判、分发，并按输入顺序每条输出一行 JSON（有拒收时退出码为 3）。"""
    _ingest(file, now, rejects, output)


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="本轮要处理的帖子文件")],
    now: Annotated[str | None, typer.Option(help="监测时间（ISO）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 摘要（供脚本使用）")] = False,
) -> None:
    """通过 Prefect 运行一轮 入库 → 研判 → 分发（无需 Prefect 服务器）。"""
    if not file.is_file():
        raise fail(f"文件不存在：{file}", EXIT_USAGE)
    at = moment(now)
    from flows import quiet_prefect

    quiet_prefect()
    from flows.cycle import triage_cycle

    summary = triage_cycle(str(file.resolve()), at.isoformat())
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        raise typer.Exit(EXIT_REJECTS if summary.get("rejected") else 0)
    out.print(f"本轮：有效 {summary['valid']} 条，拒收 {summary['rejected']} 条；新入库 {summary['new_posts']}，"
              f"重复 {summary['duplicates']}；新事件 {summary['events_created']}，更新事件 {summary['events_updated']}，"
              f"新分办 {summary['assignments_created']}，时限 {summary['deadlines_set']}；"
              f"分发 {sum(summary['dispatched'].values())} 件")
    for gap in summary["coverage_gaps"]:
        err.print(f"[yellow]采集覆盖不完整：{escape(gap)}[/yellow]")
    if summary.get("rejected"):
        err.print(f"拒收记录已写入 {escape(str(summary['rejects_path']))}")
        raise typer.Exit(EXIT_REJECTS)


@app.command()
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件，默认标准输出")] = None,
    relevant_only: Annotated[bool, typer.Option(help="只导出相关事件")] = False,
) -> None:
    """导出事件（含帖子、分办与时限）为 JSONL。"""
    from pipeline.queries.export import export_events

    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    n = 0
    with runtime() as rt:
        for row in rt.stream(export_events, relevant_only):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    if output:
        fh.close()
        out.print(f"已导出 {n} 个事件到 {escape(str(output))}")
