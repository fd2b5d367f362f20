"""``yuqing report``: one report on demand — 舆情日报 / 周报 / 月报, a 舆情专报 of one event, or a
考核通报 — as Word, Excel or a web page. The scheduled ones are produced by the ``reports``
flow; this command writes a file and records nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from yuqing.cli.common import EXIT_USAGE, fail, moment, out, runtime

if TYPE_CHECKING:
    from datetime import datetime

    from pipeline.reports.service import Spec

app = typer.Typer()

KINDS = ("daily", "weekly", "monthly", "event", "assessment")


def _spec(kind: str, date: str | None, event: int | None, period: str, at: datetime) -> Spec:
    from pipeline.reports.service import Spec
    from pipeline.rules.periods import PERIOD_KINDS, PeriodError, period_for

    if kind not in KINDS:
        raise fail(f"未知报告类型“{kind}”；可选：{'、'.join(KINDS)}", EXIT_USAGE)
    if kind == "event":
        if event is None:
            raise fail("舆情专报需要 --event 事件编号", EXIT_USAGE)
        return Spec("event", event_id=event)
    span = period if kind == "assessment" else kind
    if span not in PERIOD_KINDS:
        raise fail(f"--period 只能是 {'、'.join(PERIOD_KINDS)}", EXIT_USAGE)
    try:
        return Spec(kind, period_for(span, date, at))
    except PeriodError as exc:
        raise fail(str(exc), EXIT_USAGE) from exc


@app.command()
def report(
    kind: Annotated[str, typer.Argument(help="daily（日报）| weekly（周报）| monthly（月报）| event（专报）| assessment（考核通报）")],
    date: Annotated[str | None, typer.Option(
        help="日期：日报为当日，周报为该周任一天，月报与考核为月份（如 2026-11）；默认上一个完整周期")] = None,
    event: Annotated[int | None, typer.Option(help="事件编号（舆情专报）")] = None,
    fmt: Annotated[str, typer.Option("--format", help="docx（Word）| xlsx（Excel）| html（网页）")] = "docx",
    out_path: Annotated[Path | None, typer.Option("--out", help="输出文件，默认 $YUQING_STATE_DIR/reports/<类型>/")] = None,
    period: Annotated[str, typer.Option(help="考核通报的周期：monthly（月）| weekly（周）| daily（日）")] = "monthly",
    now: Annotated[str | None, typer.Option(help="当前时间（ISO），默认当前时间；数据截至此时")] = None,
) -> None:
    """生成一份报告：舆情日报 / 周报 / 月报、舆情专报或考核通报（Word、Excel 或网页）。"""
    from pipeline.queries.event_report import UnknownEvent
    from pipeline.reports.fonts import FontMissing
    from pipeline.reports.service import RENDERERS, build, reports_dir, write_atomically

    if fmt not in RENDERERS:
        raise fail(f"未知格式“{fmt}”；可选：{'、'.join(RENDERERS)}", EXIT_USAGE)
    at = moment(now)
    spec = _spec(kind, date, event, period, at)
    with runtime() as rt:
        try:
            doc = build(rt, spec, at)
        except UnknownEvent as exc:
            raise fail(str(exc), EXIT_USAGE) from exc
        except FontMissing as exc:
            raise fail(str(exc)) from exc
        path = out_path or reports_dir(rt, spec.kind) / f"{spec.stem}.{fmt}"
        write_atomically(path, RENDERERS[fmt](doc))
    out.print(f"已生成{escape(doc.title)}：{escape(str(path))}")
    out.print(escape(doc.summary), soft_wrap=True)
    for notice in doc.notices:
        out.print(f"[yellow]提示：{escape(notice)}[/yellow]", soft_wrap=True)
