"""MediaCrawler's files (issue 20): platform and contents/comments read from the path or the
fields; the field names of 抖音, 小红书 and 贴吧; counts as numbers; epoch times in seconds or
milliseconds (also as strings) become aware times; bad lines are rejected with their reasons."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePath

from crawlers.mediacrawler import comment_row, content_record, holds_comments, platform_of
from pipeline.comment_input import to_comment
from pipeline.imports import partial, read_files, source_files
from pipeline.normalize import RejectedRecord, to_post

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mediacrawler"
NOW = datetime.fromisoformat("2026-11-28T10:00:00+08:00")


def test_platform_and_kind_from_the_path_or_the_fields() -> None:
    assert platform_of(PurePath("data/xhs/jsonl/search_contents_2026-11-28.jsonl")) == "xhs"
    assert platform_of(PurePath("data/douyin/csv/x.csv")) == "douyin"
    assert platform_of(PurePath("inbox/x.jsonl"), {"aweme_id": "1"}) == "douyin"
    assert platform_of(PurePath("inbox/x.jsonl"), {"note_id": "1", "tieba_name": "云和吧"}) == "tieba"
    assert platform_of(PurePath("inbox/x.jsonl"), {"note_id": "1"}) is None
    assert holds_comments(PurePath("search_comments_2026-11-28.jsonl"))
    assert not holds_comments(PurePath("search_contents_2026-11-28.jsonl"), {"comment_id": "1"})
    assert holds_comments(PurePath("export.jsonl"), {"comment_id": "1"})
    assert partial(Path("a.jsonl.part")) and partial(Path(".a.jsonl")) and not partial(Path("a.jsonl"))


def test_string_counts_and_epoch_times_become_numbers_and_aware_times() -> None:
    row = {"aweme_id": "7", "desc": "云和梯田", "create_time": "1795781100", "liked_count": "1.2万",
           "comment_count": "3", "share_count": "", "aweme_url": "https://www.douyin.com/video/7?previous_page=x"}
    post = to_post(content_record(row, "douyin"), 1, NOW)
    assert (post.likes, post.comments, post.reposts) == (12000, 3, None)
    assert post.published_at == datetime.fromisoformat("2026-11-27T20:05:00+08:00")
    assert post.published_precision == "second" and post.source == "抖音"
    assert post.canonical_url == "https://www.douyin.com/video/7"
    ms = to_post(content_record({**row, "create_time": 1795781100000}, "douyin"), 1, NOW)
    assert ms.published_at == post.published_at
    comment = to_comment(comment_row({"comment_id": "c1", "aweme_id": "7", "content": "好", "like_count": "56",
                                      "create_time": "1795781100000", "parent_comment_id": "0"}, "douyin"), 1, NOW)
    assert (comment.note_id, comment.likes, comment.parent_comment_id) == ("7", 56, None)
    assert comment.published_at == post.published_at
    for bad, reason in (({"comment_id": "c2", "aweme_id": "7", "content": ""}, "评论内容为空"),
                        ({"aweme_id": "7", "content": "无编号"}, "缺少评论编号（comment_id）"),
                        ({"comment_id": "c3", "content": "无帖子"}, "缺少所属帖子编号（note_id）")):
        try:
            to_comment(comment_row(bad, "douyin"), 1, NOW)
        except RejectedRecord as exc:
            assert str(exc) == reason
        else:
            raise AssertionError(bad)


def test_every_format_of_the_fixtures_reads_the_same_notes() -> None:
    by_format: dict[str, set[tuple[str, str | None, int | None]]] = {}
    for fmt in ("jsonl", "json", "csv"):
        files = source_files(sorted(FIXTURES.glob(f"*/{fmt}")))
        assert [holds_comments(f) for f in files] == [False] * 3 + [True] * 3, "contents first"
        batch = read_files(files, "mediacrawler", None, NOW)
        by_format[fmt] = {(p.platform, p.platform_id, p.likes) for p in batch.posts}
        assert {c.note_id for c in batch.comments} >= {"7440000000000000001", "6746000000000000000000a1", "9300000001"}
    assert by_format["jsonl"] == by_format["json"] == by_format["csv"]
    assert len(by_format["csv"]) == 5
