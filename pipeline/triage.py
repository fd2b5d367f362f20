"""Triage: from validated posts to stored events with grades, assignments and deadlines.

Order of work for one batch (one Session, one transaction):
identify (skip posts already stored) → analyse (tokenise once, all models, extractors) →
cluster into events → fold facts per event → decide grade, routing, deadlines (pure rules)
→ store. Re-running the same input adds nothing: posts, events, assignments and deadlines
are all keyed so that a second pass finds them.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import numpy as np
from sqlalchemy.orm import Session

from classifiers.bundle import ModelBundle
from classifiers.tokenize import Tokenizer
from pipeline.actions.merging import keep_order, merge_incident, split_apart
from pipeline.batch import BatchWriter
from pipeline.clustering import Clusterer
from pipeline.config import Config
from pipeline.coverage import open_gaps
from pipeline.normalize import PostInput, identity_keys
from pipeline.queries.triage_output import iter_output
from pipeline.rules.analysis import PostAnalysis, analyse_post
from pipeline.rules.clues import Clues, Vocabulary, post_clues
from pipeline.rules.events import MinHasher
from pipeline.rules.places import Gazetteer
from pipeline.settings import Settings
from pipeline.spool import Digest, ListBatch, PostBatch
from pipeline.storage import store
from pipeline.storage.db import wait_for_other_triage
from pipeline.storage.models import Event

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class TriageContext:
    """Everything triage reads but does not change: configuration, gazetteer, models."""

    cfg: Config
    gazetteer: Gazetteer
    tokenizer: Tokenizer
    models: ModelBundle
    hasher: MinHasher
    vocab: Vocabulary
    workers: int = 2  # Settings.workers: 1 keeps large batches on one core

    @classmethod
    def load(cls, settings: Settings, cfg: Config, progress: Callable[[str], None] = lambda _: None) -> TriageContext:
        """Load what triage needs; models are only loaded, never trained (``yuqing models`` trains)."""
        from classifiers.training import load_default_models  # scikit-learn: imported where models load

        tokenizer = Tokenizer(settings.userdict_path).load()
        loaded = load_default_models(settings.training_corpus_dir, settings.model_dir, progress)
        return cls(cfg, Gazetteer.from_config(cfg), tokenizer, ModelBundle.from_loaded(loaded),
                   MinHasher.from_policy(cfg.policy.events), Vocabulary.from_config(cfg), settings.workers)


@dataclass
class TriageReport:
    # The triage output of each input post in input order; empty when the batch was triaged
    # with ``describe=False`` (large files: written afterwards from ``post_ids``).
    items: list[dict[str, Any]]
    post_ids: list[int] = field(default_factory=list)   # stored post of each input post, input order
    input_ids: list[str] = field(default_factory=list)  # each input post's id (its line when it has none)
    new_posts: int = 0
    duplicates: int = 0
    events_created: int = 0
    events_updated: int = 0
    assignments_created: int = 0
    deadlines_set: int = 0
    alerts_created: int = 0
    # Spans in which some source's posts may be missing (outages, truncated searches) that
    # overlap this batch's time span: the picture this triage gives of them is incomplete.
    coverage_gaps: list[dict[str, str]] = field(default_factory=list)
    # What validation changed in accepted lines: (line, detail), e.g. a text cut to length.
    notes: list[tuple[int, str]] = field(default_factory=list)


# --- identity ---------------------------------------------------------------------------

def identify(session: Session, posts: Sequence[Digest]) -> tuple[dict[int, int], dict[int, int]]:
    """Posts already stored (index -> post id) and repeats within the batch (index -> first
    index), by ``pipeline.normalize.identity_keys``."""
    stored_by_key: dict[tuple[str, ...], int] = {}
    for c in store.identity_candidates(session, [p.platform_id for p in posts if p.platform_id is not None],
                                       [p.canonical_url for p in posts if p.canonical_url],
                                       [p.fingerprint for p in posts]):
        for key in identity_keys(c.platform, c.platform_id, c.source, c.canonical_url, c.content_hash, c.fingerprint):
            stored_by_key.setdefault(key, c.post_id)
    stored: dict[int, int] = {}
    repeat: dict[int, int] = {}
    seen: dict[tuple[str, ...], int] = {}
    for i, p in enumerate(posts):
        keys = p.identity()
        hit = next((stored_by_key[k] for k in keys if k in stored_by_key), None)
        if hit is not None:
            stored[i] = hit
            continue
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            repeat[i] = first
            continue
        for k in keys:
            seen[k] = i
    return stored, repeat


# --- analysis (no storage; parallel for large batches) -------------------------------------

PARALLEL_MIN_POSTS = 4000
ANALYSIS_CHUNK = 2000
AHEAD = 2  # chunks the forked worker analyses ahead of the one being stored
# Handed to the forked worker without pickling: the context, the batch and the indices of the
# posts it analyses (by range of that list).
_FORKED: tuple[TriageContext, PostBatch, list[int]] | None = None


Analysed = tuple[list[PostAnalysis], np.ndarray, list[Clues | None]]


def analyse_chunk(ctx: TriageContext, posts: list[PostInput]) -> Analysed:
    """Tokenise once, run all models and extractors; sign and read incident facts for clustering."""
    docs = ctx.tokenizer.docs([p.text for p in posts])
    classified = ctx.models.classify(docs)
    analyses = [analyse_post(p, d, c, ctx.cfg, ctx.gazetteer) for p, d, c in zip(posts, docs, classified, strict=True)]
    clues: list[Clues | None] = [post_clues(p, d, a, ctx.vocab, ctx.tokenizer)
                                 for p, d, a in zip(posts, docs, analyses, strict=True)]
    return analyses, ctx.hasher.signatures([p.text for p in posts]), clues


def _analyse_in_worker(start: int, end: int) -> Analysed:
    assert _FORKED is not None
    ctx, batch, order = _FORKED
    return analyse_chunk(ctx, batch.load(order[start:end]))


def iter_analysed(ctx: TriageContext, posts: Sequence[PostInput] | PostBatch, order: list[int] | None = None,
                  chunk: int = ANALYSIS_CHUNK
                  ) -> Iterator[tuple[list[PostInput], list[PostAnalysis], np.ndarray, list[Clues | None]]]:
    """``analyse_chunk`` over the posts of ``order`` (indices into the batch; all of them when
    None), chunk by chunk, in that order. Only the chunks being worked on are loaded.

    Large batches use the second core: a forked worker (it inherits the loaded models, nothing
    is reloaded) analyses the later chunks while the caller clusters and stores the earlier
    ones. Forking is only done from the main thread (never inside a threaded runner such as
    Prefect's); otherwise, and for small batches, everything runs here.
    """
    global _FORKED
    batch: PostBatch = ListBatch(posts) if isinstance(posts, Sequence) else posts
    order = list(range(len(posts) if isinstance(posts, Sequence) else len(batch.digests))) if order is None else order
    # A small first chunk, analysed here, gets the writer going while the worker starts.
    first = min(len(order), max(chunk // 4, 1))
    bounds = [(0, first)] + [(i, min(i + chunk, len(order))) for i in range(first, len(order), chunk)]
    parallel = (len(order) >= PARALLEL_MIN_POSTS and (os.cpu_count() or 1) > 1 and sys.platform == "linux"
                and threading.current_thread() is threading.main_thread()
                and ctx.workers > 1)
    if not parallel:
        for start, end in bounds:
            part = batch.load(order[start:end])
            yield (part, *analyse_chunk(ctx, part))
        return
    _FORKED = (ctx, batch, order)
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            # At most AHEAD chunks are asked for before the caller takes them: results waiting
            # in futures are whole analysed chunks, and asking for all at once kept every
            # chunk's analyses in memory until the batch ended.
            later = iter(bounds[1:])
            ahead: deque[tuple[tuple[int, int], Future[Analysed]]] = deque()

            def ask() -> None:
                while len(ahead) < AHEAD and (span := next(later, None)) is not None:
                    ahead.append((span, pool.submit(_analyse_in_worker, *span)))

            ask()
            part = batch.load(order[:first])
            yield (part, *analyse_chunk(ctx, part))
            while ahead:
                (start, end), future = ahead.popleft()
                analysed = future.result()
                ask()
                yield (batch.load(order[start:end]), *analysed)
    finally:
        _FORKED = None


# --- the batch ------------------------------------------------------------------------------

MERGE_REASON = "后续帖子与两个事件均相符（文字相近，且为同一地点、同类事件），判定为同一事件"


def _without_cycle_collection(triage: Callable[P, R]) -> Callable[P, R]:
    """Run a batch with Python's cyclic garbage collector paused: a batch allocates millions of
    short-lived objects next to the loaded models and the look-up index, and each full
    collection would walk all of them again (a third of the time of a large batch). Nothing in
    a batch needs cycles freed before it ends; the collector resumes afterwards."""
    @functools.wraps(triage)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return triage(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return paused


@_without_cycle_collection
def triage_posts(session: Session, posts: Sequence[PostInput] | PostBatch, ctx: TriageContext, now: datetime,
                 progress: Callable[[str], None] = lambda _: None, *, describe: bool = True) -> TriageReport:
    """Triage a batch of validated posts detected at ``now``; the caller commits.

    ``posts`` is a list, or a ``PostBatch`` read back a chunk at a time (a large file). With
    ``describe=False`` the report holds no ``items``, only each input post's stored id: the
    caller writes the output afterwards (``pipeline.queries.triage_output.iter_output``), so
    the output of a large batch is never held whole. Either way it is read back from storage
    once the batch is written."""
    batch = ListBatch(posts, now) if isinstance(posts, Sequence) else posts
    digests = batch.digests
    wait_for_other_triage(session)
    stored, repeat = identify(session, digests)
    # Placed in publication order (then by content), never in the order the file happened to
    # list them: the events a batch makes do not depend on how it was sorted.
    fresh = sorted((i for i in range(len(digests)) if i not in stored and i not in repeat),
                   key=lambda i: digests[i].order)
    earliest = digests[fresh[0]].order[0] if fresh else None
    # what the report needs of the digests, taken now: they are let go before the batch is placed
    # (about a kilobyte a post that would otherwise be held beside the look-up until the end)
    n, input_ids = len(digests), [d.input_id for d in digests]
    first = min((d.published_at for d in digests if d.published_at is not None and d.published_at <= now), default=None)
    notes = [(d.line, note) for d in digests for note in d.notes]
    digests = []
    batch.forget_digests()
    progress(f"新帖子 {len(fresh)} 条，已入库或重复 {len(stored) + len(repeat)} 条")
    clusterer = Clusterer.open(session, ctx.cfg, ctx.vocab, now, earliest,
                               keep_order=lambda event_id: keep_order(session.get_one(Event, event_id)),
                               may_merge=lambda ids: not split_apart(session, ids))
    writer = BatchWriter(session, ctx.cfg, ctx.models, now)
    post_ids: list[int] = []
    for part, analyses, signatures, clues in iter_analysed(ctx, batch, fresh):
        placement = clusterer.place(part, signatures, clues)
        chunk_ids = writer.write(part, analyses, signatures, placement.placed, placement.rows)
        clusterer.settle(placement.placed)
        for ids in placement.merges:  # a post of this chunk bridged stored events: one incident
            _merge(session, ctx, now, ids, clusterer)
        post_ids += chunk_ids
        progress(f"已研判入库 {len(post_ids)}/{len(fresh)} 条新帖子")
    ids = _ids_in_input_order(n, stored, repeat, fresh, post_ids)
    # Read back once the batch is written: a later chunk may have changed an earlier post's event
    # (merged it, shown it to be about 云和).
    items = list(iter_output(session, ids, input_ids)) if describe else []
    return TriageReport(items=items, post_ids=ids, input_ids=input_ids,
                        new_posts=len(fresh), duplicates=len(stored) + len(repeat),
                        coverage_gaps=batch_gaps(session, first, now), notes=notes, **writer.counts())


def _ids_in_input_order(n: int, stored: dict[int, int], repeat: dict[int, int], fresh: list[int],
                        post_ids: list[int]) -> list[int]:
    ids = [0] * n
    for i, pid in stored.items():
        ids[i] = pid
    for i, pid in zip(fresh, post_ids, strict=True):
        ids[i] = pid
    for i, first in repeat.items():
        ids[i] = ids[first]
    return ids


def _merge(session: Session, ctx: TriageContext, now: datetime, ids: list[int], clusterer: Clusterer) -> None:
    keep = merge_incident(session, ctx.cfg, ids, reason=MERGE_REASON, now=now)
    if keep is not None:
        clusterer.merged(keep, ids)


def batch_gaps(session: Session, first: datetime | None, now: datetime) -> list[dict[str, str]]:
    """Open coverage gaps overlapping the batch: from its earliest post published by ``now``
    (``first``; a day back when no post has a time) to ``now``."""
    start = first if first is not None else now - timedelta(days=1)
    return [gap.as_dict() for gap in open_gaps(session, start, now)]
