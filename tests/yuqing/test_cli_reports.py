"""``yuqing report`` as a user runs it: every kind in every format from a seeded database,
files that reopen, and clear Chinese errors with exit code 2 for what cannot be done."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest

from pipeline.config import Config
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.store import seed_units
from tests.pipeline.reports.seed import seed_world
from tests.yuqing.test_cli import run

NOW = "2026-11-28T08:00:00+08:00"


@pytest.fixture
def seeded(migrated_sqlite: Callable[[str], str], settings_for, tmp_path: Path, cfg: Config) -> Settings:  # type: ignore[no-untyped-def]
    settings: Settings = settings_for(migrated_sqlite("reports.db"))
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        seed_units(session, cfg)
        seed_world(session)
    engine.dispose()
    return settings


@pytest.mark.parametrize(("args", "fmt", "title"), [
    (["daily", "--date", "2026-11-27"], "docx", "2026年11月27日舆情日报"),
    (["weekly", "--date", "2026-11-25"], "xlsx", "2026年11月23日至11月29日舆情周报"),
    (["monthly", "--date", "2026-11"], "html", "2026年11月舆情月报"),
    (["event", "--event", "1"], "docx", "关于“崇头镇旅游大巴侧翻"),   # the posts' headline (its end varies)
    (["assessment", "--date", "2026-11"], "xlsx", "2026年11月政务舆情回应情况考核通报"),
])
def test_each_report_in_each_format_from_the_command_line(seeded: Settings, tmp_path: Path, args: list[str], fmt: str,
                                                          title: str) -> None:
    target = tmp_path / f"out.{fmt}"
    result = run(["report", *args, "--format", fmt, "--out", str(target), "--now", NOW], seeded, PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert f"已生成{title}" in result.stdout
    data = target.read_bytes()
    if fmt == "docx":
        assert title in "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book.sheetnames[0] == "概要" and book["概要"]["B2"].value == title
    else:
        assert f"<h1>{title}</h1>" in data.decode("utf-8")


def test_default_place_and_clear_errors(seeded: Settings) -> None:
    result = run(["report", "daily", "--now", NOW], seeded, PROJECT_ROOT)   # yesterday, under the state directory
    assert result.returncode == 0, result.stderr
    assert (seeded.state_dir / "reports" / "daily" / "daily-2026-11-27.docx").is_file()
    for args, message in ((["event"], "需要 --event"), (["event", "--event", "999"], "没有编号为 999 的事件"),
                          (["weekly", "--date", "2026-13-01"], "--date 应为日期"), (["yearly"], "未知报告类型"),
                          (["daily", "--format", "pdf"], "未知格式"), (["assessment", "--period", "hourly"], "--period")):
        failed = run(["report", *args, "--now", NOW], seeded, PROJECT_ROOT)
        assert failed.returncode == 2 and message in failed.stderr, (args, failed.stderr)
