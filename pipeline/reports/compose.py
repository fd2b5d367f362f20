"""The 舆情日报 / 周报 / 月报 as a ``Document``: the figures of ``report_figures`` laid out in
the order of RULES.md §8 — overall volume and trend, channels, topics and hot words, tone,
events and their handling, key categories and rumours, the sources' health and coverage, and
work notes — with the summary written by ``templates``. Also the letterhead every report shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.config import Config
from pipeline.queries.report_common import Count, EventLine
from pipeline.queries.report_figures import PeriodFigures
from pipeline.reports import charts
from pipeline.reports import templates as t
from pipeline.reports.document import Block, Chart, Column, Document, Paragraph, Section, Table
from pipeline.reports.judgement import period_judgement
from pipeline.rules.deadlines import HANDLING_NAMES
from pipeline.vocabulary import GRADES, HEALTH_NAMES, REPORT_NAMES, STATUS_NAMES

NUMERALS = "一二三四五六七八九十"
UNIT_OF = {"daily": "日", "weekly": "周", "monthly": "月"}


@dataclass(frozen=True)
class Letterhead:
    """Who issues the reports and to whom they go, from the configuration."""

    county: str          # 云和县
    short: str           # 云和
    issuer: str          # 云和县政府办公室
    coordinators: tuple[str, ...]
    leadership: str

    @classmethod
    def from_config(cls, cfg: Config) -> Letterhead:
        county = cfg.units.county.name
        short = min(cfg.units.county.names, key=len)
        first = cfg.units.coordinators[0] if cfg.units.coordinators else "政府办公室"
        return cls(county, short, f"{county}{first.removeprefix('县')}", tuple(cfg.units.coordinators),
                   cfg.alerts.leadership_recipient)

    def masthead(self, kind: str) -> str:
        return f"{self.county}政务{REPORT_NAMES[kind]}"

    @property
    def distribution(self) -> str:
        return f"报送：{self.leadership}。抄送：{t.listing(list(self.coordinators))}。"

    def number(self, when: datetime, issue: int, unit: str = "期") -> str:
        return f"〔{when.year}〕第{issue}{unit}"


def sections(*parts: tuple[str, list[Block]]) -> tuple[Section, ...]:
    """Numbered sections: 一、… 二、…"""
    return tuple(Section(f"{NUMERALS[i]}、{heading}", tuple(blocks)) for i, (heading, blocks) in enumerate(parts))


def counts_table(title: str, first: str, counts: tuple[Count, ...], whole: int, names: dict[str, str] | None = None,
                 sheet: str = "") -> Table:
    shown = names or {}
    return Table(title, (Column(first), Column("信息量（条）", "int"), Column("占比", "percent")),
                 tuple((shown.get(c.name, c.name), c.count, t.share(c.count, whole)) for c in counts), sheet=sheet)


def event_table(title: str, lines: tuple[EventLine, ...], sheet: str, categories: bool = False) -> Table:
    """Events with grade, owner and state; ``categories`` adds their key categories."""
    columns = (Column("编号", "int"), Column("事件", clip=48), *((Column("重点类别"),) if categories else ()),
               Column("等级"), Column("本期信息量", "int"), Column("牵头单位"), Column("办理情况"))
    rows = tuple((e.event_id, e.title, *(("、".join(e.categories) or None,) if categories else ()), e.grade, e.posts,
                  e.owner or "未分办", f"{STATUS_NAMES.get(e.status or '', '—')}，{HANDLING_NAMES[e.handling]}")
                 for e in lines)
    return Table(title, columns, rows, sheet=sheet, empty="本期无。")


def more_rows(shown: int, total: int) -> list[Block]:
    """Beneath a cut event list: how many events it leaves out (the full count is the figure)."""
    return [Paragraph(f"另有{total - shown}起未列出（共{total}起）。")] if total > shown else []


def periodic_summary(fig: PeriodFigures, words: tuple[Count, ...], head: Letterhead) -> str:
    label = fig.period.label + ("" if fig.complete else f"（截至{t.when(fig.until)}）")
    if before_collection(fig):
        return f"{label}，{coverage_sentence(fig)}"
    if fig.relevant == 0 and fig.events_active == 0:
        extra = f"共采集信息{fig.collected}条，均与本县政务无关。" if fig.collected else "。"
        return f"{label}，未监测到涉{head.short}信息" + ("，" + extra if fig.collected else extra) + t.gaps_sentence(len(fig.gaps))
    parts = [f"{label}，共监测到涉{head.short}信息{fig.relevant}条，{t.change_sentence(fig.relevant, fig.previous_relevant)}。"]
    new_total = sum(fig.events_new.values())
    parts.append(f"新增舆情事件{new_total}起，其中{t.grade_text(fig.events_new)}。" if new_total else "本期无新增舆情事件。")
    if fig.urgent_total:
        parts.append(f"重大及以上事件{fig.urgent_total}起，{t.handling_text(fig.urgent_handling)}。")
    parts.append(f"信息主要来自{t.top_names(fig.platforms, fig.relevant, 2, names=_platform_names(fig))}；"
                 f"热点领域为{t.top_names(fig.topics, fig.relevant, 3)}。")
    parts += [t.hot_words_sentence(words), t.rumour_sentence(fig.rumour_total, fig.rumour_transferred, fig.rumour_answered),
              t.gaps_sentence(len(fig.gaps))]
    return "".join(parts)


def _platform_names(fig: PeriodFigures) -> dict[str, str]:
    return {c.name: t.platform_name(c.name) for c in fig.platforms}


def _overall(fig: PeriodFigures) -> list[Block]:
    unit = UNIT_OF[fig.period.kind]
    labels = [fig.period.bucket_label(b) for b in fig.period.buckets()]
    key = Table("主要数据", (Column("指标"), Column("数值", "int")), (
        ("采集信息总量（条）", fig.collected), ("涉云和信息（条）", fig.relevant),
        (f"上{unit}同期涉云和信息（条）", fig.previous_relevant), ("涉及舆情事件（起）", fig.events_active),
        *((f"新增{g}事件（起）", fig.events_new[g]) for g in GRADES)), sheet="主要数据")
    blocks: list[Block] = [key, Paragraph(f"{t.change_sentence(fig.relevant, fig.previous_relevant, unit)}。")]
    if any(fig.trend):
        peak = max(range(len(fig.trend)), key=lambda i: fig.trend[i])
        early = f"；另有{fig.published_before}条发布于本期之前、本期才监测到，未计入走势图" if fig.published_before else ""
        blocks.append(Paragraph(f"按发布时间统计，信息量峰值出现在{labels[peak]}，共{fig.trend[peak]}条{early}。"))
        caption = f"涉云和信息量走势（按发布时间，每{'小时' if fig.period.hourly else '日'}）"
        blocks.append(Chart(caption, charts.trend_chart(labels, fig.trend)))
    elif fig.published_before:
        blocks.append(Paragraph(f"本期{fig.published_before}条信息均发布于本期之前、本期才监测到。"))
    blocks.append(Table("信息量走势", (Column("时段"), Column("涉云和信息（条）", "int")),
                        tuple(zip(labels, fig.trend, strict=True)), sheet="走势", in_document=False))
    return blocks


def _channels(fig: PeriodFigures) -> list[Block]:
    names = _platform_names(fig)
    blocks: list[Block] = []
    if fig.relevant:
        blocks.append(Chart("涉云和信息平台分布", charts.share_chart([names[c.name] for c in fig.platforms[:8]],
                                                                [c.count for c in fig.platforms[:8]])))
    blocks.append(counts_table("各平台信息量", "平台", fig.platforms, fig.relevant, names, sheet="平台"))
    if fig.relevant:
        blocks.append(Paragraph(
            f"新闻网站报道{fig.media}条（{t.percent(t.share(fig.media, fig.relevant))}），网民及自媒体发布"
            f"{fig.relevant - fig.media}条；其中转发类信息{fig.reposts}条（{t.percent(t.share(fig.reposts, fig.relevant))}），"
            f"原创信息{fig.relevant - fig.reposts}条。"))
    blocks.append(counts_table("主要信息来源", "来源", fig.sources[:10], fig.relevant, sheet="来源"))
    return blocks


def _topics(fig: PeriodFigures, words: tuple[Count, ...]) -> list[Block]:
    blocks: list[Block] = []
    if fig.topics:
        top = fig.topics[:10]
        blocks.append(Chart("涉云和信息领域分布（前十）", charts.bar_chart([c.name for c in top], [c.count for c in top],
                                                                 "信息量（条）")))
    blocks.append(counts_table("各领域信息量", "领域", fig.topics, fig.relevant, sheet="领域"))
    blocks.append(Paragraph(t.listing([f"{w.name}（{w.count}）" for w in words]) + "。" if words else "本期无。",
                            lead="热词（括号内为出现篇数）："))
    blocks.append(Table("热词", (Column("热词"), Column("出现篇数", "int")), tuple((w.name, w.count) for w in words),
                        sheet="热词", in_document=False))
    if fig.sentiment is None:
        blocks.append(Paragraph("情感倾向：本系统暂未对信息开展情感倾向研判，本期不提供正面、中性、负面信息占比。"))
    else:
        blocks.append(counts_table("情感倾向", "倾向", fig.sentiment, fig.relevant, sheet="情感倾向"))
    return blocks


def _events(fig: PeriodFigures) -> list[Block]:
    grades = Table("新增事件等级分布", (Column("等级"), Column("事件数（起）", "int")),
                   tuple((g, fig.events_new[g]) for g in GRADES), sheet="等级分布")
    return [grades, event_table("重点舆情事件", fig.top_events, "重点事件"),
            *more_rows(len(fig.top_events), fig.events_active)]


def _key_items(fig: PeriodFigures) -> list[Block]:
    return [
        Table("重点类别事件数", (Column("类别"), Column("事件数（起）", "int")),
              tuple((c.name, c.count) for c in fig.key_counts), sheet="重点类别"),
        event_table("需重点回应的信息", fig.key_items, "重点信息", categories=True),
        *more_rows(len(fig.key_items), fig.key_total),
        Table("谣言处置情况", (Column("事件编号", "int"), Column("事件", clip=48), Column("牵头单位"), Column("线索移交"),
                          Column("回应次数", "int"), Column("时限情况")),
              tuple((r.event_id, r.title, r.owner or "未分办", "、".join(r.transfers) or None, r.responses,
                     HANDLING_NAMES[r.handling]) for r in fig.rumours), sheet="谣言", empty="本期未发现谣言类信息。"),
        *more_rows(len(fig.rumours), fig.rumour_total),
    ]


def before_collection(fig: PeriodFigures) -> bool:
    """The whole period lies before the first post the system ever detected."""
    return fig.first_collected is None or fig.until <= fig.first_collected


def coverage_sentence(fig: PeriodFigures) -> str:
    """What the figures of a period before collection started mean (nothing, not 无舆情)."""
    if fig.first_collected is None:
        return "系统尚未采集到任何信息，本期数据不反映实际舆情。"
    return f"系统自{t.when(fig.first_collected)}起开始采集信息，本期在此之前，没有监测数据，不代表本期无舆情。"


def _coverage(fig: PeriodFigures) -> list[Block]:
    if before_collection(fig):
        return [Paragraph(coverage_sentence(fig), lead="数据覆盖：")]
    health = Table("信息源运行状况", (Column("信息源"), Column("平台"), Column("当前状态"), Column("原因"),
                                Column("本期运行次数", "int"), Column("其中异常", "int")),
                   tuple((s.name, t.platform_name(s.platform), HEALTH_NAMES.get(s.health, s.health), s.reason,
                          s.runs, s.failed_runs) for s in fig.sources_health), sheet="信息源",
                   empty="本期无自动采集信息源的运行记录（信息来自导入文件）。")
    gaps = Table("采集覆盖缺口", (Column("信息源"), Column("类型"), Column("开始", "time"), Column("结束", "time"),
                              Column("原因")),
                 tuple((g.source, "信息源中断" if g.kind == "outage" else "搜索结果超出翻页上限", g.start_at, g.end_at, g.reason)
                       for g in fig.gaps), sheet="覆盖缺口", empty="本期未发现采集覆盖缺口，数据完整。")
    return [health, gaps]


def _judgement(fig: PeriodFigures) -> list[Block]:
    """研判与风险提示: computed sentences, each with its figure (``judgement.period_judgement``)."""
    said = period_judgement((fig.platforms, fig.previous_platforms), (fig.topics, fig.previous_topics),
                            (fig.sentiment, fig.previous_sentiment), _platform_names(fig),
                            (fig.rumour_total, fig.rumour_answered), fig.returning, fig.overdue_total, fig.due_soon,
                            fig.until)
    return [Paragraph(sentence, lead=f"{i + 1}．") for i, sentence in enumerate(said)]


def _advice(fig: PeriodFigures, head: Letterhead) -> list[Block]:
    if before_collection(fig):
        return [Paragraph(coverage_sentence(fig))]
    judged = _judgement(fig)
    notes: list[str] = []
    if fig.overdue_total:
        ids = t.listing([str(i) for i in fig.overdue_ids]) + ("等" if fig.overdue_total > len(fig.overdue_ids) else "")
        notes.append(f"{fig.overdue_total}起事件超时未完成回应（事件{ids}），"
                     f"请{t.listing(list(head.coordinators))}督促责任单位尽快回应。")
    if fig.rumour_total > fig.rumour_answered:
        notes.append(f"谣言类信息{fig.rumour_total - fig.rumour_answered}起尚未回应，建议责任单位会同“云和发布”及时辟谣。")
    if fig.topics:
        notes.append(f"{fig.topics[0].name}领域信息量最多（{fig.topics[0].count}条），请主管部门加强关注。")
    if fig.gaps:
        notes.append("部分信息源采集中断或不完整，请运维人员核查，相关时段必要时人工补充监测。")
    notes.append("请各单位继续做好日常监测，对需重点回应的信息按时限要求及时回应。")
    head_judged = [Paragraph("以下各项均据本期数据计算。", lead="研判与风险提示：")] if judged else []
    return [*head_judged, *judged, Paragraph("", lead="工作建议："),
            *(Paragraph(n, lead=f"{NUMERALS[i]}是") for i, n in enumerate(notes))]


def periodic_document(fig: PeriodFigures, words: tuple[Count, ...], head: Letterhead,
                      first: list[Block] | None = None) -> Document:
    """``first``: the section that opens the report (what needs a decision now), when given."""
    kind, period = fig.period.kind, fig.period
    notices = [coverage_sentence(fig)] if before_collection(fig) else []
    notices += [f"本期数据不完整：{len(fig.gaps)}处信息源采集中断或搜索结果不完整（见“信息源与数据完整性”），相关时段的信息可能缺失。"] \
        if fig.gaps else []
    if not fig.complete:
        notices.append(f"本期尚未结束，数据截至{t.when(fig.until)}。")
    opening = (("需要决策的事项", first),) if first else ()
    body = sections(*opening, ("总体情况", _overall(fig)), ("传播渠道", _channels(fig)), ("热点领域与热词", _topics(fig, words)),
                    ("舆情事件", _events(fig)), ("重点关注信息", _key_items(fig)),
                    ("信息源与数据完整性", _coverage(fig)), ("工作提示", _advice(fig, head)))
    return Document(
        kind=kind, masthead=head.masthead(kind), number=head.number(period.start, period.issue), issuer=head.issuer,
        issued=fig.now, title=f"{period.label}{REPORT_NAMES[kind]}", summary=periodic_summary(fig, words, head),
        notices=tuple(notices), sections=body,
        basis=(f"统计口径：信息按系统首次监测到的时间计入本期（{period.label}，北京时间）；涉{head.short}信息指研判为与本县政务相关的信息；"
               f"走势图按信息发布时间（未知或仅知日期的按监测时间）统计；"
               f"事件等级、办理状态与时限情况截至{t.when(fig.now)}；环比与上一{UNIT_OF[kind]}同一时段比较。"),
        distribution=head.distribution,
        meta={"报告": REPORT_NAMES[kind], "周期": period.label, "开始": f"{period.start:%Y-%m-%d %H:%M}",
              "结束": f"{period.end:%Y-%m-%d %H:%M}", "数据截至": t.when(fig.until), "生成时间": t.when(fig.now)},
    )
