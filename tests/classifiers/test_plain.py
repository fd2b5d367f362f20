"""``yuqing train`` never settles for less than the plain baseline: it fits the project's recipe
and character 1–2-gram TF-IDF + LinearSVC, keeps the one that validates better inside the
training data, and either is a model the bundle and ``evaluate`` can use."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from classifiers.plain import PlainCharClassifier
from classifiers.registry import load_model
from classifiers.tokenize import Doc, Tokenizer
from classifiers.training import RECIPE_MARGIN, LabelledData, choose_recipe, corpus_data, read_corpus, train
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(Settings.from_env().userdict_path).load()


@pytest.fixture(scope="module")
def sample(tokenizer: Tokenizer) -> tuple[list[Doc], list[str]]:
    data = corpus_data(read_corpus(Settings.from_env().training_corpus_dir), "topic")
    rng = np.random.default_rng(3)
    keep = [i for i in rng.permutation(len(data.texts)) if data.labels[i] in ("交通运输", "教育文体", "民政")][:240]
    return tokenizer.docs([data.texts[i] for i in keep]), [str(data.labels[i]) for i in keep]


def test_the_plain_baseline_follows_the_estimator_contract(sample: tuple[list[Doc], list[str]]) -> None:
    docs, labels = sample
    assert clone(PlainCharClassifier(C=0.5)).get_params() == {"C": 0.5, "calibrate": True}
    model = PlainCharClassifier().fit(docs, labels)
    proba = model.predict_proba(docs[:5])
    assert proba.shape == (5, 3) and np.allclose(proba.sum(axis=1), 1)
    assert np.array_equal(model.proba_from_features(model.features(docs[:5])), proba)  # the bundle's interface
    again = pickle.loads(pickle.dumps(model))
    assert list(again.predict(docs[:20])) == list(model.predict(docs[:20]))
    assert (model.predict(docs) == np.asarray(labels)).mean() > 0.9


def test_train_keeps_whichever_recipe_validates_better(sample: tuple[list[Doc], list[str]], tokenizer: Tokenizer,
                                                       tmp_path: Path) -> None:
    docs, labels = sample
    choice = choose_recipe("topic", docs, labels)
    scores = choice["macro_f1"]
    assert choice["validated"] and set(scores) == {"recipe", "plain"}
    assert choice["chosen"] == ("recipe" if scores["recipe"] >= scores["plain"] + RECIPE_MARGIN else "plain")
    data = LabelledData([d.text for d in docs], list(labels), 0, "0" * 64)
    meta = train("topic", data, tmp_path / "m", tokenizer, progress=lambda _: None)
    saved = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))["recipe_choice"]
    assert saved["chosen"] in ("recipe", "plain") and meta["recipe_choice"] == saved
    model = load_model(tmp_path / "m", "topic").model
    assert isinstance(model, PlainCharClassifier) == (saved["chosen"] == "plain")
    assert choose_recipe("categories", docs, [[x] for x in labels]) == {"chosen": "recipe", "validated": False}
