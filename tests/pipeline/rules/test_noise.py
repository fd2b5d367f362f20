"""Noise set aside with its reason: marketing that names 云和, and 云和 or a township's name that
means something else (a word, a classical line, a person, another county's town)."""

from __future__ import annotations

import pytest

from classifiers.tokenize import Tokenizer
from pipeline.config import Config
from pipeline.rules.noise import marketing_reason
from pipeline.rules.places import Gazetteer
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(Settings.from_env().userdict_path).load()


@pytest.mark.parametrize("text", [
    "【云和梯田·山居民宿】国庆特价房还剩最后5间，双人间298元/晚，预订请加微信",
    "云和雪梨上市啦！10斤装68元包邮，自家果园现摘现发，需要的朋友私聊下单～",
    "日韩代购本周到货，云和同城可自提，外地包邮！",
    "宝妈在家就能做的兼职！动动手指刷刷单，日入两三百不是梦，云和的姐妹扫码进群",
    "今日运势：云和的双子座朋友们本周财运大涨",
    "【云和湖·半山民宿】六间湖景房，预订请私信或电话联系",
])
def test_marketing_is_set_aside_with_its_reason(cfg: Config, text: str) -> None:
    reason = marketing_reason(text, cfg.policy.noise)
    assert reason is not None and reason.startswith("广告营销：")


@pytest.mark.parametrize("text", [
    "尊敬的领导：我在云和梯田一家民宿订了特价房，加微信付了定金，到了却说没房，这是虚假宣传，请查处",
    "朋友圈有人发“包邮代购”，我私聊下单付了钱就被拉黑了，已经报警",
    "县里的福利彩票销售点门口经常聚集一些人，是否应该限制一下单次购买金额",
    "石塘镇老街的路灯坏了两个月，晚上出行很不方便",
])
def test_complaints_about_adverts_and_ordinary_matters_are_not_noise(cfg: Config, text: str) -> None:
    assert marketing_reason(text, cfg.policy.noise) is None


@pytest.mark.parametrize(("text", "said"), [
    ("三十功名尘与土，八千里路云和月，莫等闲白了少年头", "“路云和月”"),
    ("风云和雨都是天气现象", "“风云和雨”"),
    ("李云和同志表示会认真研究", "“李云和同志”"),
    ("推荐一本小说《云和山的彼端》", "云和山”中的"),
    ("温岭石塘镇千年曙光园今天游客爆满", "石塘镇（温岭）"),
    ("苏州相城元和街道今天开展消防演练", "元和街道（苏州）"),
])
def test_names_that_mean_something_else_do_not_make_a_post_local(cfg: Config, tokenizer: Tokenizer, text: str,
                                                                   said: str) -> None:
    match = Gazetteer.from_config(cfg).match(tokenizer.doc(text))
    assert not match.local and match.townships == []
    assert any(said in note for note in match.ambiguous), match.ambiguous


@pytest.mark.parametrize(("text", "township"), [
    ("云和雪梨上市了，今年收成不错", None),
    ("我爱美丽的云和", None),
    ("云和县石塘镇发生山体滑坡，温岭也派来了救援队", "石塘镇"),
    ("石塘镇暴雨引发内涝", "石塘镇"),
])
def test_real_mentions_stay_local(cfg: Config, tokenizer: Tokenizer, text: str, township: str | None) -> None:
    match = Gazetteer.from_config(cfg).match(tokenizer.doc(text))
    assert match.local and match.ambiguous == []
    assert match.townships == ([township] if township else [])
