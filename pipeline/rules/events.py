"""Events: posts about the same incident (reposts, near-duplicates across platforms) are
grouped with MinHash signatures over character shingles and LSH banding.

Signatures are computed for a whole batch with numpy; matching is against the posts of
recent events (loaded from storage) and the batch itself, so re-runs and later batches join
the same events.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.config import Events as EventsPolicy

_REPOST_CHAIN = re.compile(r"//\s*@[^:：]{1,30}[:：].*$", re.S)
_NOISE = re.compile(r"https?://\S+|@[\w\u4e00-\u9fff-]{1,30}|转发微博|网页链接|展开全文|[\W_]+", re.U)
_PRIME = np.uint64(1_000_003)
EMPTY = np.uint32(0xFFFFFFFF)


def dedup_text(text: str) -> str:
    """The incident-bearing part of a post: no repost chain, links, mentions or punctuation."""
    head = _REPOST_CHAIN.sub("", text)
    core = _NOISE.sub("", head)
    return core if len(core) >= 8 else _NOISE.sub("", text)


@dataclass(frozen=True)
class MinHasher:
    """One-permutation MinHash with densification: each shingle is hashed once into one of
    ``num_perm`` bins, each bin keeps its minimum, empty bins borrow from their neighbour.
    A text too short to shingle gets an all-``EMPTY`` row that matches nothing."""

    shingle_size: int
    num_perm: int
    seed: int = 20170927

    @classmethod
    def from_policy(cls, policy: EventsPolicy) -> MinHasher:
        return cls(policy.shingle_size, policy.num_perm)

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """One uint32 row of ``num_perm`` bin minima per text."""
        out = np.full((len(texts), self.num_perm), EMPTY, dtype=np.uint32)
        k = self.shingle_size
        cores = [dedup_text(t) for t in texts]
        lens = np.fromiter((len(c) for c in cores), dtype=np.int64, count=len(cores))
        counts = np.maximum(lens - k + 1, 0)
        total = int(counts.sum())
        if total == 0:
            return out
        cps = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        starts = np.cumsum(lens) - lens
        first = np.cumsum(counts) - counts
        pos = np.repeat(starts, counts) + (np.arange(total) - np.repeat(first, counts))
        h = np.full(total, np.uint64(self.seed), dtype=np.uint64)
        for j in range(k):
            h = h * _PRIME + cps[pos + j]
        h = _mix(h)
        bins = h % np.uint64(self.num_perm)
        values = h >> np.uint64(32)
        owner = np.repeat(np.arange(len(texts), dtype=np.uint64), counts)
        # Sort (text, bin, value) packed in one integer: the first of each (text, bin) is its minimum.
        keys = owner * np.uint64(self.num_perm) + bins
        packed = np.sort((keys << np.uint64(32)) | values)
        cell = packed >> np.uint64(32)
        head = np.ones(len(packed), dtype=bool)
        head[1:] = cell[1:] != cell[:-1]
        flat = out.reshape(-1)
        flat[cell[head].astype(np.int64)] = (packed[head] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        return _densify(out)


def _densify(sig: np.ndarray) -> np.ndarray:
    """Fill each empty bin from the next filled bin to its right (circularly), offset by the
    distance, so that short texts get full signatures that agree where the texts agree."""
    p = sig.shape[1]
    filled = sig != EMPTY
    doubled = np.concatenate([sig, sig], axis=1)
    cols = np.where(np.concatenate([filled, filled], axis=1), np.arange(2 * p), 2 * p)
    nxt = np.minimum.accumulate(cols[:, ::-1], axis=1)[:, ::-1][:, :p]
    ok = nxt < 2 * p  # rows with no filled bin at all stay empty
    src = np.where(ok, nxt, 0)
    dist = (src - np.arange(p)).astype(np.uint32)
    dense = np.take_along_axis(doubled, src, axis=1) + dist * np.uint32(0x9E3779B1)
    return np.where(ok, dense, EMPTY).astype(np.uint32)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity over the bins filled in either signature."""
    filled = (a != EMPTY) | (b != EMPTY)
    n = int(filled.sum())
    return float(((a == b) & filled).sum()) / n if n else 0.0


@dataclass
class EventIndex:
    """LSH index from band keys to the posts (and their events) already placed."""

    bands: int
    min_similarity: float
    buckets: dict[bytes, list[int]] = field(default_factory=dict)
    signatures: list[np.ndarray] = field(default_factory=list)
    events: list[object] = field(default_factory=list)
    exact: dict[str, object] = field(default_factory=dict)

    def _keys(self, sig: np.ndarray) -> list[bytes]:
        rows = len(sig) // self.bands
        return [bytes([i]) + sig[i * rows : (i + 1) * rows].tobytes() for i in range(self.bands)]

    def add(self, sig: np.ndarray, content_hash: str, event: object) -> None:
        self.exact.setdefault(content_hash, event)
        if bool((sig == EMPTY).all()):
            return
        idx = len(self.signatures)
        self.signatures.append(sig)
        self.events.append(event)
        for key in self._keys(sig):
            self.buckets.setdefault(key, []).append(idx)

    def find(self, sig: np.ndarray, content_hash: str) -> object | None:
        """The event of the most similar indexed post, if similar enough."""
        if content_hash in self.exact:
            return self.exact[content_hash]
        if bool((sig == EMPTY).all()):
            return None
        candidates = {i for key in self._keys(sig) for i in self.buckets.get(key, ())}
        best, best_sim = None, self.min_similarity
        for i in candidates:
            sim = similarity(self.signatures[i], sig)
            if sim >= best_sim:
                best, best_sim = self.events[i], sim
        return best
