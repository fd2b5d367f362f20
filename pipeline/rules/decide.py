"""An event's decision from its folded facts (pure): relevance, topic, grade (RULES.md §1),
routing (§3), when its response clock starts (§4), and which assignment rows routing asks for
(one unit, one role per event).

An analyst's corrections (grade, topic, relevance, rumour flag) are stored on the event and
win over the automatic decision here, so later posts joining the event never undo them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.config import Config, PolicyConfig
from pipeline.rules.analysis import EventFacts
from pipeline.rules.deadlines import clock_start
from pipeline.rules.grading import casualty_floor, decide, reach_floor, statutory_cap
from pipeline.rules.review import review_reasons
from pipeline.rules.routing import Routing, RoutingFacts, route
from pipeline.vocabulary import ROLES


@dataclass(frozen=True)
class Overrides:
    """What an analyst has set on an event (None: not corrected)."""

    grade: str | None = None
    topic: str | None = None
    relevant: bool | None = None
    rumor: bool | None = None
    grade_detail: str | None = None  # who set the grade and why, as shown among the reasons
    sentiment: str | None = None


def overrides_of(event: Any) -> Overrides:
    """The corrections stored on an event row (``None`` for an event not stored yet)."""
    if event is None:
        return Overrides()
    detail = next((r["detail"] for r in event.grade_reasons or [] if r.get("rule") == "override"), None)
    return Overrides(event.override_grade, event.override_topic, event.override_relevant, event.override_rumor, detail,
                     getattr(event, "override_sentiment", None))


@dataclass
class EventDecision:
    relevant: bool
    topic: str | None = None
    grade: str | None = None
    auto_grade: str | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    routing: Routing | None = None
    categories: list[str] = field(default_factory=list)
    rumor: bool = False
    sentiment: str | None = None
    review: list[str] = field(default_factory=list)  # 待复核: why the automatic decision needs an analyst


def decide_event(facts: EventFacts, previous_auto: str | None, overrides: Overrides, model_version: str,
                 cfg: Config) -> EventDecision:
    """Grade (RULES.md §1) and routing (§3) of an event from its folded facts and corrections."""
    rumor = facts.rumor if overrides.rumor is None else overrides.rumor
    sentiment = overrides.sentiment or facts.sentiment()
    categories = [c for c in facts.categories if c != "谣言"] + (["谣言"] if rumor else [])
    if overrides.relevant is False or facts.relevant_posts == 0 or facts.model_grade is None:
        return EventDecision(relevant=False, rumor=rumor, sentiment=sentiment)
    figures = facts.casualty_figures()
    floors = casualty_floor(figures, cfg.policy)
    floors += reach_floor(facts.central_media, facts.provincial_media, facts.engagement_known,
                          facts.engagement_unknown_posts, cfg.policy)
    stated = figures.stated()
    cap = statutory_cap(floors, stated)
    grade, auto, found = decide(facts.model_grade, model_version, floors, previous_auto, overrides.grade, cap)
    capped = next((r.detail for r in found if r.rule == "statutory_cap"), None)
    review = review_reasons(capped, facts.grade_scores, facts.mean_topic_scores(), overrides.grade is not None,
                            overrides.topic is not None, cfg.policy.review)
    reasons = [r.as_dict() for r in found]
    if overrides.grade_detail:
        reasons = [{**r, "detail": overrides.grade_detail} if r["rule"] == "override" else r for r in reasons]
    topic = overrides.topic or facts.topic()
    scores = {overrides.topic: 1.0} if overrides.topic else facts.mean_topic_scores()
    routing = route(RoutingFacts(grade=grade, topic_scores=scores, text="\n".join(facts.texts),
                                 townships=facts.townships or facts.homes[:1], categories=categories,
                                 emergency_types=facts.emergency_types), cfg)
    return EventDecision(True, topic, grade, auto, reasons, routing, categories, rumor, sentiment, review)


SET_ASIDE_BY_ANALYST = "分析员更正为无关"


def decided_columns(d: EventDecision, row: Any, versions: dict[str, str] | None,
                    why_not: str | None = None) -> dict[str, Any]:
    """The event columns a decision sets: the one mapping of a decided state onto an event row,
    for triage's bulk writes and an analyst's correction alike. ``row`` is the stored event
    (None: not stored yet); ``versions`` the model versions that decided it; ``why_not`` the
    batch's first reason for setting one of its posts aside. A decision that sets the event
    aside keeps its automatic grade (automatic grades only rise) and says why it is set aside:
    the analyst's correction, else the batch's or the event's earlier reason."""
    previous_auto = row.auto_grade if row is not None else None
    if d.relevant:
        why = None
    elif row is not None and row.override_relevant is False:
        why = SET_ASIDE_BY_ANALYST
    else:
        why = why_not or (row.irrelevant_reason if row is not None else None) or SET_ASIDE_BY_ANALYST
    review = d.review if d.relevant and d.review else None
    return {
        "relevant": d.relevant, "topic": d.topic, "grade": d.grade,
        "auto_grade": d.auto_grade if d.relevant else previous_auto,
        "grade_reasons": d.reasons, "categories": d.categories if d.relevant else [],
        "rumor": d.rumor, "leadership": bool(d.routing and d.routing.leadership),
        "sentiment": d.sentiment, "needs_review": review is not None, "review_reasons": review,
        "irrelevant_reason": why, "model_versions": versions,
    }


