"""Casualty and loss figures in the forms reports really use (RULES.md §1 item 2)."""

from __future__ import annotations

import pytest

from pipeline.rules.casualties import extract_casualties, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("十二", 12), ("两千五百", 2500), ("1.2万", 12000), ("一百零五", 105), ("二十三", 23),
     ("一亿二千万", 120_000_000), ("5000万", 50_000_000), ("两", 2), ("十", 10)],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "deaths", "serious", "injured", "loss"),
    [
        ("石塘镇发生车祸，2死5伤", 2, None, 5, None),
        ("截至今晨，死亡人数升至12人", 12, None, None, None),
        ("事故已致至少11人遇难", 11, None, None, None),
        ("造成三人死亡、十二名群众受伤", 3, None, 12, None),
        ("工地坍塌，3名工人当场死亡", 3, None, None, None),
        ("3名伤者中1人经抢救无效死亡", 1, None, 3, None),
        ("造成直接经济损失约6000万元", None, None, None, 60_000_000),
        ("洪灾损失达1.2亿元", None, None, None, 120_000_000),
        ("56名学生出现急性中毒症状", None, 56, None, None),
        ("所幸无人员伤亡", None, None, None, None),
        ("一家三口遇难", 3, None, None, None),
        ("初步统计3至5人死亡", 5, None, None, None),
        ("两死三伤", 2, None, 3, None),
        ("重伤15人，受伤人数增至62人", None, 15, 62, None),
        ("全县交通事故死亡人数同比下降30%", None, None, None, None),
        ("3人失联，2人轻伤", None, None, None, None),
    ],
)
def test_extract(text: str, deaths: int | None, serious: int | None, injured: int | None, loss: int | None) -> None:
    c = extract_casualties(text)
    assert (c.deaths, c.serious_injuries, c.injured, c.economic_loss_yuan) == (deaths, serious, injured, loss)
    if deaths or serious or injured or loss:
        assert c.evidence, "every figure keeps the phrase it came from"


def test_highest_total_wins_when_a_toll_rises() -> None:
    c = extract_casualties("事故初步造成3人死亡。最新消息：死亡人数已上升至十二人。")
    assert c.deaths == 12
