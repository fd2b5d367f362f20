"""Folding posts into an event's facts: where the event happened."""

from __future__ import annotations

from classifiers.bundle import Classified
from pipeline.rules.analysis import EventFacts, PostAnalysis
from pipeline.rules.casualties import Casualties


def _analysis(townships: list[str]) -> PostAnalysis:
    classified = Classified("安全生产", {"安全生产": 0.9}, "较大", {"较大": 0.9}, False, 0.0, [], {}, "中性", {})
    return PostAnalysis(classified=classified, local=True, local_reasons=[], townships=townships,
                        casualties=Casualties(), emergency_types=[], categories=[], category_reasons=[],
                        central_media=[], provincial_media=[], engagement=None)


def _fold(*named: list[str]) -> list[str]:
    facts = EventFacts()
    for towns in named:
        facts.add(_analysis(towns), "", True, "无关")
    return facts.townships


def test_a_township_inside_a_spanning_place_is_where_it_happened_in_either_order() -> None:
    lake, town = ["紧水滩镇", "石塘镇"], ["紧水滩镇"]
    assert _fold(lake) == lake
    assert _fold(lake, town) == _fold(town, lake) == _fold(lake, town, lake, []) == ["紧水滩镇"]


def test_townships_named_apart_all_stay() -> None:
    # a bus route between two townships told from each end: both are where it happened
    assert sorted(_fold(["紧水滩镇"], ["石塘镇"], ["紧水滩镇", "石塘镇"])) == ["石塘镇", "紧水滩镇"]
    assert sorted(_fold(["浮云街道", "元和街道", "白龙山街道"], ["浮云街道"], ["崇头镇"])) == ["崇头镇", "浮云街道"]
