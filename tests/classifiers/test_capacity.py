"""Model capacity is chosen from the data: the measured default where the data cannot tell the
sizes apart, every feature where a large vocabulary carries the classes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from classifiers.capacity import DEFAULT_K, candidate_sizes, choose_capacity
from classifiers.text_model import TextClassifier
from classifiers.tokenize import Doc
from classifiers.training import DEFAULT_MODEL_PARAMS, KIND_PARAMS, new_estimator


def _rows(n: int, classes: int, block: int, noise: int, per_row: int, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Each class owns ``block`` columns and each row uses a few of its own plus shared noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    cols = [np.concatenate([y[i] * block + rng.choice(block, per_row, replace=False),
                            classes * block + rng.choice(noise, per_row, replace=False)]) for i in range(n)]
    indptr = np.arange(0, n * 2 * per_row + 1, 2 * per_row)
    x = sp.csr_matrix((np.ones(n * 2 * per_row), np.concatenate(cols), indptr), shape=(n, classes * block + noise))
    return x, y.astype(str)


def test_candidates_always_include_every_feature() -> None:
    assert candidate_sizes(1500) == [None]
    assert candidate_sizes(8000) == [1000, 3000, None]
    assert candidate_sizes(500_000)[-2:] == [100000, None]


def test_many_informative_features_move_the_choice_to_keep_them() -> None:
    x, y = _rows(3000, classes=10, block=4000, noise=2000, per_row=4, seed=1)
    chosen = choose_capacity(x, y, C=0.5, class_weight="balanced")
    assert chosen["k"] is None or chosen["k"] > 10000, chosen
    assert chosen["scores"]["all"] > chosen["scores"][str(DEFAULT_K)] + 0.1


def test_sizes_the_data_cannot_tell_apart_keep_the_default() -> None:
    x, y = _rows(1200, classes=4, block=3, noise=12000, per_row=3, seed=2)  # three columns carry each class
    chosen = choose_capacity(x, y, C=0.5, class_weight="balanced")
    assert chosen["k"] == DEFAULT_K, chosen


def test_train_records_the_choice_and_default_models_keep_their_recipes() -> None:
    docs = [Doc(t, tuple(t)) for t in ["路灯坏了", "路面塌陷", "学校收费", "老师补课"] * 6]
    labels = ["城乡建设", "城乡建设", "教育文体", "教育文体"] * 6
    model = TextClassifier(k_best="auto").fit(docs, labels)
    assert set(model.capacity_) == {"k", "scores", "folds"}
    assert KIND_PARAMS["topic"] == {"k_best": "auto"} and DEFAULT_MODEL_PARAMS["topic"] == {"k_best": 3000}
    assert new_estimator("topic", default_model=True).k_best == 3000
    assert new_estimator("topic").k_best == "auto"
