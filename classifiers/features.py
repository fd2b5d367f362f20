"""Feature extraction shared by all text models: word n-grams from the shared tokens and
character n-grams hashed in bulk with numpy.

Character n-grams carry much of the signal in short Chinese posts, but scikit-learn's
built-in char analyzer builds Python strings for every n-gram; here the n-grams of a whole
batch are hashed as integer arrays in a few vectorised passes, with a fixed (process-
independent) hash so fitted models stay valid after pickling.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from classifiers.tokenize import Doc

_MIX = np.uint64(0x9E3779B97F4A7C15)
_PRIME = np.uint64(1_000_003)


def _noise_chars() -> frozenset[str]:
    return frozenset(chr(c) for c in range(0x3000) if unicodedata.category(chr(c))[0] in "PSZC") | frozenset(
        chr(c) for c in range(0xFE30, 0xFFF0) if unicodedata.category(chr(c))[0] in "PSZC"
    )


_NOISE = _noise_chars()


def _is_content(token: str) -> bool:
    """Tokens that carry meaning: not whitespace, punctuation or symbols only."""
    if len(token) == 1:
        return token not in _NOISE
    return not all(ch in _NOISE for ch in token)


def word_features(doc: Doc) -> list[str]:
    """Word unigrams and bigrams of a document's content tokens (module-level: picklable)."""
    toks = [t for t in doc.tokens if _is_content(t)]
    return toks + [f"{a} {b}" for a, b in pairwise(toks)]


def doc_text(doc: Doc) -> str:
    return doc.text


class CharNgramHasher(TransformerMixin, BaseEstimator):
    """Count character n-grams of each document's text into ``n_features`` hashed columns.

    Stateless apart from the check that it was fitted, like scikit-learn's HashingVectorizer.
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), n_features: int = 2**20) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features

    def fit(self, X: Sequence[Doc], y: Any = None) -> CharNgramHasher:
        self.n_features_out_ = self.n_features
        return self

    def transform(self, X: Sequence[Doc]) -> sp.csr_matrix:
        texts = [" ".join(d.text.split()) for d in X]
        n_docs = len(texts)
        lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n_docs)
        total = int(lens.sum())
        if total == 0:
            return sp.csr_matrix((n_docs, self.n_features), dtype=np.float64)
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc_of = np.repeat(np.arange(n_docs), lens)
        ends = np.repeat(np.cumsum(lens), lens)  # exclusive end of each position's document
        positions = np.arange(total)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            m = total - n + 1
            if m <= 0:
                continue
            h = np.full(m, np.uint64(n), dtype=np.uint64)
            for k in range(n):
                h = h * _PRIME + cps[k : k + m]
            h = (h * _MIX) >> np.uint64(20)
            valid = positions[:m] + n <= ends[:m]
            rows.append(doc_of[:m][valid])
            cols.append((h[valid] % np.uint64(self.n_features)).astype(np.int64))
        row = np.concatenate(rows)
        col = np.concatenate(cols)
        data = np.ones(len(row), dtype=np.float64)
        mat = sp.csr_matrix((data, (row, col)), shape=(n_docs, self.n_features))
        mat.sum_duplicates()
        return mat
