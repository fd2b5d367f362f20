"""Sentiment (情感倾向) toward the government or the unit concerned: the helpers that judge it on
real Weibo text, the bundled model on plain cases, and its measured held-out quality."""

from __future__ import annotations

import json

from classifiers.registry import read_sidecar
from classifiers.sentiment import SENTIMENTS, strip_emoticons, two_class_report
from classifiers.training import KINDS
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.triage import TriageContext

BASELINE = json.loads((PROJECT_ROOT / "benchmarks" / "baseline.json").read_text(encoding="utf-8"))


def test_emoticons_are_stripped_and_text_kept() -> None:
    assert strip_emoticons("美~[爱你][爱你] 好看[哈哈]") == "美~ 好看"
    assert strip_emoticons("[泪][泪]") == ""
    assert strip_emoticons("[1] 第一条 [第二条通知说明]") == "[1] 第一条 [第二条通知说明]"  # not emoticons


def test_two_class_report_counts_neutral_as_wrong() -> None:
    report = two_class_report(["正面", "负面", "正面", "负面"], ["正面", "负面", "中性", "正面"])
    assert report["accuracy"] == 0.5 and report["neutral_share"] == 0.25
    assert 0 < report["macro_f1"] < 1


def test_sentiment_is_a_model_kind() -> None:
    from pipeline.vocabulary import SENTIMENTS as WORDS

    assert "sentiment" in KINDS and set(SENTIMENTS) == {"负面", "中性", "正面"} and WORDS == SENTIMENTS


def test_bundled_model_on_a_complaint_a_thank_you_and_a_notice(ctx: TriageContext) -> None:
    texts = ["尊敬的领导：我们小区的路灯坏了三个月，打了好几次电话都没人管，晚上出门黑灯瞎火，太气人了！",
             "感谢县人民医院心内科的医生护士，我父亲手术很成功，你们辛苦了，特此表扬！",
             "【停水通知】因管网改造，明天8:00至18:00城区部分小区停水，请提前做好储水准备。"]
    got = [c.sentiment for c in ctx.models.classify(ctx.tokenizer.docs(texts))]
    assert got == ["负面", "正面", "中性"]
    scores = ctx.models.classify(ctx.tokenizer.docs(texts[:1]))[0].sentiment_scores
    assert set(scores) == set(SENTIMENTS) and abs(sum(scores.values()) - 1) < 0.01


def test_held_out_quality_of_the_bundled_model(base_settings: Settings) -> None:
    meta = read_sidecar((base_settings.model_dir / "sentiment").resolve())
    holdout = meta["holdout"]
    assert holdout["n"] >= 500 and set(holdout["per_class"]) == set(SENTIMENTS)
    assert holdout["macro_f1"] >= BASELINE["sentiment_holdout_macro_f1"], holdout
    grade = read_sidecar((base_settings.model_dir / "grade").resolve())["holdout"]["reliability"]
    assert grade["ece"] <= BASELINE["grade_holdout_ece_max"], grade
