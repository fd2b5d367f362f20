"""The Chinese sentences of the reports, written from the figures by templates: the summaries
("本期共监测到涉云和信息…条，环比…"), the handling advice of a 舆情专报 (RULES.md §4) and the
work notes of the periodic reports. Pure functions of numbers and names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.queries.report_common import Count
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import GRADES, PLATFORM_NAMES, rank


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def when(moment: datetime | None) -> str:
    """``11月28日10:05`` in 北京时间."""
    if moment is None:
        return "—"
    local = moment.astimezone(SHANGHAI)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def change_text(current: int, previous: int) -> str:
    """环比 in words: 上升 / 下降 x%, 持平, or why there is none."""
    if previous == 0:
        return "与上期持平" if current == 0 else "上期为0，无法计算环比"
    if current == previous:
        return "与上期持平"
    ratio = (current - previous) / previous
    return f"环比{'上升' if ratio > 0 else '下降'}{abs(ratio) * 100:.1f}%"


def change_sentence(current: int, previous: int, unit: str = "期") -> str:
    """``环比上升25.0%（上期40条）``, or that there is nothing to compare with."""
    if not previous:
        return f"上{unit}无相关信息，不计算环比"
    return f"{change_text(current, previous)}（上{unit}{previous}条）"


def listing(parts: Sequence[str], sep: str = "、") -> str:
    return sep.join(p for p in parts if p)


def grade_text(by_grade: dict[str, int]) -> str:
    """``特别重大1起、重大2起、一般5起`` (grades with none left out)."""
    return listing([f"{g}{by_grade[g]}起" for g in GRADES if by_grade.get(g)])


def top_names(counts: Sequence[Count], whole: int, n: int = 3, names: dict[str, str] | None = None) -> str:
    """``微博（45.5%）、网络问政（25.0%）``."""
    shown = names or {}
    return listing([f"{shown.get(c.name, c.name)}（{percent(share(c.count, whole))}）" for c in counts[:n]])


def platform_name(code: str) -> str:
    return PLATFORM_NAMES.get(code, code)


def handling_text(states: dict[str, int]) -> str:
    """How the urgent events were handled, from the count of each handling state: 均已按时完成…,
    or the tally of each state."""
    if states and set(states) == {"met"}:
        return "均已按时完成各回应时限节点"
    tally = [("按时完成", "met"), ("超时完成", "met_late"), ("超时未完成", "overdue"), ("尚在时限内", "pending"),
             ("未设时限", "none")]
    return "其中" + listing([f"{name}{states[code]}起" for name, code in tally if states.get(code)])


def gaps_sentence(gap_count: int) -> str:
    if not gap_count:
        return ""
    return f"注意：本期有{gap_count}处信息源采集中断或搜索结果不完整，相关时段的数据可能偏少，详见“信息源与数据完整性”。"


def rumour_sentence(total: int, moved: int, answered: int) -> str:
    """The rumours of a period, from their counts (never from a cut list)."""
    if not total:
        return ""
    return f"涉谣言信息{total}起，已移交公安、网信部门核查{moved}起，已发布辟谣或回应{answered}起。"


def hot_words_sentence(words: Sequence[Count], n: int = 8) -> str:
    return f"热词主要有：{listing([w.name for w in words[:n]])}。" if words else ""


def event_advice(grade: str | None, open_milestones: Sequence[tuple[str, datetime, bool]], owner: str | None,
                 *, rumor: bool, categories: Sequence[str], leadership: bool, returned: Sequence[str],
                 gaps: int, coordinators: Sequence[str]) -> list[str]:
    """Next steps of a 舆情专报 (RULES.md §3–§4). ``open_milestones``: (name, due, overdue) of
    the owner's unmet milestones."""
    who = owner or "责任单位"
    steps: list[str] = []
    for name, due, overdue in open_milestones:
        if overdue:
            steps.append(f"“{name}”已于{when(due)}超时，请{listing(list(coordinators))}督促{who}立即完成，超时情况记入考核。")
        else:
            steps.append(f"请{who}于{when(due)}前完成“{name}”，回应时注明发布渠道与链接。")
    if grade in GRADES[:2] and not open_milestones:
        steps.append(f"各时限节点已完成，请{who}持续发布处置进展，回应公众关切。")
    if leadership:
        steps.append("本事件为特别重大，请报县政府主要领导、分管领导阅示。")
    if rumor:
        steps.append(f"涉嫌谣言：线索已移交县公安局、县委网信办依法核查处置；建议{who}会同“云和发布”及时发布辟谣信息。")
    if "突发事件" in categories:
        steps.append("属突发事件，请县应急管理局配合做好应急处置信息的统一发布。")
    if "政策误读" in categories:
        steps.append("存在政策误读，请主管部门开展政策解读，澄清不实说法。")
    for unit in returned:
        steps.append(f"{unit}已退回本事件，请{listing(list(coordinators))}尽快改派。")
    if gaps:
        steps.append("事件期间部分信息源采集中断，传播数据可能偏少，请人工补充核查。")
    steps.append("持续监测舆情走势，如有新情况及时续报。")
    return steps


def grade_statement(grade: str, basis: Sequence[tuple[str, str | None]]) -> str:
    """One statement of a grade and what decided it (``basis``: (detail, grade it gives) of
    every reason): 定级为重大，依据为死亡12人 ≥ 10人（国务院令第493号）. Reasons giving another
    grade are not put beside it (they read as a contradiction); the report lists them apart."""
    deciding = sorted((detail for detail, given in basis if given == grade), key=lambda d: d.startswith("文本模型"))
    return f"该事件定级为{grade}" + (f"，依据为{listing(deciding, '；')}" if deciding else "")


def grade_aside(grade: str, given: str | None) -> str:
    """Why a reason that gives another grade did not decide it."""
    if given is None or given not in GRADES or grade not in GRADES:
        return "（未达到定级标准）"
    if rank(given) > rank(grade):
        return "（低于最终等级；等级取各项依据中的最高者）"
    return "（高于最终等级，经人工调整后不作为定级依据）"
