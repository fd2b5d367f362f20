"""The 考核通报 of the seeded month on both engines: each unit's items received, on-time rate
per milestone, overdue, milestones not due yet, median time to first response and returned
items equal what is computed here from the rows; milestones cancelled before they fell due are
left out, a late one stays late; the table is sorted for 通报 (lowest on-time rate first) and the
late cases are listed one by one."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import select

from pipeline.queries.headlines import headlines
from pipeline.reports.docx import render_docx
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.storage.models import Assignment, Deadline, Response, Unit
from pipeline.vocabulary import MILESTONE_NAMES, MILESTONES
from tests.pipeline.reports.conftest import body, headings, sheets, text_of, word
from tests.pipeline.reports.seed import NOW

SHORT = {"authoritative_info": "权威信息", "press_conference": "发布会", "response": "回应"}


def _truth(rt: Runtime, period: Period) -> dict[str, dict[str, Any]]:
    until = min(period.end, NOW)
    units: dict[str, dict[str, Any]] = defaultdict(lambda: {"received": 0, "primary": 0, "due": defaultdict(int),
                                                            "on_time": defaultdict(int), "overdue": 0, "open": 0,
                                                            "upcoming": 0, "waits": [], "returned": 0})
    with rt.session() as s:
        names = dict(s.execute(select(Unit.id, Unit.name)).all())
        assignments = list(s.scalars(select(Assignment)))
        responses = list(s.scalars(select(Response)))
        for a in assignments:
            u = units[names[a.unit_id]]
            if a.role != "coordinator" and period.start <= a.created_at <= until:
                u["received"] += 1
                u["primary"] += a.role == "primary"
                answers = [r.responded_at for r in responses if r.unit_id == a.unit_id and r.event_id == a.event_id
                           and r.responded_at <= NOW]
                if answers:
                    u["waits"].append((min(answers) - a.created_at).total_seconds() / 3600)
            if a.returned_at is not None and period.start <= a.returned_at <= until:
                u["returned"] += 1
            for d in s.scalars(select(Deadline).where(Deadline.assignment_id == a.id)):
                if not period.start <= d.due_at < period.end or (d.cancelled_at and d.cancelled_at <= min(d.due_at, NOW)):
                    continue
                if d.due_at > NOW:
                    u["upcoming"] += 1
                    continue
                u["due"][d.milestone] += 1
                in_time = d.met_at is not None and d.met_at <= d.due_at
                u["on_time"][d.milestone] += in_time
                u["overdue"] += not in_time
                u["open"] += d.met_at is None
    return {name: u for name, u in units.items()
            if u["received"] or sum(u["due"].values()) or u["upcoming"] or u["returned"]}


def test_every_unit_figure_equals_the_database(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    period = Period.containing("monthly", date(2026, 11, 1))
    truth = _truth(rt, period)
    doc = build(rt, Spec("assessment", period), NOW)
    book = sheets(render_xlsx(doc))
    rows = {r[1]: r for r in body(book["各单位情况"])}
    assert set(rows) == set(truth) and len(rows) == 9
    for unit, t in truth.items():
        _, _, received, due, on_time, rate, overdue, still_open, upcoming, state, returned = rows[unit]
        assert (received, due, on_time) == (t["received"], sum(t["due"].values()), sum(t["on_time"].values())), unit
        assert rate == (on_time / due if due else None)
        assert (overdue, still_open, upcoming, returned) == (t["overdue"], t["open"], t["upcoming"], t["returned"]), unit
        assert state == ("有超时" if overdue else "均按时" if due else "按时至今" if upcoming else "无到期")
    work = {r[0]: r for r in body(book["办理情况"])}
    for unit, t in truth.items():
        if t["received"]:
            assert work[unit][2] == t["primary"], unit
            wait, answered = work[unit][7], work[unit][6]
            assert answered == len(t["waits"]), unit
            assert (wait is None) == (not t["waits"]) and (wait is None or abs(wait - median(t["waits"])) < 1e-6), unit
    per_milestone = {r[0]: r[1:] for r in body(book["各节点按时率"])}
    for unit, values in per_milestone.items():
        for i, m in enumerate(MILESTONES):
            d, ok, rate, _ = values[4 * i: 4 * i + 4]
            assert (d, ok) == (truth[unit]["due"][m], truth[unit]["on_time"][m]), (unit, m)
            assert rate == (ok / d if d else None)
    header = book["各节点按时率"][0]
    assert header[1:4] == tuple(f"{SHORT['authoritative_info']}{w}" for w in ("到期", "按时", "按时率"))
    # Sorted for 通报: the lowest on-time rate first (the most overdue among equals); nothing due last.
    order = [r[1] for r in body(book["各单位情况"])]
    assert order[:3] == ["县住房和城乡建设局", "赤石乡", "崇头镇"] and order.index("元和街道") < order.index("浮云街道")
    assert rows["崇头镇"][3:6] == (2, 1, 0.5) and rows["赤石乡"][3:6] == (1, 0, 0.0)  # its cancelled milestone left out
    assert rows["县住房和城乡建设局"][6:8] == (1, 1) and rows["县住房和城乡建设局"][10] == 1
    assert rows["浮云街道"][8:10] == (1, "按时至今")    # its 48 h are not over: in time so far, not absent
    assert abs(work["崇头镇"][7] - (4 + 40 / 60)) < 1e-9 and work["浮云街道"][7] is None
    # A co-handling department shows its own work (signed, answered, closed), not a dash.
    assert work["县委网信办"][1:6] == (1, 0, 1, 1, 1.0) and rows["县委网信办"][9] == "无到期"


def test_late_cases_are_listed_and_the_document_reads_as_a_notice(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    doc = build(rt, Spec("assessment", Period.containing("monthly", date(2026, 11, 1))), NOW)
    late = body(sheets(render_xlsx(doc))["超时事项"])
    with rt.session() as s:
        titles = headlines(s, list(events_ids := [e.id for e in events.values()]))
    assert set(titles) == set(events_ids)
    cases = {(r[0], r[3], r[4]) for r in late}
    assert cases == {(events["old"].id, "县住房和城乡建设局", MILESTONE_NAMES["response"]),
                     (events["before"].id, "赤石乡", MILESTONE_NAMES["response"]),
                     (events["bus"].id, "崇头镇", MILESTONE_NAMES["press_conference"])}
    assert all(r[1] == titles[r[0]] for r in late)          # events named by their headline, as every report names them
    by_event = {r[0]: r for r in late}
    assert by_event[events["old"].id][6] is None and abs(by_event[events["old"].id][7] - 22.0) < 1e-9  # unmet: to now
    assert abs(by_event[events["before"].id][7] - 1.0) < 1e-9
    assert "本期到期的回应时限节点4个，按时完成1个，按时率25.0%；超时3个（其中仍未完成1个）；尚未到期的时限节点3个，按时至今" \
        in doc.summary
    assert "3个单位存在超时情况，予以通报，按时率较低的是：县住房和城乡建设局按时率0.0%、超时1个；" in doc.summary
    assert "均按时" not in doc.summary
    document = word(render_docx(doc))
    assert headings(document) == ["一、总体情况", "二、各单位回应情况", "三、超时事项", "四、有关要求"]
    text = text_of(document)
    assert "云和县政务考核通报" in text and "县住房和城乡建设局仍有超时未完成的回应事项" in text


def test_a_period_without_work_says_there_is_nothing_to_assess(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    doc = build(rt, Spec("assessment", Period.containing("monthly", date(2026, 9, 1))), NOW)
    assert doc.summary == "2026年9月，各单位无交办的舆情事项，也无到期的回应时限，本期无考核数据。"
    assert body(sheets(render_xlsx(doc))["各单位情况"]) == []
