"""A generated month (about five thousand posts, triaged half a day at a time; some items answered, some
returned, a few duplicates merged by an analyst), on both engines: every count the 舆情日报,
周报 and 月报 state — in the Word file, the workbook and the web page — equals the count taken
here straight from the tables with SQL, whatever the length of the lists the reports cut to
their first rows; merged-away duplicates are not events; no sentence quotes a cut list's length;
page 1 (需要决策的事项) counts what is open now as SQL does."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import lxml.html
import pytest
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from pipeline.actions.merging import merge_events
from pipeline.actions.work import accept, record_response, return_item
from pipeline.config import Config
from pipeline.queries.report_figures import KEY_ITEMS, TOP_EVENTS
from pipeline.reports.compose_decisions import SHOWN
from pipeline.reports.docx import render_docx
from pipeline.reports.html import render_html
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.storage.models import Alert, Assignment, Deadline, Event, Post, Response, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from pipeline.vocabulary import GRADES
from tests.pipeline.month import triage_month
from tests.pipeline.reports.conftest import body, sheets, text_of, word

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
PERIODS = [Period.containing("daily", date(2026, 11, 18)), Period.containing("weekly", date(2026, 11, 18)),
           Period.containing("monthly", date(2026, 11, 1))]

MATTERS = 2400    # 5,020 posts: the size of month issue 17 was found on

pytestmark = pytest.mark.slow


def _owners(s: Session) -> list[tuple[int, str, datetime, bool]]:
    stmt = (select(Event.id, Unit.name, Event.first_seen_at, Event.rumor).join(Assignment, Assignment.event_id == Event.id)
            .join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.role == "primary", Assignment.status != "withdrawn", Event.merged_into.is_(None))
            .order_by(Event.id))
    return [(eid, unit, seen, bool(rumor)) for eid, unit, seen, rumor in s.execute(stmt)]


def _work_the_month(rt: Runtime, cfg: Config) -> None:
    """Some items signed for, answered in time or late, returned before their deadline; five
    pairs of duplicates merged by an analyst."""
    with rt.session() as s:
        for i, (eid, unit, seen, rumor) in enumerate(_owners(s)):
            if i % 3 == 0:
                accept(s, cfg, eid, unit, actor="值班员", now=seen + timedelta(hours=1))
            if i % 4 == 0 or (rumor and i % 2 == 0):
                at = seen + timedelta(hours=3 if i % 8 else 60)
                record_response(s, cfg, eid, unit, "网络问政回复", link="https://yunhe.example/r", at=at, actor="值班员",
                                now=max(at, seen + timedelta(hours=1)))
            elif i % 17 == 5:
                return_item(s, cfg, eid, unit, reason="不属本单位职责", actor="值班员", now=seen + timedelta(hours=40))
    with rt.session() as s:
        ids = list(s.scalars(select(Event.id).where(Event.relevant.is_(True), Event.merged_into.is_(None),
                                                    Event.first_seen_at >= PERIODS[1].start,
                                                    Event.first_seen_at < PERIODS[1].end).order_by(Event.id)))
        for keep, other in list(zip(ids[::2], ids[1::2], strict=False))[:5]:
            merge_events(s, cfg, keep, [other], reason="同一事件", actor="分析员", now=NOW - timedelta(hours=1))


def _truth(s: Session, period: Period) -> dict[str, Any]:
    """The period's counts, each its own SQL statement (not the report queries)."""
    start, end = period.start, min(period.end, NOW)
    in_span = and_(Post.relevant.is_(True), Post.first_seen_at >= start, Post.first_seen_at < end)
    events = (select(Event.id).join(Post, Post.event_id == Event.id)
              .where(in_span, Event.relevant.is_(True), Event.merged_into.is_(None)).distinct().subquery())
    of_events = Event.id.in_(select(events.c.id))
    count = lambda *where: int(s.scalar(select(func.count()).select_from(Event).where(of_events, *where)) or 0)  # noqa: E731
    new = and_(Event.first_seen_at >= start, Event.first_seen_at < end)
    owner_deadline = and_(Assignment.event_id == Event.id, Assignment.role == "primary", Assignment.status != "withdrawn",
                          Deadline.assignment_id == Assignment.id)
    overdue = exists(select(Deadline.id).select_from(Deadline).join(Assignment, Assignment.id == Deadline.assignment_id)
                     .where(owner_deadline, Deadline.due_at <= NOW,
                            (Deadline.met_at.is_(None)) | (Deadline.met_at > NOW),
                            (Deadline.cancelled_at.is_(None)) | (Deadline.cancelled_at > NOW)))
    transferred = exists(select(Assignment.id).where(Assignment.event_id == Event.id, Assignment.role == "transfer",
                                                     Assignment.status != "withdrawn"))
    answered = exists(select(Response.id).where(Response.event_id == Event.id, Response.responded_at <= NOW))
    categories: dict[str, int] = {}
    key = 0
    for cats in s.scalars(select(Event.categories).where(of_events)):
        key += bool(cats)
        for c in cats or ():
            categories[c] = categories.get(c, 0) + 1
    return {
        "relevant": int(s.scalar(select(func.count()).select_from(Post).where(in_span)) or 0),
        "events": count(),
        "new": {g: count(new, Event.grade == g) for g in GRADES},
        "new_with_merged": int(s.scalar(select(func.count()).select_from(Event).where(
            Event.relevant.is_(True), new, Event.grade.in_(GRADES))) or 0),
        "merged_new": int(s.scalar(select(func.count()).select_from(Event).where(
            Event.relevant.is_(True), new, Event.grade.in_(GRADES), Event.merged_into.is_not(None))) or 0),
        "urgent": count(new, Event.grade.in_(GRADES[:2])),
        "rumours": count(Event.rumor.is_(True)),
        "rumours_transferred": count(Event.rumor.is_(True), transferred),
        "rumours_answered": count(Event.rumor.is_(True), answered),
        "overdue": count(overdue),
        "returning": count(Event.first_seen_at < start),
        **_open_now(s),
        "key": key,
        "categories": categories,
    }


