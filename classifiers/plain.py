"""The plain baseline as a model of its own: character 1–2-gram TF-IDF (scikit-learn's defaults)
and a LinearSVC, calibrated to probabilities.

``yuqing train`` fits it beside the project's recipe and keeps whichever validates better on
the county's own data (``classifiers.training.choose_recipe``): on long government letters the
recipe wins, on short everyday posts the plain baseline can, and ``train`` should never be
worse than it. It reads the same ``Doc`` objects and offers the interface the model bundle uses
(``features`` / ``proba_from_features``), with a feature space of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from classifiers.text_model import svm_proba
from classifiers.tokenize import Doc


def doc_text(doc: Doc) -> str:
    """The text of a document (module level, so a fitted vectorizer pickles)."""
    return doc.text


class PlainCharClassifier(ClassifierMixin, BaseEstimator):
    """Character 1–2-gram TF-IDF + LinearSVC; probabilities calibrated like the recipe's."""

    def __init__(self, C: float = 1.0, calibrate: bool = True) -> None:
        self.C = C
        self.calibrate = calibrate

    def fit(self, X: Sequence[Doc], y: Sequence[Any]) -> PlainCharClassifier:
        labels = np.asarray(y)
        self.classes_, counts = np.unique(labels, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError("training data needs at least two different labels")
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), preprocessor=doc_text,
                                           lowercase=False)
        features = self.vectorizer_.fit_transform(list(X))
        folds = int(min(3, counts.min()))
        # The decision is the SVM's own (calibrating can move a two-class threshold); the
        # probabilities, which routing compares, are calibrated beside it.
        self.svc_ = LinearSVC(C=self.C).fit(features, labels)
        self.model_ = (CalibratedClassifierCV(LinearSVC(C=self.C), cv=folds, method="sigmoid", ensemble=False)
                       .fit(features, labels) if self.calibrate and folds >= 2 else self.svc_)
        vocabulary = repr(sorted(self.vectorizer_.vocabulary_.items())).encode("utf-8")
        self.feature_key_ = "plain-" + hashlib.sha256(vocabulary).hexdigest()
        return self

    def features(self, X: Sequence[Doc]) -> sp.csr_matrix:
        return self.vectorizer_.transform(list(X))

    def proba_from_features(self, features: sp.csr_matrix) -> np.ndarray:
        return svm_proba(self.model_, features)

    def predict_proba(self, X: Sequence[Doc]) -> np.ndarray:
        return self.proba_from_features(self.features(X))

    def predict(self, X: Sequence[Doc]) -> np.ndarray:
        return np.asarray(self.svc_.predict(self.features(X)))
