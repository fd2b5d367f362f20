"""An analyst's corrections of an event: grade (RULES.md §1.4, wins in either direction), topic,
relevance and rumour flag. Each is stored on the event (so later posts never undo it), goes
through ``apply_decisions`` for its consequences (units, milestones, alerts), is audited and
leaves a labelled example for retraining."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from classifiers.bundle import Classified
from pipeline.actions.base import ActionError, actor_name, audit, event_or_fail, reason_text, record_examples
from pipeline.actions.decisions import Applied, Before, Change, apply_decisions
from pipeline.actions.units import move_primary, withdraw
from pipeline.config import Config
from pipeline.rules.analysis import EventFacts, PostAnalysis
from pipeline.rules.casualties import Casualties
from pipeline.rules.decide import SET_ASIDE_BY_ANALYST, EventDecision, decide_event, decided_columns, overrides_of
from pipeline.storage.models import Assignment, Classification, Event, Post
from pipeline.vocabulary import GRADES, SENTIMENTS


def regrade(session: Session, cfg: Config, event_id: int, grade: str, *, reason: str, actor: str,
            now: datetime) -> Applied:
    """The analyst's grade: raising adds the new grade's milestones counted from ``now`` and
    sends the alerts the new grade calls for; lowering cancels what it no longer calls for.
    Giving the grade the event already has confirms it (audited, kept as an example)."""
    actor, reason = actor_name(actor), reason_text(reason, "定级理由")
    if grade not in GRADES:
        raise ActionError(f"未知等级“{grade}”；等级为 {'、'.join(GRADES)}")
    ev = _relevant_event(session, event_id)
    before = Before(ev.grade, True)
    ev.override_grade = grade
    applied = _apply(session, cfg, ev, before, now, actor, reason, f"{actor}人工定级为{grade}：{reason}")
    if before.grade == grade:
        audit(session, now, actor, "confirm_grade", "event", event_id, before=grade, after=grade, reason=reason)
    record_examples(session, event_id, "grade", grade, actor, reason, now)
    return applied


def set_topic(session: Session, cfg: Config, event_id: int, topic: str, *, reason: str, actor: str,
              now: datetime) -> Applied:
    """The analyst's topic: routing follows it (the new competent department joins; an owner
    chosen for the old topic that has not started work hands over to the new one)."""
    actor, reason = actor_name(actor), reason_text(reason, "更正理由")
    irrelevant = cfg.policy.relevance.irrelevant_topic
    if topic == irrelevant:
        raise ActionError(f"“{irrelevant}”请用相关性更正（yuqing relevance {event_id} --irrelevant）")
    if topic not in cfg.topic_names:
        raise ActionError(f"未知领域“{topic}”；领域为 {'、'.join(cfg.relevant_topic_names)}")
    ev = _relevant_event(session, event_id)
    before_topic = ev.topic
    ev.override_topic = topic
    session.execute(update(Post).where(Post.event_id == event_id, Post.relevant.is_(True)).values(topic=topic))
    decision = decide_stored(session, cfg, ev, EventFacts.from_json(ev.features))
    applied = store_decision(session, cfg, ev, decision, Before(ev.grade, True), now, actor, reason)
    assert decision.routing is not None
    move_primary(session, cfg, event_id, decision.routing.primary, actor=actor, now=now,
                 reason=f"领域更正为{topic}：{reason}", only_if_untouched=True)
    audit(session, now, actor, "set_topic", "event", event_id, before=before_topic, after=topic, reason=reason)
    record_examples(session, event_id, "topic", topic, actor, reason, now)
    return applied


def set_relevance(session: Session, cfg: Config, event_id: int, relevant: bool, *, reason: str, actor: str,
                  now: datetime, topic: str | None = None) -> Applied:
    """Set an event aside as 无关 (no grade, owner or deadline; its work withdrawn, kept on record)
    or bring it back as a county matter (graded, routed and given deadlines from ``now``)."""
    actor, reason = actor_name(actor), reason_text(reason, "更正理由")
    ev = event_or_fail(session, event_id)
    if topic is not None and topic not in cfg.topic_names:
        raise ActionError(f"未知领域“{topic}”")
    before = Before(ev.grade, bool(ev.relevant))
    ev.override_relevant = relevant
    if topic is not None and relevant:
        ev.override_topic = topic
    session.execute(update(Post).where(Post.event_id == event_id).values(
        relevant=relevant, irrelevant_reason=None if relevant else f"{SET_ASIDE_BY_ANALYST}：{reason}"))
    facts = refold(session, cfg, event_id, relevant) if relevant else EventFacts.from_json(ev.features)
    decision = decide_stored(session, cfg, ev, facts)
    if relevant and not decision.relevant:
        raise ActionError(f"事件 {event_id} 的帖子没有可用的分类结果，无法更正为相关")
    ev.features = facts.to_json()
    if relevant and ev.clock_start_at is None:
        ev.clock_start_at = now  # a county matter from the moment the analyst says so
    applied = store_decision(session, cfg, ev, decision, before, now, actor, reason)
    audit(session, now, actor, "set_relevance", "event", event_id, before=before.relevant, after=relevant, reason=reason)
    record_examples(session, event_id, "relevance", "相关" if relevant else "无关", actor, reason, now)
    if topic is not None and relevant:
        record_examples(session, event_id, "topic", topic, actor, reason, now)
    return applied


def set_rumor(session: Session, cfg: Config, event_id: int, rumor: bool, *, reason: str, actor: str,
              now: datetime) -> Applied:
    """The analyst's 谣言 flag: a harmful rumour brings 县公安局 and 县委网信办 in as 线索移交
    (RULES.md §3 step 6); clearing it withdraws those transfers."""
    actor, reason = actor_name(actor), reason_text(reason, "更正理由")
    ev = _relevant_event(session, event_id)
    before = bool(ev.rumor)
    ev.override_rumor = rumor
    session.execute(update(Post).where(Post.event_id == event_id).values(rumor=rumor))
    decision = decide_stored(session, cfg, ev, EventFacts.from_json(ev.features))
    applied = store_decision(session, cfg, ev, decision, Before(ev.grade, True), now, actor, reason)
    if not rumor:
        transfers = session.scalars(select(Assignment.id).where(
            Assignment.event_id == event_id, Assignment.role == "transfer", Assignment.status != "withdrawn")).all()
        for aid in transfers:
            withdraw(session, aid, now=now, reason=f"更正为非谣言：{reason}")
    audit(session, now, actor, "set_rumor", "event", event_id, before=before, after=rumor, reason=reason)
    record_examples(session, event_id, "rumor", "是" if rumor else "否", actor, reason, now)
    return applied


def set_sentiment(session: Session, cfg: Config, event_id: int, sentiment: str, *, reason: str, actor: str,
                  now: datetime) -> Applied:
    """The analyst's sentiment of an event (负面 / 中性 / 正面): stored on the event and its posts,
    audited, and kept as labelled examples for the sentiment model."""
    actor, reason = actor_name(actor), reason_text(reason, "更正理由")
    if sentiment not in SENTIMENTS:
        raise ActionError(f"未知情感倾向“{sentiment}”；可选 {'、'.join(SENTIMENTS)}")
    ev = event_or_fail(session, event_id)
    before = ev.sentiment
    ev.override_sentiment = sentiment
    session.execute(update(Post).where(Post.event_id == event_id).values(sentiment=sentiment))
    decision = decide_stored(session, cfg, ev, EventFacts.from_json(ev.features))
    applied = store_decision(session, cfg, ev, decision, Before(ev.grade, bool(ev.relevant)), now, actor, reason)
    audit(session, now, actor, "set_sentiment", "event", event_id, before=before, after=sentiment, reason=reason)
    record_examples(session, event_id, "sentiment", sentiment, actor, reason, now)
    return applied


# --- shared steps -------------------------------------------------------------------------------

def _relevant_event(session: Session, event_id: int) -> Event:
    ev = event_or_fail(session, event_id)
    if not ev.relevant:
        raise ActionError(f"事件 {event_id} 已判定为无关，没有等级和责任单位；如属本县事务，请先更正为相关"
                          f"（yuqing relevance {event_id} --relevant）")
    return ev


def decide_stored(session: Session, cfg: Config, ev: Event, facts: EventFacts) -> EventDecision:
    """A stored event decided again from ``facts`` and its corrections, with the version of the
    grade model that last classified one of its posts."""
    version = session.scalar(select(Classification.version).join(Post, Post.id == Classification.post_id)
                             .where(Post.event_id == ev.id, Classification.model == "grade")
                             .order_by(Classification.id.desc()).limit(1)) or "—"
    return decide_event(facts, ev.auto_grade, overrides_of(ev), version, cfg)


def _apply(session: Session, cfg: Config, ev: Event, before: Before, now: datetime, actor: str, reason: str,
           detail: str) -> Applied:
    decision = decide_stored(session, cfg, ev, EventFacts.from_json(ev.features))
    reasons = [({**r, "detail": detail} if r.get("rule") == "override" else r) for r in decision.reasons]
    return store_decision(session, cfg, ev, replace(decision, reasons=reasons), before, now, actor, reason)


def store_decision(session: Session, cfg: Config, ev: Event, d: EventDecision, before: Before, now: datetime,
                   actor: str, reason: str) -> Applied:
    """Store the event's decided state (``decided_columns``), then its consequences."""
    for column, value in decided_columns(d, ev, ev.model_versions).items():
        setattr(ev, column, value)
    session.flush()
    return apply_decisions(session, cfg, [Change(ev.id, d, before, ev.clock_start_at)], now, actor=actor, reason=reason)


