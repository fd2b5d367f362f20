"""The text classifiers: TF-IDF over word and character n-grams, linear models on top.

Estimators follow scikit-learn's contract: parameters are stored untouched by ``__init__``,
learned state ends in ``_``, inputs are shared ``Doc`` objects (text + tokens), so a post is
tokenised once however many models read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer, normalize
from sklearn.svm import LinearSVC

from classifiers.capacity import AUTO, choose_capacity
from classifiers.features import CharNgramVectorizer, WordNgramVectorizer
from classifiers.tokenize import Doc


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def svm_proba(model: Any, features: sp.csr_matrix) -> np.ndarray:
    """Class probabilities of a fitted LinearSVC, calibrated or not: the calibrator's where there
    is one (enough examples per class to calibrate), else a softmax of the scaled margins."""
    if isinstance(model, CalibratedClassifierCV):
        return np.asarray(model.predict_proba(features))
    scores = np.asarray(model.decision_function(features))
    if scores.ndim == 1:  # binary LinearSVC gives one column
        scores = np.column_stack([-scores, scores])
    return _softmax(scores * 3.0)


class _TextFeatures(BaseEstimator):
    """Word TF-IDF (from the shared tokens) next to character n-gram TF-IDF (from the text)."""

    C: float
    char_ngram_range: tuple[int, int]
    char_weight: float
    min_df: int
    word_bigrams: bool
    k_best: int | str | None

    def _fit_head(self, features: sp.csr_matrix, target: Any) -> sp.csr_matrix:
        """Per-model step on the shared features: keep the ``k_best`` features by chi-square,
        then rescale rows to unit length (measured on real messages: +0.02-0.04 macro-F1).
        ``k_best="auto"`` chooses the number from the data (``choose_capacity``)."""
        k = self.k_best
        if k == AUTO:
            self.capacity_ = choose_capacity(features, np.asarray(target), self.C, self.class_weight)
            k = self.capacity_["k"]
        if k is None or int(k) >= features.shape[1]:
            self.selector_ = None
            return features
        self.selector_ = SelectKBest(chi2, k=int(k)).fit(features, target)
        return self._head(features)

    def _head(self, features: sp.csr_matrix) -> sp.csr_matrix:
        if self.selector_ is None:
            return features
        return normalize(self.selector_.transform(features))

    def _fit_features(self, X: Sequence[Doc]) -> sp.csr_matrix:
        self.words_ = WordNgramVectorizer(min_df=self.min_df, bigrams=self.word_bigrams).fit(X)
        self.word_tfidf_ = TfidfTransformer(sublinear_tf=True)
        words = self.word_tfidf_.fit_transform(self.words_.transform(X))
        self.chars_ = CharNgramVectorizer(ngram_range=self.char_ngram_range, min_df=self.min_df).fit(X)
        self.char_tfidf_ = TfidfTransformer(sublinear_tf=True)
        chars = self.char_tfidf_.fit_transform(self.chars_.transform(X))
        self.feature_key_ = self._feature_key()
        return self._combine(words, chars)

    def _feature_key(self) -> str:
        """Identity of the fitted feature space: models with equal keys produce equal matrices,
        so a bundle of models fitted on the same texts computes features once."""
        digest = hashlib.sha256()
        digest.update(repr((self.char_ngram_range, self.char_weight, self.min_df, self.word_bigrams)).encode())
        digest.update(repr(sorted(self.words_.vocabulary_.items())).encode("utf-8"))
        for arr in (self.words_.bigram_keys_, self.word_tfidf_.idf_, self.chars_.lookup_, self.char_tfidf_.idf_):
            digest.update(np.ascontiguousarray(arr).tobytes())
        return digest.hexdigest()

    def features(self, X: Sequence[Doc]) -> sp.csr_matrix:
        """The feature matrix of ``X`` in this model's fitted feature space."""
        return self._features(X)

    def _features(self, X: Sequence[Doc]) -> sp.csr_matrix:
        words = self.word_tfidf_.transform(self.words_.transform(X))
        return self._combine(words, self.char_tfidf_.transform(self.chars_.transform(X)))

    def _combine(self, words: sp.spmatrix, chars: sp.spmatrix) -> sp.csr_matrix:
        return sp.hstack([words, chars * self.char_weight], format="csr", dtype=np.float64)


