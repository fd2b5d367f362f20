"""The 舆情专报 of one event as a ``Document`` (RULES.md §5, §8): overview; 研判 — sentences each
carrying its figure, computed from the data; 传播分析 (first source, platforms in the order they
joined, timeline by publication time and its peak, key spreaders, the repost tree); 网民观点
(views with their share and a representative sentence, ``views``); sample posts; grade and its
evidence; who owns it, the deadlines and their state, the responses so far; and the next steps
written by template from RULES.md §3–§4.
"""

from __future__ import annotations

from pipeline.queries.event_report import EventFigures
from pipeline.reports import charts
from pipeline.reports import templates as t
from pipeline.reports.compose import Letterhead, sections
from pipeline.reports.document import Block, Chart, Column, Document, Paragraph, Table
from pipeline.reports.judgement import event_judgement
from pipeline.reports.views import METHOD, View
from pipeline.rules.deadlines import HANDLING_NAMES, worst_handling
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import MILESTONE_NAMES, ROLE_NAMES, STATUS_NAMES

Opinions = tuple[tuple[View, ...], int]   # the views and how many texts they were drawn from


def _owner(fig: EventFigures) -> str | None:
    return next((a.unit for a in fig.assignments if a.role == "primary" and a.status != "withdrawn"), None)


def event_summary(fig: EventFigures) -> str:
    if not fig.posts:
        return f"截至{t.when(fig.now)}，事件{fig.event_id}尚无监测到的信息。"
    spread = t.listing([t.platform_name(p.platform) for p in fig.platforms])
    engagement = f"总互动量{fig.engagement}" if fig.engagement is not None else "互动量未知（部分平台未提供）"
    first = fig.first_post
    origin = (f"“{fig.title}”相关信息{t.when(first.published_at)}首发于{t.platform_name(first.platform)}"
              f"（{first.author or first.source or '未署名账号'}），系统于{t.when(fig.first_seen_at)}监测到。"
              if first is not None else f"{t.when(fig.first_seen_at)}，系统监测到“{fig.title}”相关信息。")
    text = (f"{origin}截至{t.when(fig.now)}，共监测到相关信息"
            f"{fig.posts}条，涉及{spread}{len(fig.platforms)}个平台，{engagement}。")
    if fig.grade:
        text += t.grade_statement(fig.grade, fig.grade_basis) + "。"
    owner = _owner(fig)
    live = [d for d in fig.deadlines if d.unit == owner and d.state != "cancelled"]
    if owner:
        text += f"由{owner}牵头办理，时限情况：{HANDLING_NAMES[worst_handling(d.state for d in live)]}。"
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
    if fig.first_post is not None:
        f = fig.first_post
        who = t.listing([f.author or "", f"（{f.source}）" if f.source and f.source != f.author else ""], "")
        blocks.append(Paragraph(f"{t.when(f.published_at)}，{who or '未署名账号'}在{t.platform_name(f.platform)}"
                                f"发布相关信息，为目前监测到的最早信息。", lead="首发："))
    fmt = "%m-%d %H时" if fig.hourly else "%m-%d"
    labels = [b.astimezone(SHANGHAI).strftime(fmt) for b, _ in fig.timeline]
    peak = fig.peak
    if peak is not None:
        blocks.append(Paragraph(f"信息量峰值出现在{t.when(peak[0])}起的{'1小时' if fig.hourly else '1天'}内，"
                                f"共{peak[1]}条（按信息发布时间统计）。", lead="峰值："))
        blocks.append(Chart(f"事件信息量走势（按发布时间，每{'小时' if fig.hourly else '日'}）",
                            charts.trend_chart(labels, [n for _, n in fig.timeline], cumulative=True)))
    firsts = {pf: (at, n) for pf, at, n in fig.platform_firsts}
    blocks.append(Table("各平台传播情况（按首次出现先后）",
                        (Column("平台"), Column("首次出现", "time"), Column("信息量（条）", "int"), Column("转发", "int"),
                         Column("评论", "int"), Column("点赞", "int"), Column("互动数未知（条）", "int")),
                        tuple((t.platform_name(p.platform), firsts[p.platform][0], p.posts, p.reposts, p.comments, p.likes,
                               p.unknown) for p in sorted(fig.platforms, key=lambda p: firsts[p.platform][0])),
                        sheet="传播平台"))
    blocks.append(Table("信息走势", (Column("时段开始", "time"), Column("信息量（条）", "int")), fig.timeline,
                        sheet="走势", in_document=False))
    return [*blocks, *_spreaders(fig), *_tree(fig)]


def _spreaders(fig: EventFigures) -> list[Block]:
    rows = tuple((s.account, t.platform_name(s.platform), s.posts, s.own_reach, s.carried_reach,
                  t.share(s.carried_reach, fig.engagement or 0)) for s in fig.spread.spreaders)
    return [Table("关键传播账号", (Column("账号"), Column("平台"), Column("发布/转发（条）", "int"), Column("自身互动量", "int"),
                               Column("带动互动量", "int"), Column("占总互动量", "percent")), rows, sheet="关键传播账号",
                  empty="无可识别的传播账号。"),
            Paragraph("带动互动量为账号自身信息的互动量与经其转发链传出的信息的互动量之和。", lead="注：")]


