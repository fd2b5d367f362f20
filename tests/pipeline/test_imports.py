"""Files people already have (issue 20), on both engines: the project's MediaCrawler fixtures
(抖音, 小红书, 贴吧; JSONL, JSON and CSV; contents and comments) and a 12345 export with its
column mapping are triaged; comments are stored once, attached to their posts and counted in the
event's reach; the same incident told on two platforms is one event; bad lines are rejected with
their reasons and the rest kept; importing everything again changes nothing; a ``folder`` source
reads each settled file once and never a half-written one."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import func, select

from pipeline.imports import load_mapping
from pipeline.queries.comments import event_comments
from pipeline.runtime import Runtime
from pipeline.service import import_files
from pipeline.storage.models import AuditLog, Comment, Event, ImportedFile, Post, Response, Unit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
HOMESTAY_DOUYIN, HOMESTAY_XHS = "7440000000000000001", "6746000000000000000000a1"


def _counts(rt: Runtime) -> tuple[int, ...]:
    with rt.session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Post, Event, Comment, Response, AuditLog))


def test_mediacrawler_files_are_triaged_with_their_comments_once(db_url: str,
                                                                  runtime_for: Callable[[str], Runtime]) -> None:
    rt = runtime_for(db_url)
    batch, stored = import_files(rt, [FIXTURES / "mediacrawler"], "mediacrawler", None, NOW)
    assert batch.files == 18 and (len(batch.posts), len(batch.comments)) == (15, 27)
    assert (stored.report.new_posts, stored.comments_new) == (5, 9)
    reasons = batch.reasons()
    assert len(reasons) == 7 and sum("正文为空" in r for r in reasons) == 3
    assert sum("评论内容为空" in r for r in reasons) == 3 and any("JSON 格式错误" in r for r in reasons)
    with rt.session() as s:
        posts = {p.platform_id: p for p in s.scalars(select(Post))}
        assert {p.platform for p in posts.values()} == {"douyin", "xhs", "tieba"}
        douyin = posts[HOMESTAY_DOUYIN]
        # counts as numbers ("1.2万"), the time aware to the second, the URL canonical
        assert (douyin.likes, douyin.reposts, douyin.published_precision) == (12000, 455, "second")
        assert douyin.published_at == datetime.fromisoformat("2026-11-27T20:05:00+08:00")
        assert douyin.canonical_url == "https://www.douyin.com/video/7440000000000000001"
        assert posts["9300000001"].published_precision == "minute"
        # one incident on two platforms is one event
        assert douyin.event_id == posts[HOMESTAY_XHS].event_id
        # a note whose count was unknown takes the comments brought with it (reach)
        assert posts["7440000000000000002"].comments == 1
        waiting = s.scalar(select(Comment).where(Comment.note_id == "6746000000000000000000ff"))
        assert waiting is not None and waiting.post_id is None
        comments = event_comments(s, douyin.event_id)
    assert [c.text for c in comments][:2] == ["支持曝光，市场监管部门该好好查一查", "去年国庆也遇到过，投诉了也没人管"]
    assert len(comments) == 5 and sum(c.is_reply for c in comments) == 1
    assert {c.platform for c in comments} == {"douyin", "xhs"}
    before = _counts(rt)
    _, stored_again = import_files(rt, [FIXTURES / "mediacrawler"], "mediacrawler", None, NOW)
    assert (stored_again.report.new_posts, stored_again.comments_new, stored_again.replies) == (0, 0, 0)
    assert _counts(rt) == before, "re-importing the same files changes nothing"


def test_a_12345_export_with_its_mapping_records_the_replies(db_url: str,
                                                            runtime_for: Callable[[str], Runtime]) -> None:
    rt = runtime_for(db_url)
    mapping = load_mapping(FIXTURES / "hotline" / "mapping.yaml")
    batch, stored = import_files(rt, [FIXTURES / "hotline" / "12345_2026-11-27.csv"], "hotline12345", mapping, NOW)
    assert (len(batch.posts), stored.report.new_posts, stored.replies) == (2, 2, 1)
    assert len(batch.rejects) == 1 and "published_at" in batch.reasons()[0]
    with rt.session() as s:
        post = s.scalar(select(Post).where(Post.platform_id == "YH2026112700015"))
        assert post is not None and post.platform == "hotline" and post.raw["board"]["state"] == "已办结"
        reply = s.execute(select(Unit.name, Response.kind, Response.responded_at).join(Unit, Unit.id == Response.unit_id)
                          .where(Response.post_id == post.id)).one()
    assert tuple(reply) == ("县市场监督管理局", "网络问政回复", datetime.fromisoformat("2026-11-28T09:10:00+08:00"))
    before = _counts(rt)
    import_files(rt, [FIXTURES / "hotline" / "12345_2026-11-27.csv"], "hotline12345", mapping, NOW)
    assert _counts(rt) == before


def test_a_folder_source_reads_each_settled_file_once(db_url: str, runtime_for: Callable[[str], Runtime],
                                                      tmp_path: Path) -> None:
    from pipeline.collect import collect_once

    rt = runtime_for(db_url)
    inbox = tmp_path / "inbox" / "douyin" / "jsonl"
    inbox.mkdir(parents=True)
    config = tmp_path / "sources.yaml"
    config.write_text(yaml.safe_dump({"sources": [{"name": "分析员共享文件夹", "kind": "folder",
                                                   "path": str(tmp_path / "inbox"), "settle_seconds": 30}]},
                                     allow_unicode=True), encoding="utf-8")
    source = FIXTURES / "mediacrawler" / "douyin" / "jsonl"
    contents = inbox / "search_contents_2026-11-28.jsonl"
    shutil.copy(source / contents.name, contents)
    (inbox / "search_comments_2026-11-28.jsonl.part").write_bytes((source / "search_comments_2026-11-28.jsonl").read_bytes())
    old = time.time() - 120
    os.utime(contents, (old, old))
    fresh = inbox / "search_comments_2026-11-28.jsonl"
    shutil.copy(source / fresh.name, fresh)  # just written: not settled yet
    first = collect_once(rt, config, None, NOW)[0]
    assert (first.fetched, first.new, first.rejected) == (2, 2, 1)  # the half-written last line
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Comment)) == 0
        assert [f.path for f in s.scalars(select(ImportedFile))] == [str(contents)]
    os.utime(fresh, (old, old))
    second = collect_once(rt, config, None, NOW)[0]
    assert (second.fetched, second.new) == (4, 4), "only the newly settled comments file is read"
    third = collect_once(rt, config, None, NOW)[0]
    assert (third.fetched, third.new) == (0, 0)
    with rt.session() as s:
        assert s.scalar(select(func.count()).select_from(Comment)) == 4
        assert s.scalar(select(func.count()).select_from(Comment).where(Comment.post_id.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(ImportedFile)) == 2


def test_a_missing_folder_is_a_failing_source_with_a_gap(db_url: str, runtime_for: Callable[[str], Runtime],
                                                         tmp_path: Path) -> None:
    from pipeline.collect import collect_once
    from pipeline.queries.sources import source_table
    from pipeline.storage.models import CoverageGap

    rt = runtime_for(db_url)
    config = tmp_path / "sources.yaml"
    config.write_text(yaml.safe_dump({"sources": [{"name": "共享文件夹", "kind": "folder", "path": str(tmp_path / "gone")}]},
                                     allow_unicode=True), encoding="utf-8")
    facts = collect_once(rt, config, None, NOW)[0]
    assert facts.problems and facts.problems[0][0] == "fetch_failed" and "文件夹不存在" in facts.problems[0][1]
    with rt.session() as s:
        row = source_table(s, {"共享文件夹": "folder"})[0]
        assert (row["health"], row["kind"]) == ("degraded", "folder") and "文件夹不存在" in row["reason"]
        assert s.scalar(select(func.count()).select_from(CoverageGap)) == 1
