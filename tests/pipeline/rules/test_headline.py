"""Event headlines (pipeline.rules.headline): place + kind + key fact from the posts' incident
clues; otherwise a title or the first sentence, shortened only at a pause or after a whole word."""

from __future__ import annotations

import rjieba

from pipeline.rules.headline import clipped, from_clues, headline

BUS = {"towns": ["崇头镇"], "spots": ["云和梯田"], "kinds": ["交通事故"], "objects": ["车辆:客车"], "deaths": 12,
       "townships": ["崇头镇"]}
POST = ("【突发】今天早上7时许，崇头镇通往云和梯田景区的盘山公路上，一辆载有30余名游客的旅游大巴侧翻坠入路边山谷。"
        "记者从现场获悉，截至9时，事故死亡人数升至12人。")


def test_an_incident_with_casualties_is_named_by_place_kind_and_figure() -> None:
    assert headline([BUS, BUS], ["崇头镇去云和梯田的山路上旅游大巴翻了，死亡人数升至12人"], [POST], POST) == \
        "崇头镇云和梯田客车交通事故致12人死亡"
    assert from_clues([{**BUS, "deaths": None, "hurt": 6}]) == "崇头镇云和梯田客车交通事故致6人受伤"


def test_a_matter_without_casualties_keeps_its_title_and_else_place_and_matter() -> None:
    water = {"towns": ["元和街道"], "spots": ["古竹村"], "matters": ["停水"]}
    assert headline([water], ["古竹村频繁停水且不提前通知"], ["…"], "x") == "古竹村频繁停水且不提前通知"
    assert headline([water], [], ["村里又停水了，已经三天了"], "x") == "元和街道古竹村停水问题"
    assert headline([], [], [], "某某") == "某某"
    # the thing that crashed, fell or burned leads any kind of incident, not only an 事故
    fall = {"townships": ["崇头镇"], "kinds": ["坠落"], "objects": ["车辆:客车"], "deaths": 12}
    assert from_clues([fall]) == "崇头镇客车坠落致12人死亡"
    # a spot named after its town does not repeat the town
    flood = {"townships": ["紧水滩镇"], "spots": ["紧水滩水库电站"], "kinds": ["洪涝"]}
    assert from_clues([flood]) == "紧水滩水库电站洪涝事件"


def test_a_long_first_sentence_is_shortened_at_a_pause_or_after_a_whole_word() -> None:
    assert clipped(POST) == "今天早上7时许，崇头镇通往云和梯田景区的盘山公路上"   # 【突发】 dropped, cut at a comma
    long = "云和县城那家开了好几年的少儿培训机构突然关门老板电话关机家长预交的学费无人退还"
    short = clipped(long)
    assert short.endswith("…") and len(short) <= 30
    assert short[:-1] == "".join(list(rjieba.cut(long))[: len(list(rjieba.cut(short[:-1])))])   # whole words only
    assert clipped("#云和旅游大巴侧翻# 大巴侧翻了") == "大巴侧翻了"           # hashtags, chains and links are no headline
    assert clipped("太揪心了 //@某人:原文 https://t.cn/x") == "太揪心了"
