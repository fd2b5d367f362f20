"""The 云和 gazetteer: townships named directly or through villages; relevance signals."""

from __future__ import annotations

from classifiers.tokenize import Tokenizer
from pipeline.config import Config
from pipeline.rules.places import Gazetteer
from pipeline.settings import Settings


def match(cfg: Config, text: str, source: str | None = None):  # type: ignore[no-untyped-def]
    tok = Tokenizer(Settings.from_env().userdict_path).load()
    return Gazetteer.from_config(cfg).match(tok.doc(text), source)


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
