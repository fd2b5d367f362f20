"""The ``yuqing`` command as a user runs it (real subprocesses, temporary state)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Assignment
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import USER_ROLES
from tests.yuqing.conftest import run

NOW = "2026-11-28T10:00:00+08:00"


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
                             "deadlines", "sentiment", "event_sentiment", "irrelevant_reason", "schemes", "needs_review",
                             "review_reasons", "model_versions"}
    assert lines[0]["sentiment"] == "负面" and lines[0]["irrelevant_reason"] is None
    assert set(lines[0]["model_versions"]) == {"topic", "grade", "rumor", "categories", "sentiment"}
    assert lines[0]["primary_unit"] == "元和街道"
    assert lines[0]["deadlines"] == [{"milestone": "response", "due_at": "2026-11-30T10:00:00+08:00"}]
    assert lines[1]["relevant"] is False and lines[1]["deadlines"] == []
    assert lines[1]["irrelevant_reason"] == "未涉及云和"
    rejects = [json.loads(x) for x in out.with_suffix(".rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in rejects] == [(2, rejects[0]["reason"]), (3, "正文为空")]
    assert "第 2 行拒收" in result.stderr
    assert "已分发 4 件至各单位待办" in result.stdout
    engine = make_engine(sqlite_settings.database_url)
    with session_scope(engine) as s:   # handed to the units at once: never 待分发 until `serve` runs
        assert set(s.scalars(select(Assignment.status))) == {"dispatched"}
    engine.dispose()

    again = run(["triage", str(src), "--output", str(out), "--now", NOW], sqlite_settings, tmp_path)
    assert "新入库 0，重复 2" in again.stdout
    # progress in Chinese too (it said "2 new posts, 0 already known", "stored 2 of 2 new posts")
    assert "已研判入库 2/2 条新帖子" in result.stderr and "新帖子 0 条，已入库或重复 2 条" in again.stderr
    assert "new posts" not in result.stderr + again.stderr

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
    result = run(["demo", "--db", str(tmp_path / "demo.db"), "--now", NOW], settings, PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(".venv/bin/yuqing web 打开")   # the command as the checkout has it
    assert "研判结果" in result.stdout and "待办" in result.stdout
    for grade in ("特别重大", "重大", "较大", "一般"):
        assert grade in result.stdout
    assert (tmp_path / "demo.db").exists()
    import docx  # the day's 舆情日报 beside the database

    daily = docx.Document(str(tmp_path / "demo-daily.docx"))
    assert daily.paragraphs[0].text == "云和县政务舆情日报" and "当日舆情日报" in result.stdout
    assert any(p.text == "2026年11月28日舆情日报" for p in daily.paragraphs)
    # Recorded as the scheduled flows record them, so the web app's 报告 page of the demo is filled:
    # the day's 日报 and a 专报 for each urgent event, under reports/demo of the state directory.
    import sqlite3

    with sqlite3.connect(tmp_path / "demo.db") as db:
        recorded = db.execute("SELECT key, files FROM reports ORDER BY id").fetchall()
        urgent = db.execute("SELECT count(*) FROM events WHERE relevant AND grade IN ('重大', '特别重大')").fetchone()[0]
    keys = [k for k, _ in recorded]
    assert "daily:2026-11-28" in keys and urgent > 0 and sum(k.startswith("event:") for k in keys) == urgent
    for _, files in recorded:
        for path in json.loads(files).values():
            assert Path(path).is_file() and Path(path).is_relative_to(settings.state_dir / "reports" / "demo")


def test_status_reports_open_work_and_alert_outbox(sqlite_settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "major.jsonl"
    src.write_text(json.dumps({"id": "s1", "platform": "weibo",
                               "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行"},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(["ingest", str(src), "--now", NOW], sqlite_settings, tmp_path).returncode == 0
    failed = run(["alerts", "--now", NOW], sqlite_settings, tmp_path)
    assert failed.returncode == 4 and "发送失败" in failed.stderr  # no channel env: every delivery failed
    result = run(["status", "--now", "2026-11-29T12:00:00+08:00"], sqlite_settings, tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "相关事件（按等级）" in out and "重大 1" in out
    assert "未确认的紧急预警" in out and "接收：崇头镇" in out  # the alerts' numbers, not just a count
    assert "已超时时限" in out and "未确认紧急预警" in out and "units-dingtalk：" in out
    assert "未设置环境变量 YUQING_DINGTALK_UNITS_URL" in out
    # the number a duty officer reads there acknowledges the alert; the typed name is self-declared
    number = re.search(r"接收：崇头镇　预警 (\d+)", out)
    assert number is not None, out
    both = run(["ack", "abcdefabcdefabcdef", "--alert", number.group(1), "--by", "甲"], sqlite_settings, tmp_path)
    assert both.returncode == 2 and "二者选一" in both.stderr
    acked = run(["ack", "--alert", number.group(1), "--by", "崇头镇值班员", "--now", "2026-11-29T12:05:00+08:00"],
                sqlite_settings, tmp_path)
    assert acked.returncode == 0 and "已确认" in acked.stdout, acked.stderr
    after = run(["status", "--now", "2026-11-29T12:10:00+08:00"], sqlite_settings, tmp_path).stdout
    assert "接收：崇头镇　预警" not in after
    assert "由 崇头镇值班员（自报） 确认，经命令行（yuqing ack），来自 " in after and "@" in after


def _major_event(settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "major.jsonl"
    src.write_text(json.dumps({"id": "s1", "platform": "weibo",
                               "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行"},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(["ingest", str(src), "--now", NOW], settings, tmp_path).returncode == 0


def test_commands_that_do_not_classify_load_no_model(sqlite_settings: Settings, tmp_path: Path) -> None:
    """Triage needs the trained models and says how to get them; a unit's or an analyst's
    commands never load one (the model directory here is empty)."""
    _major_event(sqlite_settings, tmp_path)
    empty = dataclasses.replace(sqlite_settings, model_dir=tmp_path / "no-models")
    steps = [["queue", "--unit", "崇头镇", "--now", NOW],
             ["regrade", "1", "--grade", "特别重大", "--reason", "死亡人数继续上升", "--by", "分析员甲", "--now", NOW],
             ["accept", "1", "--unit", "崇头镇", "--by", "崇头镇值班员", "--now", NOW],
             ["respond", "1", "--unit", "崇头镇", "--kind", "发布权威信息", "--by", "崇头镇值班员",
              "--link", "https://www.yunhe.gov.cn/a/1", "--at", NOW, "--now", NOW],
             ["status", "--now", NOW], ["export"], ["sweep", "--now", NOW]]
    for args in steps:
        result = run(args, empty, tmp_path)
        assert result.returncode == 0, (args, result.stderr)
    needs = run(["ingest", str(tmp_path / "major.jsonl"), "--now", NOW], empty, tmp_path)
    assert needs.returncode == 1 and "请先运行 make models 或 yuqing models" in needs.stderr
    assert "Traceback" not in needs.stderr


def test_serve_and_deploy_refuse_to_start_without_models(sqlite_settings: Settings, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With an empty model directory, serve would run its flows without a word and triage
    would fail at the first post: both refuse before Prefect (or the web app) starts."""
    empty = dataclasses.replace(sqlite_settings, model_dir=tmp_path / "no-models")
    (tmp_path / "no-models").mkdir()
    started = time.monotonic()
    serve = run(["serve", "--every", "10", "--web-port", "0"], empty, tmp_path)
    assert serve.returncode == 1 and "默认模型不可用" in serve.stderr and "yuqing models" in serve.stderr
    assert "Traceback" not in serve.stderr and "Prefect" not in serve.stdout + serve.stderr
    assert not (empty.state_dir / "prefect").exists() and time.monotonic() - started < 60
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")   # nothing listens: it must not be asked
    deploy = run(["deploy", "--pool", "yuqing"], empty, tmp_path)
    assert deploy.returncode == 1 and "默认模型不可用" in deploy.stderr and "yuqing models" in deploy.stderr
    assert "Traceback" not in deploy.stderr


