"""Input validation: each bad line is a reject with its line number and reason."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from pipeline.normalize import canonical_url, clean_text, read_posts, to_post
from pipeline.storage.db import session_scope
from pipeline.storage.models import Post
from pipeline.timeparse import SHANGHAI, TimeParseError, parse_time
from pipeline.triage import TriageContext, triage_posts

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


def write(tmp_path: Path, lines: list[str], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_and_bad_lines(tmp_path: Path) -> None:
    good = {"id": "1", "platform": "Weibo", "text": "石塘镇的路坏了", "reposts": "1.2万", "comments": None,
            "published_at": "2026-11-27"}
    path = write(tmp_path, [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "2", "text": ""}),
        json.dumps({"id": "3", "title": "只有标题"}),
        json.dumps({"id": "4", "text": "x", "likes": [1, 2]}),
        json.dumps({"id": "5", "text": "x", "published_at": "上周某天"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "6", "text": "x", "reposts": -3}),
    ])
    parsed = read_posts(path, NOW)
    assert [p.platform_id for p in parsed.posts] == ["1"]
    post = parsed.posts[0]
    assert post.platform == "weibo" and post.reposts == 12000 and post.comments is None and post.likes is None
    assert post.published_precision == "day"
    reasons = {r.line: r.reason for r in parsed.rejects}
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8}
    assert "JSON 格式错误" in reasons[2]
    assert reasons[3] == "正文为空" and reasons[4] == "缺少字段 text"
    assert "likes" in reasons[5] and "published_at" in reasons[6] and "不是 JSON 对象" in reasons[7]
    assert "负数" in reasons[8]


def test_hostile_html_is_reduced_to_text(tmp_path: Path) -> None:
    text = '<p>路灯坏了<script>alert("x")</script></p><img src=x onerror=alert(1)>&amp;'
    assert clean_text(text) == "路灯坏了&"
    path = write(tmp_path, [json.dumps({"id": "1", "text": "<script>evil()</script>"})])
    parsed = read_posts(path, NOW)
    assert parsed.posts == [] and parsed.rejects[0].reason == "正文为空"


def test_entity_encoded_script_never_comes_back_as_a_tag() -> None:
    """Decoding entities once and stripping again: ``&lt;script&gt;`` is not stored as a tag, and a
    doubly encoded one stays visible text (it was text in the source too)."""
    assert clean_text("停水了&lt;script&gt;alert(1)&lt;/script&gt;请处理") == "停水了请处理"
    assert clean_text("&lt;img src=x onerror=alert(1)&gt;路灯坏了") == "路灯坏了"
    assert clean_text("a &amp;lt;b&amp;gt; c") == "a &lt;b&gt; c"
    assert "<" not in clean_text("&lt;&lt;script&gt;script&gt;x")
    assert clean_text("PM2.5 3<5 且 6>4") == "PM2.5 3<5 且 6>4"  # not a tag: kept as written


def test_gbk_line_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps({"id": "g", "text": "云和县城停水"}, ensure_ascii=False).encode("gbk") + b"\n")
    assert read_posts(path, NOW).posts[0].text == "云和县城停水"
    csv_path = tmp_path / "in.csv"
    csv_path.write_text('id,platform,text,reposts\n1,weibo,"元和街道,路灯坏了",5\n2,weibo,,3\n', encoding="utf-8")
    parsed = read_posts(csv_path, NOW)
    assert [p.text for p in parsed.posts] == ["元和街道,路灯坏了"]
    assert parsed.rejects[0].line == 3


def test_canonical_url_drops_tracking_and_fragment() -> None:
    a = canonical_url("HTTPS://Www.Yunhe.gov.cn/art/1.html?utm_source=x&b=2&a=1#top")
    assert a == "https://www.yunhe.gov.cn/art/1.html?a=1&b=2"
    assert canonical_url("not a url") is None


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [("2026-11-27T10:30:00+08:00", datetime(2026, 11, 27, 10, 30, tzinfo=SHANGHAI), "minute"),
     ("2026年11月27日 10:30", datetime(2026, 11, 27, 10, 30, tzinfo=SHANGHAI), "minute"),
     ("11月27日", datetime(2026, 11, 27, tzinfo=SHANGHAI), "day"),
     ("刚刚", NOW, "minute"),
     ("5分钟前", datetime(2026, 11, 28, 9, 55, tzinfo=SHANGHAI), "minute"),
     ("昨天 09:15", datetime(2026, 11, 27, 9, 15, tzinfo=SHANGHAI), "minute"),
     ("12-31", datetime(2025, 12, 31, tzinfo=SHANGHAI), "day"),
     ("Fri Nov 27 10:00:00 +0800 2026", datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), "second")],
)
def test_time_formats(value: str, expected: datetime, precision: str) -> None:
    parsed, prec = parse_time(value, NOW)
    assert parsed == expected and prec == precision and parsed.tzinfo is not None


def test_impossible_date_rejected() -> None:
    with pytest.raises(TimeParseError):
        parse_time("2026-02-30", NOW)


def test_parse_now_is_aware_and_strict() -> None:
    from pipeline.timeparse import parse_now

    assert parse_now("2026-11-28T10:00:00") == NOW  # no zone: 北京时间
    assert parse_now("2026-11-28T02:00:00+00:00") == NOW
    assert parse_now(None).tzinfo is not None
    with pytest.raises(ValueError):
        parse_now("明天上午")


def test_values_the_database_would_refuse_are_rejected_or_clamped_per_line(tmp_path: Path) -> None:
    long_text = "石塘镇路灯坏了。" * 3000  # 24,000 characters
    lines = [
        {"id": "ok", "platform": "weibo", "text": "元和街道古竹村的路灯坏了"},
        {"id": "huge", "platform": "weibo", "text": "赤石乡停水", "reposts": 1e19, "likes": "99999999999亿"},
        {"id": "x" * 129, "platform": "weibo", "text": "编号太长"},
        {"id": "p", "platform": "p" * 33, "text": "平台名太长"},
        {"id": "u", "platform": "news", "text": "网址很长", "url": "https://a.example/" + "q" * 1200},
        {"id": "nul", "platform": "weibo", "text": "崇头镇\u0000停电", "author": "张" * 300, "extra": "a\u0000b"},
        {"id": "long", "platform": "weibo", "text": long_text},
        {"id": "future", "platform": "weibo", "text": "云和县城堵车", "published_at": "2027-03-01T10:00:00+08:00"},
    ]
    parsed = read_posts(write(tmp_path, [json.dumps(x, ensure_ascii=False) for x in lines]), NOW)
    by_id = {p.platform_id: p for p in parsed.posts}
    assert set(by_id) == {"ok", "huge", "u", "nul", "long", "future"}
    reasons = {r.line: r.reason for r in parsed.rejects}
    assert "编号过长" in reasons[3] and "平台名称过长" in reasons[4]
    kinds = {pid: [n["kind"] for n in p.notes] for pid, p in by_id.items()}
    assert by_id["huge"].reposts is None and by_id["huge"].likes is None
    assert kinds["huge"] == ["count_out_of_range", "count_out_of_range"]
    assert by_id["u"].canonical_url is not None and by_id["u"].canonical_url.startswith("sha256:")
    assert "\x00" not in by_id["nul"].text and "\x00" not in json.dumps(by_id["nul"].raw, ensure_ascii=False)
    assert by_id["nul"].author is not None and len(by_id["nul"].author) == 200 and kinds["nul"] == ["author_truncated"]
    assert len(by_id["long"].text) == 20_000 and kinds["long"] == ["truncated"] and parsed.truncated == 1
    assert kinds["future"] == ["future_published_at"] and by_id["future"].published_at is not None
    assert kinds["ok"] == []


def test_a_publish_time_nobody_can_mean_is_kept_unknown_with_a_note(engine: Engine, ctx: TriageContext) -> None:
    """Issue 18: year 1 east of Greenwich could not be stored (year 0 in UTC) and failed the whole
    batch; year 1 elsewhere was stored and broke every later reading. Now: unknown, noted."""
    raw = ["0001-01-01T00:00:00+12:00", "0001-01-01", "1999-12-31T23:00:00+08:00", "9999-12-31T23:00:00-12:00"]
    records = [{"id": f"t{i}", "platform": "weibo", "text": f"石塘镇老街路灯坏了{i}个月", "published_at": t}
               for i, t in enumerate(raw)]
    posts = [to_post(r, i + 1, NOW) for i, r in enumerate(records)]
    assert all(p.published_at is None and p.published_precision is None for p in posts)
    assert all([n["kind"] for n in p.notes] == ["implausible_published_at"] for p in posts)
    with session_scope(engine) as s:
        assert len(triage_posts(s, posts, ctx, NOW).items) == len(raw)
    with session_scope(engine) as s:
        assert s.scalars(select(Post.published_at)).all() == [None] * len(raw)