def _tree(fig: EventFigures) -> list[Block]:
    sp = fig.spread
    rows = tuple((("　" * (line.depth - 1) + "└ " if line.depth else "") + line.account, t.platform_name(line.platform),
                  line.depth, line.at, line.reach, line.comment or None) for line in sp.tree)
    blocks: list[Block] = [Paragraph(
        f"根据转发信息中的“//@账号：”转发链与平台提供的转发关系，重建出{sp.accounts}个账号之间的{sp.reposts}次转发，"
        f"最长转发链{sp.depth}级。", lead="转发路径：")]
    if sp.reposts:
        blocks.append(Chart("转发路径图（箭头由被转发者指向转发者）", charts.tree_chart(
            [(line.depth, f"{line.account}（{t.platform_name(line.platform)}）") for line in sp.tree])))
    blocks.append(Table("转发路径", (Column("账号（缩进表示转发层级）"), Column("平台"), Column("层级", "int"),
                                  Column("发布时间", "time"), Column("带动互动量", "int"), Column("转发时附言", clip=30)),
                        rows, sheet="转发路径", empty="未发现转发关系。"))
    return blocks


def _opinions(opinions: Opinions) -> list[Block]:
    found, total = opinions
    rows = tuple((f"观点{i + 1}", v.sentence, "、".join(v.keywords) or None, v.texts, v.share)
                 for i, v in enumerate(found))
    table = Table("网民观点", (Column("观点"), Column("代表性表述", clip=80), Column("关键词"), Column("信息（条）", "int"),
                             Column("占比", "percent")), rows, sheet="网民观点", empty="尚无可归纳的网民观点。")
    lead = (f"参与归纳的信息{total}条，归纳出主要观点{len(found)}个。" if found else "")
    return [*([Paragraph(lead)] if lead else []), table, Paragraph(METHOD, lead="说明：")]


def _content(fig: EventFigures) -> list[Block]:
    samples = Table("代表性信息", (Column("类型"), Column("平台"), Column("来源/作者"), Column("发布时间", "time"),
                               Column("互动量", "int"), Column("内容摘要", clip=90)),
                    tuple((s.why, t.platform_name(s.platform), t.listing([s.source or "", s.author or ""], " / ") or None,
                           s.published_at, s.engagement, s.text) for s in fig.samples), sheet="代表性信息")
    return [samples]


def _grade(fig: EventFigures) -> list[Block]:
    if not fig.grade:
        return [Paragraph("当前未定级（与本县政务无关的信息不定级）。")]
    deciding = sorted((d for d, g in fig.grade_basis if g == fig.grade), key=lambda d: d.startswith("文本模型"))
    others = [(d, g) for d, g in fig.grade_basis if g != fig.grade]
    blocks: list[Block] = [Paragraph(t.grade_statement(fig.grade, fig.grade_basis) + "。", lead="当前等级：")]
    blocks += [Paragraph(d, lead=f"定级依据{i + 1}：") for i, d in enumerate(deciding)]
    blocks += [Paragraph(d + t.grade_aside(fig.grade, g), lead="参考：") for d, g in others]
    return blocks


def _handling(fig: EventFigures) -> list[Block]:
    units = Table("责任单位", (Column("单位"), Column("角色"), Column("状态"), Column("原因", clip=80)),
                  tuple((a.unit, ROLE_NAMES.get(a.role, a.role), STATUS_NAMES.get(a.status, a.status),
                         "；".join(a.reasons) or None) for a in fig.assignments), sheet="责任单位", empty="尚未分办。")
    deadlines = Table("回应时限", (Column("单位"), Column("时限节点"), Column("起算时间", "time"), Column("应完成时间", "time"),
                                Column("完成时间", "time"), Column("状态")),
                      tuple((d.unit, MILESTONE_NAMES.get(d.milestone, d.milestone), d.started_at, d.due_at, d.met_at,
                             HANDLING_NAMES[d.state]) for d in fig.deadlines), sheet="回应时限", empty="无回应时限。")
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


def _judgement(fig: EventFigures, opinions: Opinions) -> list[Block]:
    return [Paragraph(sentence, lead=f"{i + 1}．") for i, sentence in enumerate(event_judgement(fig, opinions[0]))]


def event_document(fig: EventFigures, head: Letterhead, opinions: Opinions = ((), 0)) -> Document:
    notices = [f"数据不完整：事件期间有{len(fig.gaps)}处信息源采集中断或搜索结果不完整，传播数据可能偏少。"] if fig.gaps else []
    gaps = Table("采集覆盖缺口", (Column("缺口"),), tuple((g.text(),) for g in fig.gaps), sheet="覆盖缺口",
                 empty="事件期间未发现采集覆盖缺口。")
    body = sections(("事件概况", _overview(fig)), ("研判", _judgement(fig, opinions)), ("传播分析", [*_spread(fig), gaps]),
                    ("网民观点", _opinions(opinions)), ("代表性信息", _content(fig)), ("等级与依据", _grade(fig)),
                    ("办理情况", _handling(fig)), ("处置建议", _advice(fig, head)))
    return Document(
        kind="event", masthead=head.masthead("event"), number=head.number(fig.now.astimezone(SHANGHAI), fig.event_id, "号"),
        issuer=head.issuer, issued=fig.now, title=f"关于“{fig.title}”的舆情专报", summary=event_summary(fig),
        notices=tuple(notices), sections=body,
        basis=(f"统计口径：截至{t.when(fig.now)}系统监测到的信息；走势、首发与峰值按信息发布时间（发布时间未知或仅知日期的按系统监测到的时间）统计；"
               "互动量为转发、评论、点赞之和，平台未提供的计为未知；网民观点的归纳方法见“网民观点”中的说明。"),
        distribution=head.distribution,
        meta={"报告": "舆情专报", "事件编号": str(fig.event_id), "等级": fig.grade or "未定级", "生成时间": t.when(fig.now)},
    )
