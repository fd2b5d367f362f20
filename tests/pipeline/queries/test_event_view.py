"""The event page's audit trail as a person reads it, on both engines: each change an analyst
or a unit made shows its before and after in Chinese (一般 → 重大, 否 → 是, 相关 → 无关,
待签收 → 已签收, 单位：… 角色：配合) — never JSON escapes, ``true`` or stored codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from pipeline.actions.events import regrade, set_relevance, set_rumor
from pipeline.actions.units import assign_unit
from pipeline.actions.work import accept, dispatch_new
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.events import ACTION_NAMES, audit_value, event_view
from pipeline.storage.db import session_scope
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

ORDINARY = {"id": "o1", "platform": "message_board",
            "text": "尊敬的领导：石塘镇老街的路灯坏了两个月，晚上出行很不方便，请尽快修复"}


def test_the_audit_trail_reads_in_chinese(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    with session_scope(engine) as s:
        eid = triage_posts(s, [to_post(ORDINARY, 1, NOW)], ctx, NOW).items[0]["event_id"]
    steps = [NOW + timedelta(minutes=m) for m in range(1, 7)]
    with session_scope(engine) as s:
        regrade(s, cfg, eid, "重大", reason="央媒关注", actor="分析员甲", now=steps[0])
        set_rumor(s, cfg, eid, True, reason="经核实为谣言", actor="分析员甲", now=steps[1])
        assign_unit(s, cfg, eid, "县应急管理局", "cooperating", reason="涉及安全", actor="分析员甲", now=steps[2])
        dispatch_new(s, steps[3])
        accept(s, cfg, eid, "石塘镇", actor="石塘镇王某", now=steps[4])
        set_relevance(s, cfg, eid, False, reason="与本县无关", actor="分析员甲", now=steps[5])
    with session_scope(engine) as s:
        view = event_view(s, eid, steps[-1])
        assert view is not None
        shown = [(ACTION_NAMES.get(e["action"], e["action"]), audit_value(e["action"], e["detail"]["before"]),
                  audit_value(e["action"], e["detail"]["after"])) for e in view.audit]
    assert ("人工定级", "一般", "重大") in shown
    assert ("更正谣言标记", "否", "是") in shown
    assert ("增加单位", "", "单位：县应急管理局；角色：配合") in shown
    assert ("签收", "待签收", "已签收") in shown
    assert ("更正相关性", "相关", "无关") in shown and ("人工定级", "重大", "无") in shown
    text = repr(shown)
    for stored in ("\\u", "true", "false", "True", "False", "{", "cooperating", "dispatched", "accepted"):
        assert stored not in text, stored


def test_other_audit_values_read_in_chinese() -> None:
    assert audit_value("merged_into", 12) == "事件 12" and audit_value("split_event", 7) == "事件 7"
    assert audit_value("merge_events", {"grade": "较大", "posts": 3}) == "等级：较大；信息数：3"
    assert audit_value("record_response", {"kind": "情况通报", "link": None}) == "回应方式：情况通报"
    assert audit_value("dispatch", {"石塘镇": 2}) == "石塘镇：2"
    assert audit_value("acknowledge", "acknowledged") == "已确认" and audit_value("regrade", None) == "无"
    assert audit_value("assign_unit", None) == ""
    assert audit_value("set_topic", "new") == "new"     # a value that is not a code is shown as stored
