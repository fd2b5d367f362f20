"""Message boards (issue 20): RSSHub's 留言板 feed and a plain JSON / CSV export of the same
fields give the same messages — the citizen's message as text (never the reply), the board's
type, domain and status, the replying unit, the reply and its time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crawlers.boards import parse_board, split_description
from pipeline.config import Config
from pipeline.normalize import RejectedRecord, to_post
from pipeline.rules.boards import answering_unit, board_reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
NOW = datetime.fromisoformat("2026-11-28T10:00:00+08:00")


def test_the_rsshub_feed_keeps_message_and_reply_apart() -> None:
    result = parse_board((FIXTURES / "liuyan.atom").read_bytes(), source="留言板", url="http://127.0.0.1/x")
    assert not result.problems and len(result.records) == 3
    road, homestay, empty = result.records
    assert road["platform"] == "message_board" and road["author"] == "云和山里人"
    assert road["text"].startswith("尊敬的书记") and "网友您好" not in road["text"]
    assert road["board"] == {"forum": "丽水市云和县委书记", "type": "投诉", "domain": "交通", "state": "已回复",
                             "reply_unit": "云和县交通运输局", "reply": road["board"]["reply"],
                             "reply_at": "2026-11-27T16:30:00+08:00"}
    assert road["board"]["reply"].startswith("网友您好")
    assert homestay["board"]["reply"] is None and homestay["board"]["reply_at"] is None
    try:
        to_post(empty, 3, NOW)
    except RejectedRecord as exc:
        assert str(exc) == "正文为空"
    else:
        raise AssertionError("an empty message (a script only) must be rejected")


def test_json_and_csv_exports_read_as_the_feed_does() -> None:
    as_json = parse_board((FIXTURES / "board_export.json").read_bytes(), source="留言板", url="http://h/export.json")
    as_csv = parse_board((FIXTURES / "board_export.csv").read_bytes(), source="留言板", url="http://h/export.csv")
    assert [r["id"] for r in as_json.records[:2]] == [r["id"] for r in as_csv.records[:2]] == ["19000011", "19000012"]
    for a, b in zip(as_json.records[:2], as_csv.records[:2], strict=True):
        assert to_post(a, 1, NOW).identity() == to_post(b, 1, NOW).identity()
    assert as_json.records[0]["board"]["reply_unit"] == "云和县住房和城乡建设局"
    assert as_json.records[2] == "not an object"  # refused by validation, with its reason
    reasons = []
    for record in (as_json.records[2], as_csv.records[2]):
        try:
            to_post(record, 3, NOW)
        except RejectedRecord as exc:
            reasons.append(str(exc))
    assert reasons == ["不是 JSON 对象（而是 str）", "正文为空"]


def test_a_board_that_is_not_one_is_a_problem() -> None:
    assert [p.kind for p in parse_board(b"<html><body>502</body></html>", source="s").problems] == ["malformed"]
    assert [p.kind for p in parse_board(b"[]", source="s").problems] == ["empty"]


def test_replies_name_our_units_only(cfg: Config) -> None:
    assert split_description("留言正文回复机构：云和县水利局回复内容：已处理回复时间：2026-11-27 10:00") == {
        "text": "留言正文", "reply_unit": "云和县水利局", "reply": "已处理", "reply_at": "2026-11-27 10:00"}
    assert answering_unit("云和县交通运输局", cfg) == "县交通运输局"
    assert answering_unit("县交通运输局", cfg) == "县交通运输局"
    assert answering_unit("石塘镇", cfg) == "石塘镇"
    assert answering_unit("杭州市交通运输局", cfg) is None
    reply = board_reply({"reply": "已修复", "reply_unit": "云和县交通运输局", "reply_at": "2026-11-27 16:30"}, cfg, NOW)
    assert reply is not None and reply.at == datetime.fromisoformat("2026-11-27T16:30:00+08:00")
    # a reply time that is only a date, or later than now, is unknown (recorded when seen)
    for at in ("2026-11-27", "2026-11-29 10:00"):
        found = board_reply({"reply": "已修复", "reply_unit": "县交通运输局", "reply_at": at}, cfg, NOW)
        assert found is not None and found.at is None
    assert board_reply({"reply": "", "reply_unit": "县交通运输局"}, cfg, NOW) is None
