"""The 考核通报 as a ``Document`` (RULES.md §5; the notice's §8, 通报 and 约谈): the per-unit
table — items received, on-time rate per milestone beside its counts, overdue, milestones not
due yet (in time so far), returned items; each unit's 签收 / 回应 / 办结 with median times — sorted
for 通报 (the lowest on-time rate first), a chart of the on-time rates, the
late cases one by one, and the requirements that follow from them.
"""

from __future__ import annotations

from pipeline.queries.assessment import COORDINATORS_KIND, AssessmentFigures, Tally
from pipeline.reports import charts
from pipeline.reports import templates as t
from pipeline.reports.compose import Letterhead, sections
from pipeline.reports.document import Block, Chart, Column, Document, Kind, Paragraph, Table
from pipeline.vocabulary import MILESTONE_NAMES, MILESTONES, REPORT_NAMES


def _state_cell(tally: Tally, overdue: int) -> str:
    """The unit's time-limit state in words, beside its rate (never a bare dash)."""
    if tally.due:
        return "有超时" if overdue else "均按时"
    return "按时至今" if tally.upcoming else "无到期"


def _named(fig: AssessmentFigures) -> str:
    """The first five units with overdue milestones (lowest on-time rate first), each with its rate and count."""
    named = [f"{u.unit}按时率{t.percent(u.total.rate)}、超时{u.overdue}个" for u in fig.units if u.overdue][:5]
    return t.listing(named, "；")


def assessment_summary(fig: AssessmentFigures) -> str:
    label = fig.period.label + ("" if fig.complete else f"（截至{t.when(fig.until)}）")
    if not fig.units:
        return f"{label}，各单位无交办的舆情事项，也无到期的回应时限，本期无考核数据。"
    total = fig.total
    received = sum(u.received for u in fig.units)
    text = (f"{label}，{sum(1 for u in fig.units if u.kind != COORDINATORS_KIND)}个单位共收到交办舆情事项{received}件"
            f"（其中牵头{sum(u.received_primary for u in fig.units)}件），"
            f"签收{sum(u.accepted for u in fig.units)}件、回应{sum(u.responded for u in fig.units)}件、"
            f"办结{sum(u.closed for u in fig.units)}件；")
    if total.due:
        text += (f"本期到期的回应时限节点{total.due}个，按时完成{total.on_time}个，按时率{t.percent(total.rate)}；"
                 f"超时{sum(u.overdue for u in fig.units)}个（其中仍未完成{sum(u.unanswered for u in fig.units)}个）；")
    else:
        text += "本期无到期事项；"
    if total.upcoming:
        text += f"尚未到期的时限节点{total.upcoming}个，按时至今（其中已完成{total.met_early}个）；"
    text += f"退回{sum(u.returned for u in fig.units)}件。"
    late_units = sum(1 for u in fig.units if u.overdue)
    if late_units:
        text += f"{late_units}个单位存在超时情况，予以通报，按时率较低的是：{_named(fig)}。"
    elif total.due:
        text += "本期到期的时限节点均已按时完成。"
    return text


SHORT = {"authoritative_info": "权威信息", "press_conference": "发布会", "response": "回应"}


def _totals(fig: AssessmentFigures) -> Table:
    total = fig.total
    rows = (("承办单位（个）", sum(1 for u in fig.units if u.kind != COORDINATORS_KIND)),
            ("收到交办（件）", sum(u.received for u in fig.units)),
            ("其中牵头（件）", sum(u.received_primary for u in fig.units)),
            ("已签收（件）", sum(u.accepted for u in fig.units)), ("已回应（件）", sum(u.responded for u in fig.units)),
            ("已办结（件）", sum(u.closed for u in fig.units)), ("到期时限节点（个）", total.due),
            ("按时完成（个）", total.on_time), ("超时（个）", sum(u.overdue for u in fig.units)),
            ("其中仍未完成（个）", sum(u.unanswered for u in fig.units)),
            ("未到期时限节点，按时至今（个）", total.upcoming), ("退回（件）", sum(u.returned for u in fig.units)))
    return Table("主要数据", (Column("指标"), Column("数值", "int")), rows, sheet="主要数据")


def _table(fig: AssessmentFigures) -> Table:
    columns = (Column("序号", "int"), Column("单位"), Column("收到交办（件）", "int"), Column("到期节点（个）", "int"),
               Column("按时完成（个）", "int"), Column("按时率", "percent"), Column("超时（个）", "int"),
               Column("其中未完成（个）", "int"), Column("未到期（个）", "int"), Column("时限情况"), Column("退回（件）", "int"))
    rows = tuple((i + 1, u.unit, u.received, u.total.due, u.total.on_time, u.total.rate, u.overdue, u.unanswered,
                  u.total.upcoming, _state_cell(u.total, u.overdue), u.returned) for i, u in enumerate(fig.units))
    return Table("各单位回应时限按时情况（按时率低的在前）", columns, rows, sheet="各单位情况", empty="本期无交办事项。")


