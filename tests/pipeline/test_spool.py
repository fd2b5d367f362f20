"""A triage batch spooled to disk: the posts read back are the posts read in, in any order and
from a forked child; bad lines are rejects as ``read_posts`` gives them; the file goes away."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from sqlalchemy import Engine

from pipeline.normalize import read_posts
from pipeline.spool import SpooledBatch, digest_of, spool_posts
from pipeline.storage.db import session_scope
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

ROWS = [
    {"id": "a1", "platform": "weibo", "text": "崇头镇云和梯田观景台附近山体塌方", "published_at": "2026-05-02T09:10:00+08:00"},
    "{broken json",
    {"id": "a2", "platform": "news", "url": "https://news.example/x?utm_source=1", "text": "石塘镇 仙宫湖 游船 翻覆",
     "title": "<script>alert(1)</script>", "likes": "12"},
    {"platform": "weibo"},
    {"id": "a3", "platform": "weibo", "text": "赤石乡停水了" * 5000},
]


def _write(path: Path) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in ROWS),
                    encoding="utf-8")
    return path


def test_spooled_posts_are_the_posts_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl")
    parsed = read_posts(path, NOW)
    spooled = spool_posts(path, NOW, tmp_path)
    with spooled.batch as batch:
        assert [(r.line, r.reason) for r in spooled.rejects] == [(r.line, r.reason) for r in parsed.rejects]
        assert [r.line for r in spooled.rejects] == [2, 4]
        assert batch.load([2, 0, 1]) == [parsed.posts[2], parsed.posts[0], parsed.posts[1]]
        assert batch.digests == [digest_of(p, NOW) for p in parsed.posts]
        assert spooled.truncated == 1 and batch.digests[2].notes
        assert len(os.listdir(tmp_path)) == 1  # the spool is unnamed: only the input file is listed


def _read_in_child(batch: SpooledBatch, queue: multiprocessing.Queue[list[str | None]]) -> None:
    queue.put([p.platform_id for p in batch.load([1, 0])])


def test_a_forked_worker_reads_the_same_posts(tmp_path: Path) -> None:
    spooled = spool_posts(_write(tmp_path / "in.jsonl"), NOW)
    with spooled.batch as batch:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_read_in_child, args=(batch, queue))
        child.start()
        got = queue.get(timeout=30)
        child.join(30)
        assert got == ["a2", "a1"]
        assert [p.platform_id for p in batch.load([0, 1, 2])] == ["a1", "a2", "a3"]  # the parent's reads unaffected


def test_digests_let_go_are_worked_out_again(tmp_path: Path) -> None:
    """Triage lets a batch's digests go once it has read them; a retried batch asks for them again."""
    spooled = spool_posts(_write(tmp_path / "in.jsonl"), NOW)
    with spooled.batch as batch:
        before = list(batch.digests)
        batch.forget_digests()
        assert len(batch) == 3
        assert batch.digests == before


def test_a_batch_triaged_again_finds_every_post_stored(engine: Engine, ctx: TriageContext, tmp_path: Path) -> None:
    """The retry after another worker stored some of the same posts: the second pass over the same
    spooled batch (its digests let go by the first) finds each post stored, none added twice."""
    spooled = spool_posts(_write(tmp_path / "in.jsonl"), NOW)
    with spooled.batch as batch:
        with session_scope(engine) as s:
            first = triage_posts(s, batch, ctx, NOW, describe=False)
        with session_scope(engine) as s:
            again = triage_posts(s, batch, ctx, NOW, describe=False)
    assert (first.new_posts, again.new_posts, again.duplicates) == (3, 0, 3)
    assert again.post_ids == first.post_ids and again.notes == first.notes
