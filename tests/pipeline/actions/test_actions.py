"""Every state change a person makes, on both engines, through the same functions triage uses:
its milestones (RULES.md §4), its alerts (§5, once), its audit entry and labelled example."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from pipeline.actions.base import ActionError
from pipeline.actions.events import regrade, set_relevance, set_rumor, set_topic
from pipeline.actions.units import assign_unit, reassign, unassign_unit
from pipeline.actions.work import accept, close_item, dispatch_new, record_response, return_item
from pipeline.alerts.outbox import sweep
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.events import event_view
from pipeline.queries.work import unit_queue
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, Assignment, AuditLog, Deadline, Event, LabelledExample
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

ORDINARY = {"id": "o1", "platform": "message_board",
            "text": "尊敬的领导：石塘镇老街的路灯坏了两个月，晚上出行很不方便，请尽快修复"}
FLOOD = {"id": "f1", "platform": "weibo", "text": "石塘镇暴雨引发山体滑坡，冲毁农房，造成3人死亡，救援人员正在现场搜救"}
CONCERT = {"id": "c1", "platform": "weibo", "text": "杭州今晚的演唱会太好听了，明星状态超级好，下次还来！"}


def _event(engine: Engine, ctx: TriageContext, record: dict[str, Any], now: datetime = NOW) -> dict[str, Any]:
    with session_scope(engine) as s:
        item: dict[str, Any] = triage_posts(s, [to_post(record, 1, now)], ctx, now).items[0]
    return item


def _deadlines(engine: Engine, event_id: int) -> dict[str, tuple[datetime, datetime | None, str | None]]:
    """milestone -> (due, met, cancel reason) of the event's current primary (open ones)."""
    with session_scope(engine) as s:
        rows = s.execute(select(Deadline.milestone, Deadline.due_at, Deadline.met_at, Deadline.cancel_reason)
                         .join(Assignment, Assignment.id == Deadline.assignment_id)
                         .where(Assignment.event_id == event_id, Assignment.role == "primary",
                                Assignment.status != "withdrawn", Deadline.cancelled_at.is_(None))
                         .order_by(Deadline.id)).all()
    return {m: (due, met, why) for m, due, met, why in rows}


def _alerts(engine: Engine, event_id: int) -> list[tuple[str, str, str | None, bool]]:
    with session_scope(engine) as s:
        return [(a.kind, a.recipient, a.grade, a.urgent)
                for a in s.scalars(select(Alert).where(Alert.event_id == event_id).order_by(Alert.id))]


def _assignments(engine: Engine, event_id: int) -> dict[str, tuple[str, str]]:
    with session_scope(engine) as s:
        rows = s.execute(select(Assignment.unit_id, Assignment.role, Assignment.status)
                         .where(Assignment.event_id == event_id)).all()
        from pipeline.storage.models import Unit

        names = dict(s.execute(select(Unit.id, Unit.name)).all())
    return {names[u]: (role, status) for u, role, status in rows}


