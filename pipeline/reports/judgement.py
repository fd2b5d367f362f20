"""研判 / 风险提示 written from the data: every sentence carries the figure it rests on (a count, a
share, a time, a change against the previous period), so a leader can check it and nothing is
asserted that the figures do not show. Pure functions of the report figures.

- ``event_judgement``: a 舆情专报's 研判 — first source and how long ago, platforms joined,
  peak and the latest hour against it, where the reach came from, the repost chain, tone, the
  most widely held view, deadlines and responses, rumour and coverage.
- ``period_judgement``: a periodic report's 研判与风险提示 — change against the previous period
  by platform and by topic, negative share and its change, rumours not yet answered, matters
  returning, deadlines overdue and due within a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pipeline.queries.event_report import EventFigures
from pipeline.queries.report_common import Count
from pipeline.reports import templates as t
from pipeline.reports.views import View
from pipeline.vocabulary import MILESTONE_NAMES

MOVERS = 2   # platforms / topics named in a period's change sentences


def hours(span: timedelta) -> str:
    """``3.5小时`` / ``2天4小时`` (never negative)."""
    total = max(span.total_seconds(), 0) / 3600
    if total < 48:
        return f"{total:.1f}小时"
    return f"{int(total // 24)}天{int(total % 24)}小时"


def event_judgement(fig: EventFigures, views: Sequence[View]) -> list[str]:
    """The 研判 of one event (see the module doc)."""
    if not fig.posts:
        return [f"截至{t.when(fig.now)}，本事件尚无监测到的信息（0条）。"]
    said = [*_spread_sentences(fig), *_reach_sentences(fig)]
    negative = fig.negative_share
    if negative is not None:
        judged = sum(n for k, n in fig.sentiment.items() if k != "未研判")
        said.append(f"已研判情感倾向的{judged}条信息中，负面信息{fig.sentiment.get('负面', 0)}条，"
                    f"占{t.percent(negative)}。")
    if views:
        top = views[0]
        said.append(f"网民观点中占比最高的是“{top.sentence.rstrip('。！？!?；;')}”，"
                    f"{top.texts}条信息表达了这一观点（{t.percent(top.share)}）。")
    return [*said, *_duty_sentences(fig)]


def _spread_sentences(fig: EventFigures) -> list[str]:
    said: list[str] = []
    first = fig.first_post
    if first is not None and first.published_at is not None:
        said.append(f"事件首发于{t.when(first.published_at)}（{t.platform_name(first.platform)}），"
                    f"至今{hours(fig.now - first.published_at)}。")
    if fig.platform_firsts:
        order = t.listing([f"{t.platform_name(pf)}（{t.when(at)}起，{n}条）" for pf, at, n in fig.platform_firsts])
        said.append(f"已扩散至{len(fig.platform_firsts)}个平台，依次为{order}。")
    peak = fig.peak
    if peak is not None:
        latest = fig.timeline[-1][1]
        trend = "仍处于峰值" if latest >= peak[1] else f"为峰值的{t.percent(latest / peak[1])}"
        unit = "小时" if fig.hourly else "日"
        said.append(f"信息量峰值出现在{t.when(peak[0])}起的1{unit}内（{peak[1]}条）；最近1{unit}有信息{latest}条，{trend}。")
    return said


def _reach_sentences(fig: EventFigures) -> list[str]:
    said: list[str] = []
    sp = fig.spread
    if sp.spreaders and fig.engagement:
        top = sp.spreaders[0]
        said.append(f"传播主要由“{top.account}”（{t.platform_name(top.platform)}）带动，其信息及经其转发的信息互动量"
                    f"{top.carried_reach}，占事件总互动量{fig.engagement}的{t.percent(t.share(top.carried_reach, fig.engagement))}。")
    if sp.reposts:
        said.append(f"转发链涉及{sp.accounts}个账号、{sp.reposts}次转发，最长{sp.depth}级。")
    return said


def _duty_sentences(fig: EventFigures) -> list[str]:
    said: list[str] = []
    for d in fig.deadlines:
        name = MILESTONE_NAMES.get(d.milestone, d.milestone)
        if d.state == "overdue":
            said.append(f"{d.unit}“{name}”已超时{hours(fig.now - d.due_at)}（时限{t.when(d.due_at)}）。")
        elif d.state == "pending":
            said.append(f"{d.unit}“{name}”距时限还有{hours(d.due_at - fig.now)}（{t.when(d.due_at)}前）。")
    if fig.responses:
        last = fig.responses[-1]
        said.append(f"已有回应{len(fig.responses)}次，最近一次为{last.unit}于{t.when(last.responded_at)}发布的{last.kind}。")
    elif fig.first_post is not None and fig.first_post.published_at is not None:
        said.append(f"尚无回应（0次），距首发已{hours(fig.now - fig.first_post.published_at)}。")
    if fig.rumor:
        said.append(f"本事件涉嫌谣言，已有回应{len(fig.responses)}次，" +
                    ("尚未辟谣。" if not fig.responses else "请核实回应是否已澄清不实说法。"))
    if fig.gaps:
        said.append(f"事件期间有{len(fig.gaps)}处采集缺口，以上传播数据可能偏少。")
    return said


def change_clause(name: str, now: int, before: int) -> str:
    """``微博信息45条，环比上升25.0%（上期36条）``."""
    if not before:
        return f"{name}信息{now}条（上期0条）"
    return f"{name}信息{now}条，{t.change_text(now, before)}（上期{before}条）"


def movers(current: Sequence[Count], previous: Sequence[Count], names: dict[str, str] | None = None,
           n: int = MOVERS) -> list[str]:
    """The ``n`` largest changes (by absolute difference) as clauses, the biggest first."""
    shown = names or {}
    before = {c.name: c.count for c in previous}
    now = {c.name: c.count for c in current}
    changes = sorted(set(before) | set(now), key=lambda k: (-abs(now.get(k, 0) - before.get(k, 0)), k))
    return [change_clause(shown.get(k, k), now.get(k, 0), before.get(k, 0)) for k in changes[:n]
            if now.get(k, 0) != before.get(k, 0)]


def negative_sentence(current: Sequence[Count] | None, previous: Sequence[Count] | None) -> str | None:
    """The negative share and its change (percentage points), when posts carry a tone."""
    if current is None:
        return None
    share = _negative(current)
    if share is None:
        return None
    before = _negative(previous or ())
    n = next((c.count for c in current if c.name == "负面"), 0)
    change = "" if before is None else (
        f"，较上期{'上升' if share > before else '下降' if share < before else '持平'}"
        + (f"{abs(share - before) * 100:.1f}个百分点" if share != before else "") + f"（上期{t.percent(before)}）")
    return f"负面信息{n}条，占已研判信息的{t.percent(share)}{change}。"


def _negative(counts: Sequence[Count]) -> float | None:
    judged = sum(c.count for c in counts if c.name != "未研判")
    return next((c.count for c in counts if c.name == "负面"), 0) / judged if judged else None


def period_judgement(platforms: tuple[Sequence[Count], Sequence[Count]], topics: tuple[Sequence[Count], Sequence[Count]],
                     sentiment: tuple[Sequence[Count] | None, Sequence[Count] | None], names: dict[str, str],
                     rumours: tuple[int, int], returning: int, overdue: int, due_soon: int,
                     until: datetime) -> list[str]:
    """The 研判与风险提示 of a periodic report (see the module doc); rumours: (total, answered)."""
    said: list[str] = []
    moved = movers(*platforms, names=names)
    if moved:
        said.append("分平台看，" + "；".join(moved) + "。")
    moved = movers(*topics)
    if moved:
        said.append("分领域看，" + "；".join(moved) + "。")
    tone = negative_sentence(*sentiment)
    if tone:
        said.append(tone)
    total, answered = rumours
    if total > answered:
        said.append(f"涉谣言事件{total}起，其中{total - answered}起尚无辟谣或回应。")
    if returning:
        said.append(f"{returning}起此前已监测到的事项本期再次出现新信息，存在重复反映、问题反复的风险。")
    if overdue:
        said.append(f"截至{t.when(until)}，{overdue}起事件有回应时限超时未完成。")
    if due_soon:
        said.append(f"另有{due_soon}个时限节点将在24小时内到期，请责任单位抓紧办理。")
    return said
