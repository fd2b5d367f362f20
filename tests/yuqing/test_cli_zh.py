"""The Chinese command line rests on Typer internals (yuqing/cli/zh.py): a Typer that moved them
fails here, naming what is gone, before a county user meets English messages."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.yuqing.conftest import run
from yuqing.cli import zh


def test_every_typer_internal_zh_replaces_is_there() -> None:
    missing = zh.missing_internals()
    assert missing == [], (f"typer {metadata.version('typer')} no longer has {', '.join(missing)}: adapt "
                           "yuqing/cli/zh.py to it, or keep the typer pin in pyproject.toml")


def test_a_missing_internal_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zh, "INTERNALS", (*zh.INTERNALS, ("typer._click.formatting", "HelpFormatter.gone"),
                                          ("typer._nowhere", "x")))
    assert zh.missing_internals() == ["typer._click.formatting.HelpFormatter.gone", "typer._nowhere.x"]


def test_help_and_a_bad_setting_are_answered_in_chinese(sqlite_settings: Settings, tmp_path: Path) -> None:
    shown = run(["init", "--help"], sqlite_settings, tmp_path)
    assert shown.returncode == 0 and "用法：" in shown.stdout and "显示本帮助并退出" in shown.stdout
    refused = run(["init"], sqlite_settings, tmp_path, YUQING_WORKERS="两个")
    assert refused.returncode == 1 and "YUQING_WORKERS 应为正整数" in refused.stderr
    assert "Traceback" not in refused.stderr