def test_analyst_raise_to_major_sends_urgent_alerts_once_and_is_audited(engine: Engine, ctx: TriageContext,
                                                                        cfg: Config) -> None:
    eid = _event(engine, ctx, ORDINARY)["event_id"]
    assert _alerts(engine, eid) == []
    later = NOW + timedelta(hours=3)
    with session_scope(engine) as s:
        regrade(s, cfg, eid, "重大", reason="央媒记者已来电询问", actor="分析员甲", now=later)
    sent = _alerts(engine, eid)
    assert [(r, g, u) for _, r, g, u in sent] == [("石塘镇", "重大", True), ("县政府办公室", "重大", True),
                                                  ("县委宣传部", "重大", True)]
    with session_scope(engine) as s:  # the same regrade again, and a later post joining: nothing twice
        regrade(s, cfg, eid, "重大", reason="再次确认", actor="分析员甲", now=later + timedelta(minutes=5))
    _event(engine, ctx, {**ORDINARY, "id": "o2", "text": ORDINARY["text"] + "！"}, later + timedelta(minutes=10))
    assert _alerts(engine, eid) == sent
    due = _deadlines(engine, eid)
    assert due["authoritative_info"][0] == later + timedelta(hours=5) and due["response"][0] == NOW + timedelta(hours=48)
    with session_scope(engine) as s:
        audit = [(a.actor, a.action, a.detail["before"], a.detail["after"], a.detail["reason"])
                 for a in s.scalars(select(AuditLog).where(AuditLog.entity == "event", AuditLog.entity_id == eid))]
        examples = list(s.scalars(select(LabelledExample).where(LabelledExample.event_id == eid)))
        ev = s.get(Event, eid)
    assert ("分析员甲", "regrade", "一般", "重大", "央媒记者已来电询问") in audit
    assert ("分析员甲", "confirm_grade", "重大", "重大", "再次确认") in audit
    assert {(e.kind, e.label, e.actor) for e in examples} == {("grade", "重大", "分析员甲")}
    assert all(e.previous in ("特别重大", "重大", "较大", "一般") and e.text for e in examples)
    assert ev is not None and ev.grade == "重大" and "分析员甲人工定级为重大：再次确认" in str(ev.grade_reasons)


def test_raise_after_a_response_reopens_the_owners_work_without_a_second_role(engine: Engine, ctx: TriageContext,
                                                                              cfg: Config) -> None:
    eid = _event(engine, ctx, ORDINARY)["event_id"]
    with session_scope(engine) as s:
        dispatch_new(s, NOW)
        record_response(s, cfg, eid, "石塘镇", "网络问政回复", link="https://wz.example/1", at=NOW + timedelta(hours=2),
                        actor="石塘镇王某", now=NOW + timedelta(hours=2))
    assert _assignments(engine, eid)["石塘镇"] == ("primary", "responded")
    raised_at = NOW + timedelta(hours=5)
    _event(engine, ctx, {"id": "o3", "platform": "news", "source": "人民日报",
                         "text": ORDINARY["text"] + "。人民日报记者调查发现此事已持续两个月"}, raised_at)
    units = _assignments(engine, eid)
    with session_scope(engine) as s:
        grade = s.scalar(select(Event.grade).where(Event.id == eid))
        queue = unit_queue(s, "石塘镇", raised_at)
    assert grade == "重大"  # 人民日报 reported it: the reach floor raised it automatically
    assert units["石塘镇"] == ("primary", "dispatched")  # reopened: back in the queue
    assert [q.milestone for q in queue if q.event_id == eid] == ["authoritative_info"]
    assert ("event", "县委宣传部", "重大", True) in _alerts(engine, eid)  # the urgent alert, not a 较大 notice
    assert sum(1 for u in units if u == "石塘镇") == 1 and units["石塘镇"][0] == "primary"  # never also 配合


def test_lowering_cancels_milestones_the_new_grade_does_not_call_for(engine: Engine, ctx: TriageContext,
                                                                     cfg: Config) -> None:
    item = _event(engine, ctx, FLOOD)
    eid = item["event_id"]
    with session_scope(engine) as s:
        regrade(s, cfg, eid, "重大", reason="伤亡可能扩大", actor="分析员甲", now=NOW)
    assert {"authoritative_info", "press_conference"} <= set(_deadlines(engine, eid))
    lowered_at = NOW + timedelta(hours=1)
    with session_scope(engine) as s:
        regrade(s, cfg, eid, "一般", reason="经核实系谣传，无人员伤亡", actor="分析员乙", now=lowered_at)
    due = _deadlines(engine, eid)
    assert set(due) == {"response"}
    with session_scope(engine) as s:
        cancelled = s.execute(select(Deadline.milestone, Deadline.cancel_reason).join(Assignment)
                              .where(Assignment.event_id == eid, Deadline.cancelled_at.is_not(None))).all()
        assert {m for m, _ in cancelled} >= {"authoritative_info", "press_conference"}
        assert all("等级调整为一般" in (why or "") for _, why in cancelled)
        # hours later: no overdue notice, reminder or repeat for what was cancelled
        sweep(s, cfg, NOW + timedelta(hours=30))
        late = list(s.scalars(select(Alert).where(Alert.event_id == eid, Alert.kind.in_(("overdue", "escalation")))))
        assert late == []
        with pytest.raises(ActionError, match="未知等级"):
            regrade(s, cfg, eid, "很大", reason="x", actor="分析员乙", now=lowered_at)
        with pytest.raises(ActionError, match="请填写操作人姓名"):
            regrade(s, cfg, eid, "较大", reason="x", actor=" ", now=lowered_at)


