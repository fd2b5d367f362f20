"""Page 1 of every periodic report: what needs a decision now (issue 17) — the same lists as the
first screen of the web app (``pipeline.queries.attention``): open 特别重大 / 重大 events with their
owner and time left, overdue milestones by unit, events rising fast, rumours nobody has answered,
urgent alerts nobody has acknowledged. Counted in full; each list shows at most ``SHOWN`` rows
with "另有N起" beneath."""

from __future__ import annotations

from datetime import datetime

from pipeline.queries.attention import Attention, EventLine, OverdueMilestone
from pipeline.reports import templates as t
from pipeline.reports.compose import more_rows
from pipeline.reports.document import Block, Column, Paragraph, Table
from pipeline.rules.deadlines import time_left
from pipeline.vocabulary import MILESTONE_NAMES

SHOWN = 10


def decisions(att: Attention, alerts_total: int, names: dict[int, str], now: datetime) -> list[Block]:
    """The section's blocks, as of ``now`` (the report's making, not the period's end);
    ``alerts_total``: events with an unacknowledged urgent alert, counted (``att.alerts`` is cut)."""
    overdue = sum(len(items) for _, items in att.overdue_by_unit)
    lead = (f"截至{t.when(now)}，在办特别重大、重大事件{len(att.serious)}起，超时未完成的时限{overdue}项，"
            f"快速升温事件{len(att.rising)}起，尚未回应的谣言{len(att.rumours)}起，"
            f"有未确认紧急预警的事件{alerts_total}起。")
    blocks: list[Block] = [Paragraph(lead)]
    if att.serious:
        blocks += [_events("在办特别重大、重大事件", att.serious, names, now)]
        blocks += more_rows(min(SHOWN, len(att.serious)), len(att.serious))
    if att.overdue_by_unit:
        blocks += [_overdue(att, names, now)]
    for title, lines in (("快速升温事件", att.rising), ("尚未回应的谣言", att.rumours)):
        if lines:
            blocks += [_events(title, lines, names, now), *more_rows(min(SHOWN, len(lines)), len(lines))]
    if att.alerts:
        shown = att.alerts[:SHOWN]
        blocks += [Table("未确认的紧急预警", (Column("编号", "int"), Column("事件", clip=40), Column("等级"),
                                         Column("未确认的接收方"), Column("发出时间")),
                         tuple((a.event_id, names.get(a.event_id or 0, a.title), a.grade, "、".join(a.recipients),
                                t.when(a.created_at)) for a in shown), sheet="未确认预警")]
        blocks += more_rows(len(shown), alerts_total)
    return blocks


def _events(title: str, lines: list[EventLine], names: dict[int, str], now: datetime) -> Table:
    columns = (Column("编号", "int"), Column("事件", clip=40), Column("等级"), Column("牵头单位"),
               Column("下一时限"), Column("剩余时间"))
    rows = tuple((e.event_id, names.get(e.event_id, e.title), e.grade, e.owner or "待改派",
                  MILESTONE_NAMES.get(e.milestone or "", "—"),
                  time_left(e.due_at, now) if e.due_at else "—") for e in lines[:SHOWN])
    return Table(title, columns, rows, sheet=title[:31])


def _overdue(att: Attention, names: dict[int, str], now: datetime) -> Table:
    def item(m: OverdueMilestone) -> str:
        return f"{names.get(m.event_id, m.title)}（{MILESTONE_NAMES.get(m.milestone, m.milestone)}，{time_left(m.due_at, now)}）"

    rows = tuple((unit, len(items), "；".join(item(m) for m in items[:3])) for unit, items in att.overdue_by_unit)
    return Table("超时未完成的时限（按单位）", (Column("单位"), Column("超时（项）", "int"), Column("最久的几项", clip=120)),
                 rows, sheet="超时时限")