class TextClassifier(ClassifierMixin, _TextFeatures):
    """Single-label text classifier with per-class scores that sum to one."""

    def __init__(
        self,
        C: float = 0.5,
        char_ngram_range: tuple[int, int] = (1, 2),
        char_weight: float = 1.0,
        min_df: int = 1,
        word_bigrams: bool = False,
        k_best: int | str | None = None,
        calibrate: bool = True,
        class_weight: str | None = "balanced",
    ) -> None:
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.char_weight = char_weight
        self.min_df = min_df
        self.word_bigrams = word_bigrams
        self.k_best = k_best
        self.calibrate = calibrate
        self.class_weight = class_weight

    def fit(self, X: Sequence[Doc], y: Sequence[Any]) -> TextClassifier:
        labels = np.asarray(y)
        self.classes_, counts = np.unique(labels, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("training data needs at least two different labels")
        features = self._fit_head(self._fit_features(X), labels)
        svc = LinearSVC(C=self.C, class_weight=self.class_weight)
        folds = int(min(3, counts.min()))
        if self.calibrate and folds >= 2:
            # Calibrated probabilities let routing compare a second topic with the first.
            self.model_ = CalibratedClassifierCV(svc, cv=folds, method="sigmoid", ensemble=False)
        else:
            self.model_ = svc
        self.model_.fit(features, labels)
        return self

    def predict_proba(self, X: Sequence[Doc]) -> np.ndarray:
        return self.proba_from_features(self._features(X))

    def proba_from_features(self, features: sp.csr_matrix) -> np.ndarray:
        return svm_proba(self.model_, self._head(features))

    def predict(self, X: Sequence[Doc]) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])


class MultiLabelTextClassifier(_TextFeatures):
    """Multi-label text classifier (one linear model per label); empty label sets allowed."""

    def __init__(
        self,
        C: float = 0.5,
        char_ngram_range: tuple[int, int] = (1, 2),
        char_weight: float = 1.0,
        min_df: int = 1,
        word_bigrams: bool = False,
        k_best: int | None = None,
        class_weight: str | None = "balanced",
    ) -> None:
        self.C = C
        self.char_ngram_range = char_ngram_range
        self.char_weight = char_weight
        self.min_df = min_df
        self.word_bigrams = word_bigrams
        self.k_best = k_best
        self.class_weight = class_weight

    def fit(self, X: Sequence[Doc], y: Sequence[Sequence[str]]) -> MultiLabelTextClassifier:
        features = self._fit_features(X)
        self.selector_ = None  # one selection cannot serve every label; all features are kept
        self.binarizer_ = MultiLabelBinarizer()
        target = self.binarizer_.fit_transform([list(labels) for labels in y])
        self.classes_ = self.binarizer_.classes_
        present = target.sum(axis=0)
        # A label never (or always) present cannot be learned; it is predicted as constant.
        self.constant_ = {
            i: bool(present[i]) for i in range(target.shape[1]) if present[i] in (0, target.shape[0])
        }
        learnable = [i for i in range(target.shape[1]) if i not in self.constant_]
        self.learnable_ = np.array(learnable, dtype=int)
        self.model_ = OneVsRestClassifier(LinearSVC(C=self.C, class_weight=self.class_weight))
        if learnable:
            self.model_.fit(features, target[:, self.learnable_])
        return self

    def decision_function(self, X: Sequence[Doc]) -> np.ndarray:
        return self.decision_from_features(self._features(X))

    def decision_from_features(self, features: sp.csr_matrix) -> np.ndarray:
        scores = np.zeros((features.shape[0], len(self.classes_)))
        for i, value in self.constant_.items():
            scores[:, i] = 1.0 if value else -1.0
        if len(self.learnable_):
            learned = np.asarray(self.model_.decision_function(features))
            scores[:, self.learnable_] = learned.reshape(features.shape[0], -1)
        return scores

    def predict(self, X: Sequence[Doc]) -> list[list[str]]:
        scores = self.decision_function(X)
        return [[str(self.classes_[j]) for j in np.flatnonzero(row > 0)] for row in scores]
