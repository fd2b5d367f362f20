"""Learning from corrections: corrections win over the corpus, the held-out part is fixed, a new
model is kept only if it is not worse than the data the current one was trained on, and every
decision is recorded."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from classifiers import registry
from classifiers.registry import load_model, read_sidecar
from classifiers.retraining import (
    Correction,
    describe_decision,
    held_out,
    labels_for,
    merged,
    read_log,
    retrain_with_corrections,
    text_key,
)
from classifiers.tokenize import Tokenizer
from classifiers.training import KINDS, LabelledData, corpus_data, corpus_digest, read_corpus
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=SHANGHAI)
ROADS = ["县道{}段路面塌陷出现大坑", "{}路口的红绿灯坏了车辆乱行", "公交{}路晚点一个小时没人管", "{}公路护栏被撞断还没修"]
SCHOOLS = ["{}小学食堂饭菜太差孩子吃不饱", "{}中学补课收费家长很有意见", "{}幼儿园老师体罚孩子", "{}学校校车超载接送学生"]
PLACES = ["石塘", "崇头", "赤石", "雾溪", "安溪", "浮云", "元和", "白龙山", "凤凰山", "紧水滩"]


def _corpus(path: Path) -> list[str]:
    rows, texts = [], []
    for n, place in enumerate(PLACES):
        for topic, patterns, sentiment in (("交通运输", ROADS, "负面"), ("教育文体", SCHOOLS, "中性")):
            for k, pattern in enumerate(patterns):
                text = pattern.format(place) + f"（第{n}{k}号）"
                texts.append(text)
                rows.append({"text": text, "topic": topic, "categories": [], "grade": ["一般", "较大"][k % 2],
                             "rumor": k == 3, "voice": "citizen", "platform": "weibo", "sentiment": sentiment})
    path.mkdir(parents=True)
    (path / "tiny.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return texts


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(Settings.from_env().userdict_path).load()


def test_corrections_win_and_relevance_to_irrelevant_is_a_topic_label() -> None:
    base = LabelledData(["甲", "乙"], ["交通运输", "教育文体"], 0, "x")
    labels = labels_for("topic", [Correction("topic", "甲", "城乡建设"), Correction("relevance", "丙", "无关"),
                                  Correction("relevance", "丁", "相关"), Correction("grade", "甲", "重大")])
    assert labels == {"甲": "城乡建设", "丙": "无关"}
    data = merged(base, labels)
    assert list(zip(data.texts, data.labels, strict=True)) == [("甲", "城乡建设"), ("乙", "教育文体"), ("丙", "无关")]
    assert data.sha256 != base.sha256 and merged(base, {}).sha256 == base.sha256


def test_the_held_out_part_is_fixed_by_the_text() -> None:
    texts = [f"第{i}条" for i in range(1000)]
    first = [held_out(t) for t in texts]
    assert first == [held_out(t) for t in texts] and 150 < sum(first) < 250


def test_retrain_publishes_keeps_or_leaves_unchanged_and_records_why(tmp_path: Path, tokenizer: Tokenizer) -> None:
    corpus, models, log = tmp_path / "corpus", tmp_path / "models", tmp_path / "state" / "retrain.jsonl"
    texts = _corpus(corpus)

    first = {d["kind"]: d for d in retrain_with_corrections(corpus, models, [], tokenizer, log, NOW, lambda _: None)}
    assert set(first) == set(KINDS) and {d["decision"] for d in first.values()} == {"published"}
    assert "尚未训练" in first["topic"]["stale"]

    again = {d["kind"]: d for d in retrain_with_corrections(corpus, models, [], tokenizer, log, NOW, lambda _: None)}
    assert {d["decision"] for d in again.values()} == {"unchanged"}
    assert again["topic"]["version"] == first["topic"]["version"]

    # Poisoned corrections: every training text's topic swapped. On the same held-out texts the
    # data with them scores far worse, so the current model stays.
    swap = {"交通运输": "教育文体", "教育文体": "交通运输"}
    truth = ["交通运输" if i % 8 < 4 else "教育文体" for i in range(len(texts))]  # the corpus order
    poisoned = [Correction("topic", t, swap[truth[i]]) for i, t in enumerate(texts) if not held_out(t)]
    kept = {d["kind"]: d for d in retrain_with_corrections(corpus, models, poisoned, tokenizer, log, NOW, lambda _: None)}
    topic = kept["topic"]
    assert topic["decision"] == "kept" and topic["new_macro_f1"] < topic["old_macro_f1"], topic
    assert topic["version"] == first["topic"]["version"] and topic["holdout_n"] > 0

    # A genuine correction: the same text, a better label. Not worse → the new model is published.
    good = [Correction("sentiment", texts[0], "正面")]
    published = {d["kind"]: d for d in retrain_with_corrections(corpus, models, good, tokenizer, log, NOW, lambda _: None)}
    assert published["sentiment"]["decision"] == "published"
    assert published["sentiment"]["new_macro_f1"] >= published["sentiment"]["old_macro_f1"]
    assert published["sentiment"]["version"] != first["sentiment"]["version"]
    sidecar = json.loads((models / "sentiment" / "model.json").read_text(encoding="utf-8"))
    assert list(sidecar["corrections"].values()) == ["正面"]

    logged = read_log(log)
    assert len(logged) == 4 * len(KINDS) and all(entry["at"] == NOW.isoformat() for entry in logged)
    assert [e["decision"] for e in logged if e["kind"] == "topic"] == ["published", "unchanged", "kept", "unchanged"]


def _sidecar(models: Path, kind: str) -> dict[str, Any]:
    return read_sidecar((models / kind).resolve())


def test_a_library_upgrade_rebuilds_only_stale_models_and_keeps_every_correction(
        tmp_path: Path, tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model the registry refuses (here: trained with another scikit-learn) is rebuilt from the
    corpus and every correction of its kind, is logged as rebuilt with the reason, never as
    unchanged; the models still usable are left as they are."""
    corpus, models, log = tmp_path / "corpus", tmp_path / "models", tmp_path / "retrain.jsonl"
    texts = _corpus(corpus)
    fixes = [Correction("topic", "城东菜市场的排水沟堵了（更正）", "城乡建设"),  # a text the corpus lacks
             Correction("sentiment", texts[0], "正面")]
    first = {d["kind"]: d for d in retrain_with_corrections(corpus, models, fixes, tokenizer, log, NOW, lambda _: None)}
    topic_data = merged(corpus_data(read_corpus(corpus), "topic"), {fixes[0].text: "城乡建设"})
    assert _sidecar(models, "topic")["training_data_sha256"] == topic_data.sha256

    # Only the topic and key-category models were trained with an older scikit-learn.
    for kind in ("topic", "categories"):
        path = (models / kind).resolve() / registry.SIDECAR
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["libraries"]["scikit-learn"] = "0.24.2"
        path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(registry.ModelError, match=r"scikit-learn 0\.24\.2"):
        load_model(models / "topic", "topic", corpus_digest(corpus))

    after = {d["kind"]: d for d in retrain_with_corrections(corpus, models, fixes, tokenizer, log, NOW, lambda _: None)}
    assert {k: d["decision"] for k, d in after.items()} == {
        "topic": "rebuilt", "categories": "rebuilt", "grade": "unchanged", "rumor": "unchanged", "sentiment": "unchanged"}
    assert "scikit-learn 0.24.2" in after["topic"]["stale"] and "重新训练" in describe_decision(after["topic"])
    topic = _sidecar(models, "topic")
    assert topic["training_data_sha256"] == topic_data.sha256 and topic["n_samples"] == len(texts) + 1
    assert topic["corrections"] == {text_key(fixes[0].text): "城乡建设"}
    assert after["sentiment"]["version"] == first["sentiment"]["version"]
    assert load_model(models / "topic", "topic", corpus_digest(corpus)).version == after["topic"]["version"]

    # Then every library is upgraded: every model is rebuilt, the sentiment correction is kept too.
    upgraded = {**registry.library_versions(), "scikit-learn": "99.0.0"}
    monkeypatch.setattr(registry, "library_versions", lambda: upgraded)
    again = {d["kind"]: d for d in retrain_with_corrections(corpus, models, fixes, tokenizer, log, NOW, lambda _: None)}
    assert {d["decision"] for d in again.values()} == {"rebuilt"}
    sentiment = _sidecar(models, "sentiment")
    assert sentiment["corrections"] == {text_key(texts[0]): "正面"}
    assert sentiment["libraries"]["scikit-learn"] == "99.0.0"
    assert [e["decision"] for e in read_log(log) if e["kind"] == "grade"] == ["published", "unchanged", "rebuilt"]
