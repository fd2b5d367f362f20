"""What every command shares: the consoles, Chinese errors with their exit codes, the ``--now``
style times, progress lines, and the runtime of the command (one per command, from
``pipeline.runtime``), which turns the pipeline's known errors into clear messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.runtime import Runtime
from pipeline.settings import Settings

out = Console()
err = Console(stderr=True)

EXIT_FAILED = 1      # the work could not be done (configuration, database, models)
EXIT_USAGE = 2       # the command was asked for something it cannot do (unknown unit, bad value)
EXIT_REJECTS = 3     # input lines were rejected; the valid ones were stored
EXIT_UNDELIVERED = 4  # alert deliveries failed (they stay queued and are retried)

# Options every command that changes an item takes (the audit's who, why and when).
By = Annotated[str, typer.Option("--by", help="操作人姓名（记入审计）")]
Reason = Annotated[str, typer.Option(help="理由（记入审计）")]
Now = Annotated[str | None, typer.Option(help="操作时间（ISO），默认当前时间")]
EventId = Annotated[int, typer.Argument(help="事件编号")]

GRADE_STYLE = {"特别重大": "bold red", "重大": "red", "较大": "yellow", "一般": "green"}


def styled(text: str, style: str) -> str:
    return f"[{style}]{escape(text)}[/]" if style else escape(text)


def settings() -> Settings:
    """The environment's settings; one yuqing cannot use is a Chinese error, not a traceback."""
    from pipeline.settings import SettingsError

    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise fail(str(exc)) from exc


def moment(value: str | None, option: str = "--now") -> datetime:
    """A time option (ISO 8601; no zone means 北京时间), or the current time when not given. A
    time before 2000 or years ahead is refused (pipeline.rules.times)."""
    from pipeline.rules.times import implausible
    from pipeline.timeparse import parse_now

    try:
        at = parse_now(value)
    except ValueError:
        err.print(f"[red]{option} 不是 ISO 时间（如 2026-11-28T10:00:00+08:00）：{escape(str(value))}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    refusal = implausible(at, parse_now(None), f"{option} ")
    if refusal:
        err.print(f"[red]错误：{escape(refusal)}：{escape(str(value))}[/red]")
        raise typer.Exit(EXIT_USAGE)
    return at


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    err.print(f"[red]错误：{escape(message)}[/red]", soft_wrap=True)
    return typer.Exit(code)


def progress(message: str) -> None:
    err.print(f"[dim]… {escape(message)}[/dim]", soft_wrap=True)


@contextmanager
def runtime(prepare: bool = True) -> Iterator[Runtime]:
    """The command's runtime; the pipeline's expected errors become Chinese messages and exit
    codes (an action refused or an unknown name: 2; configuration, database or models: 1)."""
    from classifiers.registry import ModelError
    from classifiers.training import DataError
    from pipeline.actions.base import ActionError
    from pipeline.config import ConfigError
    from pipeline.queries.queues import UnknownUnit
    from pipeline.runtime import DatabaseUnavailable, open_runtime

    try:
        with open_runtime(settings(), prepare=prepare) as rt:
            yield rt
    except (ActionError, UnknownUnit) as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    except (ConfigError, ModelError, DataError, DatabaseUnavailable) as exc:
        raise fail(str(exc)) from exc


def print_input_notes(notes: list[tuple[int, str]]) -> None:
    """What validation changed in accepted lines (a text cut to length, a count set to unknown …)."""
    for line, detail in notes[:20]:
        err.print(f"[yellow]第 {line} 行已入库，但：{escape(detail)}[/yellow]")
    if len(notes) > 20:
        err.print(f"[yellow]… 另有 {len(notes) - 20} 条说明（见 yuqing export 中各帖的 notes）[/yellow]")


def print_gaps(gaps: list[dict[str, str]]) -> None:
    """Coverage gaps overlapping what was just triaged: the picture of those spans is incomplete."""
    if gaps:
        err.print(f"[yellow]注意：以下 {len(gaps)} 个时段的采集覆盖不完整，研判结果可能遗漏相关帖子：[/yellow]")
        for gap in gaps:
            err.print(f"[yellow]  · {escape(gap['text'])}[/yellow]")


def act_on_event(name: str, event_id: int, by: str, now: str | None, of_unit: str | None = None, **fields: Any) -> Any:
    """Carry out the catalog's action ``name`` (pipeline.catalog) as the page and the API do: its
    typed body, its runner (pipeline.actions.runners), who acts for which unit, and when. The
    body is built unvalidated, as the page's form is: the action checks the values itself, with
    its own Chinese messages."""
    from pipeline.actions.runners import run_action  # the actions load when one runs, not for --help
    from pipeline.catalog import ACTIONS, Actor

    action = ACTIONS[name]
    body = action.body.model_construct(**fields) if action.body is not None else None
    at = moment(now)
    with runtime() as rt:
        return rt.act(run_action, name, rt.cfg, event_id, body, Actor(by, of_unit), at)
