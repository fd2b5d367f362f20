"""Ingesting a file through the unit of work, on both engines: one bad line never costs the
others, whatever either database would refuse is caught per line, identity is scoped, and what
validation changed is recorded on the post and in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline import service
from pipeline.service import ingest_file, write_output
from pipeline.storage.models import Event, Post
from tests.conftest import NOW


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_values_either_database_would_refuse_cost_only_their_own_line(db_url: str, runtime_for: Any,
                                                                       tmp_path: Path) -> None:
    rows = [
        {"id": "ok", "platform": "weibo", "text": "元和街道古竹村的路灯坏了一个月"},
        {"id": "big", "platform": "weibo", "text": "赤石乡自来水停了两天", "reposts": 1e19, "likes": "99999999999亿"},
        {"id": "x" * 129, "platform": "weibo", "text": "编号太长的帖子"},
        {"id": "url", "platform": "news", "text": "石塘镇老街改造", "url": "https://a.example/" + "q" * 1200},
        {"id": "nul", "platform": "weibo", "text": "崇头镇\u0000停电了", "author": "张" * 300, "extra": "a\u0000b"},
        {"id": "long", "platform": "weibo", "text": "紧水滩镇的路面坑洼很多。" * 2000},
        {"id": "future", "platform": "weibo", "text": "浮云街道中山社区电梯坏了", "published_at": "2027-03-01T10:00:00+08:00"},
    ]
    rt = runtime_for(db_url)
    result = ingest_file(rt, _write(tmp_path / "in.jsonl", rows), NOW, tmp_path / "rejects.jsonl")
    assert [r.line for r in result.rejects] == [3] and "编号过长" in result.rejects[0].reason
    assert result.report.new_posts == 6
    noted = dict(result.report.notes)
    assert "已截断为 20000 个字符" in noted[6] and "超出合理范围" in noted[2] and "晚于监测时间" in noted[7]
    with rt.session() as s:
        posts = {p.platform_id: p for p in s.scalars(select(Post))}
        assert set(posts) == {"ok", "big", "url", "nul", "long", "future"}
        assert posts["big"].reposts is None and posts["big"].likes is None
        assert [n["kind"] for n in posts["long"].notes or []] == ["truncated"] and len(posts["long"].text) == 20_000
        assert "\x00" not in posts["nul"].text and posts["nul"].raw["extra"] == "ab"
        future = s.get(Event, posts["future"].event_id)
        assert future is not None and future.clock_start_at == NOW  # deadlines count from detection


def test_same_id_from_another_source_with_other_text_is_another_post(db_url: str, runtime_for: Any,
                                                                    tmp_path: Path) -> None:
    """Exports of other systems number their items from 1: an id names a post only within its
    source (Weibo's ids are global), and an id or URL whose text differs is not a repeat."""
    first = [{"id": "1", "platform": "hotline", "source": "12345热线", "text": "石塘镇老街路灯坏了一个月"},
             {"id": "5100000000000001", "platform": "weibo", "source": "微博搜索", "text": "崇头镇停电了"}]
    second = [{"id": "1", "platform": "hotline", "source": "信访系统", "text": "赤石乡自来水浑浊发黄"},
              {"id": "1", "platform": "hotline", "source": "12345热线", "text": "石塘镇老街路灯坏了一个月"},
              {"id": "5100000000000001", "platform": "weibo", "source": "云和发布微博", "text": "崇头镇停电了！"},
              {"id": "9", "platform": "news", "url": "https://news.example/a/1", "text": "元和街道道路施工"},
              {"id": "10", "platform": "news", "url": "https://news.example/a/1", "text": "元和街道道路施工已完工"}]
    rt = runtime_for(db_url)
    ingest_file(rt, _write(tmp_path / "a.jsonl", first), NOW, None)
    report = ingest_file(rt, _write(tmp_path / "b.jsonl", second), NOW, None).report
    items = [(i["id"], i["event_id"]) for i in report.items]
    assert report.new_posts == 3 and report.duplicates == 2
    with rt.session() as s:
        texts = sorted(s.scalars(select(Post.text).where(Post.platform == "hotline")))
    assert texts == ["石塘镇老街路灯坏了一个月", "赤石乡自来水浑浊发黄"]
    assert items[1][1] != items[0][1]  # the 信访 item 1 is not the 12345 item 1


def test_output_read_back_from_storage_is_the_batch_output(db_url: str, runtime_for: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file is triaged without holding its output (``describe=False``) and written out
    from storage afterwards: the lines are the ones the in-memory report gives, in input order,
    repeats and already stored posts included."""
    rows: list[dict[str, Any]] = [{"id": "r1", "platform": "weibo", "text": "崇头镇云和梯田观景台附近山体塌方，一辆车被埋",
             "published_at": "2026-05-02T09:10:00+08:00"},
            {"id": "r2", "platform": "weibo", "text": "赤石乡自来水停了两天，没人管"},
            {"id": "r1", "platform": "weibo", "text": "崇头镇云和梯田观景台附近山体塌方，一辆车被埋",
             "published_at": "2026-05-02T09:10:00+08:00"},
            {"platform": "news", "title": "云和梯田塌方续报", "text": "崇头镇塌方已致2人受伤，救援仍在进行"}]
    first = ingest_file(runtime_for(db_url), _write(tmp_path / "a.jsonl", rows[:1]), NOW, None)
    assert first.report.items and first.report.items[0]["id"] == "r1"
    path = _write(tmp_path / "b.jsonl", rows)
    described = ingest_file(runtime_for(db_url), path, NOW, None).report
    rt = runtime_for(db_url)
    streamed = ingest_file(rt, path, NOW, None, describe=False).report
    assert streamed.items == [] and streamed.input_ids == ["r1", "r2", "r1", "line-4"]
    monkeypatch.setattr(service, "OUTPUT_PROGRESS_EVERY", 2)
    said: list[str] = []
    assert write_output(rt, streamed, tmp_path / "out.jsonl", said.append) == 4
    assert said == ["已写出研判结果 2/4 条", "已写出研判结果 4/4 条"]  # a long write shows progress
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == described.items
    assert lines[0]["event_id"] == lines[2]["event_id"] and lines[0]["relevant"]
    with rt.session() as s:  # what is written is what is stored, not a snapshot taken mid-batch
        stored = {p.platform_id or "line-4": (p.relevant, p.event_id) for p in s.scalars(select(Post))}
    assert all(stored[line["id"]][1] == line["event_id"] for line in lines)
    assert all(line["relevant"] <= stored[line["id"]][0] for line in lines)
