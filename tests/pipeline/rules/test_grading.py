"""Grade = highest of model, casualty floor, reach floor; override wins; regrading only raises."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.rules.casualties import Casualties
from pipeline.rules.grading import casualty_floor, decide, highest, reach_floor


@pytest.mark.parametrize(
    ("c", "grade"),
    [
        (Casualties(deaths=2), None),
        (Casualties(deaths=3), "较大"),
        (Casualties(deaths=9), "较大"),
        (Casualties(deaths=10), "重大"),
        (Casualties(deaths=29), "重大"),
        (Casualties(deaths=30), "特别重大"),
        (Casualties(serious_injuries=9), None),
        (Casualties(serious_injuries=10), "较大"),
        (Casualties(serious_injuries=50), "重大"),
        (Casualties(serious_injuries=100), "特别重大"),
        (Casualties(economic_loss_yuan=9_999_999), None),
        (Casualties(economic_loss_yuan=10_000_000), "较大"),
        (Casualties(economic_loss_yuan=50_000_000), "重大"),
        (Casualties(economic_loss_yuan=100_000_000), "特别重大"),
        (Casualties(deaths=1, economic_loss_yuan=60_000_000), "重大"),
        (Casualties(), None),
    ],
)
def test_casualty_floor_boundaries(cfg: Config, c: Casualties, grade: str | None) -> None:
    assert highest(r.grade for r in casualty_floor(c, cfg.policy)) == grade


def test_injuries_not_stated_as_serious_give_no_floor(cfg: Config) -> None:
    # RULES.md §1: 受伤 / 轻伤 are not 重伤.
    assert highest(r.grade for r in casualty_floor(Casualties(injured=60), cfg.policy)) is None
    assert highest(r.grade for r in casualty_floor(Casualties(injured=60, serious_injuries=12), cfg.policy)) == "较大"


def test_missing_persons_count_with_the_dead_and_the_evidence_names_both(cfg: Config) -> None:
    reasons = casualty_floor(Casualties(deaths=3, missing=2, dead_or_missing=5), cfg.policy)
    assert [r.grade for r in reasons] == ["较大"]
    assert "死亡3人、失联2人 → 5人 ≥ 3人" in reasons[0].detail
    assert highest(r.grade for r in casualty_floor(Casualties(deaths=8, missing=2, dead_or_missing=10),
                                                   cfg.policy)) == "重大"


def test_six_dead_twenty_one_injured_is_graded_on_the_dead(cfg: Config) -> None:
    from pipeline.rules.casualties import extract_casualties

    reasons = casualty_floor(extract_casualties("大巴侧翻，造成6人死亡21人受伤"), cfg.policy)
    assert [(r.grade, r.detail.split("（")[0]) for r in reasons] == [("较大", "死亡6人 ≥ 3人")]


def test_reach_floor(cfg: Config) -> None:
    assert highest(r.grade for r in reach_floor(["新华社"], [], 0, 0, cfg.policy)) == "重大"
    assert highest(r.grade for r in reach_floor([], ["浙江日报"], 0, 0, cfg.policy)) == "较大"
    assert highest(r.grade for r in reach_floor([], [], 100_000, 0, cfg.policy)) == "重大"
    assert highest(r.grade for r in reach_floor([], [], 99_999, 0, cfg.policy)) == "较大"
    assert highest(r.grade for r in reach_floor([], [], 9_999, 0, cfg.policy)) is None
    unknown = reach_floor([], [], 0, 3, cfg.policy)
    assert [r.grade for r in unknown] == [None] and "未知" in unknown[0].detail


def test_decide_takes_highest_and_records_every_reason(cfg: Config) -> None:
    floors = casualty_floor(Casualties(deaths=12), cfg.policy)
    grade, auto, reasons = decide("一般", "grade-v1", floors, None, None)
    assert (grade, auto) == ("重大", "重大")
    assert {r.rule for r in reasons} == {"model", "casualty"}
    # The model's version is on record beside the reason, never in the words county users read.
    assert reasons[0].as_dict()["model"] == "grade-v1" and "grade-v1" not in reasons[0].detail


def test_automatic_regrading_only_raises(cfg: Config) -> None:
    grade, _, reasons = decide("一般", "v", [], "重大", None)
    assert grade == "重大" and reasons[-1].rule == "carried"


def test_override_wins_in_both_directions(cfg: Config) -> None:
    floors = casualty_floor(Casualties(deaths=12), cfg.policy)
    assert decide("一般", "v", floors, None, "一般")[0] == "一般"
    assert decide("一般", "v", [], None, "特别重大")[0] == "特别重大"


def test_local_item_is_irrelevant_only_when_the_model_is_sure(cfg: Config) -> None:
    from classifiers.bundle import Classified
    from pipeline.rules.analysis import effective_topic

    def c(scores: dict[str, float]) -> Classified:
        return Classified(max(scores, key=lambda k: scores[k]), scores, "一般", {}, False, 0.0, [], {})

    rel = cfg.policy.relevance
    assert effective_topic(c({"无关": 0.45, "商贸旅游": 0.30}), True, rel) == "商贸旅游"
    assert effective_topic(c({"无关": 0.80, "商贸旅游": 0.10}), True, rel) == "无关"
    assert effective_topic(c({"无关": 0.45, "商贸旅游": 0.30}), False, rel) == "无关"


def test_model_grade_is_the_ordinal_median() -> None:
    from pipeline.rules.grading import model_grade

    assert model_grade({"一般": 0.1932, "特别重大": 0.362, "较大": 0.2367, "重大": 0.2081}) == "重大"
    assert model_grade({"一般": 0.0, "特别重大": 0.5439, "较大": 0.4295, "重大": 0.0266}) == "特别重大"
    assert model_grade({"一般": 0.98, "较大": 0.01, "重大": 0.005, "特别重大": 0.005}) == "一般"
    assert model_grade({"一般": 0.45, "较大": 0.3, "重大": 0.2, "特别重大": 0.05}) == "较大"


def test_the_model_alone_never_sets_aside_a_problem_told_at_a_place_of_ours(cfg: Config) -> None:
    """"溪口村最近流浪狗成群" names a 云和 place and a problem there: the topic model's 无关, however
    sure, does not set it aside; without the problem, or without the place, the model decides."""
    from classifiers.bundle import Classified
    from pipeline.rules.analysis import PostAnalysis, post_topic

    sure = Classified("无关", {"无关": 0.9, "城乡建设": 0.05}, "一般", {}, False, 0.0, [], {})

    def analysis(townships: list[str]) -> PostAnalysis:
        return PostAnalysis(sure, bool(townships), [], townships, Casualties(), [], [], [], [], [], None)

    rel = cfg.policy.relevance
    assert post_topic(analysis(["浮云街道"]), True, rel, told=True) == "城乡建设"
    assert post_topic(analysis(["浮云街道"]), True, rel, told=False) == "无关"
    assert post_topic(analysis([]), True, rel, told=True) == "无关"
