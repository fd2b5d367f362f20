"""Monitoring schemes (监测方案): expressions, validation with Chinese errors, and matching on
posts that should and should not match (negation, overlapping words, traditional characters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.tokenize import Doc, Tokenizer
from pipeline.config import Config, ConfigError
from pipeline.config.schemes import SchemeError, SchemesConfig, load_schemes, parse, words_of
from pipeline.rules.schemes import match_schemes
from pipeline.settings import Settings

TOPICS = ["农村农业", "商贸旅游", "无关"]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(Settings.from_env().userdict_path).load()


def test_expressions_bind_not_then_and_then_or() -> None:
    assert parse("a OR b AND NOT c") == ("or", [("word", "a"), ("and", [("word", "b"), ("not", ("word", "c"))])])
    assert parse("（云和|仙宫湖） & 沉船 !演习") == parse("(云和 OR 仙宫湖) AND 沉船 AND NOT 演习")
    assert parse("云和 与 溃坝 或 非 演练") == parse("(云和 AND 溃坝) OR NOT 演练")
    assert words_of(parse('"云和 县" OR 雲和')) == ["云和 县", "雲和"]


@pytest.mark.parametrize(("expression", "message"), [
    ("(溃坝 OR 渗水", "缺少右括号"), ("溃坝 OR", "不完整"), ("AND 溃坝", "“AND”的位置不对"), ("  ", "表达式为空"),
])
def test_bad_expressions_are_explained_in_chinese(expression: str, message: str) -> None:
    with pytest.raises(SchemeError, match=message):
        parse(expression)


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("监测方案:\n  - 名称: 甲\n    效果: {即时预警: true}\n", "没有任何要匹配的词"),
    ("监测方案:\n  - 名称: 甲\n    表达式: (溃坝 OR\n", "监测方案“甲”：表达式"),
    ("监测方案:\n  - 名称: 甲\n    事件词: [溃坝]\n    效果: {领域: 水利}\n", "领域不存在（甲：水利）"),
    ("监测方案:\n  - 名称: 甲\n    事件词: [溃坝]\n    效果: {重点类别: 重要}\n", "重点类别“重要”不存在"),
    ("监测方案:\n  - {名称: 甲, 事件词: [a]}\n  - {名称: 甲, 事件词: [b]}\n", "名称重复：甲"),
    ("监测方案:\n  - 名称: 甲\n    事件次: [溃坝]\n", "不认识的配置项"),
])
def test_invalid_schemes_name_the_file_and_the_problem(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "schemes.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_schemes(path, TOPICS)
    assert str(path) in str(info.value)


def test_no_file_means_no_schemes(tmp_path: Path) -> None:
    assert load_schemes(tmp_path / "schemes.yaml", TOPICS) == SchemesConfig()


def _hits(cfg: Config, tokenizer: Tokenizer, text: str) -> dict[str, list[str]]:
    return {h.scheme: h.words for h in match_schemes(cfg.schemes, tokenizer.doc(text))}


@pytest.mark.parametrize(("text", "expected"), [
    ("紧水滩水库大坝出现渗水险情，下游群众正在转移", {"紧水滩水库安全": ["紧水滩", "大坝", "渗水", "险情"]}),
    ("緊水灘水庫大壩出現裂縫，村民很擔心", {"紧水滩水库安全": ["紧水滩", "大坝", "裂缝"]}),    # traditional
    ("紧水滩水库开展溃坝应急演练", {}),                                                      # 排除词 (NOT)
    ("仙宫湖大坝附近有人钓鱼", {}),                                                          # no 事件词
    ("云和梯田景区停车场乱收费，还有黑车宰客", {"云和梯田景区服务": ["云和梯田", "梯田景区", "梯田", "宰客", "乱收费", "黑车"]}),
    ("石塘镇有人拉横幅静坐讨薪", {"敏感词即时预警": ["石塘", "静坐", "拉横幅"]}),
    ("关于云和群体性事件的辟谣", {}),                                                        # NOT in the expression
    ("县城一家幼儿园变相收费", {"学校收费": ["幼儿园", "变相收费"]}),
])
def test_the_shipped_schemes_match_what_they_should(cfg: Config, tokenizer: Tokenizer, text: str,
                                                    expected: dict[str, list[str]]) -> None:
    assert _hits(cfg, tokenizer, text) == expected


def test_short_words_match_only_the_start_of_a_token(cfg: Config, tokenizer: Tokenizer) -> None:
    schemes = SchemesConfig.model_validate({"监测方案": [{"名称": "局村", "地域词": ["局村"], "事件词": ["停电"]}]})
    assert match_schemes(schemes, tokenizer.doc("浮云街道局村今晚停电")) != []
    assert match_schemes(schemes, tokenizer.doc("公安局村民大会上说停电了")) == []     # overlapping words
    # the first occurrence inside a token, a later one at a token's start
    assert match_schemes(schemes, tokenizer.doc("公安局村民大会后，浮云街道局村今晚停电")) != []
    # the word must be the start of one token, not cross into the next
    assert match_schemes(schemes, Doc("局村停电", ("局", "村停电"))) == []
    # tokens that do not spell the text (a caller's own Doc): starts are read from the tokens
    assert match_schemes(schemes, Doc("局村 停电", ("局村", "停电"))) != []
    assert match_schemes(schemes, Doc("局村 停电", ("局", "村", "停电"))) == []