# --- refolding an event from storage --------------------------------------------------------------

def refold(session: Session, cfg: Config, event_id: int, relevant: bool | None) -> EventFacts:
    """An event's facts folded again from its stored posts and their stored classifications,
    without the models; ``relevant`` (when given) is taken for every post."""
    rows: dict[int, dict[str, Any]] = {}
    stmt = (select(Post.id, Post.text, Post.relevant, Post.categories, Classification.model, Classification.label,
                   Classification.scores)
            .join(Classification, Classification.post_id == Post.id).where(Post.event_id == event_id).order_by(Post.id))
    for r in session.execute(stmt):
        row = rows.setdefault(r.id, {"text": r.text, "relevant": r.relevant, "post_categories": r.categories})
        row[r.model] = (r.label, r.scores or {})
    analyses = [(row, _analysis(row)) for row in rows.values() if "topic" in row and "grade" in row]
    facts = EventFacts()
    for _, a in analyses:
        facts.add_locality(a)
    irrelevant = cfg.policy.relevance.irrelevant_topic
    for row, a in analyses:
        facts.add(a, row["text"], bool(row["relevant"]) if relevant is None else relevant, irrelevant)
    return facts


def _analysis(row: dict[str, Any]) -> PostAnalysis:
    topic, topic_scores = row["topic"]
    grade, grade_scores = row["grade"]
    rumor_label, rumor_scores = row.get("rumor", ("否", {}))
    _, category_scores = row.get("categories", ("", {}))
    sentiment, sentiment_scores = row.get("sentiment", ("中性", {}))
    _, facts = row.get("rules", (None, {}))
    classified = Classified(topic or "", topic_scores, grade or "", grade_scores, rumor_label == "是",
                            float(rumor_scores.get("是", 0.0)), list(row["post_categories"] or []), category_scores,
                            sentiment or "中性", sentiment_scores)
    return PostAnalysis(
        classified=classified, local=bool(facts.get("local", True)), local_reasons=facts.get("local_reasons", []),
        townships=facts.get("townships", []), casualties=Casualties.from_facts(facts.get("casualties")),
        emergency_types=facts.get("emergency_types", []), categories=list(row["post_categories"] or []),
        category_reasons=[], central_media=facts.get("central_media", []),
        provincial_media=facts.get("provincial_media", []), engagement=facts.get("engagement"),
        noise=facts.get("noise"), topic_pin=facts.get("topic_pin"))
