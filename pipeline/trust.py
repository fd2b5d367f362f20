"""What triage writes for trust in its decisions: an event's sentiment, 待复核 flag and reasons,
why it was set aside, the model versions that decided it; and the alerts monitoring schemes ask
for (敏感词即时预警) — one per event and scheme, to the analysts."""

from __future__ import annotations

from typing import Any

from pipeline.alerts.plan import AlertDraft
from pipeline.config import Config
from pipeline.normalize import PostInput
from pipeline.rules.analysis import PostAnalysis
from pipeline.rules.decide import EventDecision
from pipeline.storage.models import Event

SET_ASIDE_BY_ANALYST = "分析员更正为无关"


def trust_values(d: EventDecision, versions: dict[str, str], row: Event | None, why_not: str | None) -> dict[str, Any]:
    """The event columns of migration 0007t for a decision (``why_not``: the batch's first reason
    for setting one of its posts aside)."""
    previous = row.irrelevant_reason if row is not None else None
    return {
        "sentiment": d.sentiment,
        "needs_review": bool(d.relevant and d.review),
        "review_reasons": d.review if d.relevant and d.review else None,
        "irrelevant_reason": None if d.relevant else (why_not or previous or SET_ASIDE_BY_ANALYST),
        "model_versions": versions,
    }


def scheme_alerts(cfg: Config, analyses: list[PostAnalysis], posts: list[PostInput],
                  event_ids: list[int]) -> list[AlertDraft]:
    """An alert to the analysts for every (event, scheme) whose scheme asks for one on any hit."""
    drafts: dict[str, AlertDraft] = {}
    for a, post, event_id in zip(analyses, posts, event_ids, strict=True):
        for hit in a.schemes:
            key = f"scheme:{event_id}:{hit.scheme}"
            if hit.effects.alert and key not in drafts:
                text = (f"监测方案“{hit.scheme}”命中（{'、'.join(hit.words)}）：{(post.title or post.text)[:120]}"
                        + (f"　{post.url}" if post.url else ""))
                drafts[key] = AlertDraft(key=key, kind="scheme", recipient=cfg.alerts.analyst_recipient, urgent=False,
                                         event_id=event_id, payload={"text": text, "scheme": hit.scheme,
                                                                     "words": hit.words})
    return list(drafts.values())
