"""Writing one analysed chunk of a triage batch: fold its posts into events, decide each event
(``pipeline.rules.decide``), store events, posts and classifications in bulk, then hand the
decisions to ``pipeline.actions.decisions.apply_decisions`` — the same function an analyst's
correction goes through — for assignments, milestones, alerts and audit."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from classifiers.bundle import ModelBundle
from pipeline.actions.decisions import Applied, Before, Change, apply_decisions
from pipeline.actions.releases import PlacedRelease, meet_by_releases, record_releases
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import plan_scheme_alerts
from pipeline.config import Config
from pipeline.normalize import PostInput
from pipeline.placed import NewEvent, Placed
from pipeline.rules.analysis import NOT_LOCAL, EventFacts, PostAnalysis, irrelevant_reason, post_topic
from pipeline.rules.decide import (
    SET_ASIDE_BY_ANALYST,
    EventDecision,
    decide_event,
    decided_columns,
    event_clock,
    overrides_of,
)
from pipeline.storage import store
from pipeline.storage.models import Classification, Event, Post


class BatchWriter:
    """Folds a batch into events and writes events, posts, classifications and the decisions."""

    def __init__(self, session: Session, cfg: Config, models: ModelBundle, now: datetime) -> None:
        self.session, self.cfg, self.models, self.now = session, cfg, models, now
        self.created = self.updated = 0
        self.applied = Applied()
        self.why_not: dict[Placed, str | None] = {}   # an event's first reason for setting a post aside

    def counts(self) -> dict[str, int]:
        return {"events_created": self.created, "events_updated": self.updated,
                "assignments_created": self.applied.assignments, "deadlines_set": self.applied.deadlines,
                "alerts_created": self.applied.alerts}

    def write(self, posts: list[PostInput], analyses: list[PostAnalysis], signatures: np.ndarray,
              placed: list[Placed], extra: list[dict[str, Any]] | None = None) -> list[int]:
        """Store a chunk; ``extra`` holds more columns for each post (why it joined its event)."""
        existing = store.load_events(self.session, [e for e in placed if isinstance(e, int)])
        found = [x.get("clues") or {} for x in (extra or [{} for _ in posts])]  # what placing read
        # a post told only as another county's (a repost of 景宁发布 remarking on 云和) shows no
        # incident of its event to be ours
        speaks = [not c.get("abroad") for c in found]
        facts: dict[Placed, EventFacts] = {}
        for event, analysis, ours in zip(placed, analyses, speaks, strict=True):
            if event not in facts:
                row = existing.get(event) if isinstance(event, int) else None
                facts[event] = EventFacts.from_json(row.features if row is not None else None)
            if ours:
                facts[event].add_locality(analysis)
        # the kind of incident or problem each post's clues name
        told = [bool(c.get("kinds") or c.get("matters")) for c in found]
        topics, relevant, reasons = self._post_relevance(placed, analyses, facts, existing, told, speaks)
        irrelevant = self.cfg.policy.relevance.irrelevant_topic
        for event, analysis, post, rel, ours in zip(placed, analyses, posts, relevant, speaks, strict=True):
            facts[event].add(analysis, post.text, rel, irrelevant, local=ours)
        changes = self._store_events(facts, existing, posts, placed)
        # A stored event this chunk shows to be about 云和 takes its earlier placeless posts along.
        store.follow_incident(self.session, [e for e in existing if facts[e].local and facts[e].relevant_posts], NOT_LOCAL)
        post_ids = self._store_posts(posts, analyses, signatures, placed, relevant, topics, reasons, extra)
        applied = apply_decisions(self.session, self.cfg, changes, self.now)
        record_releases(self.session, [PlacedRelease(pid, self._event_id(e), a.release, p.known_time(self.now))
                                       for pid, e, a, p in zip(post_ids, placed, analyses, posts, strict=True)
                                       if a.release is not None], self.now)
        meet_by_releases(self.session, self.cfg, sorted({self._event_id(e) for e in placed}), self.now)
        applied.alerts += write_alerts(self.session, plan_scheme_alerts(self.cfg, analyses, posts, [self._event_id(e) for e in placed]),
                                       self.cfg.alerts, self.now)
        for name in ("assignments", "deadlines", "alerts"):
            setattr(self.applied, name, getattr(self.applied, name) + getattr(applied, name))
        return post_ids

    def _post_relevance(self, placed: list[Placed], analyses: list[PostAnalysis], facts: dict[Placed, EventFacts],
                        existing: dict[int, Event], told: list[bool],
                        speaks: list[bool]) -> tuple[list[str], list[bool], list[str | None]]:
        """Each post's topic, relevance and (when set aside) why; an analyst's correction of its
        event decides for it. ``told``: whether each post names a kind of incident or a problem;
        ``speaks``: whether it is not told only as another county's (a repost of 景宁发布 remarking
        on 云和 is about 景宁 unless its event is ours)."""
        policy = self.cfg.policy.relevance
        topics, relevant, reasons = [], [], []
        local_posts = Counter(event for event, a, ours in zip(placed, analyses, speaks, strict=True) if a.local and ours)
        for event, a, incident, ours in zip(placed, analyses, told, speaks, strict=True):
            local = (a.local and ours) or facts[event].local
            row = existing.get(event) if isinstance(event, int) else None
            # Joined an event about 云和: a stored one, or one whose other posts of the chunk name 云和.
            joined = bool(row.relevant) if row is not None else local_posts[event] > (1 if a.local and ours else 0)
            topic = post_topic(a, local, policy, joined=joined, told=incident)
            ov = overrides_of(row)
            why = irrelevant_reason(a, local, topic, policy) if ov.relevant is None else (
                None if ov.relevant else SET_ASIDE_BY_ANALYST)
            topics.append(ov.topic or topic)
            relevant.append(why is None)
            reasons.append(why)
            self.why_not[event] = self.why_not.get(event) or why
        return topics, relevant, reasons

    def _event_id(self, event: Placed) -> int:
        if isinstance(event, int):
            return event
        assert event.id is not None
        return event.id

    def _store_events(self, facts: dict[Placed, EventFacts], existing: dict[int, Event],
                      posts: list[PostInput], placed: list[Placed]) -> list[Change]:
        version = self.models.grade.version
        members: dict[Placed, list[PostInput]] = {}
        for e, p in zip(placed, posts, strict=True):
            members.setdefault(e, []).append(p)
        new_rows, new_keys, updates = [], [], []
        pending: list[tuple[Placed, EventDecision, Before, datetime | None]] = []
        for event, f in facts.items():
            row = existing.get(event) if isinstance(event, int) else None
            d = decide_event(f, row.auto_grade if row else None, overrides_of(row), version, self.cfg)
            # Read the stored state now: the bulk update below refreshes these ORM objects.
            before = Before(row.grade, bool(row.relevant)) if row is not None else Before(None, False)
            values = {**self._event_values(f, d, row, members[event]),
                      **decided_columns(d, row, self.models.versions(), self.why_not.get(event))}
            pending.append((event, d, before, values["clock_start_at"]))
            if row is None:
                assert isinstance(event, NewEvent)
                first = posts[event.first]
                title = (first.title or first.text)[:60]
                new_rows.append({**values, "key": uuid.uuid4().hex, "title": title, "post_count": len(members[event]),
                                 "first_seen_at": self.now, "last_seen_at": self.now})
                new_keys.append(event)
            else:
                updates.append({**values, "id": row.id, "post_count": row.post_count + len(members[event]),
                                "last_seen_at": self.now})
        ids = store.insert_returning_keyed(self.session, Event, new_rows, "key")
        for event, new_row in zip(new_keys, new_rows, strict=True):
            event.id = ids[new_row["key"]]
        store.bulk_update(self.session, Event, updates)
        self.created += len(new_rows)
        self.updated += len(updates)
        return [Change(self._event_id(e), d, b, clock) for e, d, b, clock in pending]

    def _event_values(self, f: EventFacts, d: EventDecision, row: Event | None,
                      members: list[PostInput]) -> dict[str, Any]:
        """What a batch sets on an event besides its decided state: its facts and response clock."""
        clock = row.clock_start_at if row is not None else None
        if d.relevant and clock is None:  # decided once, when the event first concerns the county
            clock, _ = event_clock(self.now, [(p.published_at, p.published_precision) for p in members],
                                   self.cfg.policy)
        return {"features": f.to_json(), "engagement": f.engagement(), "clock_start_at": clock}

    def _store_posts(self, posts: list[PostInput], analyses: list[PostAnalysis], signatures: np.ndarray,
                     placed: list[Placed], relevant: list[bool], topics: list[str],
                     reasons: list[str | None], extra: list[dict[str, Any]] | None) -> list[int]:
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
                "rumor": a.classified.rumor, "event_id": self._event_id(placed[k]), "notes": p.notes or None,
                "sentiment": a.classified.sentiment, "irrelevant_reason": reasons[k],
                "schemes": [h.as_dict() for h in a.schemes] or None,
                **(extra[k] if extra else {}),
            })
        by_fingerprint = store.insert_returning_keyed(self.session, Post, rows, "fingerprint")
        ids = [by_fingerprint[r["fingerprint"]] for r in rows]
        store.bulk_insert(self.session, Classification, self._classification_rows(ids, analyses))
        return ids

    def _classification_rows(self, ids: list[int], analyses: list[PostAnalysis]) -> list[dict[str, Any]]:
        v = self.models.versions()
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
                {"post_id": pid, "model": "sentiment", "version": v["sentiment"], "label": c.sentiment,
                 "scores": c.sentiment_scores, "reasons": []},
                {"post_id": pid, "model": "rules", "version": "RULES.md", "label": None,
                 "scores": rule_facts(a), "reasons": rule_reasons(a)},
            ]
        return rows


def rule_facts(a: PostAnalysis) -> dict[str, Any]:
    """What the rules' extractors found in one post, stored so that an event can be refolded
    from storage alone (a correction, a merge) without re-running the models."""
    c = a.casualties
    return {"casualties": c.as_facts(),
            "engagement": a.engagement, "local": a.local, "local_reasons": a.local_reasons,
            "townships": a.townships, "emergency_types": a.emergency_types,
            "central_media": a.central_media, "provincial_media": a.provincial_media,
            "noise": a.noise, "topic_pin": a.topic_pin}


def rule_reasons(a: PostAnalysis) -> list[str]:
    return [*a.local_reasons, *a.casualties.evidence, *(f"突发事件类型：{t}" for t in a.emergency_types),
            *(f"中央媒体：{m}" for m in a.central_media), *(f"省级媒体：{m}" for m in a.provincial_media)]
