"""Model capacity chosen from the data: ``train`` against the old fixed recipe and the plain
baseline, on real and own labelled sets of several sizes.

For each data set and size (a stratified sample), stratified 5-fold cross-validated macro-F1 of
- ``fixed k=3000``: the recipe before (word + character TF-IDF, chi-square 3,000 features);
- ``recipe``: the recipe with its selection size chosen from the data;
- ``train``: what ``yuqing train`` fits: the recipe or the plain baseline, whichever validates
  better inside the training fold;
- ``plain``: character 1–2-gram TF-IDF (scikit-learn defaults) + LinearSVC, nothing else.

Data: the real 泰迪杯 letters (7 topics) and the real weibo_senti sample (正面 / 负面, emoticons
stripped) from ``YUQING_CORPUS_DIR``, and the project's own corpus (16 topics).

    YUQING_CORPUS_DIR=../shared/corpus python benchmarks/bench_capacity.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.svm import LinearSVC

from classifiers.sentiment import WEIBO_SAMPLE, strip_emoticons
from classifiers.text_model import TextClassifier
from classifiers.tokenize import Doc, Tokenizer
from classifiers.training import choose_recipe, corpus_data, new_model, read_corpus, read_labelled
from pipeline.settings import Settings

Fit = Callable[[list[Doc], np.ndarray, list[Doc]], np.ndarray]


def _recipe(k: int | str | None) -> Fit:
    def fit(train: list[Doc], y: np.ndarray, test: list[Doc]) -> np.ndarray:
        model = TextClassifier(k_best=k)
        return np.asarray(model.fit(train, list(y)).predict(test))
    return fit


def _train(train: list[Doc], y: np.ndarray, test: list[Doc]) -> np.ndarray:
    """As ``yuqing train`` fits a county's data: the recipe or the plain baseline, chosen by
    validation inside the training fold (the test fold is never looked at)."""
    choice = choose_recipe("topic", train, list(y))
    return np.asarray(new_model("topic", choice).fit(train, list(y)).predict(test))


def _plain(train: list[Doc], y: np.ndarray, test: list[Doc]) -> np.ndarray:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
    model = LinearSVC().fit(vectorizer.fit_transform([d.text for d in train]), y)
    return np.asarray(model.predict(vectorizer.transform([d.text for d in test])))


METHODS: dict[str, Fit] = {"fixed k=3000": _recipe(3000), "recipe": _recipe("auto"), "train": _train, "plain": _plain}


def cv_scores(docs: list[Doc], y: np.ndarray, folds: int = 5) -> dict[str, float]:
    scores: dict[str, list[float]] = {name: [] for name in METHODS}
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        for name, fit in METHODS.items():
            predicted = fit([docs[i] for i in tr], y[tr], [docs[i] for i in te])
            scores[name].append(float(f1_score(y[te], predicted, average="macro", zero_division=0)))
    return {name: float(np.mean(v)) for name, v in scores.items()}


def data_sets(settings: Settings) -> list[tuple[str, list[str], list[Any], list[int]]]:
    corpus = read_corpus(settings.training_corpus_dir)
    own = corpus_data(corpus, "topic")
    sets = [("own corpus, 16 topics", own.texts, own.labels, [750, 1500, len(own.texts)])]
    real = settings.corpus_dir
    if real is not None and (real / "teddycup2020").is_dir():
        ted = read_labelled(real / "teddycup2020" / "labeled_messages.csv", "text", "label")
        sets.insert(0, ("泰迪杯 letters, 7 topics", ted.texts, ted.labels, [450, 900, len(ted.texts)]))
        weibo = read_labelled(real / WEIBO_SAMPLE, "text", "label")
        texts = [strip_emoticons(t) for t in weibo.texts]
        keep = [i for i, t in enumerate(texts) if t]
        sets.insert(1, ("weibo_senti, 2 classes", [texts[i] for i in keep], [weibo.labels[i] for i in keep],
                        [600, 1200, len(keep)]))
    else:
        print("real corpus not found (YUQING_CORPUS_DIR): only the own corpus is measured", file=sys.stderr)
    return sets


def main() -> None:
    settings = Settings.from_env()
    tokenizer = Tokenizer(settings.userdict_path).load()
    print(f"{'data set':<26}{'n':>6}  {'fixed k=3000':>12}  {'recipe':>7}  {'train':>7}  {'plain':>7}  {'train-plain':>11}")
    worst = 1.0
    for name, texts, labels, sizes in data_sets(settings):
        docs_all, y_all = tokenizer.docs(texts), np.asarray(labels)
        for n in sizes:
            idx = np.arange(len(y_all)) if n >= len(y_all) else train_test_split(
                np.arange(len(y_all)), train_size=n, random_state=0, stratify=y_all)[0]
            t0 = time.perf_counter()
            s = cv_scores([docs_all[i] for i in idx], y_all[idx])
            worst = min(worst, s["train"] - s["plain"])
            print(f"{name:<26}{len(idx):>6}  {s['fixed k=3000']:>12.4f}  {s['recipe']:>7.4f}  {s['train']:>7.4f}  "
                  f"{s['plain']:>7.4f}  "
                  f"{s['train'] - s['plain']:>+11.4f}   ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(f"smallest margin of train over plain: {worst:+.4f}  (target >= 0)")


if __name__ == "__main__":
    main()
