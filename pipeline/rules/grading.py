"""Grades (RULES.md §1): the highest of the text model, the casualty / loss floor of
国务院令第493号, the reach floor and an analyst's override, each with its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline.config import PolicyConfig
from pipeline.rules.casualties import Casualties
from pipeline.vocabulary import GRADES, highest, rank


def model_grade(scores: dict[str, float]) -> str:
    """The text model's grade as the median of its ordinal distribution: the most serious grade
    g with P(grade ≥ g) ≥ 0.5. An argmax would let a flat distribution (0.36 特别重大, 0.21 重大,
    0.24 较大, 0.19 一般) jump to 特别重大 on its own."""
    cumulative = 0.0
    for grade in GRADES:  # most serious first
        cumulative += scores.get(grade, 0.0)
        if cumulative >= 0.5:
            return grade
    return GRADES[-1]


@dataclass(frozen=True)
class Reason:
    """One reason for a grade. ``detail`` is what county users read (never a model id); the
    model version a reason rests on is kept beside it (``model``), for the technical record."""

    rule: str      # model | casualty | reach_media | reach_engagement | statutory_cap | override | carried
    grade: str | None
    detail: str
    model: str | None = None

    def as_dict(self) -> dict[str, Any]:
        found = {"rule": self.rule, "grade": self.grade, "detail": self.detail}
        return {**found, "model": self.model} if self.model else found


def casualty_floor(c: Casualties, policy: PolicyConfig) -> list[Reason]:
    """Floor reasons for every criterion that reaches a grade (以上 includes the number).
    Missing persons count with the deaths; injuries not stated as serious (受伤, 轻伤) give no
    floor (RULES.md §1)."""
    reasons: list[Reason] = []
    criteria = [
        ("deaths", c.floor_deaths, _deaths_label(c), "人"),
        ("serious_injuries", c.serious_injuries, "重伤（含急性中毒）", "人"),
        ("economic_loss_yuan", c.economic_loss_yuan, "直接经济损失", "元"),
    ]
    for key, value, label, unit in criteria:
        if value is None:
            continue
        for grade in GRADES:
            floor = policy.casualty_floors.get(grade)
            if floor is not None and value >= getattr(floor, key):
                reasons.append(
                    Reason("casualty", grade, f"{label}{_fmt(value, unit)} ≥ {_fmt(getattr(floor, key), unit)}（国务院令第493号）")
                )
                break
    return reasons


def _deaths_label(c: Casualties) -> str:
    """"死亡", or, with missing persons, both numbers and their total ("死亡3人、失联2人 → ")."""
    if not c.missing:
        return "死亡"
    if c.floor_deaths == (c.deaths or 0) + c.missing:
        return f"死亡{c.deaths or 0}人、失联{c.missing}人 → "
    return "死亡（含失联）"


def _fmt(value: int, unit: str) -> str:
    if unit == "元":
        return f"{value / 1e8:g}亿元" if value >= 1e8 else f"{value / 1e4:g}万元"
    return f"{value}{unit}"


def reach_floor(
    central: Iterable[str], provincial: Iterable[str], engagement: int, unknown_posts: int, policy: PolicyConfig
) -> list[Reason]:
    """Media coverage and engagement floors; unknown engagement is said, never counted as 0."""
    reach = policy.reach
    reasons: list[Reason] = []
    central, provincial = sorted(set(central)), sorted(set(provincial))
    if central:
        reasons.append(Reason("reach_media", reach.central_media_grade, f"中央媒体报道：{'、'.join(central)}"))
    if provincial:
        reasons.append(Reason("reach_media", reach.provincial_media_grade, f"省级媒体报道：{'、'.join(provincial)}"))
    for step in sorted(reach.engagement, key=lambda s: -s.min):
        if engagement >= step.min:
            note = f"（另有{unknown_posts}条互动量未知）" if unknown_posts else ""
            reasons.append(Reason("reach_engagement", step.grade, f"互动量{engagement} ≥ {step.min}{note}"))
            break
    else:
        if unknown_posts:
            reasons.append(Reason("reach_engagement", None, f"互动量未知（{unknown_posts}条帖子无数据），已知合计{engagement}"))
    return reasons


def statutory_cap(floors: list[Reason], figures_stated: bool) -> str | None:
    """The highest grade the text model may set on its own: where the text states casualty or
    loss figures and no reach floor applies, the grade those figures support under 国务院令第493号
    (the lowest grade when they reach no floor); None where nothing caps it."""
    if not figures_stated or any(r.rule.startswith("reach") and r.grade is not None for r in floors):
        return None
    return highest(r.grade for r in floors if r.rule == "casualty") or GRADES[-1]


DESK_NOTE = "，待分析员复核"


def cap_note(model_grade: str, cap: str) -> str:
    return (f"文本模型判定为{model_grade}，高于文中伤亡/损失数字对应的{cap}（国务院令第493号），"
            f"未自动采用{DESK_NOTE}")


def reader_detail(detail: str) -> str:
    """A grade reason as a report or alert states it: without the analyst desk's note (the
    review queue keeps it)."""
    return detail.replace(DESK_NOTE, "")


def decide(
    model_grade: str,
    model_version: str,
    floors: list[Reason],
    previous: str | None,
    override: str | None,
    cap: str | None = None,
) -> tuple[str, str, list[Reason]]:
    """Return (grade, automatic grade, reasons). Automatic regrading only raises; an
    override wins in either direction. A model grade above ``cap`` (``statutory_cap``) is not
    applied: the cap is, with the model's view among the reasons."""
    reasons = [Reason("model", model_grade, f"文本模型判定为{model_grade}", model_version), *floors]
    applied = model_grade
    if cap is not None and rank(model_grade) < rank(cap):
        applied = cap
        reasons.append(Reason("statutory_cap", cap, cap_note(model_grade, cap), model_version))
    auto = highest([applied, *(r.grade for r in floors)])
    assert auto is not None
    if previous is not None and rank(previous) < rank(auto):
        reasons.append(Reason("carried", previous, f"此前已定级为{previous}，自动定级只升不降"))
        auto = previous
    if override is not None:
        reasons.append(Reason("override", override, f"分析员人工定级为{override}"))
        return override, auto, reasons
    return auto, auto, reasons
