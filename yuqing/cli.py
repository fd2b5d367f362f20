"""The ``yuqing`` command: a thin Typer shell over the packages. Tables and messages for
people are in Chinese; one Session per command, opened here."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="云和县政务舆情监测与分办 (yuqing)")
out = Console()
err = Console(stderr=True)
EXIT_REJECTS = 3

GRADE_STYLE = {"特别重大": "bold red", "重大": "red", "较大": "yellow", "一般": "green"}


def _styled(text: str, style: str) -> str:
    return f"[{style}]{escape(text)}[/]" if style else escape(text)


def _settings() -> Settings:
    return Settings.from_env()


def _now(value: str | None) -> datetime:
    from pipeline.timeparse import parse_now

    try:
        return parse_now(value)
    except ValueError:
        err.print(f"[red]--now 不是 ISO 时间：{escape(str(value))}[/red]")
        raise typer.Exit(2) from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]错误：{escape(message)}[/red]")
    return typer.Exit(code)


def _engine(settings: Settings) -> Any:
    from pipeline.storage.db import make_engine

    return make_engine(settings.database_url)


def _progress(message: str) -> None:
    err.print(f"[dim]… {escape(message)}[/dim]")


@app.command()
def models() -> None:
    """训练或校验内置默认模型（语料变化或库版本变化时重新训练）。"""
    from classifiers.tokenize import Tokenizer
    from classifiers.training import DataError, ensure_default_models

    settings = _settings()
    try:
        loaded = ensure_default_models(settings.training_corpus_dir, settings.model_dir,
                                       Tokenizer(settings.userdict_path).load(), _progress)
    except DataError as exc:
        raise _fail(str(exc)) from exc
    for kind, model in loaded.items():
        holdout = model.meta.get("holdout") or {}
        score = f"，留出集 macro-F1 {holdout['macro_f1']}" if holdout else ""
        out.print(f"{kind}: {model.version}（{model.meta['n_samples']} 条样本{score}）")


@app.command()
def init() -> None:
    """创建或升级数据库，并写入单位名录。"""
    from pipeline.config import ConfigError
    from pipeline.service import initialise

    settings = _settings()
    try:
        added = initialise(settings)
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"数据库已就绪：{escape(settings.database_url)}（新增单位 {added} 个）")


def _ingest(file: Path, now: str | None, rejects: Path | None, output: Path | None) -> None:
    from classifiers.registry import ModelError
    from classifiers.training import DataError
    from pipeline.config import ConfigError
    from pipeline.service import ingest_file

    settings = _settings()
    if not file.is_file():
        raise _fail(f"文件不存在：{file}", 2)
    default_rejects = (output.with_suffix(".rejects.jsonl") if output
                       else settings.state_dir / "rejects" / f"{file.stem}.rejects.jsonl")
    try:
        result = ingest_file(settings, file, _now(now), rejects or default_rejects, _progress)
    except (ConfigError, ModelError, DataError) as exc:
        raise _fail(str(exc)) from exc
    report = result.report
    if output is not None:
        with output.open("w", encoding="utf-8") as fh:
            for item in report.items:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    out.print(f"读取 {result.read} 条：新入库 {report.new_posts}，重复 {report.duplicates}，"
              f"拒收 {len(result.rejects)}；新事件 {report.events_created}，更新事件 {report.events_updated}，"
              f"新分办 {report.assignments_created}，时限 {report.deadlines_set}")
    if output is not None:
        out.print(f"研判结果已写入 {escape(str(output))}")
    print_gaps(report.coverage_gaps)
    if result.rejects:
        for r in result.rejects[:20]:
            err.print(f"[yellow]第 {r.line} 行拒收：{escape(r.reason)}[/yellow]")
        if len(result.rejects) > 20:
            err.print(f"[yellow]… 另有 {len(result.rejects) - 20} 行被拒收[/yellow]")
        err.print(f"拒收记录已写入 {escape(str(result.rejects_path))}")
        raise typer.Exit(EXIT_REJECTS)


def print_gaps(gaps: list[dict[str, str]]) -> None:
    """Coverage gaps overlapping what was just triaged: the picture of those spans is incomplete."""
    if gaps:
        err.print(f"[yellow]注意：以下 {len(gaps)} 个时段的采集覆盖不完整，研判结果可能遗漏相关帖子：[/yellow]")
        for gap in gaps:
            err.print(f"[yellow]  · {escape(gap['text'])}[/yellow]")


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(help="JSONL 或 CSV 帖子文件")],
    now: Annotated[str | None, typer.Option(help="监测时间（ISO），默认当前时间")] = None,
    rejects: Annotated[Path | None, typer.Option(help="拒收记录文件")] = None,
) -> None:
    """入库并研判帖子（有拒收时退出码为 3）。"""
    _ingest(file, now, rejects, None)


@app.command()
def triage(
    file: Annotated[Path, typer.Argument(help="JSONL 或 CSV 帖子文件")],
    output: Annotated[Path, typer.Option("--output", "-o", help="研判结果 JSONL")],
    now: Annotated[str | None, typer.Option(help="本文件帖子的监测时间（ISO）")] = None,
    rejects: Annotated[Path | None, typer.Option(help="拒收记录文件，默认 OUT.rejects.jsonl")] = None,
) -> None:
    """入库、研判，并按输入顺序每条输出一行 JSON（有拒收时退出码为 3）。"""
    _ingest(file, now, rejects, output)


@app.command()
def queue(
    unit: Annotated[str, typer.Option("--unit", "-u", help="单位名称，如 石塘镇、县交通运输局")],
    now: Annotated[str | None, typer.Option(help="计算剩余时间所用的当前时间（ISO）")] = None,
) -> None:
    """某单位待办事项，最紧急的在前，显示剩余时间。"""
    from pipeline.queries.queues import UnknownUnit, unit_queue
    from pipeline.storage.db import session_scope

    moment = _now(now)
    try:
        with session_scope(_engine(_settings())) as session:
            items = unit_queue(session, unit, moment)
    except UnknownUnit as exc:
        raise _fail(str(exc), 2) from exc
    print_queue(unit, items, moment)


def print_queue(unit: str, items: list[Any], now: datetime) -> None:
    from pipeline.rules.deadlines import time_left
    from pipeline.timeparse import SHANGHAI
    from pipeline.vocabulary import MILESTONE_NAMES, ROLE_NAMES

    table = Table(title=f"{unit} 待办（{len(items)} 件）", show_lines=False)
    for col in ("事件", "等级", "角色", "标题", "下一时限", "截止时间", "剩余时间"):
        table.add_column(col)
    for i in items:
        left = time_left(i.due_at, now) if i.due_at else "—"
        style = "bold red" if i.overdue else ""
        table.add_row(
            str(i.event_id), _styled(i.grade or "—", GRADE_STYLE.get(i.grade or "", "")), ROLE_NAMES.get(i.role, i.role),
            escape(i.title[:28]), MILESTONE_NAMES.get(i.milestone or "", "—"),
            i.due_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if i.due_at else "—",
            _styled(left, style),
        )
    out.print(table)


@app.command()
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件，默认标准输出")] = None,
    relevant_only: Annotated[bool, typer.Option(help="只导出相关事件")] = False,
) -> None:
    """导出事件（含帖子、分办与时限）为 JSONL。"""
    from pipeline.queries.export import export_events
    from pipeline.storage.db import session_scope

    fh = output.open("w", encoding="utf-8") if output else sys.stdout
    n = 0
    with session_scope(_engine(_settings())) as session:
        for row in export_events(session, relevant_only):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    if output:
        fh.close()
        out.print(f"已导出 {n} 个事件到 {escape(str(output))}")


@app.command()
def train(
    kind: Annotated[str, typer.Argument(help="topic | grade | rumor | categories")],
    data: Annotated[Path, typer.Option(help="CSV / TSV / JSONL 标注数据")],
    text_col: Annotated[str, typer.Option(help="文本列")],
    label_col: Annotated[str, typer.Option(help="标签列")],
    out_dir: Annotated[Path, typer.Option("--out", help="模型输出目录")],
) -> None:
    """在任意标注数据上训练模型（带版本说明文件）。"""
    from classifiers.tokenize import Tokenizer
    from classifiers.training import KINDS, MULTI_LABEL, DataError, read_labelled
    from classifiers.training import train as train_model

    if kind not in KINDS:
        raise _fail(f"未知模型 {kind}，可选：{', '.join(KINDS)}", 2)
    try:
        labelled = read_labelled(data, text_col, label_col, kind in MULTI_LABEL)
    except DataError as exc:
        raise _fail(str(exc), 2) from exc
    tokenizer = Tokenizer(_settings().userdict_path).load()
    meta = train_model(kind, labelled, out_dir, tokenizer, _progress)
    out.print_json(json.dumps({k: meta[k] for k in ("version", "n_samples", "dropped_rows", "holdout", "classes")},
                              ensure_ascii=False))


@app.command()
def evaluate(
    kind: Annotated[str, typer.Argument(help="topic | grade | rumor | categories")],
    data: Annotated[Path, typer.Option(help="CSV / TSV / JSONL 标注数据")],
    text_col: Annotated[str, typer.Option(help="文本列")],
    label_col: Annotated[str, typer.Option(help="标签列")],
    model: Annotated[Path | None, typer.Option(help="模型目录，默认使用内置模型")] = None,
) -> None:
    """评估模型，输出 JSON：accuracy、macro_f1 与各类别 precision / recall / F1。"""
    from classifiers.registry import ModelError, load_model
    from classifiers.tokenize import Tokenizer
    from classifiers.training import KINDS, MULTI_LABEL, DataError, ensure_default_models, read_labelled
    from classifiers.training import evaluate as evaluate_model

    settings = _settings()
    if kind not in KINDS:
        raise _fail(f"未知模型 {kind}，可选：{', '.join(KINDS)}", 2)
    tokenizer = Tokenizer(settings.userdict_path).load()
    try:
        labelled = read_labelled(data, text_col, label_col, kind in MULTI_LABEL)
        if model is None:
            loaded = ensure_default_models(settings.training_corpus_dir, settings.model_dir, tokenizer, _progress)[kind]
        else:
            loaded = load_model(model, kind)
    except (DataError, ModelError) as exc:
        raise _fail(str(exc), 2) from exc
    print(json.dumps(evaluate_model(kind, labelled, loaded, tokenizer), ensure_ascii=False, indent=2))


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="本轮要处理的帖子文件")],
    now: Annotated[str | None, typer.Option(help="监测时间（ISO）")] = None,
) -> None:
    """通过 Prefect 运行一轮 入库 → 研判 → 分发（无需 Prefect 服务器）。"""
    from flows import quiet_prefect

    quiet_prefect()
    from flows.cycle import triage_cycle

    summary = triage_cycle(str(file.resolve()), now)
    out.print_json(json.dumps(summary, ensure_ascii=False))
    if summary.get("rejected"):
        raise typer.Exit(EXIT_REJECTS)


@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="演示用 SQLite 数据库文件")] = Path("var/demo.db"),
) -> None:
    """离线演示：内置云和样例帖子 → 研判表 → 各单位待办与时限。"""
    from yuqing.demo import DEMO_NOW, run_demo

    if db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = Settings.from_env({**os.environ, "YUQING_DATABASE_URL": f"sqlite:///{db.resolve().as_posix()}"})
    result = run_demo(settings, _progress)
    print_triage(result.items)
    for unit, items in result.queues:
        print_queue(unit, items, DEMO_NOW)
    out.print(f"演示数据库保留在 {escape(str(db))}，可用 sqlite3 查看；"
              f"拒收 {len(result.rejects)} 条（演示样例中的重复帖只入库一次）。")


def print_triage(items: list[dict[str, Any]]) -> None:
    from pipeline.vocabulary import MILESTONE_NAMES

    table = Table(title=f"研判结果（{len(items)} 条）")
    for col in ("编号", "相关", "领域", "等级", "事件", "牵头单位", "配合/移交", "时限"):
        table.add_column(col)
    for it in items:
        helpers = "、".join([*it["cooperating_units"], *(f"移交:{u}" for u in it["transfer_units"])])
        deadlines = "；".join(f"{MILESTONE_NAMES[d['milestone']]} {d['due_at'][5:16].replace('T', ' ')}"
                             for d in it["deadlines"])
        grade = it["grade"] or "—"
        lead = (it["primary_unit"] or "—") + (" +领导" if it["leadership"] else "")
        table.add_row(escape(str(it["id"])), "是" if it["relevant"] else "否", it["topic"] or "—",
                      _styled(grade, GRADE_STYLE.get(grade, "")), str(it["event_id"]), escape(lead),
                      escape(helpers) or "—", deadlines or "—")
    out.print(table)


@app.command()
def regrade(
    event_id: Annotated[int, typer.Argument(help="事件编号")],
    grade: Annotated[str, typer.Option(help="特别重大 | 重大 | 较大 | 一般")],
    reason: Annotated[str, typer.Option(help="人工定级理由")],
    analyst: Annotated[str, typer.Option(help="分析员")],
    now: Annotated[str | None, typer.Option(help="操作时间（ISO）")] = None,
) -> None:
    """分析员人工定级（可升可降，留痕审计）。"""
    from pipeline.actions.review_old import ReviewError, override_grade
    from pipeline.service import open_context

    settings = _settings()
    try:
        with open_context(settings, _progress) as (session, ctx):
            override_grade(session, ctx.cfg, event_id, grade, reason, analyst, _now(now))
    except ReviewError as exc:
        raise _fail(str(exc), 2) from exc
    out.print(f"事件 {event_id} 已人工定级为 {grade}")


@app.command()
def respond(
    event_id: Annotated[int, typer.Argument(help="事件编号")],
    unit: Annotated[str, typer.Option(help="回应单位")],
    kind: Annotated[str, typer.Option(help="发布权威信息 | 新闻发布会 | 吹风会 | 接受媒体采访 | 网络问政回复")],
    link: Annotated[str | None, typer.Option(help="回应链接")] = None,
    at: Annotated[str | None, typer.Option(help="回应时间（ISO），默认当前时间")] = None,
) -> None:
    """登记单位回应，满足相应时限节点。"""
    from pipeline.actions.review_old import ReviewError, record_response
    from pipeline.service import open_context

    try:
        with open_context(_settings(), _progress) as (session, ctx):
            met = record_response(session, ctx.cfg, event_id, unit, kind, link, _now(at))
    except ReviewError as exc:
        raise _fail(str(exc), 2) from exc
    out.print(f"已登记：{escape(unit)} {escape(kind)}；满足时限节点 {len(met)} 个")


@app.command()
def alerts(now: Annotated[str | None, typer.Option(help="当前时间（ISO）")] = None) -> None:
    """发送到期的预警（失败的按退避重试，不丢失、不重复）。"""
    from pipeline.service import deliver_alerts

    counts = deliver_alerts(_settings(), _now(now))
    out.print(f"已发送 {counts['sent']}，失败待重试 {counts['failed']}，队列中待发送 {counts['pending']}")


@app.command()
def ack(
    token: Annotated[str, typer.Argument(help="预警消息中的确认码")],
    by: Annotated[str, typer.Option(help="确认人")],
    now: Annotated[str | None, typer.Option(help="确认时间（ISO）")] = None,
) -> None:
    """确认收到紧急预警（停止重复提醒与升级）。"""
    from pipeline.service import acknowledge_alert

    try:
        n = acknowledge_alert(_settings(), token, by, _now(now))
    except LookupError as exc:
        raise _fail(str(exc), 2) from exc
    out.print(f"已确认（{n} 条相关预警）")


@app.command()
def web(
    host: Annotated[str, typer.Option(help="监听地址（对外提供服务时可设为 0.0.0.0）")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口")] = 8080,
) -> None:
    """运行网页服务：预警消息中的确认链接（打开只显示，点击“确认收到”才确认）。"""
    import uvicorn

    from yuqing.web import create_app

    settings = _settings()
    if settings.public_url:
        out.print(f"预警消息中的确认链接：{escape(settings.public_url.rstrip('/'))}/ack/<确认码>")
    else:
        err.print("[yellow]未设置 YUQING_PUBLIC_URL：预警消息只附确认命令，不附确认链接[/yellow]")
    uvicorn.run(create_app(settings), host=host, port=port)


@app.command()
def sweep(now: Annotated[str | None, typer.Option(help="当前时间（ISO）")] = None) -> None:
    """时限巡检：50%/80% 提醒、超时督办、未确认预警的重复与升级。"""
    from pipeline.service import sweep_deadlines

    counts = sweep_deadlines(_settings(), _now(now))
    out.print(f"新增提醒/督办 {counts['reminders_and_overdue']}，升级 {counts['escalations']}")


@app.command()
def collect(
    source: Annotated[list[str] | None, typer.Option(help="只采集指定信息源（可重复）")] = None,
    sources: Annotated[Path | None, typer.Option(help="信息源配置文件，默认 data/config/sources.yaml")] = None,
    due: Annotated[bool, typer.Option("--due", help="只采集按自适应轮询已到期的信息源")] = False,
    now: Annotated[str | None, typer.Option(help="采集时间（ISO）")] = None,
) -> None:
    """运行一次采集：抓取、入库研判，并记录各信息源健康状况。"""
    from crawlers.sources import SourcesError
    from pipeline.collect import collect_once

    settings = _settings()
    path = sources or settings.config_dir / "sources.yaml"
    try:
        facts = collect_once(settings, path, source, _now(now), due_only=due)
    except (SourcesError, ValueError) as exc:
        raise _fail(str(exc), 2) from exc
    table = Table(title=f"采集结果（{len(facts)} 个信息源）")
    for col in ("信息源", "抓取", "新增", "重复", "拒收", "问题"):
        table.add_column(col)
    for f in facts:
        problems = "；".join(f"{k}: {d[:40]}" for k, d in f.problems[:2]) or "—"
        table.add_row(escape(f.name), str(f.fetched), str(f.new), str(f.duplicates), str(f.rejected), escape(problems))
    out.print(table)


@app.command(name="sources")
def sources_cmd() -> None:
    """各信息源健康状况：正常 / 降级 / 中断，及原因。"""
    from pipeline.queries.sources import source_table
    from pipeline.storage.db import session_scope
    from pipeline.timeparse import SHANGHAI
    from pipeline.vocabulary import HEALTH_NAMES

    with session_scope(_engine(_settings())) as session:
        rows = source_table(session)
    table = Table(title=f"信息源状态（{len(rows)} 个）")
    for col in ("信息源", "平台", "状态", "原因", "最近采集", "最近新增内容", "上次抓取/新增/拒收", "搜索已完整覆盖至"):
        table.add_column(col)
    style = {"ok": "green", "degraded": "yellow", "down": "bold red"}
    fmt = lambda t: t.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if t else "—"  # noqa: E731
    for r in rows:
        table.add_row(escape(r["name"]), r["platform"], _styled(HEALTH_NAMES.get(r["health"], r["health"]),
                                                               style.get(r["health"], "")),
                      escape(r["reason"] or "—"), fmt(r["last_run_at"]), fmt(r["last_new_at"]),
                      f"{r['last_fetched']}/{r['last_new']}/{r['last_rejected']}", fmt(r["search_covered_until"]))
    out.print(table)


@app.command()
def status(now: Annotated[str | None, typer.Option(help="当前时间（ISO）")] = None) -> None:
    """运行概况：帖子量、各级事件、待办、超时、预警发送与确认情况。"""
    from pipeline.queries.status import status as collect_status
    from pipeline.storage.db import session_scope

    with session_scope(_engine(_settings())) as session:
        st = collect_status(session, _now(now))
    table = Table(title="云和县舆情系统运行概况", show_header=False)
    table.add_column("项目")
    table.add_column("数值")
    grades = "、".join(f"{g} {n}" for g, n in st["relevant_events_by_grade"].items()) or "—"
    for label, value in (("帖子总数", st["posts"]), ("近24小时新增帖子", st["posts_last_24h"]),
                         ("相关事件（按等级）", grades), ("未办结分办", st["open_assignments"]),
                         ("已超时时限", st["overdue_deadlines"]), ("待发送预警", st["pending_deliveries"]),
                         ("未确认紧急预警", st["unacknowledged_urgent_alerts"])):
        table.add_row(label, escape(str(value)))
    for channel, info in st["failing_channels"].items():
        table.add_row(f"发送失败渠道：{escape(channel)}", escape(f"{info['pending']} 条待重试；{info['last_error']}"))
    for text in st["sources_not_ok"]:
        table.add_row("[yellow]信息源异常[/yellow]", escape(text))
    for text in st["coverage_gaps_last_7d"]:
        table.add_row("[yellow]采集覆盖不完整[/yellow]", escape(text))
    out.print(table)


@app.command()
def serve(
    every: Annotated[float | None, typer.Option(help="试运行：所有流程按此秒数间隔运行，忽略配置的计划")] = None,
    port: Annotated[int | None, typer.Option(help="本地 Prefect 服务器端口（未设置 PREFECT_API_URL 时）")] = None,
    flow: Annotated[list[str] | None,
                    typer.Option(help="只运行这些流程（可重复）：collect、triage、dispatch、alerts、sweep、retrain")] = None,
) -> None:
    """按计划运行采集、分发、预警发送与时限巡检（Ctrl-C 停止）。"""
    from flows.serve import serve_forever

    try:
        serve_forever(_settings(), every, port, lambda m: out.print(escape(m)), only=flow)
    except ValueError as exc:
        raise _fail(str(exc), 2) from exc



@app.command()
def deploy(
    pool: Annotated[str, typer.Option(help="Prefect 工作池名称（不存在时创建为 process 类型）")] = "yuqing",
    flow: Annotated[list[str] | None, typer.Option(help="只部署这些流程（可重复）")] = None,
    every: Annotated[float | None, typer.Option(help="试运行：所有流程按此秒数间隔运行，忽略配置的计划")] = None,
) -> None:
    """把各流程按计划部署到 Prefect 服务器的工作池（多台机器上用 prefect worker start --pool 运行）。"""
    if not os.environ.get("PREFECT_API_URL"):
        raise _fail("部署需要 Prefect 服务器：请设置 PREFECT_API_URL（如 http://调度服务器:4200/api）", 2)
    from flows import quiet_prefect

    quiet_prefect()
    from flows.deployments import deploy_to_pool
    from pipeline.config import ConfigError

    try:
        names = deploy_to_pool(_settings().config_dir, pool, every, flow)
    except (ValueError, ConfigError) as exc:
        raise _fail(str(exc), 2) from exc
    out.print(f"已部署到工作池「{escape(pool)}」：" + "、".join(escape(n) for n in names))
    out.print(f"在每台运行机器上（同一路径的项目目录、同一 YUQING_DATABASE_URL）执行：prefect worker start --pool {escape(pool)}")


if __name__ == "__main__":
    app()
