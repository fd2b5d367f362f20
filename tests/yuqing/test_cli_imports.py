"""``yuqing ingest --format mediacrawler|hotline12345`` and ``yuqing sources`` as an analyst runs
them (issue 20): a folder of MediaCrawler files is triaged with its comments, bad lines are named
with file, line and reason (exit 3), a second run stores nothing new; usage errors exit 2 in
Chinese; ``yuqing sources`` names the new kinds in an 80-column table."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pipeline.settings import PROJECT_ROOT, Settings
from tests.yuqing.conftest import run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = "2026-11-28T10:00:00+08:00"


def test_ingest_mediacrawler_folder_twice(sqlite_settings: Settings, tmp_path: Path) -> None:
    args = ["ingest", "--format", "mediacrawler", str(FIXTURES / "mediacrawler"), "--now", NOW]
    first = run(args, sqlite_settings, tmp_path)
    assert first.returncode == 3, first.stderr
    assert "读取 18 个文件：帖子 15 条（新入库 5，重复 10），评论 27 条（新入库 9，重复 18）" in first.stdout.replace("\n", "")
    assert "douyin/jsonl/search_contents_2026-11-28.jsonl 第 3 行：JSON 格式错误" in first.stderr.replace("\n", "")
    rejects = sorted((sqlite_settings.state_dir / "rejects").glob("import-*.rejects.jsonl"))
    assert rejects and len(rejects[0].read_text(encoding="utf-8").splitlines()) == 7
    assert {"file", "line", "reason", "raw"} <= set(json.loads(rejects[0].read_text(encoding="utf-8").splitlines()[0]))
    second = run(args, sqlite_settings, tmp_path)
    assert "新入库 0，重复 15" in second.stdout.replace("\n", "") and "新入库 0，重复 27" in second.stdout.replace("\n", "")
    assert "Traceback" not in first.stderr + second.stderr


def test_usage_errors_are_chinese(sqlite_settings: Settings, tmp_path: Path) -> None:
    csv = str(FIXTURES / "hotline" / "12345_2026-11-27.csv")
    for args, words in ((["ingest", "--format", "hotline12345", csv], "需要 --mapping"),
                        (["ingest", "--format", "weibo-dump", csv], "不支持的格式"),
                        (["ingest", "--format", "mediacrawler", str(tmp_path / "nowhere")], "文件或文件夹不存在"),
                        (["ingest", "--format", "hotline12345", "--mapping", str(tmp_path / "none.yaml"), csv],
                         "列对应关系文件有误")):
        done = run(args, sqlite_settings, tmp_path)
        assert done.returncode == 2 and words in done.stderr, (args, done.stderr)


def test_sources_names_the_new_kinds_at_80_columns(sqlite_settings: Settings, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("units.yaml", "topics.yaml", "policy.yaml", "alerts.yaml", "schemes.yaml"):
        source = PROJECT_ROOT / "data" / "config" / name
        if source.exists():
            (config / name).write_bytes(source.read_bytes())
    inbox = tmp_path / "inbox"
    (inbox / "tieba" / "jsonl").mkdir(parents=True)
    for f in (FIXTURES / "mediacrawler" / "tieba" / "jsonl").iterdir():
        (inbox / "tieba" / "jsonl" / f.name).write_bytes(f.read_bytes())
    (config / "sources.yaml").write_text(yaml.safe_dump({"sources": [
        {"name": "分析员共享文件夹", "kind": "folder", "path": str(inbox), "settle_seconds": 0},
        {"name": "领导留言板", "kind": "message_board", "url": "http://127.0.0.1:9/people/liuyan/1"},
    ]}, allow_unicode=True), encoding="utf-8")
    env = {"YUQING_CONFIG_DIR": str(config)}
    before = run(["sources"], sqlite_settings, tmp_path, **env)
    assert before.returncode == 0, before.stderr
    assert "未运行" in before.stdout and "留言板" in before.stdout and "文件夹" in before.stdout
    collected = run(["collect", "--source", "分析员共享文件夹", "--now", NOW], sqlite_settings, tmp_path, **env)
    assert collected.returncode == 0, collected.stderr
    after = run(["sources"], sqlite_settings, tmp_path, **env)
    assert "正常" in after.stdout and "文件 · 文件夹" in after.stdout
    assert max(len(line) for line in after.stdout.splitlines()) <= 80