def _work_table(fig: AssessmentFigures) -> Table:
    """Each unit's own work on the items it received — 牵头 and 配合 alike: 签收, 回应, 办结."""
    columns = (Column("单位"), Column("收到交办（件）", "int"), Column("其中牵头（件）", "int"), Column("其中配合及移交（件）", "int"),
               Column("已签收（件）", "int"), Column("签收用时中位数（小时）", "hours"), Column("已回应（件）", "int"),
               Column("首次回应用时中位数（小时）", "hours"), Column("已办结（件）", "int"),
               Column("办结用时中位数（小时）", "hours"))
    rows = tuple((u.unit, u.received, u.received_primary, u.received_cooperating, u.accepted, u.median_accept_hours,
                  u.responded, u.median_first_response_hours, u.closed, u.median_close_hours)
                 for u in fig.units if u.received)
    return Table("各单位签收、回应、办结情况（用时自分办起计）", columns, rows, sheet="办理情况", empty="本期无交办事项。")


def _milestone_table(fig: AssessmentFigures) -> Table:
    """Per unit and milestone: due, met on time, on-time rate, not due yet (units with any)."""
    parts: tuple[tuple[str, Kind], ...] = (("到期", "int"), ("按时", "int"), ("按时率", "percent"), ("未到期", "int"))
    columns = (Column("单位"), *(Column(f"{SHORT[m]}{what}", kind) for m in MILESTONES for what, kind in parts))
    rows = tuple((u.unit, *(v for m in MILESTONES for v in (u.tally(m).due, u.tally(m).on_time, u.tally(m).rate,
                                                              u.tally(m).upcoming)))
                 for u in fig.units if u.total.due or u.total.upcoming)
    return Table("各时限节点按时情况（权威信息：发布权威信息；发布会：新闻发布会；回应：予以回应）", columns, rows,
                 sheet="各节点按时率", empty="本期无到期或在办的回应时限节点。")


def _chart(fig: AssessmentFigures) -> list[Block]:
    rated = [u for u in fig.units if u.total.rate is not None][:15]
    if not rated:
        return []
    return [Chart("各单位回应时限按时率（按通报顺序，至多15个单位）",
                  charts.bar_chart([u.unit for u in rated], [u.total.rate or 0.0 for u in rated], "按时率", percent=True))]


def _late(fig: AssessmentFigures) -> Table:
    return Table("超时事项", (Column("事件编号", "int"), Column("事件", clip=48), Column("等级"), Column("责任单位"), Column("时限节点"),
                          Column("应完成时间", "time"), Column("实际完成时间", "time"), Column("超时（小时）", "hours")),
                 tuple((c.event_id, c.title, c.grade, c.unit, MILESTONE_NAMES.get(c.milestone, c.milestone), c.due_at,
                        c.met_at, c.late_hours) for c in fig.late_cases), sheet="超时事项", empty="本期无超时事项。")


def _requirements(fig: AssessmentFigures, head: Letterhead) -> list[Block]:
    notes = []
    open_units = [u.unit for u in fig.units if u.unanswered and u.kind != COORDINATORS_KIND]
    if open_units:
        notes.append(f"{t.listing(open_units)}仍有超时未完成的回应事项，请于接到通报后立即回应，"
                     f"并向{t.listing(list(head.coordinators))}说明情况。")
    unowned = next((u for u in fig.units if u.kind == COORDINATORS_KIND and u.overdue), None)
    if unowned is not None:
        notes.append(f"退回后尚未改派期间有{unowned.overdue}个时限节点超时，请{t.listing(list(head.coordinators))}"
                     "收到退回后及时改派，明确责任主体。")
    elif any(u.returned for u in fig.units):
        notes.append("对退回的事项，请协调单位及时改派，明确责任主体，避免推诿。")
    notes.append("各单位要严格落实“属地管理、分级负责、谁主管谁负责”原则，在规定时限内发布权威信息、予以回应。")
    notes.append("回应情况纳入年度考核；对多次超时、迟报漏报的单位，视情进行约谈。")
    return [Paragraph(n, lead=f"{'一二三四五六'[i]}是") for i, n in enumerate(notes)]


def assessment_document(fig: AssessmentFigures, head: Letterhead) -> Document:
    period = fig.period
    notices = [] if fig.complete else [f"本期尚未结束，数据截至{t.when(fig.until)}。"]
    body = sections(("总体情况", [_totals(fig)]),
                    ("各单位回应情况", [_table(fig), _milestone_table(fig), _work_table(fig), *_chart(fig)]),
                    ("超时事项", [_late(fig)]), ("有关要求", _requirements(fig, head)))
    return Document(
        kind="assessment", masthead=head.masthead("assessment"), number=head.number(period.start, period.issue),
        issuer=head.issuer, issued=fig.now, title=f"{period.label}政务舆情回应情况{REPORT_NAMES['assessment']}",
        summary=assessment_summary(fig), notices=tuple(notices), sections=body,
        basis=("统计口径：收到交办按分办时间计入本期（牵头、配合、线索移交，不含协调督办）；时限节点按应完成时间计入本期，"
               "计入节点到期时负责该事项的单位：到期前已退回的，不计入退回单位，退回至改派期间计入协调单位；"
               "到期前已取消的节点不计，超时完成的仍计为超时；尚未到期的节点计为“未到期·按时至今”；"
               "签收、首次回应、办结用时均自分办起计；已并入其他事件的重复事件不计；"
               f"各项截至{t.when(fig.now)}。排序：按时率低的在前（同时列出到期数与超时数），本期无到期节点的单位列后。"),
        distribution=head.distribution,
        meta={"报告": REPORT_NAMES["assessment"], "周期": period.label, "数据截至": t.when(fig.until),
              "生成时间": t.when(fig.now)},
    )
