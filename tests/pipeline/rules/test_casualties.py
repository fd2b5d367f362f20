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
        # Each number belongs to the word it stands with (RULES.md §1).
        ("事故造成6人死亡21人受伤", 6, None, 21, None),
        ("事故造成六人死亡二十一人受伤", 6, None, 21, None),
        ("死亡3人受伤5人", 3, None, 5, None),
        ("死亡3人，受伤十二人", 3, None, 12, None),
        ("已致2人死亡、15人轻伤", 2, None, None, None),
        ("事故致十余人受伤", None, None, 10, None),
        ("20多人死亡", 20, None, None, None),
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


@pytest.mark.parametrize(
    ("text", "deaths", "missing", "floor"),
    [
        ("死亡3人、失联2人", 3, 2, 5),
        ("已造成3人死亡，仍有2人失联", 3, 2, 5),
        ("两人遇难，三人下落不明", 2, 3, 5),
        ("失踪人数升至4人", None, 4, 4),
        ("渡船翻覆，船上7人失联", None, 7, 7),
        ("2名村民失踪", None, 2, 2),
        ("事故造成6人死亡21人受伤", 6, None, 6),
    ],
)
def test_missing_persons_count_with_the_dead(text: str, deaths: int | None, missing: int | None, floor: int) -> None:
    c = extract_casualties(text)
    assert (c.deaths, c.missing, c.floor_deaths) == (deaths, missing, floor)


def test_vague_count_gives_its_lower_bound_and_says_so() -> None:
    c = extract_casualties("现场10余人受伤，其中3人重伤")
    assert (c.injured, c.serious_injuries) == (10, 3)
    assert any("约数" in e and "10余人" in e for e in c.evidence)


def test_missing_found_dead_later_is_not_counted_twice() -> None:
    first = extract_casualties("3人死亡，2人失联")
    later = extract_casualties("失联2人已找到，均已遇难，死亡人数升至5人")
    assert (later.deaths, later.missing) == (5, None)
    assert first.merge(later).floor_deaths == 5
    assert extract_casualties("2名失联人员均已获救").missing is None


@pytest.mark.parametrize(("text", "deaths", "injured"), [
    ("云和玩具厂失火死了六个，伤了二十一个", 6, 21),
    ("六个人没了……还有二十几个伤的", 6, None),
    ("翻船那事第三个人也找到了，三个人都没了", 3, None),
    ("两个人的工资都没了", None, None),        # money gone, nobody dead
    ("电没了三个小时", None, None),
])
def test_spoken_counts(text: str, deaths: int | None, injured: int | None) -> None:
    found = extract_casualties(text)
    assert (found.deaths, found.injured) == (deaths, injured)


@pytest.mark.parametrize(
    ("text", "deaths", "injured"),
    [("求证：安溪车祸是不是死了五六个人？群里说法太多了", None, None),
     ("事故造成2人死亡。听说死了十几个？", 2, None),
     ("真的吗？已致3人死亡，2人受伤", 3, 2)],
)
def test_a_figure_asked_about_is_not_stated(text: str, deaths: int | None, injured: int | None) -> None:
    found = extract_casualties(text)
    assert (found.deaths, found.injured) == (deaths, injured)
