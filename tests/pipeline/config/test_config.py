"""Business configuration is validated with messages naming the file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.settings import PROJECT_ROOT


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "data" / "config", target)
    return target


def test_shipped_config_is_valid(config_dir: Path) -> None:
    cfg = load_config(config_dir)
    assert len(cfg.units.townships) == 10 and "无关" in cfg.topic_names


def test_bad_value_names_file_and_key(config_dir: Path) -> None:
    p = config_dir / "policy.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("deaths: 10,", "deaths: ten,"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"policy.yaml：casualty_floors.重大.deaths：应为整数"):
        load_config(config_dir)


def test_response_settings_are_checked(config_dir: Path) -> None:
    p = config_dir / "policy.yaml"
    shipped = p.read_text(encoding="utf-8")
    assert load_config(config_dir).policy.responses.clock_tolerance_minutes == 5
    p.write_text(shipped.replace("place_kinds: [新闻发布会, 吹风会, 接受媒体采访]", "place_kinds: [新闻发布会, 座谈会]"),
                 encoding="utf-8")
    with pytest.raises(ConfigError, match=r"座谈会 不是 response_kinds 中的回应方式"):
        load_config(config_dir)
    p.write_text(shipped.replace("clock_tolerance_minutes: 5", "clock_tolerance_minutes: -1"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"responses.clock_tolerance_minutes"):
        load_config(config_dir)


def test_countywide_matters_must_be_known_matters(config_dir: Path) -> None:
    p = config_dir / "policy.yaml"
    assert load_config(config_dir).policy.events.incidents.countywide_matters == ["医保"]
    p.write_text(p.read_text(encoding="utf-8").replace("countywide_matters: [医保]", "countywide_matters: [医保, 养老金]"),
                 encoding="utf-8")
    with pytest.raises(ConfigError, match=r"countywide_matters 中的问题须先列入 matters：养老金"):
        load_config(config_dir)


def test_unknown_unit_in_topics_is_reported(config_dir: Path) -> None:
    p = config_dir / "topics.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("department: 县交通运输局", "department: 县交通局"),
                 encoding="utf-8")
    with pytest.raises(ConfigError, match=r"单位 '县交通局' 不在 units\.yaml 中"):
        load_config(config_dir)


def test_missing_file_and_bad_yaml(config_dir: Path) -> None:
    (config_dir / "units.yaml").write_text("county: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"units\.yaml：YAML 格式错误"):
        load_config(config_dir)
    (config_dir / "units.yaml").unlink()
    with pytest.raises(ConfigError, match="配置文件不存在"):
        load_config(config_dir)


def test_retention_periods_are_checked_and_default_when_absent(config_dir: Path) -> None:
    p = config_dir / "retention.yaml"
    shipped = p.read_text(encoding="utf-8")
    assert load_config(config_dir).retention.irrelevant_post_days == 90
    p.write_text(shipped.replace("irrelevant_post_days: 90", "irrelevant_post_days: 0"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retention.yaml：irrelevant_post_days：应不小于 1"):
        load_config(config_dir)
    p.write_text(shipped.replace("closed_event_days: 1095", "closed_event_days: 三年"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retention.yaml：closed_event_days：应为整数"):
        load_config(config_dir)
    p.write_text(shipped + "keep_forever: true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"retention.yaml：keep_forever：不认识的配置项"):
        load_config(config_dir)
    p.unlink()  # an installation from before retention.yaml: the stated defaults
    defaults = load_config(config_dir).retention
    assert (defaults.irrelevant_post_days, defaults.closed_event_days) == (90, 1095)


def test_the_reports_stop_words_are_editable_and_checked(config_dir: Path) -> None:
    shipped = load_config(config_dir).reports.stop_words
    assert {"只能", "截至", "送往", "影响", "意见"} <= set(shipped)      # the words issue 17 found among 热词
    p = config_dir / "reports.yaml"
    p.write_text("stop_words: [只能, 网友]\n", encoding="utf-8")
    assert load_config(config_dir).reports.stop_words == ["只能", "网友"]
    p.write_text("stop_words: [只能, '两个 词']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reports.yaml：stop_words：停用词应为不含空格、不超过12个字的词语，有误：'两个 词'"):
        load_config(config_dir)
    p.write_text("stopwords: [只能]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"reports.yaml：stopwords：不认识的配置项"):
        load_config(config_dir)
    p.unlink()
    assert load_config(config_dir).reports.stop_words == []      # absent: no stop words, not an error
