"""Near-duplicate look-up: posts that copy, repost or lightly rewrite one another are found with
MinHash signatures over character shingles and LSH banding.

A repost with its own comment (``评论 //@原作者:原文``) is signed by the original it quotes, so it
meets the original's event whatever its comment says. The look-up stays bounded however large
the store and its events grow: an event keeps at most ``representatives`` signatures (a new
post that copies one of them adds nothing to look up), an LSH bucket holds one entry per event
and a bucket shared by more than ``bucket_cap`` events is boilerplate and never looked up.

Everyday phrases ("希望尽快处理") and boilerplate (a hotline's standard paragraph, a page footer)
make unrelated posts look alike. A signature bin whose value has been seen in ``common_after``
or more texts that do not copy one another carries such a shared shingle; two posts that both
have text of their own are compared on the bins that do not, so 3,000 complaints about
different matters that end in the same passage stay apart, while a copy with a few words added
(no text of its own worth the name) still joins.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.config import Events as EventsPolicy

REPOST_CHAIN = re.compile(r"//\s*@[^:：\s]{1,30}[:：]")  # a repost's "//@account:" segments
_NOISE = re.compile(r"https?://\S+|@[\w\u4e00-\u9fff-]{1,30}|转发微博|网页链接|展开全文|[\W_]+", re.U)
_PRIME = np.uint64(1_000_003)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
EMPTY = np.uint32(0xFFFFFFFF)
COUNT_BITS = 22  # 4M counters of signature-bin values: a fixed 16 MB, collisions negligible
MIN_OWN_BINS = 8  # below this many bins of its own text, a post is compared on all its bins


def dedup_text(text: str) -> str:
    """The incident-bearing part of a post: for a repost, the original it quotes (else its own
    comment); no links, mentions or punctuation."""
    parts = [_NOISE.sub("", p) for p in REPOST_CHAIN.split(text)]
    if len(parts) > 1:
        for core in (parts[-1], parts[0]):
            if len(core) >= 8:
                return core
    return parts[0] if len(parts[0]) >= 8 else _NOISE.sub("", text)


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


def band_keys(sigs: np.ndarray, bands: int) -> np.ndarray:
    """One 64-bit LSH key per (row, band): equal keys mean equal rows in that band."""
    n, p = sigs.shape
    v = sigs.reshape(n, bands, p // bands).astype(np.uint64)
    h = np.repeat(((np.arange(bands, dtype=np.uint64) + np.uint64(1)) * _GOLDEN)[None, :], n, axis=0)
    for r in range(v.shape[2]):
        h = (h ^ v[:, :, r]) * _PRIME
    return _mix(h)


def copy_groups(sigs: np.ndarray, keys: np.ndarray, copy_similarity: float) -> np.ndarray:
    """Group the rows that copy one another (similarity at least ``copy_similarity``): each
    row's group label. Within every LSH bucket each row is compared with the bucket's first
    three rows, all at once; groups are the connected components."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, bands = keys.shape
    pairs: list[np.ndarray] = []
    for b in range(bands):
        order = np.argsort(keys[:, b], kind="stable")
        k = keys[order, b]
        start = np.searchsorted(k, k, side="left")  # each row's bucket begins here (in ``order``)
        for lead in range(3):
            at = start + lead
            ok = (at < np.arange(n)) & (at < n)
            ok[ok] &= k[at[ok]] == k[ok]
            pairs.append(np.stack([order[ok], order[at[ok]]], axis=1))
    both = np.concatenate(pairs) if pairs else np.empty((0, 2), dtype=np.int64)
    both = both[(sigs[both[:, 0]] != EMPTY).any(axis=1)]
    close = (sigs[both[:, 0]] == sigs[both[:, 1]]).mean(axis=1) >= copy_similarity
    edges = both[close]
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return np.asarray(connected_components(graph, directed=False)[1])


@dataclass(frozen=True)
class Near:
    """A representative found similar to a post: its event, the similarity that counts (shared
    everyday shingles discounted) and the plain estimate."""

    event: object
    similarity: float
    plain: float
    post: int | None