def _open_now(s: Session) -> dict[str, int]:
    """What page 1 (需要决策的事项) counts at NOW, each its own SQL statement: open events (a unit
    holds them as 牵头, or a unit returned them) graded 特别重大 / 重大, open rumours nobody has
    answered, unmet milestones past their time on items not closed, and events with an urgent
    alert nobody has acknowledged."""
    held = or_(and_(Assignment.role == "primary", Assignment.status.in_(("new", "dispatched", "accepted", "responded"))),
               Assignment.status == "returned")
    open_event = and_(Event.relevant.is_(True), Event.merged_into.is_(None),
                      exists(select(Assignment.id).where(Assignment.event_id == Event.id, held)))
    unanswered = ~exists(select(Response.id).where(Response.event_id == Event.id))
    events = lambda *where: int(s.scalar(select(func.count()).select_from(Event).where(open_event, *where)) or 0)  # noqa: E731
    overdue = (select(func.count()).select_from(Deadline).join(Assignment, Assignment.id == Deadline.assignment_id)
               .join(Event, Event.id == Assignment.event_id)
               .where(Deadline.met_at.is_(None), Deadline.cancelled_at.is_(None), Deadline.due_at <= NOW,
                      Assignment.status.not_in(("closed", "withdrawn")), Event.merged_into.is_(None)))
    alerted = select(func.count(func.distinct(func.coalesce(Alert.event_id, -Alert.id)))).where(
        Alert.urgent.is_(True), Alert.kind == "event", Alert.acknowledged_at.is_(None))
    return {"serious_open": events(Event.grade.in_(GRADES[:2])), "rumours_open": events(Event.rumor.is_(True), unanswered),
            "overdue_items": int(s.scalar(overdue) or 0), "alerted": int(s.scalar(alerted) or 0)}


def _html_text(data: bytes) -> str:
    return str(lxml.html.fromstring(data.decode("utf-8")).text_content())