def test_relevance_topic_and_rumour_corrections(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    concert = _event(engine, ctx, CONCERT)
    assert not concert["relevant"]
    with session_scope(engine) as s:
        with pytest.raises(ActionError, match="已判定为无关"):
            regrade(s, cfg, concert["event_id"], "一般", reason="x", actor="分析员甲", now=NOW)
        set_relevance(s, cfg, concert["event_id"], True, reason="演唱会在云和县城体育馆举行，噪音扰民", actor="分析员甲",
                      now=NOW, topic="城乡建设")
    units = _assignments(engine, concert["event_id"])
    assert any(role == "primary" for role, _ in units.values())
    assert set(_deadlines(engine, concert["event_id"])) == {"response"}

    eid = _event(engine, ctx, ORDINARY)["event_id"]
    with session_scope(engine) as s:
        set_topic(s, cfg, eid, "交通运输", reason="路灯属公路照明", actor="分析员甲", now=NOW)
        set_rumor(s, cfg, eid, True, reason="网传内容不实且煽动", actor="分析员甲", now=NOW)
    units = _assignments(engine, eid)
    assert units["县交通运输局"][0] == "cooperating" and units["石塘镇"][0] == "primary"  # 属地 keeps the township
    assert units["县公安局"] == ("transfer", "new") and units["县委网信办"] == ("transfer", "new")
    with session_scope(engine) as s:
        set_rumor(s, cfg, eid, False, reason="核实为真实诉求", actor="分析员乙", now=NOW)
        set_relevance(s, cfg, eid, False, reason="重复投诉，已在别处办理", actor="分析员乙", now=NOW)
        ev = s.get(Event, eid)
        assert ev is not None and not ev.relevant and ev.grade is None
        kinds = set(s.scalars(select(LabelledExample.kind).where(LabelledExample.event_id == eid)))
    assert kinds == {"topic", "rumor", "relevance"}
    assert all(status == "withdrawn" for _, status in _assignments(engine, eid).values())
    assert _deadlines(engine, eid) == {}
    later = _event(engine, ctx, {**ORDINARY, "id": "o9", "text": ORDINARY["text"] + "。"}, NOW + timedelta(hours=1))
    assert later["event_id"] == eid and not later["relevant"]  # a later post never undoes the correction


def test_a_units_day_sign_return_reassign_respond_close(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    eid = _event(engine, ctx, FLOOD)["event_id"]
    with session_scope(engine) as s:
        dispatch_new(s, NOW)
        accept(s, cfg, eid, "石塘镇", actor="石塘镇李某", now=NOW + timedelta(minutes=10))
        with pytest.raises(ActionError, match="无需签收"):
            accept(s, cfg, eid, "石塘镇", actor="石塘镇李某", now=NOW + timedelta(minutes=11))
        return_item(s, cfg, eid, "石塘镇", reason="事发地在紧水滩镇辖区", actor="石塘镇李某", now=NOW + timedelta(minutes=20))
        told = [a.recipient for a in s.scalars(select(Alert).where(Alert.kind == "returned", Alert.event_id == eid))]
        assert told == ["县政府办公室", "县委宣传部"]
        reassign(s, cfg, eid, "紧水滩镇", reason="核实事发地", actor="县政府办公室赵某", now=NOW + timedelta(minutes=30))
    due = _deadlines(engine, eid)
    assert due["response"][0] == NOW + timedelta(hours=48)  # the clock keeps running
    units = _assignments(engine, eid)
    assert units["紧水滩镇"] == ("primary", "new") and units["石塘镇"] == ("primary", "withdrawn")
    with session_scope(engine) as s:
        assert dispatch_new(s, NOW + timedelta(minutes=31)) == {"紧水滩镇": 1}
        with pytest.raises(ActionError, match="尚有未满足的时限节点"):
            close_item(s, cfg, eid, "紧水滩镇", actor="紧水滩镇周某", now=NOW + timedelta(hours=1))
        with pytest.raises(ActionError, match="http"):
            record_response(s, cfg, eid, "紧水滩镇", "网络问政回复", link="javascript:alert(1)",
                            at=NOW + timedelta(hours=2), actor="紧水滩镇周某", now=NOW + timedelta(hours=2))
        met = record_response(s, cfg, eid, "紧水滩镇", "网络问政回复", link="https://wz.example/2",
                              at=NOW + timedelta(hours=2), actor="紧水滩镇周某", now=NOW + timedelta(hours=2))
        assert met == ["response"]
        close_item(s, cfg, eid, "紧水滩镇", actor="紧水滩镇周某", now=NOW + timedelta(hours=3))
        assign_unit(s, cfg, eid, "县水利局", "cooperating", reason="涉及山塘", actor="县政府办公室赵某", now=NOW)
        with pytest.raises(ActionError, match="已在事件"):
            assign_unit(s, cfg, eid, "县水利局", "cooperating", reason="重复", actor="县政府办公室赵某", now=NOW)
        unassign_unit(s, cfg, eid, "县水利局", reason="已核实不涉及", actor="县政府办公室赵某", now=NOW)
        actions = [a for (a,) in s.execute(select(AuditLog.action).order_by(AuditLog.id))]
    assert {"accept", "return", "reassign", "record_response", "close", "assign_unit", "unassign_unit"} <= set(actions)
    assert _assignments(engine, eid)["紧水滩镇"] == ("primary", "closed")


def test_signing_for_an_item_answers_the_units_urgent_alert(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    eid = _event(engine, ctx, FLOOD)["event_id"]
    with session_scope(engine) as s:
        regrade(s, cfg, eid, "重大", reason="伤亡可能扩大", actor="分析员甲", now=NOW)
        accept(s, cfg, eid, "石塘镇", actor="石塘镇李某", now=NOW + timedelta(minutes=5))
        sweep(s, cfg, NOW + timedelta(minutes=45))
        repeats = list(s.scalars(select(Alert.recipient).where(Alert.kind == "escalation", Alert.event_id == eid)))
        acked_by = s.scalar(select(Alert.acknowledged_by).where(Alert.recipient == "石塘镇", Alert.kind == "event"))
    assert "石塘镇" not in repeats  # nothing asks the unit again for what its 签收 answered
    assert acked_by == "石塘镇李某（签收）"


def test_clock_start_published_is_honoured_by_triage(engine: Engine, cfg: Config, base_settings: Any) -> None:
    """policy.yaml ``clock_start: published``: the response clock runs from the earliest publish
    time known to the minute — never from a date-only time, never later than detection."""
    import dataclasses

    deadlines = cfg.policy.deadlines.model_copy(update={"clock_start": "published"})
    custom = dataclasses.replace(cfg, policy=cfg.policy.model_copy(update={"deadlines": deadlines}))
    ctx = TriageContext.load(base_settings, custom)
    published = NOW - timedelta(hours=6)
    item = _event(engine, ctx, {**ORDINARY, "published_at": published.isoformat()})
    assert item["deadlines"][0]["due_at"] == (published + timedelta(hours=48)).isoformat()
    day_only = _event(engine, ctx, {**FLOOD, "id": "f9", "published_at": "2026-11-27"})
    assert day_only["deadlines"][-1]["due_at"] in ((NOW + timedelta(hours=48)).isoformat(),
                                                   (NOW + timedelta(hours=24)).isoformat())
    with session_scope(engine) as s:
        clocks = dict(s.execute(select(Event.id, Event.clock_start_at)).all())
        assert clocks[item["event_id"]] == published and clocks[day_only["event_id"]] == NOW
        assert s.scalar(select(func.count()).select_from(Event)) == 2


MAJOR_FLOOD = {"id": "f2", "platform": "weibo", "published_at": (NOW - timedelta(hours=3)).isoformat(),
               "text": "石塘镇暴雨引发山体滑坡，冲毁多处农房，已造成12人死亡，救援人员正在现场搜救"}


def test_a_response_dated_before_the_event_or_after_its_recording_is_refused(engine: Engine, ctx: TriageContext,
                                                                              cfg: Config) -> None:
    """RULES.md §4: a backdated response would turn an overdue milestone into one met in time."""
    eid = _event(engine, ctx, MAJOR_FLOOD)["event_id"]
    recorded = NOW + timedelta(hours=30)  # both milestones (5 h, 24 h) overdue
    link = "https://www.yunhe.gov.cn/art/2026/flood.html"
    published = NOW - timedelta(hours=3)  # the post's own time, before the system first saw it
    with session_scope(engine) as s:
        dispatch_new(s, NOW)
        for at, why in ((datetime(2020, 1, 1, tzinfo=NOW.tzinfo), "早于该事件最早的发布时间"),
                        (published - timedelta(minutes=6), "早于该事件最早的发布时间"),
                        (recorded + timedelta(minutes=6), "晚于登记时间"),
                        (datetime.fromisoformat("0001-01-01T00:00:00-12:00"), "早于 2000 年"),
                        (datetime.fromisoformat("0001-01-01T00:00:00+12:00"), "早于 2000 年"),
                        (datetime.fromisoformat("9999-12-31T23:00:00-12:00"), "晚一年以上")):
            with pytest.raises(ActionError, match=why):
                record_response(s, cfg, eid, "石塘镇", "新闻发布会", link=link, at=at, actor="石塘镇周某", now=recorded)
    assert all(met is None for _, met, _ in _deadlines(engine, eid).values())
    with session_scope(engine) as s:  # within the clock tolerance of its publication: a clock difference
        met = record_response(s, cfg, eid, "石塘镇", "发布权威信息", link=link, at=published - timedelta(minutes=4),
                              actor="石塘镇周某", now=recorded)
        assert met == ["authoritative_info"]
        met = record_response(s, cfg, eid, "石塘镇", "新闻发布会", link=link, at=recorded + timedelta(minutes=4),
                              actor="石塘镇周某", now=recorded)
    assert met == ["press_conference"]
    due, done, _ = _deadlines(engine, eid)["press_conference"]
    assert done is not None and done > due  # late, and on record as late


def test_a_response_needs_its_link_or_the_place_of_a_press_conference(engine: Engine, ctx: TriageContext,
                                                                      cfg: Config) -> None:
    eid = _event(engine, ctx, MAJOR_FLOOD)["event_id"]
    at = NOW + timedelta(hours=2)
    with session_scope(engine) as s:
        dispatch_new(s, NOW)
        for kind, place, why in (("发布权威信息", None, "须填写回应链接"), ("发布权威信息", "县政府", "须填写回应链接"),
                                 ("新闻发布会", None, "举行地点"), ("新闻发布会", "  ", "举行地点"),
                                 ("新闻发布会", "发布厅\n二楼", "控制字符"), ("新闻发布会", "厅" * 201, "200")):
            with pytest.raises(ActionError, match=why):
                record_response(s, cfg, eid, "石塘镇", kind, link=None, place=place, at=at, actor="石塘镇周某", now=at)
        met = record_response(s, cfg, eid, "石塘镇", "新闻发布会", link=None, place=" 县新闻中心一楼发布厅 ", at=at,
                              actor="石塘镇周某", now=at)
        view = event_view(s, eid, at, None)
    assert sorted(met) == ["authoritative_info", "press_conference"]
    assert view is not None and [(r["kind"], r["link"], r["place"]) for r in view.responses] == [
        ("新闻发布会", None, "县新闻中心一楼发布厅")]