@dataclass
class EventIndex:
    """Representative signatures of open events, looked up by LSH band keys."""

    policy: EventsPolicy
    sigs: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.uint32))
    size: int = 0
    events: list[object | None] = field(default_factory=list)  # None: the event left the window
    posts: list[int | None] = field(default_factory=list)
    per_event: Counter[object] = field(default_factory=Counter)
    # Buckets of what was loaded: sorted unique keys, their first entry and length in ``reps``.
    base_keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    base_start: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    base_len: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    base_reps: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    recent: dict[int, list[int] | None] = field(default_factory=dict)  # None: saturated
    counts: np.ndarray = field(default_factory=lambda: np.zeros(1 << COUNT_BITS, dtype=np.uint32))

    def __post_init__(self) -> None:
        if self.sigs.size == 0:
            self.sigs = np.empty((1024, self.policy.num_perm), dtype=np.uint32)
        self._bins = np.arange(self.policy.num_perm, dtype=np.uint64) * _GOLDEN

    # --- what counts as everyday text ------------------------------------------------------

    def _cells(self, sigs: np.ndarray) -> np.ndarray:
        return (_mix(sigs.astype(np.uint64) ^ self._bins) >> np.uint64(64 - COUNT_BITS)).astype(np.int64)

    def count(self, sigs: np.ndarray) -> None:
        """Count the bin values of these texts, each standing for a group of copies (a chunk's
        copy groups before it is placed, an event's representatives when loaded)."""
        rows = sigs[(sigs != EMPTY).any(axis=1)]
        if len(rows):
            np.add.at(self.counts, self._cells(rows).ravel(), 1)

    def common(self, sigs: np.ndarray) -> np.ndarray:
        """Which bins carry a shingle seen in ``common_after`` or more distinct texts."""
        return self.counts[self._cells(sigs)] >= self.policy.common_after

    # --- loading and adding representatives -------------------------------------------------

    def load(self, rows: list[tuple[int, int, bytes]]) -> None:
        """Representatives from storage: (event id, post id, signature)."""
        if not rows:
            return
        sigs = np.stack([np.frombuffer(sig, dtype=np.uint32) for _, _, sig in rows])
        # Texts that copy one another count once, as they would have in one chunk: what is
        # everyday must not depend on where a batch was cut.
        _, first = np.unique(copy_groups(sigs, band_keys(sigs, self.policy.bands), self.policy.copy_similarity),
                             return_index=True)
        self.count(sigs[first])
        for event_id, post_id, _ in rows:
            self.events.append(event_id)
            self.posts.append(post_id)
            self.per_event[event_id] += 1
        self.sigs, self.size = sigs.copy(), len(rows)
        keys = band_keys(sigs, self.policy.bands).ravel()
        reps = np.repeat(np.arange(len(rows), dtype=np.int64), self.policy.bands)
        owners = np.repeat(np.fromiter((e for e, _, _ in rows), dtype=np.int64, count=len(rows)), self.policy.bands)
        order = np.lexsort((reps, owners, keys))
        keys, reps, owners = keys[order], reps[order], owners[order]
        first = np.ones(len(keys), dtype=bool)  # one entry per (bucket, event)
        first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        self.base_reps = reps[first]
        self.base_keys, self.base_start, self.base_len = np.unique(keys[first], return_index=True, return_counts=True)

    def add(self, sig: np.ndarray, keys: list[int], event: object, post: int | None = None) -> bool:
        """Keep ``sig`` as a representative of ``event`` unless the event has enough already."""
        if self.per_event[event] >= self.policy.representatives or bool((sig == EMPTY).all()):
            return False
        if self.size == len(self.sigs):
            self.sigs = np.concatenate([self.sigs, np.empty_like(self.sigs)])
        idx = self.size
        self.sigs[idx] = sig
        self.size += 1
        self.events.append(event)
        self.posts.append(post)
        self.per_event[event] += 1
        cap = self.policy.bucket_cap
        for key in keys:
            held = self.recent.get(key, ())
            if held is None or event in [self.events[j] for j in held]:
                continue
            if not held:
                self.recent[key] = [idx]
            elif len(held) >= cap:
                self.recent[key] = None
            else:
                held.append(idx)
        return True

    def forget(self, gone: Callable[[object], bool]) -> None:
        """Stop looking up the representatives of events that left the window (``gone``); their
        rows stay in ``sigs`` (the indices in use do not move), their bucket entries go — found
        again from their signatures, not by reading every bucket."""
        dead = [i for i, event in enumerate(self.events) if event is not None and gone(event)]
        if not dead:
            return
        for i in dead:
            self.events[i] = None
        gone_rows = set(dead)
        for key in set(band_keys(self.sigs[np.asarray(dead)], self.policy.bands).ravel().tolist()):
            held = self.recent.get(key)
            if held:
                kept = [j for j in held if j not in gone_rows]
                if kept:
                    self.recent[key] = kept
                else:
                    del self.recent[key]

    # --- look-up ------------------------------------------------------------------------------

    def stored_candidates(self, keys: np.ndarray) -> list[np.ndarray]:
        """For each row of band keys, the loaded representatives sharing a bucket with it
        (saturated buckets skipped), computed for a whole chunk at once."""
        n, bands = keys.shape
        empty = np.empty(0, dtype=np.int64)
        if not len(self.base_keys):
            return [empty] * n
        flat = keys.ravel()
        pos = np.minimum(np.searchsorted(self.base_keys, flat), len(self.base_keys) - 1)
        lens = np.where(self.base_keys[pos] == flat, self.base_len[pos], 0)
        lens[lens > self.policy.bucket_cap] = 0
        total = int(lens.sum())
        if total == 0:
            return [empty] * n
        ends = np.cumsum(lens)
        offsets = np.repeat(self.base_start[pos] - (ends - lens), lens) + np.arange(total)
        reps = self.base_reps[offsets]
        cuts = np.concatenate([[0], ends])[np.arange(n + 1) * bands]  # each row's share of ``reps``
        return [np.unique(reps[cuts[i]:cuts[i + 1]]) if cuts[i + 1] > cuts[i] else empty for i in range(n)]

    def copies_known(self, sigs: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """For each row, whether it copies (``copy_similarity``) a text already held: its bins
        were counted with that text's, so they are not counted again."""
        stored = self.stored_candidates(keys)
        known = np.zeros(len(sigs), dtype=bool)
        for i, key_row in enumerate(keys.tolist()):
            recent = [j for key in key_row for j in (self.recent.get(key) or ())]
            idx = np.unique(np.concatenate([stored[i], np.asarray(recent, dtype=np.int64)]))
            if len(idx):
                known[i] = bool(((self.sigs[idx] == sigs[i]).mean(axis=1) >= self.policy.copy_similarity).any())
        return known

    def near(self, sig: np.ndarray, keys: list[int], stored: np.ndarray, own: np.ndarray) -> list[Near]:
        """Representatives at least ``min_similarity`` similar to ``sig`` (its band ``keys``,
        ``stored`` the candidates among what was loaded); ``own`` marks the bins of the post's
        own text (not everyday shingles)."""
        recent = {j for key in keys for j in (self.recent.get(key) or ())}
        if not recent and not len(stored):
            return []
        idx = np.unique(np.concatenate([stored, np.fromiter(recent, dtype=np.int64, count=len(recent))]))
        cand = self.sigs[idx]
        agree = cand == sig
        plain = agree.sum(axis=1) / sig.shape[0]
        eff = plain.copy()
        alike = plain >= self.policy.min_similarity
        if alike.any() and own.sum() >= MIN_OWN_BINS:
            # Both texts have words of their own: only those count, not the shared everyday ones.
            theirs = ~self.common(cand[alike])
            union = own | theirs
            info = (agree[alike] & union).sum(axis=1) / np.maximum(union.sum(axis=1), 1)
            both_own = theirs.sum(axis=1) >= MIN_OWN_BINS
            eff[alike] = np.where(both_own, np.minimum(plain[alike], info), plain[alike])
        keep = np.nonzero(eff >= self.policy.min_similarity)[0]
        return [Near(self.events[idx[i]], float(eff[i]), float(plain[i]), self.posts[idx[i]]) for i in keep
                if self.events[idx[i]] is not None]  # None: its event left the window
