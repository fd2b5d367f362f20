"""``yuqing merge`` and ``yuqing split`` as an analyst runs them (real subprocesses)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from pipeline.settings import Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Event, Post
from tests.yuqing.test_cli import NOW, run

POSTS = [{"id": "a", "platform": "weibo", "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行"},
         {"id": "b", "platform": "news", "source": "丽水网",
          "text": "记者从县应急管理局获悉，石塘镇一辆载有游客的中巴车与货车相撞，已致10人死亡"},
         {"id": "c", "platform": "news", "source": "处州晚报",
          "text": "记者从县应急管理局获悉，石塘镇一辆载有游客的中巴车与货车相撞，已致10人死亡（处州晚报）"}]


def test_an_analyst_merges_and_splits_events(migrated_sqlite: Callable[[str], str], settings_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sqlite_settings: Settings = settings_for(migrated_sqlite("cli.db"))
    src = tmp_path / "posts.jsonl"
    src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), encoding="utf-8")
    assert run(["ingest", str(src), "--now", NOW], sqlite_settings, tmp_path).returncode == 0
    engine = make_engine(sqlite_settings.database_url)
    with session_scope(engine) as s:
        events = {str(pid): eid for pid, eid in s.execute(select(Post.platform_id, Post.event_id))}
    assert events["b"] == events["c"] != events["a"]

    merged = run(["merge", str(events["b"]), "--with", str(events["a"]), "--reason", "同一起事故，首报乡镇有误",
                  "--by", "分析员甲", "--now", NOW], sqlite_settings, tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert f"事件 {events['a']} 已并入事件 {events['b']}" in merged.stdout
    again = run(["merge", str(events["a"]), "--with", str(events["b"]), "--reason", "x", "--by", "分析员甲"],
                sqlite_settings, tmp_path)
    assert again.returncode == 2 and "已并入事件" in again.stderr
    missing = run(["merge", str(events["b"]), "--reason", "x", "--by", "分析员甲"], sqlite_settings, tmp_path)
    assert missing.returncode == 2 and "缺少选项" in missing.stderr

    with session_scope(engine) as s:
        post = s.scalar(select(Post.id).where(Post.platform_id == "a"))
    split = run(["split", str(events["b"]), "--post", str(post), "--reason", "崇头镇所报为另一起事故",
                 "--by", "分析员甲", "--now", NOW], sqlite_settings, tmp_path)
    assert split.returncode == 0, split.stderr
    with session_scope(engine) as s:
        moved = s.scalar(select(Post.event_id).where(Post.platform_id == "a"))
        assert moved is not None and moved not in events.values()
        assert s.get(Event, moved) is not None and f"新事件编号 {moved}" in split.stdout
    engine.dispose()
