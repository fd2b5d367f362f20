"""Feature extraction shared by all text models: word uni/bigrams from the shared tokens and
character n-grams from the text, both vectorised over a whole batch with numpy.

scikit-learn's vectorizers call a Python function per document and a dict lookup per
feature; here each token is looked up once and everything else (bigrams, character
n-grams, counting) is array arithmetic, with fixed (process-independent) hashes so fitted
models stay valid after pickling.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
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
    ranges = (range(0x3000), range(0xFE30, 0xFFF0))
    return frozenset(chr(c) for r in ranges for c in r if unicodedata.category(chr(c))[0] in "PSZC")


_NOISE = _noise_chars()


def is_content(token: str) -> bool:
    """Tokens that carry meaning: not whitespace, punctuation or symbols only."""
    if len(token) == 1:
        return token not in _NOISE
    return not all(ch in _NOISE for ch in token)


def _counts_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Count (row, col) pairs; ``rows`` must be non-decreasing."""
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    mat = sp.csr_matrix((np.ones(len(cols), dtype=np.float64), cols.astype(np.int32), indptr), shape=(n_rows, n_cols))
    mat.sum_duplicates()  # per-row sort and merge, in compiled code
    return mat


class WordNgramVectorizer(TransformerMixin, BaseEstimator):
    """Counts of word unigrams and of bigrams of adjacent content tokens."""

    def __init__(self, min_df: int = 1, bigrams: bool = True) -> None:
        self.min_df = min_df
        self.bigrams = bigrams

    def fit(self, X: Sequence[Doc], y: Any = None) -> WordNgramVectorizer:
        uni: Counter[str] = Counter()
        for d in X:
            uni.update({t for t in d.tokens if is_content(t)})
        words = sorted(w for w, n in uni.items() if n >= self.min_df)
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        size = len(words)
        keys = np.empty(0, dtype=np.int64)
        if self.bigrams:
            bi: Counter[int] = Counter()
            for d in X:
                ids = [self.vocabulary_.get(t, -1) for t in d.tokens]
                bi.update({a * size + b for a, b in pairwise(ids) if a >= 0 and b >= 0})
            keys = np.array(sorted(k for k, n in bi.items() if n >= self.min_df), dtype=np.int64)
        self.bigram_keys_ = keys
        self.n_features_out_ = size + len(keys)
        return self

    def transform(self, X: Sequence[Doc]) -> sp.csr_matrix:
        get = self.vocabulary_.get
        lens = np.fromiter((len(d.tokens) for d in X), dtype=np.int64, count=len(X))
        ids = np.fromiter((get(t, -1) for d in X for t in d.tokens), dtype=np.int64, count=int(lens.sum()))
        doc = np.repeat(np.arange(len(X), dtype=np.int64), lens)
        size = len(self.vocabulary_)
        rows, cols = [doc[ids >= 0]], [ids[ids >= 0]]
        if self.bigrams and len(ids) > 1 and len(self.bigram_keys_):
            a, b = ids[:-1], ids[1:]
            ok = (a >= 0) & (b >= 0) & (doc[:-1] == doc[1:])
            key = a[ok] * size + b[ok]
            pos = np.minimum(np.searchsorted(self.bigram_keys_, key), len(self.bigram_keys_) - 1)
            hit = self.bigram_keys_[pos] == key
            rows.append(doc[:-1][ok][hit])
            cols.append(size + pos[hit])
        row, col = np.concatenate(rows), np.concatenate(cols)
        order = np.argsort(row, kind="stable")
        return _counts_matrix(row[order], col[order], len(X), self.n_features_out_)


class CharNgramVectorizer(TransformerMixin, BaseEstimator):
    """Counts of character n-grams, hashed into ``2**hash_bits`` buckets; only buckets seen in
    at least ``min_df`` training documents become columns (the model stays small)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), hash_bits: int = 20, min_df: int = 1) -> None:
        self.ngram_range = ngram_range
        self.hash_bits = hash_bits
        self.min_df = min_df

    def _hashed(self, X: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        """(document index, bucket) of every n-gram, ordered by document."""
        texts = [" ".join(d.text.split()) for d in X]
        lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
        total = int(lens.sum())
        lo, hi = self.ngram_range
        if total == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
        ends = np.repeat(np.cumsum(lens), lens)
        orders = hi - lo + 1
        buckets = np.full((total, orders), -1, dtype=np.int64)  # row-major: grouped by position
        mask = np.uint64((1 << self.hash_bits) - 1)
        for j, n in enumerate(range(lo, hi + 1)):
            m = total - n + 1
            if m <= 0:
                continue
            h = np.full(m, np.uint64(n), dtype=np.uint64)
            for k in range(n):
                h = h * _PRIME + cps[k : k + m]
            h = ((h * _MIX) >> np.uint64(24)) & mask
            valid = np.arange(m) + n <= ends[:m]
            buckets[:m, j] = np.where(valid, h.astype(np.int64), -1)
        flat = buckets.reshape(-1)
        keep = flat >= 0
        return np.repeat(doc, orders)[keep], flat[keep]

    def fit(self, X: Sequence[Doc], y: Any = None) -> CharNgramVectorizer:
        doc, bucket = self._hashed(X)
        pairs = np.unique(doc * (1 << self.hash_bits) + bucket)
        df = np.bincount(pairs & ((1 << self.hash_bits) - 1), minlength=1 << self.hash_bits)
        columns = np.flatnonzero(df >= self.min_df)
        lookup = np.full(1 << self.hash_bits, -1, dtype=np.int32)
        lookup[columns] = np.arange(len(columns), dtype=np.int32)
        self.lookup_ = lookup
        self.n_features_out_ = len(columns)
        return self

    def transform(self, X: Sequence[Doc]) -> sp.csr_matrix:
        doc, bucket = self._hashed(X)
        col = self.lookup_[bucket]
        seen = col >= 0
        return _counts_matrix(doc[seen], col[seen], len(X), self.n_features_out_)
