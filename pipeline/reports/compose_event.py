"""The 舆情专报 of one event as a ``Document`` (RULES.md §5, §8): overview; spread (platforms,
timeline, first and peak moments, engagement); what is said (main claims, sample posts);
grade and its evidence; who owns it, the deadlines and their state, the responses so far; and
the next steps written by template from RULES.md §3–§4.
"""

from __future__ import annotations

from pipeline.queries.event_report import EventFigures
from pipeline.queries.report_common import STATE_NAMES, worst
from pipeline.reports import charts
from pipeline.reports import templates as t
from pipeline.reports.compose import Letterhead, sections
from pipeline.reports.document import Block, Chart, Column, Document, Paragraph, Table
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import MILESTONE_NAMES, ROLE_NAMES, STATUS_NAMES


def _short(title: str, most: int = 28) -> str:
    return title if len(title) <= most else title[: most - 1] + "…"


def _owner(fig: EventFigures) -> str | None:
    return next((a.unit for a in fig.assignments if a.role == "primary" and a.status != "withdrawn"), None)


def event_summary(fig: EventFigures) -> str:
    if not fig.posts:
        return f"截至{t.when(fig.now)}，事件{fig.event_id}尚无监测到的信息。"
    spread = t.listing([t.platform_name(p.platform) for p in fig.platforms])
    engagement = f"总互动量{fig.engagement}" if fig.engagement is not None else "互动量未知（部分平台未提供）"
    text = (f"{t.when(fig.first_seen_at)}，系统监测到“{fig.title}”相关信息。截至{t.when(fig.now)}，共监测到相关信息"
            f"{fig.posts}条，涉及{spread}{len(fig.platforms)}个平台，{engagement}。")
    if fig.grade:
        text += f"该事件定级为{fig.grade}" + (f"（{fig.grade_reasons[0]}）" if fig.grade_reasons else "") + "。"
    owner = _owner(fig)
    live = [d for d in fig.deadlines if d.unit == owner and d.state != "cancelled"]
    if owner:
        text += f"由{owner}牵头办理，时限情况：{STATE_NAMES[worst(d.state for d in live)]}。"
    elif fig.relevant:
        text += "尚未确定牵头单位。"
    else:
        text += "该事件已判定为与本县政务无关。"
    if fig.gaps:
        text += f"注意：事件期间有{len(fig.gaps)}处信息源采集中断或搜索结果不完整，传播数据可能偏少。"
    return text


def _overview(fig: EventFigures) -> list[Block]:
    rows: tuple[tuple[str, str], ...] = (("事件编号", str(fig.event_id)), ("事件", fig.title), ("等级", fig.grade or "未定级"),
            ("领域", fig.topic or "—"), ("重点类别", "、".join(fig.categories) or "无"),
            ("是否涉嫌谣言", "是" if fig.rumor else "否"), ("首次监测", t.when(fig.first_seen_at)),
            ("首次发布（原帖时间）", t.when(fig.first_published_at)), ("最近监测", t.when(fig.last_seen_at)),
            ("信息量（条）", str(fig.posts)), ("互动量（转评赞）", str(fig.engagement) if fig.engagement is not None else "未知"))
    rows += _signal_rows(fig)
    return [Table("事件概况", (Column("项目"), Column("内容")), rows, sheet="概况")]


def _signal_rows(fig: EventFigures) -> tuple[tuple[str, str], ...]:
    """Heat index (清博 WCI form, weights in policy.yaml), 快速升温 and 持续发布, when known."""
    rows: list[tuple[str, str]] = []
    if fig.heat is not None:
        rows.append(("热度指数", f"{fig.heat:.1f}"))
    if fig.rising:
        rows.append(("快速升温", fig.rising))
    if fig.release:
        rows.append(("持续发布", fig.release))
    return tuple(rows)


def _spread(fig: EventFigures) -> list[Block]:
    blocks: list[Block] = []
    fmt = "%m-%d %H时" if fig.hourly else "%m-%d"
    labels = [b.astimezone(SHANGHAI).strftime(fmt) for b, _ in fig.timeline]
    peak = fig.peak
    if peak is not None:
        blocks.append(Paragraph(f"首次监测于{t.when(fig.first_seen_at)}；信息量峰值出现在{t.when(peak[0])}起的"
                                f"{'1小时' if fig.hourly else '1天'}内，共{peak[1]}条。"))
        blocks.append(Chart(f"事件信息量走势（按{'小时' if fig.hourly else '日'}）",
                            charts.trend_chart(labels, [n for _, n in fig.timeline], cumulative=True)))
    blocks.append(Table("传播平台与互动量", (Column("平台"), Column("信息量（条）", "int"), Column("转发", "int"),
                                      Column("评论", "int"), Column("点赞", "int"), Column("互动数未知的信息（条）", "int")),
                        tuple((t.platform_name(p.platform), p.posts, p.reposts, p.comments, p.likes, p.unknown)
                              for p in fig.platforms), sheet="传播平台"))
    blocks.append(Table("信息走势", (Column("时段开始", "time"), Column("信息量（条）", "int")), fig.timeline,
                        sheet="走势", in_document=False))
    blocks.append(Table("主要信息来源", (Column("来源"), Column("信息量（条）", "int")),
                        tuple((c.name, c.count) for c in fig.sources[:10]), sheet="来源"))
    return blocks


