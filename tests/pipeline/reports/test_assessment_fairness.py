"""考核 is fair by construction (RULES.md §5), on both engines: a unit that returned an item
before its milestone fell due is not charged with it (the time without an owner is the
coordinators'); a milestone is charged to the unit that held it when it fell due, even if it was
moved on afterwards, and never to the unit it was carried over to; a milestone not due yet is
shown as in time so far; a period with nothing due says so; rates and median times are given; a
co-handling department's own work is shown; a merged-away duplicate is not counted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline.queries.assessment import COORDINATORS_KIND, AssessmentFigures, assessment_figures
from pipeline.reports.docx import render_docx
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.timeparse import SHANGHAI
from tests.pipeline.reports.conftest import body, sheets, text_of, word
from tests.pipeline.reports.seed import _assign, _deadline, _event, _respond

DEC_NOW = datetime(2026, 12, 20, 12, 0, tzinfo=SHANGHAI)
DECEMBER = Period.containing("monthly", date(2026, 12, 1))


def dec(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def seed_december(s: Session) -> None:
    """December's work, each item one rule of §5 (see the module docstring)."""
    # Returned three hours before its 48 h ran out; not reassigned yet.
    e1 = _event(s, "浮云街道噪音扰民", "一般", "城乡建设", dec(1, 10))
    a1 = _assign(s, e1, "浮云街道", "primary", "returned", dec(1, 10), returned_at=dec(3, 7), return_reason="不属本单位")
    _deadline(s, a1, "response", dec(1, 10), 48)
    # Returned before due, reassigned only after due: the copy carried to 石塘镇 was already overdue.
    e2 = _event(s, "元和街道违建", "一般", "城乡建设", dec(5, 10))
    a2 = _assign(s, e2, "元和街道", "primary", "withdrawn", dec(5, 10), returned_at=dec(6, 10), withdrawn_at=dec(8, 10))
    _deadline(s, a2, "response", dec(5, 10), 48, cancelled=dec(8, 10))
    b2 = _assign(s, e2, "石塘镇", "primary", "responded", dec(8, 10))
    _deadline(s, b2, "response", dec(5, 10), 48, met=dec(8, 12))
    # Missed by 赤石乡 while it held it; moved to 崇头镇 the next day.
    e3 = _event(s, "赤石乡道路塌方", "一般", "交通运输", dec(10, 10))
    a3 = _assign(s, e3, "赤石乡", "primary", "withdrawn", dec(10, 10), withdrawn_at=dec(13, 10))
    _deadline(s, a3, "response", dec(10, 10), 48, cancelled=dec(13, 10))
    b3 = _assign(s, e3, "崇头镇", "primary", "dispatched", dec(13, 10))
    _deadline(s, b3, "response", dec(10, 10), 48)
    # Running: one milestone met before its due time, one not due yet; a co-handling department.
    e4 = _event(s, "紧水滩镇山体滑坡", "重大", "农村农业", dec(20, 8), categories=("突发事件",))
    a4 = _assign(s, e4, "紧水滩镇", "primary", "accepted", dec(20, 8), accepted_at=dec(20, 8, 30))
    _deadline(s, a4, "authoritative_info", dec(20, 8), 5, met=dec(20, 9))
    _deadline(s, a4, "press_conference", dec(20, 8), 24)
    _respond(s, e4, a4, "发布权威信息", dec(20, 9))
    c4 = _assign(s, e4, "县应急管理局", "cooperating", "closed", dec(20, 8), accepted_at=dec(20, 9), closed_at=dec(20, 11))
    _respond(s, e4, c4, "接受媒体采访", dec(20, 10))
    _assign(s, e4, "县政府办公室", "coordinator", "dispatched", dec(20, 8))
    # A duplicate merged into e4: not an event, its overdue milestone counts for nobody.
    e5 = _event(s, "紧水滩镇滑坡（重复）", "一般", "农村农业", dec(2, 8))
    e5.merged_into = e4.id
    a5 = _assign(s, e5, "安溪畲族乡", "primary", "dispatched", dec(2, 8))
    _deadline(s, a5, "response", dec(2, 8), 48)
    s.flush()


def _figures(rt: Runtime, period: Period = DECEMBER) -> AssessmentFigures:
    with rt.session() as s:
        seed_december(s)
    return rt.read(assessment_figures, period, DEC_NOW)


