"""Learning from corrections: corrections win over the corpus, the held-out part is fixed, a new
model is kept only if it is not worse than the data the current one was trained on, and every
decision is recorded."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from classifiers.retraining import (
    Correction,
    held_out,
    labels_for,
    merged,
    read_log,
    retrain_with_corrections,
)
from classifiers.tokenize import Tokenizer
from classifiers.training import KINDS, LabelledData
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
    assert set(first) == set(KINDS) and first["topic"]["decision"] == "published"

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
