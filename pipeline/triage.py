"""Triage: from validated posts to stored events with grades, assignments and deadlines.

Order of work for one batch (one Session, one transaction):
identify (skip posts already stored) → analyse (tokenise once, all models, extractors) →
cluster into events → fold facts per event → decide grade, routing, deadlines (pure rules)
→ store. Re-running the same input adds nothing: posts, events, assignments and deadlines
are all keyed so that a second pass finds them.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.bundle import ModelBundle
from classifiers.tokenize import Tokenizer
from classifiers.training import ensure_default_models
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import plan_event_alerts
from pipeline.config import Config, load_config
from pipeline.coverage import open_gaps
from pipeline.normalize import PostInput
from pipeline.rules.analysis import EventFacts, PostAnalysis, analyse_post, effective_topic
from pipeline.rules.deadlines import Milestone, clock_start, plan_deadlines
from pipeline.rules.events import EventIndex, MinHasher
from pipeline.rules.grading import casualty_floor, decide, reach_floor
from pipeline.rules.places import Gazetteer
from pipeline.rules.routing import Routing, RoutingFacts, route
from pipeline.settings import Settings
from pipeline.storage import store
from pipeline.storage.models import Assignment, Classification, Deadline, Event, Post, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import DUTY_ROLES, rank


@dataclass(frozen=True)
class TriageContext:
    """Everything triage reads but does not change: configuration, gazetteer, models."""

    cfg: Config
    gazetteer: Gazetteer
    tokenizer: Tokenizer
    models: ModelBundle
    hasher: MinHasher

    @classmethod
    def build(cls, settings: Settings, progress: Callable[[str], None] = print) -> TriageContext:
        cfg = load_config(settings.config_dir)
        tokenizer = Tokenizer(settings.userdict_path).load()
        loaded = ensure_default_models(settings.training_corpus_dir, settings.model_dir, tokenizer, progress)
        return cls(cfg, Gazetteer.from_config(cfg), tokenizer, ModelBundle.from_loaded(loaded),
                   MinHasher.from_policy(cfg.policy.events))


@dataclass
class EventDecision:
    relevant: bool
    topic: str | None = None
    grade: str | None = None
    auto_grade: str | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    routing: Routing | None = None


@dataclass
class TriageReport:
    items: list[dict[str, Any]]
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


@dataclass(frozen=True)
class _Before:
    """An event's stored grade and clock before this batch changed it."""

    grade: str | None
    clock_start_at: datetime | None