def event_clock(detected_at: datetime, published: list[tuple[datetime | None, str | None]],
                policy: PolicyConfig) -> tuple[datetime, str]:
    """When an event's response clock starts (RULES.md §4), decided once: the first detection by
    default; with ``clock_start: published``, the earliest publish time known to the minute among
    its posts — never later than the detection (a time in the future is a wrong clock, not a
    reason to wait), and never a date-only time read as midnight."""
    exact = [(t, p) for t, p in published if t is not None and p in ("minute", "second") and t <= detected_at]
    if not exact:
        day_only = any(t is not None and p == "day" for t, p in published)
        return clock_start(detected_at, None, "day" if day_only else None, policy)
    earliest = min(exact, key=lambda tp: tp[0])
    return clock_start(detected_at, earliest[0], earliest[1], policy)


AssignmentRow = tuple[str, str, list[str]]  # (unit, role, reasons)


def assignment_rows(routing: Routing, on_event: dict[str, str], has_primary: bool) -> list[AssignmentRow]:
    """The units routing adds to an event: one unit, one role (the most responsible one a unit
    is called for; its other reasons are kept). Units already on the event (``on_event``:
    unit → role, in any state — a withdrawn or returned unit is not added again) are skipped;
    an event that has a primary keeps it, and routing's primary joins as cooperating."""
    wanted: dict[str, tuple[str, list[str]]] = {}

    def want(unit: str, role: str, reasons: list[str]) -> None:
        if unit in wanted:
            held, why = wanted[unit]
            better = ROLES.index(role) < ROLES.index(held)
            wanted[unit] = (role if better else held, [*why, *(r for r in reasons if r not in why)])
        else:
            wanted[unit] = (role, list(reasons))

    primary_reasons = routing.reasons.get((routing.primary, "primary"), [])
    if has_primary:
        want(routing.primary, "cooperating", ["后续信息涉及本单位（已有牵头单位，保持不变）", *primary_reasons])
    else:
        want(routing.primary, "primary", primary_reasons)
    for role, units in (("cooperating", routing.cooperating), ("transfer", routing.transfer),
                        ("coordinator", routing.coordinators)):
        for unit in units:
            want(unit, role, routing.reasons.get((unit, role), []))
    return [(unit, role, reasons) for unit, (role, reasons) in wanted.items() if unit not in on_event]