def test_a_database_never_initialised_is_prepared_not_a_traceback(sqlite_settings: Settings, tmp_path: Path) -> None:
    result = run(["queue", "--unit", "石塘镇", "--now", NOW], sqlite_settings, tmp_path)
    assert result.returncode == 0 and "石塘镇 待办（0 件）" in result.stdout, result.stderr
    unreachable = dataclasses.replace(sqlite_settings,
                                      database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    failed = run(["status"], unreachable, tmp_path)
    assert failed.returncode == 1 and "无法连接或初始化数据库" in failed.stderr and "Traceback" not in failed.stderr


def test_usage_errors_and_refusals_are_in_chinese(sqlite_settings: Settings, tmp_path: Path) -> None:
    _major_event(sqlite_settings, tmp_path)
    missing = run(["regrade", "1", "--reason", "x", "--by", "甲"], sqlite_settings, tmp_path)
    assert missing.returncode == 2 and "缺少选项" in missing.stderr and "Missing" not in missing.stderr
    bad_number = run(["regrade", "abc", "--grade", "重大"], sqlite_settings, tmp_path)
    assert bad_number.returncode == 2 and "取值无效" in bad_number.stderr
    nobody = run(["regrade", "1", "--grade", "重大", "--reason", "央媒关注", "--by", " "], sqlite_settings, tmp_path)
    assert nobody.returncode == 2 and "请填写操作人姓名" in nobody.stderr
    no_event = run(["regrade", "999", "--grade", "重大", "--reason", "x", "--by", "甲"], sqlite_settings, tmp_path)
    assert no_event.returncode == 2 and "没有编号为 999 的事件" in no_event.stderr
    script = run(["respond", "1", "--unit", "崇头镇", "--kind", "网络问政回复", "--by", "甲",
                  "--link", "javascript:alert(1)"], sqlite_settings, tmp_path)
    assert script.returncode == 2 and "http" in script.stderr
    empty_ack = run(["ack", "0123abcd", "--by", ""], sqlite_settings, tmp_path)
    assert empty_ack.returncode == 2 and "请填写" in empty_ack.stderr
    helped = run(["--help"], sqlite_settings, tmp_path)
    assert "命令" in helped.stdout and "Commands" not in helped.stdout


def test_every_command_that_needs_an_actor_or_a_reason_says_so_in_its_help(sqlite_settings: Settings,
                                                                            tmp_path: Path) -> None:
    """Issue 18: ``--by`` (and ``--reason`` where the action refuses an empty one) showed as
    optional in accept, return, close, assign, unassign and reassign, though each is refused empty."""
    needs = {"accept": ["--by"], "close": ["--by"], "return": ["--by", "--reason"], "assign": ["--by", "--reason"],
             "unassign": ["--by", "--reason"], "reassign": ["--by", "--reason"], "respond": ["--by"]}
    for command, options in needs.items():
        lines = run([command, "-h"], sqlite_settings, tmp_path).stdout.splitlines()
        for option in options:
            assert any(f"{option} " in line and "[必填]" in line for line in lines), (command, option)


def test_respond_refuses_impossible_times_and_a_response_with_nothing_to_show(sqlite_settings: Settings,
                                                                              tmp_path: Path) -> None:
    """Issue 18: a backdated ``--at`` erased lateness; ``--now`` took any year; no link met the
    deadline; ``respond -h`` showed ``--by`` as optional although it is required."""
    _major_event(sqlite_settings, tmp_path)
    helped = run(["respond", "-h"], sqlite_settings, tmp_path).stdout
    assert any("--by" in line and "[必填]" in line for line in helped.splitlines()) and "--place" in helped
    base = ["respond", "1", "--unit", "崇头镇", "--kind", "新闻发布会", "--by", "崇头镇值班员"]
    later = "2026-11-29T16:00:00+08:00"  # both milestones overdue
    for extra, why in ((["--link", "https://www.yunhe.gov.cn/a/1", "--at", "2020-01-01T09:00:00+08:00"],
                        "早于该事件最早的发布时间"),
                       (["--link", "https://www.yunhe.gov.cn/a/1", "--at", "2026-11-29T17:00:00+08:00"], "晚于登记时间"),
                       (["--link", "https://www.yunhe.gov.cn/a/1", "--at", "0001-01-01T00:00:00+12:00"], "早于 2000 年"),
                       ([], "举行地点")):
        refused = run([*base, *extra, "--now", later], sqlite_settings, tmp_path)
        assert refused.returncode == 2 and why in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    absurd = run(["queue", "--unit", "崇头镇", "--now", "1999-12-31T10:00:00+08:00"], sqlite_settings, tmp_path)
    assert absurd.returncode == 2 and "--now 早于 2000 年" in absurd.stderr
    assert run(["status", "--now", "9999-01-01"], sqlite_settings, tmp_path).returncode == 2
    no_by = run(["respond", "1", "--unit", "崇头镇", "--kind", "新闻发布会", "--place", "县新闻中心"], sqlite_settings, tmp_path)
    assert no_by.returncode == 2 and "缺少选项" in no_by.stderr and "--by" in no_by.stderr
    held = run([*base, "--place", "县新闻中心一楼发布厅", "--at", "2026-11-29T15:00:00+08:00", "--now", later],
               sqlite_settings, tmp_path)
    assert held.returncode == 0 and "新闻发布会" in held.stdout and "发布权威信息" in held.stdout, held.stderr


def test_tables_fit_80_columns_in_a_pipe_without_cutting_names(settings_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rich.cells import cell_len

    settings: Settings = settings_for("sqlite:///unused.db")
    env_settings = dataclasses.replace(settings)
    result = subprocess.run([sys.executable, "-m", "yuqing.cli", "demo", "--db", str(tmp_path / "demo.db")],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300,
                            env={**{k: v for k, v in os.environ.items() if k != "COLUMNS"},
                                 "YUQING_STATE_DIR": str(env_settings.state_dir),
                                 "YUQING_MODEL_DIR": str(env_settings.model_dir)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    tables = [line for line in lines if not line.startswith(("演示数据库", "当日舆情日报", "网页演示用户"))]  # messages
    assert max(cell_len(line) for line in tables) <= 80
    # every owning unit's name stands whole on one line (long cells fold, names are never cut)
    for unit in ("丽水市生态环境局云和分局", "县人力资源和社会保障局", "县住房和城乡建设局", "雾溪畲族乡"):
        assert any(unit in line for line in lines), unit


def test_users_add_disable_reset_and_token(sqlite_settings: Settings, tmp_path: Path) -> None:
    os.environ["YUQING_TEST_PW"] = "a-long-password"
    try:
        added = run(["users", "add", "shitang1", "--name", "李四", "--role", "unit", "--unit", "石塘镇",
                     "--by", "管理员", "--password-env", "YUQING_TEST_PW"], sqlite_settings, tmp_path)
        assert added.returncode == 0 and "已添加用户 shitang1（责任单位，石塘镇）" in added.stdout, added.stderr
        no_unit = run(["users", "add", "x1", "--name", "某", "--role", "unit", "--by", "管理员",
                       "--password-env", "YUQING_TEST_PW"], sqlite_settings, tmp_path)
        assert no_unit.returncode == 2 and "必须指定所属单位" in no_unit.stderr
        token = run(["users", "token", "shitang1", "--name", "12345热线", "--by", "管理员"], sqlite_settings, tmp_path)
        assert token.returncode == 0 and token.stdout.strip().splitlines()[-1].startswith("yq_")
        assert run(["users", "disable", "shitang1", "--by", "管理员"], sqlite_settings, tmp_path).returncode == 0
        reset = run(["users", "reset", "shitang1", "--by", "管理员", "--password-env", "YUQING_TEST_PW"],
                    sqlite_settings, tmp_path)
        assert reset.returncode == 0 and "已重设" in reset.stdout
        os.environ["YUQING_TEST_PW"] = "short"
        short = run(["users", "reset", "shitang1", "--by", "管理员", "--password-env", "YUQING_TEST_PW"],
                    sqlite_settings, tmp_path)
        assert short.returncode == 2 and "密码至少 12 个字符" in short.stderr
        for weak, why in (("aaaaaaaaaaaa", "重复或连续"), ("shitang1shitang1", "包含用户名"), ("Password@2024", "过于常见")):
            os.environ["YUQING_TEST_PW"] = weak
            refused = run(["users", "add", "x2", "--name", "某", "--role", "analyst", "--by", "管理员",
                           "--password-env", "YUQING_TEST_PW"] if why != "包含用户名" else
                          ["users", "reset", "shitang1", "--by", "管理员", "--password-env", "YUQING_TEST_PW"],
                          sqlite_settings, tmp_path)
            assert refused.returncode == 2 and why in refused.stderr, (weak, refused.stderr)
    finally:
        del os.environ["YUQING_TEST_PW"]


def test_users_unlock_lifts_a_sign_in_lock(sqlite_settings: Settings, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.actions.signin import sign_in
    from pipeline.rules.signin import PAIR_LIMIT
    from pipeline.runtime import open_runtime

    monkeypatch.setenv("YUQING_TEST_PW", "a-long-password")
    assert run(["users", "add", "boss", "--name", "李领导", "--role", "leader", "--by", "管理员",
                "--password-env", "YUQING_TEST_PW"], sqlite_settings, tmp_path).returncode == 0
    with open_runtime(sqlite_settings) as rt:
        for _ in range(PAIR_LIMIT):
            rt.act(sign_in, "boss", "wrong-password", "10.0.0.9", now=datetime.now(SHANGHAI))
        assert rt.act(sign_in, "boss", "a-long-password", "10.0.0.9", now=datetime.now(SHANGHAI)).token is None
    unlocked = run(["users", "unlock", "boss", "--by", "管理员"], sqlite_settings, tmp_path)
    assert unlocked.returncode == 0 and "已解锁 boss（此前在 1 个地址被锁定）" in unlocked.stdout, unlocked.stderr
    with open_runtime(sqlite_settings) as rt:
        assert rt.act(sign_in, "boss", "a-long-password", "10.0.0.9", now=datetime.now(SHANGHAI)).token is not None
    again = run(["users", "unlock", "boss", "--by", "管理员"], sqlite_settings, tmp_path)
    assert again.returncode == 0 and "boss 当前未被锁定" in again.stdout
    missing = run(["users", "unlock", "nobody", "--by", "管理员"], sqlite_settings, tmp_path)
    assert missing.returncode == 2 and "没有用户“nobody”" in missing.stderr


def test_users_add_help_is_readable_at_80_columns(sqlite_settings: Settings, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    shown = run(["users", "add", "-h"], sqlite_settings, tmp_path)
    assert shown.returncode == 0
    assert max(cell_len(line) for line in shown.stdout.splitlines()) <= 80
    assert "…" not in shown.stdout  # nothing cut
    text = "".join(line.strip("│ ") for line in shown.stdout.splitlines())
    for code, name in USER_ROLES.items():
        assert f"{code}（{name}）" in text, code