def test_a_milestone_is_charged_to_its_owner_when_it_fell_due(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    fig = _figures(rt)
    units = {u.unit: u for u in fig.units}
    # Returned before due: the returner is not charged; the unowned time is the coordinators'.
    assert units["浮云街道"].total.due == 0 and units["浮云街道"].overdue == 0 and units["浮云街道"].returned == 1
    assert units["元和街道"].total.due == 0 and units["元和街道"].overdue == 0
    coordinators = next(u for u in fig.units if u.kind == COORDINATORS_KIND)
    assert coordinators.unit == "协调单位（退回待改派期间）"
    assert (coordinators.total.due, coordinators.overdue, coordinators.unanswered) == (2, 2, 1)
    # Missed while held: charged to 赤石乡, not to 崇头镇 that received it already overdue.
    assert (units["赤石乡"].total.due, units["赤石乡"].overdue, units["赤石乡"].unanswered) == (1, 1, 0)
    assert units["崇头镇"].total.due == 0 and units["崇头镇"].overdue == 0 and units["崇头镇"].received == 1
    assert units["石塘镇"].total.due == 0 and units["石塘镇"].overdue == 0 and units["石塘镇"].received == 1
    # The merged-away duplicate is nobody's.
    assert "安溪畲族乡" not in units
    late = {(c.unit, c.event_id) for c in fig.late_cases}
    assert {u for u, _ in late} == {coordinators.unit, "赤石乡"}


def test_not_due_yet_is_in_time_so_far_with_rates_and_medians(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    fig = _figures(rt)
    town = next(u for u in fig.units if u.unit == "紧水滩镇")
    info, press = town.tally("authoritative_info"), town.tally("press_conference")
    assert (info.due, info.upcoming, info.met_early) == (0, 1, 1) and info.text() == "按时至今（未到期1，已完成1）"
    assert (press.due, press.upcoming) == (0, 1) and town.total.rate is None and town.overdue == 0
    assert (town.accepted, town.median_accept_hours) == (1, 0.5)
    assert (town.responded, town.median_first_response_hours) == (1, 1.0)
    # The co-handling department: its own work, not a dash.
    dept = next(u for u in fig.units if u.unit == "县应急管理局")
    assert (dept.received, dept.received_cooperating, dept.accepted, dept.median_accept_hours) == (1, 1, 1, 1.0)
    assert (dept.responded, dept.median_first_response_hours, dept.closed, dept.median_close_hours) == (1, 2.0, 1, 3.0)
    assert dept.tally("response").text() == "本期无到期"
    # Ordered by on-time rate (0% before 100%), nothing due last.
    rates = [u.total.rate for u in fig.units]
    assert rates[:2] == [0.0, 0.0] and all(r is None for r in rates[2:])
    assert fig.units[0].kind == COORDINATORS_KIND      # 0% with 2 overdue before 0% with 1
    # The 通报 states the rate beside the counts and names the units by rate.
    doc = build(rt, Spec("assessment", DECEMBER), DEC_NOW)
    assert "本期到期的回应时限节点3个，按时完成0个，按时率0.0%；超时3个（其中仍未完成1个）" in doc.summary
    assert "尚未到期的时限节点2个，按时至今（其中已完成1个）" in doc.summary
    rows = {r[1]: r for r in body(sheets(render_xlsx(doc))["各单位情况"])}
    assert rows["紧水滩镇"][8:10] == (2, "按时至今") and rows["赤石乡"][5:7] == (0.0, 1)
    text = text_of(word(render_docx(doc)))
    assert "按时至今" in text and "退回后尚未改派期间有2个时限节点超时" in text
    assert "协调单位（退回待改派期间）仍有超时未完成" not in text


def test_a_period_with_nothing_due_says_so(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    day = Period.containing("daily", date(2026, 12, 20))
    fig = _figures(rt, day)
    assert fig.total.due == 0 and fig.total.upcoming == 1      # the 13:00 authoritative information, met at 09:00
    doc = build(rt, Spec("assessment", day), DEC_NOW)
    assert "本期无到期事项" in doc.summary and "按时至今" in doc.summary
    assert "均按时" not in doc.summary and "均已按时" not in doc.summary
