"""待复核 (needs review): when the automatic decision of an event should not be trusted without an
analyst — the statutory cap held the text model back, the grade model hesitated between two
grades, or the topic is uncertain. Pure: the reasons come from the event's folded facts, the
policy's thresholds and the analyst's corrections (a correction settles what it corrects)."""

from __future__ import annotations

from pipeline.config import ReviewPolicy
from pipeline.vocabulary import GRADES


def _top_two(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: -kv[1])[:2]


def grade_doubt(scores: dict[str, float], policy: ReviewPolicy) -> str | None:
    """The grade model unsure between two grades: its two best probabilities within the margin."""
    known = {g: p for g, p in scores.items() if g in GRADES}
    top = _top_two(known)
    if len(top) < 2 or top[0][1] - top[1][1] >= policy.grade_margin:
        return None
    return f"定级模型在{top[0][0]}（{top[0][1]:.2f}）与{top[1][0]}（{top[1][1]:.2f}）之间不确定"


def topic_doubt(scores: dict[str, float], policy: ReviewPolicy) -> str | None:
    """The topic uncertain: the best topic's mean probability low, or a second one close to it."""
    top = _top_two(scores)
    if not top:
        return None
    if top[0][1] < policy.topic_min_score:
        return f"领域不确定：{top[0][0]}仅{top[0][1]:.2f}"
    if len(top) == 2 and top[0][1] - top[1][1] < policy.topic_margin:
        return f"领域不确定：{top[0][0]}（{top[0][1]:.2f}）与{top[1][0]}（{top[1][1]:.2f}）接近"
    return None


def review_reasons(cap_note: str | None, grade_scores: dict[str, float], topic_scores: dict[str, float],
                   grade_overridden: bool, topic_overridden: bool, policy: ReviewPolicy) -> list[str]:
    """Why the event needs an analyst's review (empty: it does not)."""
    reasons: list[str] = []
    if not grade_overridden:
        reasons += [r for r in (cap_note, grade_doubt(grade_scores, policy)) if r]
    if not topic_overridden:
        reasons += [r for r in (topic_doubt(topic_scores, policy),) if r]
    return reasons