def _content(fig: EventFigures) -> list[Block]:
    claims = Table("主要说法", (Column("说法（首句或标题）"), Column("信息量（条）", "int")),
                   tuple((c.name, c.count) for c in fig.claims), sheet="主要说法")
    samples = Table("代表性信息", (Column("类型"), Column("平台"), Column("来源/作者"), Column("监测时间", "time"),
                               Column("互动量", "int"), Column("内容摘要", clip=90)),
                    tuple((s.why, t.platform_name(s.platform), t.listing([s.source or "", s.author or ""], " / ") or None,
                           s.first_seen_at, s.engagement, s.text) for s in fig.samples), sheet="代表性信息")
    return [claims, samples]


def _grade(fig: EventFigures) -> list[Block]:
    head = f"当前等级：{fig.grade}。" if fig.grade else "当前未定级（与本县政务无关的信息不定级）。"
    return [Paragraph(head), *(Paragraph(reason, lead=f"依据{i + 1}：") for i, reason in enumerate(fig.grade_reasons))]


def _handling(fig: EventFigures) -> list[Block]:
    units = Table("责任单位", (Column("单位"), Column("角色"), Column("状态"), Column("原因", clip=80)),
                  tuple((a.unit, ROLE_NAMES.get(a.role, a.role), STATUS_NAMES.get(a.status, a.status),
                         "；".join(a.reasons) or None) for a in fig.assignments), sheet="责任单位", empty="尚未分办。")
    deadlines = Table("回应时限", (Column("单位"), Column("时限节点"), Column("起算时间", "time"), Column("应完成时间", "time"),
                                Column("完成时间", "time"), Column("状态")),
                      tuple((d.unit, MILESTONE_NAMES.get(d.milestone, d.milestone), d.started_at, d.due_at, d.met_at,
                             STATE_NAMES[d.state]) for d in fig.deadlines), sheet="回应时限", empty="无回应时限。")
    responses = Table("已有回应", (Column("单位"), Column("方式"), Column("时间", "time"), Column("链接")),
                      tuple((r.unit, r.kind, r.responded_at, r.link) for r in fig.responses), sheet="已有回应",
                      empty="截至目前尚无回应记录。")
    return [units, deadlines, responses]


def _advice(fig: EventFigures, head: Letterhead) -> list[Block]:
    owner = _owner(fig)
    open_milestones = [(MILESTONE_NAMES.get(d.milestone, d.milestone), d.due_at, d.state == "overdue")
                       for d in fig.deadlines if d.unit == owner and d.state in ("overdue", "pending")]
    returned = [a.unit for a in fig.assignments if a.status == "returned"]
    steps = t.event_advice(fig.grade, open_milestones, owner, rumor=fig.rumor, categories=fig.categories,
                           leadership=fig.leadership, returned=returned, gaps=len(fig.gaps),
                           coordinators=head.coordinators)
    return [Paragraph(step, lead=f"{i + 1}．") for i, step in enumerate(steps)]


def event_document(fig: EventFigures, head: Letterhead) -> Document:
    notices = [f"数据不完整：事件期间有{len(fig.gaps)}处信息源采集中断或搜索结果不完整，传播数据可能偏少。"] if fig.gaps else []
    gaps = Table("采集覆盖缺口", (Column("缺口"),), tuple((g.text(),) for g in fig.gaps), sheet="覆盖缺口",
                 empty="事件期间未发现采集覆盖缺口。")
    body = sections(("事件概况", _overview(fig)), ("传播情况", [*_spread(fig), gaps]), ("主要内容", _content(fig)),
                    ("等级与依据", _grade(fig)), ("办理情况", _handling(fig)), ("研判与处置建议", _advice(fig, head)))
    return Document(
        kind="event", masthead=head.masthead("event"), number=head.number(fig.now.astimezone(SHANGHAI), fig.event_id, "号"),
        issuer=head.issuer, issued=fig.now, title=f"关于“{_short(fig.title)}”的舆情专报", summary=event_summary(fig),
        notices=tuple(notices), sections=body,
        basis=f"统计口径：信息按系统首次监测到的时间统计，截至{t.when(fig.now)}；互动量为转发、评论、点赞之和，平台未提供的计为未知。",
        distribution=head.distribution,
        meta={"报告": "舆情专报", "事件编号": str(fig.event_id), "等级": fig.grade or "未定级", "生成时间": t.when(fig.now)},
    )
