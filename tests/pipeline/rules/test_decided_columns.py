"""The one mapping of an event's decided state onto its columns (``decided_columns``), which
triage's bulk write and an analyst's correction (``store_decision``) both use."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pipeline.rules.decide import SET_ASIDE_BY_ANALYST, EventDecision, decided_columns
from pipeline.rules.routing import Routing


def _row(**given: Any) -> SimpleNamespace:
    values = {"auto_grade": "较大", "irrelevant_reason": None, "override_relevant": None}
    return SimpleNamespace(**{**values, **given})


def _relevant(**given: Any) -> EventDecision:
    routing = Routing(primary="县住建局", leadership=True)
    values: dict[str, Any] = {"relevant": True, "topic": "城建", "grade": "重大", "auto_grade": "重大",
                              "reasons": [{"rule": "model", "grade": "重大"}], "routing": routing,
                              "categories": ["安全事故"], "rumor": False, "sentiment": "负面", "review": []}
    return EventDecision(**{**values, **given})


def test_a_relevant_decision_sets_every_decided_column() -> None:
    cols = decided_columns(_relevant(review=["等级模型在两级之间"]), None, {"grade": "g1"})
    assert cols == {"relevant": True, "topic": "城建", "grade": "重大", "auto_grade": "重大",
                    "grade_reasons": [{"rule": "model", "grade": "重大"}], "categories": ["安全事故"],
                    "rumor": False, "leadership": True, "sentiment": "负面", "needs_review": True,
                    "review_reasons": ["等级模型在两级之间"], "irrelevant_reason": None,
                    "model_versions": {"grade": "g1"}}


def test_an_event_set_aside_keeps_its_automatic_grade_and_has_no_categories_or_review() -> None:
    d = EventDecision(relevant=False, categories=["谣言"], rumor=True, review=["x"])
    cols = decided_columns(d, _row(), None, why_not="未提及云和")
    assert cols["auto_grade"] == "较大"  # automatic grades only rise: kept for when it is relevant again
    assert cols["categories"] == [] and cols["needs_review"] is False and cols["review_reasons"] is None
    assert cols["irrelevant_reason"] == "未提及云和" and cols["rumor"] is True
    assert decided_columns(d, None, None)["auto_grade"] is None


def test_why_an_event_is_set_aside_the_analyst_first_then_the_batch_then_the_earlier_reason() -> None:
    d = EventDecision(relevant=False)
    assert decided_columns(d, _row(override_relevant=False), None, "未提及云和")["irrelevant_reason"] \
        == SET_ASIDE_BY_ANALYST
    assert decided_columns(d, _row(irrelevant_reason="广告"), None, "未提及云和")["irrelevant_reason"] == "未提及云和"
    assert decided_columns(d, _row(irrelevant_reason="广告"), None)["irrelevant_reason"] == "广告"
    assert decided_columns(d, None, None)["irrelevant_reason"] == SET_ASIDE_BY_ANALYST
