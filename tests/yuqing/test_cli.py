"""The ``yuqing`` command as a user runs it (real subprocesses, temporary state)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import PROJECT_ROOT, Settings

NOW = "2026-11-28T10:00:00+08:00"


def run(args: list[str], settings: Settings, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
           "YUQING_MODEL_DIR": str(settings.model_dir)}
    return subprocess.run([sys.executable, "-m", "yuqing.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


@pytest.fixture
def sqlite_settings(settings_for, tmp_path: Path) -> Settings:  # type: ignore[no-untyped-def]
    settings: Settings = settings_for(f"sqlite:///{(tmp_path / 'cli.db').as_posix()}")
    return settings


def test_triage_writes_one_line_per_item_and_reports_rejects(sqlite_settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "platform": "weibo", "text": "元和街道古竹村的路灯坏了一个月，晚上很危险"}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "b", "platform": "weibo", "text": "   "}),
        json.dumps({"id": "c", "platform": "weibo", "text": "杭州西湖今天游客很多，断桥上人挤人"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run(["triage", str(src), "--output", str(out), "--now", NOW], sqlite_settings, tmp_path)
    assert result.returncode == 3, result.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == ["a", "c"]
    assert set(lines[0]) == {"id", "relevant", "topic", "categories", "grade", "grade_reasons", "rumor", "event_id",
                             "primary_unit", "cooperating_units", "transfer_units", "coordinators", "leadership",
                             "deadlines"}
    assert lines[0]["primary_unit"] == "元和街道"
    assert lines[0]["deadlines"] == [{"milestone": "response", "due_at": "2026-11-30T10:00:00+08:00"}]
    assert lines[1]["relevant"] is False and lines[1]["deadlines"] == []
    rejects = [json.loads(x) for x in out.with_suffix(".rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [(2, rejects[0]["reason"]), (3, "empty text")]
    assert "第 2 行拒收" in result.stderr

    again = run(["triage", str(src), "--output", str(out), "--now", NOW], sqlite_settings, tmp_path)
    assert "新入库 0，重复 2" in again.stdout

    queue = run(["queue", "--unit", "元和街道", "--now", NOW], sqlite_settings, tmp_path)
    assert queue.returncode == 0 and "元和街道 待办（1 件）" in queue.stdout and "剩余 2天" in queue.stdout
    unknown = run(["queue", "--unit", "元和镇"], sqlite_settings, tmp_path)
    assert unknown.returncode == 2 and "元和街道" in unknown.stderr

    exported = run(["export", "--relevant-only"], sqlite_settings, tmp_path)
    events = [json.loads(x) for x in exported.stdout.splitlines()]
    assert len(events) == 1 and {a["role"] for a in events[0]["assignments"]} >= {"primary", "coordinator"}


def test_all_valid_input_exits_zero_and_missing_file_is_clear(sqlite_settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "ok.csv"
    src.write_text("id,platform,text\n1,weibo,赤石乡的自来水浑浊发黄\n", encoding="utf-8")
    assert run(["ingest", str(src), "--now", NOW], sqlite_settings, tmp_path).returncode == 0
    missing = run(["ingest", str(tmp_path / "nope.jsonl")], sqlite_settings, tmp_path)
    assert missing.returncode == 2 and "文件不存在" in missing.stderr


def test_demo_runs_offline_and_prints_queues(settings_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings: Settings = settings_for("sqlite:///unused.db")
    result = run(["demo", "--db", str(tmp_path / "demo.db")], settings, PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert "研判结果" in result.stdout and "待办" in result.stdout
    for grade in ("特别重大", "重大", "较大", "一般"):
        assert grade in result.stdout
    assert (tmp_path / "demo.db").exists()


def test_status_reports_open_work_and_alert_outbox(sqlite_settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "major.jsonl"
    src.write_text(json.dumps({"id": "s1", "platform": "weibo",
                               "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行"},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(["ingest", str(src), "--now", NOW], sqlite_settings, tmp_path).returncode == 0
    assert run(["alerts", "--now", NOW], sqlite_settings, tmp_path).returncode == 0  # no channel env: all fail
    result = run(["status", "--now", "2026-11-29T12:00:00+08:00"], sqlite_settings, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "相关事件（按等级）" in out and "重大 1" in out
    assert "已超时时限" in out and "未确认紧急预警" in out and "发送失败渠道：units-dingtalk" in out
    assert "is not set" in out
