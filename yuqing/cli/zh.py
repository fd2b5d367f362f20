"""Chinese for the parts of the command line that Typer writes itself: usage lines, help
headings and usage errors (a missing option, an unknown command, a value that is not a number),
so county users never meet "Missing option".

Typer 0.29 carries its own copy of Click whose messages are plain English strings, so they
are translated where they are printed: the error printer and the usage prefix are replaced,
and gettext-based messages (help headings) are answered in Chinese.

These are Typer internals, not its public API: ``pyproject.toml`` pins Typer to the minor version
they were verified with, and ``INTERNALS`` lists them for the test that fails, naming what is
gone, when a Typer upgrade moves them (tests/yuqing/test_cli_zh.py)."""

from __future__ import annotations

import importlib
import logging
import re
from typing import Any

LOG = logging.getLogger(__name__)

# Typer's panel titles and the gettext ids that still go through gettext.
MESSAGES = {
    "Options": "选项", "Arguments": "参数", "Commands": "命令", "Error": "错误", "Aborted.": "已中止",
    "Aborted!": "已中止", "Show this message and exit.": "显示本帮助并退出。", "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}", "default: {default}": "默认：{default}",
    "required": "必填", "[default: {}]": "[默认：{}]", "[required]": "[必填]", "env var: {var}": "环境变量：{var}",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
_TYPES = {"integer": "整数", "int": "整数", "float": "数字", "boolean": "是/否", "bool": "是/否", "text": "文本",
          "datetime": "时间", "path": "路径", "file": "文件"}
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^没有命令 (.+?)\. Did you mean (.+)\?$", re.S), "没有命令 {0}（是否指 {1}？）"),
    (re.compile(r"^Input should be a valid (\w+).*$", re.S), "应为{0}"),
    (re.compile(r"^Missing option (.+?)\.\s*(.*)$", re.S), "缺少选项 {0}。{1}"),
    (re.compile(r"^Missing argument (.+?)\.\s*(.*)$", re.S), "缺少参数 {0}。{1}"),
    (re.compile(r"^Missing parameter:? ?(.*?)\.?$", re.S), "缺少参数 {0}"),
    (re.compile(r"^No such option: (\S+)\s*(?:\(Possible options: (.*)\))?$", re.S), "没有选项 {0}{1}"),
    (re.compile(r"^Invalid value for (.+?): (.*)$", re.S), "{0} 的取值无效：{1}"),
    (re.compile(r"^Invalid value: (.*)$", re.S), "取值无效：{0}"),
    (re.compile(r"^Value (.+) is not a valid (\w+)\.?$", re.S), "{0} 不是有效的{1}"),
    (re.compile(r"^'?(.+?)'? is not a valid (\w+)\.?$", re.S), "{0} 不是有效的{1}"),
    (re.compile(r"^Got unexpected extra argument\(s\) \((.*)\)$", re.S), "多余的参数：{0}"),
    (re.compile(r"^Option (.+) requires an argument\.?$", re.S), "选项 {0} 需要一个值"),
    (re.compile(r"^Option (.+) does not take a value\.?$", re.S), "选项 {0} 不接受取值"),
    (re.compile(r"^No such command (.+?)\.?$", re.S), "没有命令 {0}"),
]


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def translate(message: str) -> str:
    """A usage error's English message in Chinese (unknown ones are kept as they are)."""
    for pattern, template in _PATTERNS:
        m = pattern.match(message.strip())
        if m:
            parts = [g or "" for g in m.groups()]
            if template.startswith("没有选项") and parts[1]:
                parts[1] = f"（可选：{parts[1]}）"
            if "取值无效" in template:
                parts[-1] = translate(parts[-1])
            if "不是有效的" in template:
                parts[1] = _TYPES.get(parts[1], parts[1])
            if template == "应为{0}":
                parts[0] = _TYPES.get(parts[0], parts[0])
            return template.format(*parts)
    return message


def _usage(text: str) -> str:
    return text.replace("Usage:", "用法：").replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")


def _print_error(error: Any) -> None:
    """Typer's error printer, in Chinese and without a box (readable in a pipe)."""
    from rich.markup import escape

    from yuqing.cli.common import err

    if error.__class__.__name__ == "NoArgsIsHelpError":
        return
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        err.print(escape(_usage(ctx.get_usage())), soft_wrap=True)
        err.print(f"运行 '{escape(ctx.command_path)} {ctx.help_option_names[0]}' 查看帮助。", soft_wrap=True)
    err.print(f"[red]错误：{escape(translate(error.format_message()))}[/red]", soft_wrap=True)


# Typer's rich_utils constants replaced by their Chinese, with the English they hold.
PANEL_TEXTS = (("ARGUMENTS_PANEL_TITLE", "Arguments"), ("OPTIONS_PANEL_TITLE", "Options"),
               ("COMMANDS_PANEL_TITLE", "Commands"), ("ERRORS_PANEL_TITLE", "Error"),
               ("ABORTED_TEXT", "Aborted."), ("DEFAULT_STRING", "[default: {}]"),
               ("REQUIRED_LONG_STRING", "[required]"),
               ("RICH_HELP", "Try [blue]'{command_path} {help_option}'[/] for help."))
# Every Typer internal ``install`` replaces: (module, attribute path).
INTERNALS = (*(("typer.rich_utils", name) for name, _ in PANEL_TEXTS), ("typer.rich_utils", "rich_format_error"),
             ("typer.core", "_"), ("typer.rich_utils", "_"), ("typer._click.formatting", "HelpFormatter.write_usage"),
             ("typer._click.decorators", "help_option"))


def missing_internals() -> list[str]:
    """The internals of ``INTERNALS`` the installed Typer no longer has (empty when all are there)."""
    missing: list[str] = []
    for module_name, path in INTERNALS:
        try:
            found: Any = importlib.import_module(module_name)
        except ImportError:
            missing.append(f"{module_name}.{path}")
            continue
        for part in path.split("."):
            if not hasattr(found, part):
                missing.append(f"{module_name}.{path}")
                break
            found = getattr(found, part)
    return missing


def install() -> None:
    """Answer Typer's own messages in Chinese (call before the app parses anything). A Typer whose
    internals moved keeps its English messages (logged) rather than breaking every command."""
    if missing := missing_internals():
        LOG.warning("typer internals missing, CLI messages stay in English: %s", ", ".join(missing))
        return
    rich_utils = importlib.import_module("typer.rich_utils")
    for constant, message in PANEL_TEXTS:
        setattr(rich_utils, constant, gettext(message))
    rich_utils.rich_format_error = _print_error  # type: ignore[attr-defined]
    for name in ("typer.core", "typer.rich_utils"):
        importlib.import_module(name)._ = gettext  # type: ignore[attr-defined]
    formatting = importlib.import_module("typer._click.formatting")
    write_usage = formatting.HelpFormatter.write_usage

    def chinese_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, _usage(args), "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = chinese_usage
    decorators = importlib.import_module("typer._click.decorators")
    help_option = decorators.help_option

    def chinese_help_option(param_decls: list[str]) -> Any:
        def apply(command: Any) -> Any:
            command = help_option(param_decls)(command)
            command.params[-1].help = gettext("Show this message and exit.")
            return command

        return apply

    decorators.help_option = chinese_help_option  # type: ignore[attr-defined]