def _check_workbook(book: dict[str, list[tuple[Any, ...]]], truth: dict[str, Any]) -> None:
    key = dict(body(book["主要数据"]))
    assert key["涉云和信息（条）"] == truth["relevant"]
    assert key["涉及舆情事件（起）"] == truth["events"]
    assert {g: key[f"新增{g}事件（起）"] for g in GRADES} == truth["new"]
    assert dict(body(book["等级分布"])) == truth["new"]
    assert dict(body(book["重点类别"])) == truth["categories"]
    assert len(body(book["重点事件"])) == min(TOP_EVENTS, truth["events"])
    assert len(body(book["重点信息"])) == min(KEY_ITEMS, truth["key"])
    assert len(body(book["谣言"])) == min(KEY_ITEMS, truth["rumours"])


def _check_text(text: str, truth: dict[str, Any]) -> None:
    new_total = sum(truth["new"].values())
    assert f"新增舆情事件{new_total}起" in text
    if truth["rumours"]:
        assert (f"涉谣言信息{truth['rumours']}起，已移交公安、网信部门核查{truth['rumours_transferred']}起，"
                f"已发布辟谣或回应{truth['rumours_answered']}起") in text
    if truth["rumours"] > truth["rumours_answered"]:
        assert f"谣言类信息{truth['rumours'] - truth['rumours_answered']}起尚未回应" in text
    if truth["overdue"]:
        assert f"{truth['overdue']}起事件超时未完成回应" in text
    if truth["urgent"]:
        assert f"重大及以上事件{truth['urgent']}起" in text
    for shown, total in ((TOP_EVENTS, truth["events"]), (KEY_ITEMS, truth["key"]), (KEY_ITEMS, truth["rumours"])):
        if total > shown:
            assert f"另有{total - shown}起未列出（共{total}起）" in text
    # Every "N起" the sentences say is one of the counts above — never a cut list's length.
    counts = {new_total, truth["events"], truth["rumours"], truth["rumours_transferred"], truth["rumours_answered"],
              truth["overdue"], truth["urgent"], truth["key"], truth["rumours"] - truth["rumours_answered"],
              truth["returning"],
              truth["events"] - TOP_EVENTS, truth["key"] - KEY_ITEMS, truth["rumours"] - KEY_ITEMS,
              *truth["new"].values(), *truth["categories"].values()}
    assert (f"在办特别重大、重大事件{truth['serious_open']}起，超时未完成的时限{truth['overdue_items']}项，"
            f"快速升温事件0起，尚未回应的谣言{truth['rumours_open']}起，有未确认紧急预警的事件{truth['alerted']}起") in text
    counts |= {0, truth["serious_open"], truth["rumours_open"], truth["alerted"],  # 0: no sweep ran, nothing rising
               *(n - SHOWN for n in (truth["serious_open"], truth["rumours_open"], truth["alerted"]) if n > SHOWN)}
    if truth["returning"]:
        assert f"{truth['returning']}起此前已监测到的事项本期再次出现新信息" in text
    said = {int(n) for n in re.findall(r"(\d+)起", text)}
    assert said <= counts, said - counts


def test_every_count_of_the_periodic_reports_equals_sql(db_url: str, runtime_for: Any, ctx: TriageContext,
                                                        cfg: Config) -> None:
    rt = runtime_for(db_url)
    triage_month(rt, ctx, MATTERS)
    with rt.session() as s:
        assert int(s.scalar(select(func.count()).select_from(Post)) or 0) >= 5000
    _work_the_month(rt, cfg)
    for period in PERIODS:
        with rt.session() as s:
            truth = _truth(s, period)
        doc = build(rt, Spec(period.kind, period), NOW)
        _check_workbook(sheets(render_xlsx(doc)), truth)
        for text in (text_of(word(render_docx(doc))), _html_text(render_html(doc))):
            _check_text(text, truth)
        if period.kind == "monthly":
            # The month is big enough to cut every list, and the merged duplicates were new events.
            assert truth["rumours"] > KEY_ITEMS and truth["overdue"] > KEY_ITEMS and truth["key"] > KEY_ITEMS
            # page 1 (需要决策的事项) has serious events, alerts and a list of open rumours cut to its rows
            assert truth["serious_open"] and truth["alerted"] and truth["rumours_open"] > SHOWN
            assert truth["merged_new"] >= 5
            assert truth["new_with_merged"] == sum(truth["new"].values()) + truth["merged_new"]
