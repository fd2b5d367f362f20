"""Input validation: each bad line is a reject with its line number and reason."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.normalize import canonical_url, clean_text, read_posts
from pipeline.timeparse import SHANGHAI, TimeParseError, parse_time

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
    assert "malformed JSON" in reasons[2]
    assert reasons[3] == "empty text" and reasons[4] == "missing field: text"
    assert "likes" in reasons[5] and "published_at" in reasons[6] and "JSON object" in reasons[7]


def test_hostile_html_is_reduced_to_text(tmp_path: Path) -> None:
    text = '<p>路灯坏了<script>alert("x")</script></p><img src=x onerror=alert(1)>&amp;'
    assert clean_text(text) == "路灯坏了&"
    path = write(tmp_path, [json.dumps({"id": "1", "text": "<script>evil()</script>"})])
    parsed = read_posts(path, NOW)
    assert parsed.posts == [] and parsed.rejects[0].reason == "empty text"


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
