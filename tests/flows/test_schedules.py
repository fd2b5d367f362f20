"""``schedules.yaml`` is validated like every other configuration file (``pipeline.config.files``):
a mistake is refused with a Chinese message naming the file and the field, before anything is
scheduled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.deployments import load_schedules, missed_runs, planned
from pipeline.config import ConfigError
from pipeline.settings import PROJECT_ROOT


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "schedules.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("text", "field", "problem"), [
    ("flows:\n  colect: {interval_seconds: 60}\n", "flows.colect", "不认识的配置项"),
    ("flows:\n  sweep: {cron: '*/5 * * x *'}\n", "flows.sweep.cron", "cron 表达式“*/5 * * x *”无效"),
    ("flows:\n  sweep: {}\n", "flows.sweep", "应有 cron 或 interval_seconds"),
    ("flows:\n  alerts: {interval_seconds: 0}\n", "flows.alerts.interval_seconds", "应大于 0"),
    ("flows:\n  collect: {interval_seconds: 60, keep: 3}\n", "flows.collect.keep", "不认识的配置项"),
    ("flows:\n  backup: {cron: '30 2 * * *', keep: true}\n", "flows.backup.keep", "应为整数"),
    ("timezone: Mars/Base\nflows:\n  sweep: {interval_seconds: 5}\n", "timezone", "未知时区“Mars/Base”"),
    ("timezone: Asia/Shanghai\n", "flows", "缺少此项"),
])
def test_a_bad_schedules_file_is_refused_naming_the_file_and_the_field(
        tmp_path: Path, text: str, field: str, problem: str) -> None:
    config_dir = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        planned(config_dir)
    message = str(info.value)
    assert message.startswith(f"{config_dir / 'schedules.yaml'}：")
    assert f"{field}：{problem}" in message
    with pytest.raises(ConfigError):  # the make-up of missed report runs reads it the same way
        missed_runs(config_dir, "reports", None, datetime(2026, 12, 7, tzinfo=UTC))


def test_a_schedules_file_that_is_no_yaml_mapping_is_refused_the_same_way(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"schedules\.yaml：YAML 格式错误"):
        planned(_write(tmp_path, "flows: [unclosed\n"))
    with pytest.raises(ConfigError, match=r"schedules\.yaml：顶层应为映射"):
        planned(_write(tmp_path, "- collect\n"))
    with pytest.raises(ConfigError, match=r"schedules\.yaml：配置文件不存在"):
        planned(tmp_path / "nowhere")


def test_the_shipped_schedules_are_valid() -> None:
    spec = load_schedules(PROJECT_ROOT / "data" / "config")
    entries = spec.entries()
    assert spec.timezone == "Asia/Shanghai" and entries["sweep"].cron == "*/5 * * * *"
    assert entries["backup"].parameters() == {"keep": 14} and entries["alerts"].parameters() == {}
