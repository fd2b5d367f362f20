"""Noise that names 云和 but is not 舆情 for the county: advertising and marketing (promotions,
group buying, giveaways, 代购, job-ad and loan spam), horoscope / lottery / clickbait accounts.
Such a post is set aside as 无关 with the reason 广告营销 — stored and visible, never graded or
routed. Pure: word lists come from ``policy.yaml`` (``noise``).

A post is marketing when it carries a spam phrase, an offer together with a call to action
("特价…私聊下单"), or two different calls to action ("预订请私信或电话联系"); never when it
speaks of being wronged by one (被骗, 投诉, 举报 …), which is a matter for the county however
much it quotes the advert.
"""

from __future__ import annotations

from pipeline.config import NoisePolicy

MARKETING = "广告营销"


def _found(text: str, words: list[str]) -> list[str]:
    return [w for w in words if w in text]


def marketing_reason(text: str, policy: NoisePolicy) -> str | None:
    """``广告营销：<cues>`` when the text is marketing or spam, else None."""
    if _found(text, policy.grievance):
        return None
    spam = _found(text, policy.spam)
    if spam:
        return f"{MARKETING}：{'、'.join(spam[:3])}"
    offers, calls = _found(text, policy.offers), _found(text, policy.calls_to_action)
    if (offers and calls) or len(calls) >= 2:
        return f"{MARKETING}：{'、'.join([*offers[:2], *calls[:2]])}"
    return None
