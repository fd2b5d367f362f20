"""The 云和 gazetteer: townships named directly or through villages; relevance signals."""

from __future__ import annotations

from classifiers.tokenize import Tokenizer
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.rules.places import Gazetteer
from pipeline.settings import Settings
from pipeline.triage import TriageContext, analyse_chunk
from tests.conftest import NOW


def match(cfg: Config, text: str, source: str | None = None, author: str | None = None):  # type: ignore[no-untyped-def]
    tok = Tokenizer(Settings.from_env().userdict_path).load()
    return Gazetteer.from_config(cfg).match(tok.doc(text), source, author)


def test_township_direct_and_through_village(cfg: Config) -> None:
    assert match(cfg, "石塘镇的路坏了").townships == ["石塘镇"]
    assert match(cfg, "中山社区电梯又坏了").townships == ["浮云街道"]
    assert match(cfg, "古竹村和坪垟岗村").townships == ["元和街道", "雾溪畲族乡"]


def test_short_village_names_need_a_whole_token(cfg: Config) -> None:
    assert match(cfg, "县公安局村民服务点").townships == []
    assert match(cfg, "局村的溪水变黑了").townships == ["浮云街道"]


def test_relevance_signals(cfg: Config) -> None:
    assert match(cfg, "云和县城今天停水").local
    assert match(cfg, "今天停水，请大家储水", source="云和发布").local
    assert not match(cfg, "杭州地铁今天延误").local


def test_county_compounds_landmarks_and_local_sources(cfg: Config) -> None:
    assert match(cfg, "云和梯田的云海真美").local
    assert match(cfg, "周末去仙宫湖划船").local
    assert match(cfg, "小区门口垃圾堆积", source="云和县政府网·县长信箱").local


def test_places_inside_a_township_name_it(cfg: Config) -> None:
    # 属地管理 through a scenic spot or reservoir: an accident at 云和梯田 is 崇头镇's, not a department's.
    assert match(cfg, "云和梯田观景台有游客摔下").townships == ["崇头镇"]
    assert match(cfg, "紧水滩水库边有人落水").townships == ["紧水滩镇"]


def test_a_place_spanning_townships_names_each(cfg: Config) -> None:
    assert match(cfg, "仙宫湖上一艘游船倾覆").townships == ["紧水滩镇", "石塘镇"]


def test_a_village_named_after_a_township_that_does_not_hold_it_is_that_townships(cfg: Config) -> None:
    """"安溪畲族乡下垟村": the gazetteer's 下垟村 is 崇头镇's, but the letter names its namesake in
    安溪畲族乡 — 属地 is 安溪畲族乡 alone, not both. 下垟村 alone is still 崇头镇's."""
    assert match(cfg, "安溪畲族乡下垟村路灯不亮，晚上出行全靠手电筒").townships == ["安溪畲族乡"]
    assert match(cfg, "紧水滩镇规溪村那条村道坑坑洼洼好几年了").townships == ["紧水滩镇"]
    assert match(cfg, "下垟村路灯不亮").townships == ["崇头镇"]
    assert match(cfg, "崇头镇下垟村路灯不亮").townships == ["崇头镇"]


def test_a_landmark_named_once_is_given_once_as_the_reason(cfg: Config) -> None:
    """A county landmark is both the county's name and a place: the event page says so once."""
    assert match(cfg, "仙宫湖上一艘游船倾覆").local_reasons == ["提及仙宫湖"]
    assert match(cfg, "紧水滩镇仙宫湖水域一艘船只倾覆").local_reasons == ["提及仙宫湖、紧水滩镇"]
    assert match(cfg, "云和县紧水滩镇有船倾覆").local_reasons == ["提及云和县、紧水滩镇"]


def test_weak_short_names_count_only_with_yunhe_context(cfg: Config) -> None:
    elsewhere = match(cfg, "安溪铁观音新茶上市，福建茶农忙采摘")
    assert elsewhere.townships == [] and not elsewhere.local
    alone = match(cfg, "安溪这边路灯坏了一个月")
    assert alone.townships == [] and any("安溪" in a for a in alone.ambiguous)
    here = match(cfg, "云和安溪这边路灯坏了一个月")
    assert here.townships == ["安溪畲族乡"] and here.local
    assert any("按云和安溪畲族乡计" in r for r in here.local_reasons)
    by_source = match(cfg, "凤凰山这边停水了，什么时候恢复", source="云和发布")
    assert by_source.townships == ["凤凰山街道"]
    hill = match(cfg, "周末去爬凤凰山，风景不错")
    assert hill.townships == [] and not hill.local


def test_a_place_listed_under_two_townships_is_refused(cfg: Config) -> None:
    import pytest

    from pipeline.config import UnitsConfig

    data = cfg.units.model_dump()
    data["townships"][0]["places"] = ["云和梯田"]
    with pytest.raises(ValueError, match="同时列在"):
        UnitsConfig.model_validate(data)


def test_village_names_without_their_suffix_name_them_when_long_enough(cfg: Config) -> None:
    assert match(cfg, "白洋墩这条路挖了不填，今天又有人摔了").townships == ["元和街道"]
    assert match(cfg, "青阳门家门口的灯一直不亮").townships == ["浮云街道"]
    # Two-character stems name places all over China (象山, 中山): not read without 村 / 社区.
    assert match(cfg, "象山今天刮大风").townships == []


def test_a_placeless_post_takes_the_township_its_account_names(cfg: Config) -> None:
    found = match(cfg, "楼下工地半夜还在打桩，孩子被吵醒好几次", author="石塘宝妈")
    assert found.local and found.home == "石塘镇" and found.townships == []   # routes, but is no place identity
    assert any("石塘宝妈" not in r and "石塘" in r for r in found.local_reasons)
    assert match(cfg, "对面山上烧起来了", author="局村阿强").home == "浮云街道"
    # The text's own place wins; a name common elsewhere, another county's town, or two
    # townships in the name say nothing.
    assert match(cfg, "崇头镇的路又坏了", author="石塘宝妈").home is None
    assert match(cfg, "今天海边风好大", author="温岭石塘渔民").home is None
    assert match(cfg, "石塘镇海域一艘渔船倾覆，船上3人均已获救", author="温岭发布").townships == []  # 温岭's own
    assert not match(cfg, "今天茶叶开采了", author="安溪茶农").local
    assert match(cfg, "停电了", author="石塘人在崇头").home is None
    assert not match(cfg, "今天停电了", author="打工人小李").local


def test_a_letters_title_names_its_place(ctx: TriageContext) -> None:
    """A 留言板 letter often names its place only in its title ("白洋墩村电压不稳"): it is about 云和."""
    letter = to_post({"id": "t", "platform": "liuyan", "title": "白洋墩村电压不稳，电器都烧坏了",
                      "text": "我们村这半个月来电压一直不稳，前天我家热水器烧了，问了村里说是线路老化。",
                      "published_at": NOW.isoformat()}, 1, NOW)
    [analysis] = analyse_chunk(ctx, [letter])[0]
    assert analysis.local and analysis.townships == ["元和街道"]


def test_a_place_spanning_townships_named_with_one_of_them_is_in_that_one(cfg: Config) -> None:
    """仙宫湖 lies in 紧水滩镇 and 石塘镇: "紧水滩镇仙宫湖水域" is 紧水滩镇's (属地管理), 仙宫湖 alone either's."""
    assert match(cfg, "紧水滩镇仙宫湖水域一艘自用小船倾覆").townships == ["紧水滩镇"]
    assert sorted(match(cfg, "仙宫湖水域一艘自用小船倾覆").townships) == ["石塘镇", "紧水滩镇"]
