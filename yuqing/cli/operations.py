"""Commands of daily operation: send alerts, acknowledge one, sweep deadlines, collect from the
sources, see their health and the whole picture, serve the schedules, deploy them, run the web
app."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from yuqing.cli.common import EXIT_UNDELIVERED, EXIT_USAGE, err, fail, moment, out, progress, runtime, settings
from yuqing.cli.tables import print_collect, print_sources, print_status

app = typer.Typer()

Now = Annotated[str | None, typer.Option(help="当前时间（ISO），默认当前时间")]
Json = Annotated[bool, typer.Option("--json", help="输出 JSON（每行一个对象，供脚本使用）")]
AllowMissing = Annotated[bool, typer.Option("--allow-missing-channels",
                                            help="预警渠道缺少环境变量时仍然启动（发往这些渠道的预警将一直排队重试）")]


def _json_default(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _print_json_lines(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        print(json.dumps(row, ensure_ascii=False, default=_json_default))


@app.command()
def alerts(now: Now = None) -> None:
    """发送到期的预警（失败的按退避重试，不丢失、不重复；有发送失败时退出码为 4）。"""
    from pipeline.service import deliver_alerts

    at = moment(now)
    with runtime() as rt:
        counts = deliver_alerts(rt, at)
    out.print(f"已发送 {counts['sent']}，失败待重试 {counts['failed']}，队列中待发送 {counts['pending']}")
    if counts["failed"]:
        err.print(f"[yellow]{counts['failed']} 条发送失败，已排队重试；原因见 yuqing status[/yellow]")
        raise typer.Exit(EXIT_UNDELIVERED)


@app.command()
def ack(
    token: Annotated[str | None, typer.Argument(help="预警消息中的确认码")] = None,
    alert: Annotated[int | None, typer.Option("--alert", help="或：预警编号（yuqing status 列出未确认的紧急预警）")] = None,
    by: Annotated[str, typer.Option(help="确认人姓名")] = "",
    now: Now = None,
) -> None:
    """确认收到紧急预警（停止重复提醒与升级）；姓名记为自报，并记录本机用户与主机名。"""
    from pipeline.actions.alerts import AckSource, UnknownToken, acknowledge_by_number
    from pipeline.service import acknowledge_alert

    if (token is None) == (alert is None):
        raise fail("请给出预警消息中的确认码，或以 --alert 给出预警编号（二者选一）", EXIT_USAGE)
    at = moment(now)
    source = AckSource(via="cli", address=_who_runs_this())
    try:
        with runtime() as rt:
            n = (acknowledge_alert(rt, token, by, at, source) if token is not None
                 else len(rt.act(acknowledge_by_number, alert or 0, by, at, source)))
    except UnknownToken as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    out.print(f"已确认（{n} 条相关预警）")


def _who_runs_this() -> str:
    """Where a command-line acknowledgement came from: the account and the machine."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"{user}@{socket.gethostname()}"[:64]


@app.command()
def sweep(now: Now = None) -> None:
    """时限巡检：50%/80% 提醒、超时督办、未确认预警的逐级上报、持续发布提醒、快速升温预警。"""
    from pipeline.service import sweep_deadlines

    at = moment(now)
    with runtime() as rt:
        counts = sweep_deadlines(rt, at)
    out.print(f"新增提醒/督办 {counts['reminders_and_overdue']}，升级 {counts['escalations']}，"
              f"持续发布提醒 {counts['release_gaps']}，快速升温预警 {counts['rising']}")


