"""Routing (RULES.md §3) as a pure function of an event's facts."""

from __future__ import annotations

from pipeline.config import Config
from pipeline.rules.routing import RoutingFacts, route


def facts(**kw: object) -> RoutingFacts:
    base: dict[str, object] = {"grade": "一般", "topic_scores": {"交通运输": 0.9}, "text": "", "townships": [],
                               "categories": [], "emergency_types": []}
    base.update(kw)
    return RoutingFacts(**base)  # type: ignore[arg-type]


def test_coordinators_always(cfg: Config) -> None:
    r = route(facts(), cfg)
    assert r.coordinators == ["县政府办公室", "县委宣传部"]
    assert all(r.reasons[(u, "coordinator")] for u in r.coordinators)


def test_one_township_is_primary_department_cooperates(cfg: Config) -> None:
    r = route(facts(townships=["石塘镇"]), cfg)
    assert r.primary == "石塘镇"
    assert r.cooperating == ["县交通运输局"]
    assert "属地" in r.reasons[("石塘镇", "primary")][0]


def test_two_townships_department_leads_townships_cooperate(cfg: Config) -> None:
    r = route(facts(townships=["崇头镇", "紧水滩镇"]), cfg)
    assert r.primary == "县交通运输局"
    assert r.cooperating == ["崇头镇", "紧水滩镇"]


def test_no_township_department_leads(cfg: Config) -> None:
    assert route(facts(), cfg).primary == "县交通运输局"


def test_county_policy_goes_to_department_even_with_a_township(cfg: Config) -> None:
    text = "云和县政府近日印发《老旧小区改造实施方案》，元和街道居民关心"
    r = route(facts(topic_scores={"城乡建设": 0.8}, text=text, townships=["元和街道"]), cfg)
    assert r.primary == "县住房和城乡建设局"
    assert "元和街道" not in r.cooperating
    assert route(facts(topic_scores={"城乡建设": 0.8}, townships=["元和街道"], categories=["政策误读"]),
                 cfg).primary == "县住房和城乡建设局"


def test_several_departments_best_topic_leads(cfg: Config) -> None:
    r = route(facts(topic_scores={"卫生计生": 0.5, "城乡建设": 0.4, "教育文体": 0.05}), cfg)
    assert r.primary == "县卫生健康局"
    assert r.cooperating == ["县住房和城乡建设局"]  # 教育文体 scores too low to concern its department


def test_sub_area_keyword_hands_topic_to_another_department(cfg: Config) -> None:
    r = route(facts(topic_scores={"城乡建设": 0.9}, text="人民路占道经营严重，城管不管"), cfg)
    assert r.primary == "县综合行政执法局"
    r = route(facts(topic_scores={"卫生计生": 0.9}, text="异地就医医保报销太慢"), cfg)
    assert r.primary == "县医疗保障局"


def test_harmful_rumour_transfers_whoever_is_primary(cfg: Config) -> None:
    r = route(facts(townships=["紧水滩镇"], categories=["谣言"]), cfg)
    assert r.primary == "紧水滩镇"
    assert r.transfer == ["县公安局", "县委网信办"]


def test_leadership_only_for_especially_major(cfg: Config) -> None:
    assert route(facts(grade="特别重大"), cfg).leadership
    assert not route(facts(grade="重大"), cfg).leadership


def test_natural_disaster_and_accident_bring_emergency_management(cfg: Config) -> None:
    for kind in ("自然灾害", "事故灾难"):
        r = route(facts(townships=["赤石乡"], emergency_types=[kind]), cfg)
        assert "县应急管理局" in r.cooperating
    r = route(facts(emergency_types=["公共卫生事件"]), cfg)
    assert "县应急管理局" not in r.cooperating


def test_every_unit_has_a_reason(cfg: Config) -> None:
    r = route(facts(grade="特别重大", townships=["崇头镇", "石塘镇"], categories=["谣言"],
                    emergency_types=["事故灾难"], topic_scores={"交通运输": 0.6, "城乡建设": 0.4}), cfg)
    units = [(r.primary, "primary"), *((u, "cooperating") for u in r.cooperating),
             *((u, "transfer") for u in r.transfer), *((u, "coordinator") for u in r.coordinators)]
    assert all(r.reasons.get(k) for k in units)