class _NewEvent:
    """Placeholder for an event created in this batch (its id comes from the insert)."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.id: int | None = None


# --- identity ---------------------------------------------------------------------------

def identify(session: Session, posts: list[PostInput]) -> tuple[dict[int, int], dict[int, int]]:
    """Posts already stored (index -> post id) and repeats within the batch (index -> first index)."""
    by_pid = store.find_posts_by_platform_id(
        session, [(p.platform, p.platform_id) for p in posts if p.platform_id is not None])
    by_url = store.find_posts(session, Post.canonical_url, [p.canonical_url for p in posts if p.canonical_url])
    by_fp = store.find_posts(session, Post.fingerprint, [p.fingerprint for p in posts])
    stored: dict[int, int] = {}
    repeat: dict[int, int] = {}
    seen: dict[tuple[str, Any], int] = {}
    for i, p in enumerate(posts):
        keys: list[tuple[str, Any]] = [("fp", p.fingerprint)]
        if p.platform_id is not None:
            keys.append(("pid", (p.platform, p.platform_id)))
        if p.canonical_url:
            keys.append(("url", p.canonical_url))
        hit = (by_pid.get((p.platform, p.platform_id)) if p.platform_id is not None else None) \
            or (by_url.get(p.canonical_url) if p.canonical_url else None) or by_fp.get(p.fingerprint)
        if hit:
            stored[i] = hit[0]
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
_FORKED_CTX: TriageContext | None = None  # handed to the forked worker without pickling


def analyse_chunk(ctx: TriageContext, posts: list[PostInput]) -> tuple[list[PostAnalysis], np.ndarray]:
    """Tokenise once, run all models and extractors, sign for clustering."""
    docs = ctx.tokenizer.docs([p.text for p in posts])
    classified = ctx.models.classify(docs)
    analyses = [analyse_post(p, d, c, ctx.cfg, ctx.gazetteer) for p, d, c in zip(posts, docs, classified, strict=True)]
    return analyses, ctx.hasher.signatures([p.text for p in posts])


def _analyse_in_worker(posts: list[PostInput]) -> tuple[list[PostAnalysis], np.ndarray]:
    assert _FORKED_CTX is not None
    return analyse_chunk(_FORKED_CTX, posts)


def iter_analysed(ctx: TriageContext, posts: list[PostInput],
                  chunk: int = ANALYSIS_CHUNK) -> Iterator[tuple[list[PostInput], list[PostAnalysis], np.ndarray]]:
    """``analyse_chunk`` over the batch, chunk by chunk, in order.

    Large batches use the second core: a forked worker (it inherits the loaded models, nothing
    is reloaded) analyses the later chunks while the caller clusters and stores the earlier
    ones. Forking is only done from the main thread (never inside a threaded runner such as
    Prefect's); otherwise, and for small batches, everything runs here.
    """
    global _FORKED_CTX
    # A small first chunk, analysed here, gets the writer going while the worker starts.
    first = min(len(posts), max(chunk // 4, 1))
    parts = [posts[:first]] + [posts[i : i + chunk] for i in range(first, len(posts), chunk)]
    parallel = (len(posts) >= PARALLEL_MIN_POSTS and (os.cpu_count() or 1) > 1 and sys.platform == "linux"
                and threading.current_thread() is threading.main_thread()
                and os.environ.get("YUQING_WORKERS", "2") != "1")
    if not parallel:
        for part in parts:
            yield (part, *analyse_chunk(ctx, part))
        return
    _FORKED_CTX = ctx
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
            ahead = [pool.submit(_analyse_in_worker, part) for part in parts[1:]]
            yield (parts[0], *analyse_chunk(ctx, parts[0]))
            for part, future in zip(parts[1:], ahead, strict=True):
                yield (part, *future.result())
    finally:
        _FORKED_CTX = None


# --- clustering -------------------------------------------------------------------------

def open_index(session: Session, ctx: TriageContext, now: datetime) -> EventIndex:
    """The LSH index of posts in events still open to new posts."""
    policy = ctx.cfg.policy.events
    index = EventIndex(bands=policy.bands, min_similarity=policy.min_similarity)
    for event_id, content, sig in store.recent_signatures(session, now - timedelta(days=policy.window_days)):
        if sig is not None:
            index.add(np.frombuffer(sig, dtype=np.uint32), content, event_id)
    return index


def cluster(index: EventIndex, posts: list[PostInput], signatures: np.ndarray) -> list[int | _NewEvent]:
    """The event of each post: an event already stored (its id) or a new one. Events created by
    an earlier chunk of the same batch are stored by now, so they count as stored."""
    placed: list[int | _NewEvent] = []
    for k, post in enumerate(posts):
        found = index.find(signatures[k], post.content_hash)
        if isinstance(found, _NewEvent) and found.id is not None:
            found = found.id
        event = found if isinstance(found, int | _NewEvent) else _NewEvent(k)
        index.add(signatures[k], post.content_hash, event)
        placed.append(event)
    return placed


# --- decisions (pure) -----------------------------------------------------------------------

def decide_event(facts: EventFacts, previous_auto: str | None, override: str | None, model_version: str,
                 cfg: Config) -> EventDecision:
    """Grade (RULES.md §1) and routing (§3) of an event from its folded facts."""
    if facts.relevant_posts == 0 or facts.model_grade is None:
        return EventDecision(relevant=False)
    floors = casualty_floor(facts.casualty_figures(), cfg.policy)
    floors += reach_floor(facts.central_media, facts.provincial_media, facts.engagement_known,
                          facts.engagement_unknown_posts, cfg.policy)
    grade, auto, reasons = decide(facts.model_grade, model_version, floors, previous_auto, override)
    routing = route(
        RoutingFacts(grade=grade, topic_scores=facts.mean_topic_scores(), text="\n".join(facts.texts),
                     townships=facts.townships, categories=facts.categories,
                     emergency_types=facts.emergency_types),
        cfg,
    )
    return EventDecision(True, facts.topic(), grade, auto, [r.as_dict() for r in reasons], routing)


# --- the batch ------------------------------------------------------------------------------

def triage_posts(session: Session, posts: list[PostInput], ctx: TriageContext, now: datetime,
                 progress: Callable[[str], None] = lambda _: None) -> TriageReport:
    """Triage a batch of validated posts detected at ``now``; the caller commits."""
    stored, repeat = identify(session, posts)
    fresh = [i for i in range(len(posts)) if i not in stored and i not in repeat]
    new_posts = [posts[i] for i in fresh]
    progress(f"{len(new_posts)} new posts, {len(stored) + len(repeat)} already known")
    index = open_index(session, ctx, now)
    writer = _BatchWriter(session, ctx, now)
    post_ids: list[int] = []
    events: dict[int, dict[str, Any]] = {}
    for part, analyses, signatures in iter_analysed(ctx, new_posts):
        chunk_ids = writer.write(part, analyses, signatures, cluster(index, part, signatures))
        post_ids += chunk_ids
        # Describe while the worker analyses the next chunk; a later chunk that changes one of
        # these events describes it again.
        events.update(_describe_events(session, sorted({writer.post_fields[p].event_id for p in chunk_ids})))
        progress(f"stored {len(post_ids)} of {len(new_posts)} new posts")
    ids_by_index: dict[int, int] = dict(stored)
    for k, i in enumerate(fresh):
        ids_by_index[i] = post_ids[k]
    for i, first in repeat.items():
        ids_by_index[i] = ids_by_index[first]
    described = describe_posts(session, sorted(set(ids_by_index.values())), writer.post_fields, events)
    items = [{"id": posts[i].input_id, **described[ids_by_index[i]]} for i in range(len(posts))]
    return TriageReport(items=items, new_posts=len(new_posts), duplicates=len(stored) + len(repeat),
                        coverage_gaps=batch_gaps(session, posts, now), **writer.counts())


def batch_gaps(session: Session, posts: list[PostInput], now: datetime) -> list[dict[str, str]]:
    """Open coverage gaps overlapping the batch: from its earliest post (a day back when no post
    has a time) to ``now``."""
    times = [p.published_at for p in posts if p.published_at is not None and p.published_at <= now]
    start = min(times, default=now - timedelta(days=1))
    return [gap.as_dict() for gap in open_gaps(session, start, now)]


class _BatchWriter:
    """Folds a batch into events and writes events, posts, classifications, assignments, deadlines."""

    def __init__(self, session: Session, ctx: TriageContext, now: datetime) -> None:
        self.session, self.ctx, self.now = session, ctx, now
        self.cfg = ctx.cfg
        self.created = self.updated = self.assignments = self.deadlines = self.alerts = 0
        self.post_fields: dict[int, PostFields] = {}  # what describe_posts needs of each new post

    def counts(self) -> dict[str, int]:
        return {"events_created": self.created, "events_updated": self.updated,
                "assignments_created": self.assignments, "deadlines_set": self.deadlines,
                "alerts_created": self.alerts}

    def write(self, posts: list[PostInput], analyses: list[PostAnalysis], signatures: np.ndarray,
              placed: list[int | _NewEvent]) -> list[int]:
        existing = store.load_events(self.session, [e for e in placed if isinstance(e, int)])
        facts: dict[int | _NewEvent, EventFacts] = {}
        for event, analysis in zip(placed, analyses, strict=True):
            if event not in facts:
                row = existing.get(event) if isinstance(event, int) else None
                facts[event] = EventFacts.from_json(row.features if row is not None else None)
            facts[event].add_locality(analysis)
        irrelevant = self.cfg.policy.relevance.irrelevant_topic
        topics = [
            effective_topic(a.classified, a.local or facts[e].local, self.cfg.policy.relevance)
            for e, a in zip(placed, analyses, strict=True)
        ]
        relevant = [(a.local or facts[e].local) and t != irrelevant
                    for e, a, t in zip(placed, analyses, topics, strict=True)]
        for event, analysis, post, rel in zip(placed, analyses, posts, relevant, strict=True):
            facts[event].add(analysis, post.text, rel, irrelevant)
        decisions = self._store_events(facts, existing, posts, placed)
        post_ids = self._store_posts(posts, analyses, signatures, placed, relevant, topics)
        self._store_assignments(decisions)
        return post_ids

    def _event_id(self, event: int | _NewEvent) -> int:
        if isinstance(event, int):
            return event
        assert event.id is not None
        return event.id

    def _store_events(self, facts: dict[int | _NewEvent, EventFacts], existing: dict[int, Event],
                      posts: list[PostInput], placed: list[int | _NewEvent]) -> dict[int, tuple[EventDecision, _Before]]:
        version = self.ctx.models.grade.version
        counts: dict[int | _NewEvent, int] = {}
        for e in placed:
            counts[e] = counts.get(e, 0) + 1
        new_rows, new_keys, updates = [], [], []
        decisions: dict[int | _NewEvent, tuple[EventDecision, _Before]] = {}
        for event, f in facts.items():
            row = existing.get(event) if isinstance(event, int) else None
            d = decide_event(f, row.auto_grade if row else None, row.override_grade if row else None, version, self.cfg)
            # Read the stored state now: the bulk update below refreshes these ORM objects.
            decisions[event] = (d, _Before(row.grade, row.clock_start_at) if row is not None else _Before(None, None))
            values = self._event_values(f, d, row)
            if row is None:
                assert isinstance(event, _NewEvent)
                first = posts[event.first]
                title = (first.title or first.text)[:60]
                new_rows.append({**values, "key": uuid.uuid4().hex, "title": title, "post_count": counts[event],
                                 "first_seen_at": self.now, "last_seen_at": self.now})
                new_keys.append(event)
            else:
                updates.append({**values, "id": row.id, "post_count": row.post_count + counts[event],
                                "last_seen_at": self.now})
        ids = store.insert_returning_keyed(self.session, Event, new_rows, "key")
        for event, new_row in zip(new_keys, new_rows, strict=True):
            event.id = ids[new_row["key"]]
        store.bulk_update(self.session, Event, updates)
        self.created += len(new_rows)
        self.updated += len(updates)
        return {self._event_id(e): v for e, v in decisions.items()}

    def _event_values(self, f: EventFacts, d: EventDecision, row: Event | None) -> dict[str, Any]:
        clock = row.clock_start_at if row is not None else None
        if d.relevant and clock is None:
            clock, _ = clock_start(self.now, None, None, self.cfg.policy)
        engagement = f.engagement_known if f.engagement_unknown_posts == 0 or f.engagement_known else None
        return {
            "relevant": d.relevant, "topic": d.topic, "grade": d.grade, "auto_grade": d.auto_grade,
            "grade_reasons": d.reasons, "categories": f.categories if d.relevant else [],
            "rumor": f.rumor, "leadership": bool(d.routing and d.routing.leadership),
            "features": f.to_json(), "engagement": engagement, "clock_start_at": clock,
        }

    def _store_posts(self, posts: list[PostInput], analyses: list[PostAnalysis], signatures: np.ndarray,
                     placed: list[int | _NewEvent], relevant: list[bool], topics: list[str]) -> list[int]:
        sources = store.ensure_sources(
            self.session, {(p.platform, p.source) for p in posts if p.source}, set(self.cfg.units.local_sources))
        rows = []
        for k, (p, a) in enumerate(zip(posts, analyses, strict=True)):
            rows.append({
                "platform": p.platform, "platform_id": p.platform_id,
                "source_id": sources.get((p.platform, p.source)) if p.source else None,
                "url": p.url, "canonical_url": p.canonical_url, "fingerprint": p.fingerprint,
                "author": p.author, "title": p.title, "text": p.text, "published_at": p.published_at,
                "published_precision": p.published_precision, "first_seen_at": self.now,
                "reposts": p.reposts, "comments": p.comments, "likes": p.likes,
                "content_hash": p.content_hash, "raw": p.raw, "minhash": signatures[k].tobytes(),
                "relevant": relevant[k], "topic": topics[k], "categories": a.categories,
                "rumor": a.classified.rumor, "event_id": self._event_id(placed[k]),
            })
        by_fingerprint = store.insert_returning_keyed(self.session, Post, rows, "fingerprint")
        ids = [by_fingerprint[r["fingerprint"]] for r in rows]
        for pid, r in zip(ids, rows, strict=True):
            self.post_fields[pid] = PostFields(r["relevant"], r["topic"], r["categories"], r["rumor"], r["event_id"])
        store.bulk_insert(self.session, Classification, self._classification_rows(ids, analyses))
        return ids

    def _classification_rows(self, ids: list[int], analyses: list[PostAnalysis]) -> list[dict[str, Any]]:
        v = self.ctx.models.versions()
        rows: list[dict[str, Any]] = []
        for pid, a in zip(ids, analyses, strict=True):
            c = a.classified
            rows += [
                {"post_id": pid, "model": "topic", "version": v["topic"], "label": c.topic,
                 "scores": c.topic_scores, "reasons": []},
                {"post_id": pid, "model": "grade", "version": v["grade"], "label": c.grade,
                 "scores": c.grade_scores, "reasons": []},
                {"post_id": pid, "model": "rumor", "version": v["rumor"], "label": "是" if c.rumor else "否",
                 "scores": {"是": c.rumor_score}, "reasons": []},
                {"post_id": pid, "model": "categories", "version": v["categories"], "label": "|".join(a.categories),
                 "scores": c.category_scores, "reasons": a.category_reasons},
                {"post_id": pid, "model": "rules", "version": "RULES.md", "label": None,
                 "scores": {"casualties": {"deaths": a.casualties.deaths, "serious_injuries": a.casualties.serious_injuries,
                                           "injured": a.casualties.injured,
                                           "economic_loss_yuan": a.casualties.economic_loss_yuan},
                            "engagement": a.engagement},
                 "reasons": [*a.local_reasons, *a.casualties.evidence, *(f"突发事件类型：{t}" for t in a.emergency_types),
                             *(f"中央媒体：{m}" for m in a.central_media), *(f"省级媒体：{m}" for m in a.provincial_media)]},
            ]
        return rows

    def _store_assignments(self, decisions: dict[int, tuple[EventDecision, _Before]]) -> None:
        units = store.unit_ids(self.session)
        relevant = {eid: dr for eid, dr in decisions.items() if dr[0].relevant and dr[0].routing is not None}
        have = store.existing_assignments(self.session, relevant)
        with_primary = {eid for (eid, _, role) in have if role == "primary"}
        new_rows: list[dict[str, Any]] = []
        for eid, (d, _) in relevant.items():
            assert d.routing is not None
            has_primary = eid in with_primary
            for unit, role, reasons in _routing_rows(d.routing, has_primary):
                if unit not in units:
                    raise ValueError(f"routing named unit {unit!r} which is not in units.yaml")
                if (eid, units[unit], role) not in have:
                    new_rows.append({"key": f"{eid}:{units[unit]}:{role}", "event_id": eid, "unit_id": units[unit],
                                     "role": role, "status": "new", "reasons": reasons, "created_at": self.now})
        ids = store.insert_returning_keyed(self.session, Assignment, new_rows, "key")
        for row in new_rows:
            have[(row["event_id"], row["unit_id"], row["role"])] = ids[row["key"]]
        self.assignments += len(new_rows)
        self._store_deadlines(relevant, have)
        self._store_alerts(relevant, have, units)

    def _store_alerts(self, relevant: dict[int, tuple[EventDecision, _Before]],
                      have: dict[tuple[int, int, str], int], units: dict[str, int]) -> None:
        """RULES.md §5 alerts, written to the outbox in this same transaction."""
        names = {uid: name for name, uid in units.items()}
        primary = {eid: names[uid] for (eid, uid, role) in have if role == "primary"}
        drafts = []
        for eid, (d, _) in relevant.items():
            if d.grade is not None and eid in primary and d.routing is not None:
                drafts += plan_event_alerts(eid, d.grade, primary[eid], d.routing.coordinators, d.routing.leadership,
                                            self.cfg.alerts)
        self.alerts += write_alerts(self.session, drafts, self.cfg.alerts, self.now)

    def _store_deadlines(self, relevant: dict[int, tuple[EventDecision, _Before]],
                         have: dict[tuple[int, int, str], int]) -> None:
        duty: dict[int, list[int]] = {}
        for (eid, _, role), aid in have.items():
            if role in DUTY_ROLES and eid in relevant:
                duty.setdefault(eid, []).append(aid)
        stored = store.existing_deadlines(self.session, [a for ids in duty.values() for a in ids])
        by_assignment: dict[int, list[Deadline]] = {}
        for (aid, _), (_, dl) in stored.items():
            by_assignment.setdefault(aid, []).append(dl)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for eid, aids in duty.items():
            d, before = relevant[eid]
            current: dict[str, Milestone] = {}
            for aid in aids:
                for dl in by_assignment.get(aid, []):
                    ms = dl.milestone
                    if ms not in current or dl.due_at < current[ms].due_at:
                        current[ms] = Milestone(ms, dl.grade, dl.started_at, dl.due_at)
            raised = before.grade is not None and d.grade is not None and rank(d.grade) < rank(before.grade)
            clock = before.clock_start_at or self.now
            assert d.grade is not None
            for m in plan_deadlines(d.grade, current, clock, self.now if raised else None, self.cfg.policy):
                current[m.milestone] = m
            for aid in aids:
                for ms, m in current.items():
                    old = stored.get((aid, ms))
                    values = {"grade": m.grade, "started_at": m.started_at, "due_at": m.due_at}
                    if old is None:
                        inserts.append({"assignment_id": aid, "milestone": ms, **values})
                    elif m.due_at < old[1].due_at:
                        updates.append({"id": old[0], **values})
        store.bulk_insert(self.session, Deadline, inserts)
        store.bulk_update(self.session, Deadline, updates)
        self.deadlines += len(inserts) + len(updates)


def _routing_rows(routing: Routing, has_primary: bool) -> list[tuple[str, str, list[str]]]:
    """(unit, role, reasons) rows; an event that already has a primary keeps it."""
    rows: list[tuple[str, str, list[str]]] = []
    if has_primary:
        rows.append((routing.primary, "cooperating",
                     ["后续信息涉及本单位（已有牵头单位，保持不变）", *routing.reasons.get((routing.primary, "primary"), [])]))
    else:
        rows.append((routing.primary, "primary", routing.reasons.get((routing.primary, "primary"), [])))
    for role, units in (("cooperating", routing.cooperating), ("transfer", routing.transfer),
                        ("coordinator", routing.coordinators)):
        rows += [(u, role, routing.reasons.get((u, role), [])) for u in units]
    return rows  # leadership is a flag on the event (RULES.md §3 step 2), not a unit


# --- describing what is stored ---------------------------------------------------------------

class PostFields(NamedTuple):
    relevant: bool
    topic: str | None
    categories: list[str]
    rumor: bool
    event_id: int


def describe_posts(session: Session, post_ids: list[int], known: dict[int, PostFields] | None = None,
                   described: dict[int, dict[str, Any]] | None = None) -> dict[int, dict[str, Any]]:
    """The triage output of stored posts, from what the database holds (columns only, each
    event described once). ``known`` gives the post-level fields of posts just written and
    ``described`` events already described in their final state."""
    posts: dict[int, PostFields] = {pid: f for pid, f in (known or {}).items()}
    missing = [pid for pid in post_ids if pid not in posts]
    for part in store.chunks(missing):
        stmt = select(Post.id, Post.relevant, Post.topic, Post.categories, Post.rumor, Post.event_id)
        for row in session.execute(stmt.where(Post.id.in_(part))):
            posts[row.id] = PostFields(row.relevant, row.topic, row.categories, row.rumor, row.event_id)
    events = dict(described or {})
    events.update(_describe_events(session, sorted({posts[pid].event_id for pid in post_ids} - set(events))))
    out: dict[int, dict[str, Any]] = {}
    for pid in post_ids:
        p = posts[pid]
        base = {"relevant": bool(p.relevant), "topic": p.topic, "categories": list(p.categories or []),
                "rumor": bool(p.rumor), "event_id": p.event_id}
        event = events[p.event_id]
        out[pid] = {**base, **event} if p.relevant and event["relevant"] else {**base, **_NOT_RELEVANT}
    return out


_NOT_RELEVANT: dict[str, Any] = {"relevant": False, "grade": None, "grade_reasons": [], "primary_unit": None,
                                 "cooperating_units": [], "transfer_units": [], "coordinators": [],
                                 "leadership": False, "deadlines": []}
_MILESTONE_ORDER = {"authoritative_info": 0, "press_conference": 1, "response": 2}


def _describe_events(session: Session, event_ids: list[int]) -> dict[int, dict[str, Any]]:
    events: dict[int, dict[str, Any]] = {}
    primary_of: dict[int, int] = {}
    for part in store.chunks(event_ids):
        stmt = select(Event.id, Event.relevant, Event.grade, Event.grade_reasons, Event.leadership)
        for ev in session.execute(stmt.where(Event.id.in_(part))):
            events[ev.id] = {"relevant": bool(ev.relevant), "grade": ev.grade,
                             "grade_reasons": list(ev.grade_reasons or []), "primary_unit": None,
                             "cooperating_units": [], "transfer_units": [], "coordinators": [],
                             "leadership": bool(ev.leadership), "deadlines": []}
        stmt2 = (select(Assignment.event_id, Assignment.role, Unit.name, Assignment.id)
                 .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id.in_(part))
                 .order_by(Assignment.id))
        for eid, role, name, aid in session.execute(stmt2):
            target = events[eid]
            if role == "primary":
                target["primary_unit"] = name
                primary_of[aid] = eid
            else:
                target[{"cooperating": "cooperating_units", "transfer": "transfer_units",
                        "coordinator": "coordinators"}[role]].append(name)
    for part in store.chunks(sorted(primary_of)):
        stmt3 = select(Deadline.assignment_id, Deadline.milestone, Deadline.due_at)
        for aid, milestone, due in session.execute(stmt3.where(Deadline.assignment_id.in_(part))):
            events[primary_of[aid]]["deadlines"].append(
                {"milestone": milestone, "due_at": due.astimezone(SHANGHAI).isoformat()})
    for described in events.values():
        described["deadlines"].sort(key=lambda d: _MILESTONE_ORDER.get(d["milestone"], 9))
    return events