@app.command()
def collect(
    source: Annotated[list[str] | None, typer.Option(help="只采集指定信息源（可重复）")] = None,
    sources: Annotated[Path | None, typer.Option(help="信息源配置文件，默认 data/config/sources.yaml")] = None,
    due: Annotated[bool, typer.Option("--due", help="只采集按自适应轮询已到期的信息源")] = False,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """运行一次采集：抓取、入库研判，并记录各信息源健康状况。"""
    from crawlers.sources import SourcesError
    from pipeline.collect import collect_once

    s = settings()
    at = moment(now)
    try:
        with runtime() as rt:
            facts = collect_once(rt, sources or s.config_dir / "sources.yaml", source, at, due_only=due,
                                 progress=progress)
    except (SourcesError, ValueError) as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    if as_json:
        _print_json_lines([{**asdict(f), "problems": [{"kind": k, "detail": d} for k, d in f.problems]}
                           for f in facts])
    else:
        print_collect(facts)


@app.command(name="sources")
def sources_cmd(as_json: Json = False) -> None:
    """各信息源健康状况：正常 / 降级 / 中断，及原因（含留言板、文件夹等各类信息源）。"""
    from crawlers.sources import SourcesError, load_sources
    from pipeline.queries.sources import source_table

    try:
        configured = {src.name: src.kind for src in load_sources(settings().config_dir / "sources.yaml").sources
                      if src.enabled}
    except SourcesError as exc:
        err.print(f"[yellow]信息源配置无法读取，只显示已运行过的信息源：{escape(str(exc))}[/yellow]")
        configured = {}
    with runtime() as rt:
        rows = rt.read(source_table, configured)
    if as_json:
        _print_json_lines(rows)
    else:
        print_sources(rows)


@app.command()
def status(now: Now = None) -> None:
    """运行概况：帖子量、各级事件、待办、超时、退回、预警发送与未确认的紧急预警。"""
    from pipeline.queries.status import status as read_status

    at = moment(now)
    with runtime() as rt:
        st = rt.read(read_status, at, {name: spec.type for name, spec in rt.cfg.alerts.channels.items()})
    print_status(st, at)


@app.command()
def serve(
    every: Annotated[float | None, typer.Option(help="试运行：所有流程按此秒数间隔运行，忽略配置的计划")] = None,
    port: Annotated[int | None, typer.Option(help="本地 Prefect 服务器端口（未设置 PREFECT_API_URL 时）")] = None,
    flow: Annotated[list[str] | None,
                    typer.Option(help="只运行这些流程（可重复）：collect、triage、dispatch、alerts、sweep、retrain、reports")] = None,
    web_host: Annotated[str, typer.Option(help="网页服务监听地址")] = "127.0.0.1",
    web_port: Annotated[int, typer.Option(help="网页服务端口（0 表示不同时运行网页服务）")] = 8080,
    allow_missing_channels: AllowMissing = False,
) -> None:
    """按计划运行采集、分发、预警发送与时限巡检，同时运行网页服务（Ctrl-C 停止）。"""
    from contextlib import nullcontext

    from classifiers.registry import ModelError
    from flows.deployments import planned, require_models
    from flows.serve import serve_forever
    from pipeline.config import ConfigError
    from yuqing.web import create_app, served

    s = settings()
    try:  # refused before the web app or Prefect start
        require_models(s)
        planned(s.config_dir, every, flow)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    except (ValueError, ConfigError) as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    _require_channels(s, dict(os.environ), allow_missing_channels)
    if every is None and (not flow or "reports" in flow):
        _make_up_reports(s)
    web = served(create_app(s), web_host, web_port) if web_port else nullcontext(None)
    with web as url:
        if url:
            out.print(f"网页服务：{escape(url)}（研判台、待办、督办、概览、预警确认）")
        code = serve_forever(s, every, port, lambda m: out.print(escape(m)), only=flow)
    if code != 0:
        raise typer.Exit(code)
    out.print("已停止：各计划已暂停。")


def _require_channels(s: Any, env: dict[str, str], allowed: bool) -> None:
    """Refuse (exit 2) when a channel the alerts are routed to lacks its variables, naming
    them; with ``--allow-missing-channels`` only warn."""
    from pipeline.alerts.channels import describe_missing, missing_channel_variables
    from pipeline.config import ConfigError, load_config

    try:
        missing = missing_channel_variables(load_config(s.config_dir).alerts, env)
    except ConfigError as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    if not missing:
        return
    if not allowed:
        raise fail(describe_missing(missing), EXIT_USAGE)
    err.print("[yellow]以下预警渠道未配置，已按 --allow-missing-channels 继续（发往它们的预警将一直排队重试）：[/yellow]",
              soft_wrap=True)
    for name, (variables, _who) in missing.items():
        err.print(f"[yellow]  - {escape(name)}：{escape('、'.join(variables))}[/yellow]", soft_wrap=True)


def _make_up_reports(s: Any) -> None:
    """The 08:00 report runs missed while nothing was serving (stopping serve pauses its
    schedules, and a paused schedule never runs late), made up before the schedules start."""
    from flows import quiet_prefect

    quiet_prefect()
    from flows.deployments import missed_runs
    from pipeline.queries.reports import last_periodic_report_at
    from pipeline.reports.service import produce_missed_periodic_reports
    from pipeline.timeparse import SHANGHAI

    at = datetime.now(SHANGHAI)
    with runtime() as rt:
        missed = missed_runs(s.config_dir, "reports", rt.read(last_periodic_report_at), at)
        if not missed:
            return
        progress(f"补做停止期间错过的 {len(missed)} 次定期报告运行")
        produced = produce_missed_periodic_reports(rt, at, missed)
    for record in produced:
        out.print(f"已补做：{escape(record.title)}", soft_wrap=True)


@app.command()
def deploy(
    pool: Annotated[str, typer.Option(help="Prefect 工作池名称（不存在时创建为 process 类型）")] = "yuqing",
    flow: Annotated[list[str] | None, typer.Option(help="只部署这些流程（可重复）")] = None,
    every: Annotated[float | None, typer.Option(help="试运行：所有流程按此秒数间隔运行，忽略配置的计划")] = None,
    systemd: Annotated[Path | None, typer.Option("--systemd",
                                                  help="改为写出 systemd 服务文件（网页服务、计划任务）与环境文件到此目录")] = None,
    user: Annotated[str, typer.Option(help="--systemd：运行服务的系统用户")] = "yuqing",
    env_file: Annotated[Path | None, typer.Option(help="--systemd：环境文件路径，默认为该目录下的 yuqing.env")] = None,
    web_host: Annotated[str, typer.Option(help="--systemd：网页服务监听地址（反向代理在本机时保持 127.0.0.1）")] = "127.0.0.1",
    web_port: Annotated[int, typer.Option(help="--systemd：网页服务端口")] = 8080,
    allow_missing_channels: AllowMissing = False,
) -> None:
    """把各流程按计划部署到 Prefect 服务器的工作池（多台机器上用 prefect worker start --pool 运行）；
    或以 --systemd 写出开机自启的服务文件。"""
    if systemd is not None:
        _deploy_systemd(systemd, user, env_file or systemd / "yuqing.env", web_host, web_port, allow_missing_channels)
        return
    if not os.environ.get("PREFECT_API_URL"):
        raise fail("部署需要 Prefect 服务器：请设置 PREFECT_API_URL（如 http://调度服务器:4200/api）", EXIT_USAGE)
    from classifiers.registry import ModelError
    from flows import quiet_prefect

    quiet_prefect()
    from flows.deployments import deploy_to_pool, require_models
    from pipeline.config import ConfigError

    s = settings()
    try:  # workers run triage from this checkout's models: refused before Prefect is contacted
        require_models(s)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    _require_channels(s, dict(os.environ), allow_missing_channels)
    try:
        names = deploy_to_pool(s.config_dir, pool, every, flow)
    except (ValueError, ConfigError) as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    out.print(f"已部署到工作池「{escape(pool)}」：" + "、".join(escape(n) for n in names))
    out.print(f"在每台运行机器上（同一路径的项目目录、同一 YUQING_DATABASE_URL）执行：prefect worker start --pool {escape(pool)}")


def _deploy_systemd(folder: Path, user: str, env_file: Path, web_host: str, web_port: int, allowed: bool) -> None:
    """Write the units and the environment file (see ``yuqing.services``) after the same
    checks as ``serve``: usable models, and every routed channel configured in the
    environment the services will have."""
    from classifiers.registry import ModelError
    from flows.deployments import require_models
    from pipeline.config import load_config
    from yuqing.services import SCHEDULER_UNIT, WEB_UNIT, ServicePlan, environment, read_env_file, write_services

    s = settings()
    try:
        require_models(s)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    values = environment(os.environ, read_env_file(env_file))
    _require_channels(s, values, allowed)
    plan = ServicePlan(user=user, env_file=env_file.resolve(), web_host=web_host, web_port=web_port,
                       allow_missing_channels=allowed)
    written = write_services(folder, plan, values, load_config(s.config_dir).alerts)
    for path in written:
        out.print(f"已写出：{escape(str(path))}", soft_wrap=True)
    out.print("服务文件需位于 /etc/systemd/system，然后启用：", soft_wrap=True)
    out.print(f"  sudo systemctl daemon-reload && sudo systemctl enable --now {WEB_UNIT} {SCHEDULER_UNIT}", soft_wrap=True)
    out.print(f"查看日志：journalctl -u {SCHEDULER_UNIT}", soft_wrap=True)


@app.command()
def web(
    host: Annotated[str, typer.Option(help="监听地址（对外提供服务时可设为 0.0.0.0）")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口")] = 8080,
) -> None:
    """运行网页服务：研判台、事件、各单位待办、督办与考核、概览、预警确认链接与 JSON 接口（/docs）。"""
    import uvicorn

    from yuqing.web import create_app
    from yuqing.web.app import server_options

    s = settings()
    if s.public_url:
        out.print(f"预警消息中的确认链接：{escape(s.public_url.rstrip('/'))}/ack/<确认码>")
    else:
        err.print("[yellow]未设置 YUQING_PUBLIC_URL：预警消息只附确认命令，不附确认链接[/yellow]")
    uvicorn.run(create_app(s), host=host, port=port, **server_options(s))
