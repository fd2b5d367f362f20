"""Trust in the grade, as pure rules: the statutory cap of 国务院令第493号 on the text model, and
the 待复核 reasons (the cap, a grade model unsure between two grades, an uncertain topic)."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.rules.casualties import Casualties
from pipeline.rules.grading import Reason, casualty_floor, decide, reach_floor, statutory_cap
from pipeline.rules.review import review_reasons


def _floors(cfg: Config, deaths: int | None = None, injured: int | None = None, engagement: int = 0,
            central: tuple[str, ...] = ()) -> list[Reason]:
    return [*casualty_floor(Casualties(deaths=deaths, injured=injured), cfg.policy),
            *reach_floor(central, [], engagement, 0, cfg.policy)]


def test_stated_figures_cap_a_model_that_overreaches(cfg: Config) -> None:
    for deaths, model in ((3, "重大"), (9, "特别重大")):
        floors = _floors(cfg, deaths=deaths)
        cap = statutory_cap(floors, figures_stated=True)
        assert cap == "较大"
        grade, auto, reasons = decide(model, "grade-v", floors, None, None, cap)
        assert grade == auto == "较大"
        capped = [r for r in reasons if r.rule == "statutory_cap"]
        assert capped and model in capped[0].detail and "待分析员复核" in capped[0].detail


def test_figures_below_every_floor_cap_at_the_lowest_grade(cfg: Config) -> None:
    floors = _floors(cfg, deaths=1)
    assert floors == [] and statutory_cap(floors, figures_stated=True) == "一般"
    assert decide("较大", "v", floors, None, None, "一般")[0] == "一般"


def test_nothing_caps_without_figures_or_with_a_reach_floor(cfg: Config) -> None:
    assert statutory_cap([], figures_stated=False) is None
    assert statutory_cap(_floors(cfg, deaths=3, central=("新华社",)), figures_stated=True) is None
    assert statutory_cap(_floors(cfg, deaths=3, engagement=20000), figures_stated=True) is None
    assert decide("重大", "v", _floors(cfg, deaths=3, central=("新华社",)), None, None, None)[0] == "重大"


def test_a_lower_model_grade_is_not_raised_by_the_cap_and_floors_still_raise(cfg: Config) -> None:
    floors = _floors(cfg, deaths=12)
    assert decide("一般", "v", floors, None, None, statutory_cap(floors, True))[0] == "重大"
    assert decide("一般", "v", _floors(cfg, deaths=3), None, None, "较大")[0] == "较大"


def test_an_override_wins_over_the_cap(cfg: Config) -> None:
    floors = _floors(cfg, deaths=3)
    assert decide("特别重大", "v", floors, None, "特别重大", "较大")[0] == "特别重大"


def test_review_reasons_and_what_settles_them(cfg: Config) -> None:
    policy = cfg.policy.review
    sure_grade, sure_topic = {"一般": 0.9, "较大": 0.1}, {"交通运输": 0.8, "城乡建设": 0.1}
    assert review_reasons(None, sure_grade, sure_topic, False, False, policy) == []
    unsure = review_reasons(None, {"较大": 0.46, "一般": 0.38, "重大": 0.16}, sure_topic, False, False, policy)
    assert unsure == ["定级模型在较大（0.46）与一般（0.38）之间不确定"]
    low = review_reasons(None, sure_grade, {"交通运输": 0.3, "城乡建设": 0.05}, False, False, policy)
    assert low == ["领域不确定：交通运输仅0.30"]
    close = review_reasons(None, sure_grade, {"交通运输": 0.46, "城乡建设": 0.41}, False, False, policy)
    assert close == ["领域不确定：交通运输（0.46）与城乡建设（0.41）接近"]
    capped = review_reasons("文本模型…待分析员复核", sure_grade, {"交通运输": 0.3}, False, False, policy)
    assert len(capped) == 2
    assert review_reasons("文本模型…待分析员复核", sure_grade, {"交通运输": 0.3}, True, False, policy) == [low[0]]
    assert review_reasons("文本模型…待分析员复核", sure_grade, {"交通运输": 0.3}, True, True, policy) == []
