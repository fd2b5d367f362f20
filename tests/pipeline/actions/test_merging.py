"""One incident, one event: a later post that bridges two events merges them; an analyst merges
and splits; a merged event has one grade (the highest), each milestone at its earliest deadline,
one unit in one role and one alert chain — on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from pipeline.actions.base import ActionError
from pipeline.actions.merging import merge_events, merge_incident, split_event
from pipeline.alerts import keys
from pipeline.alerts.outbox import sweep, unacknowledged, write_alerts
from pipeline.alerts.plan import plan_event_alerts
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.export import export_events
from pipeline.queries.status import status
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, AlertDelivery, Assignment, AuditLog, Deadline, Event, Post, Unit
from pipeline.triage import TriageContext, triage_posts
from pipeline.vocabulary import rank
from tests.conftest import NOW

BUS = {"id": "a1", "platform": "weibo", "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，另有多人受伤，救援仍在进行"}
COACH = {"id": "b1", "platform": "news", "source": "丽水网",
         "text": "记者从县应急管理局获悉，石塘镇一辆载有游客的中巴车与货车相撞，已致10人死亡，伤者正在县人民医院救治"}


def _triage(engine: Engine, ctx: TriageContext, records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    with session_scope(engine) as s:
        return triage_posts(s, [to_post(r, i + 1, now) for i, r in enumerate(records)], ctx, now).items


def _primary_deadlines(engine: Engine, event_id: int) -> dict[str, datetime]:
    with session_scope(engine) as s:
        rows = s.execute(select(Deadline.milestone, Deadline.due_at).join(Assignment)
                         .where(Assignment.event_id == event_id, Assignment.role == "primary",
                                Assignment.status != "withdrawn", Deadline.cancelled_at.is_(None))).all()
    return dict(rows)


def _roles(engine: Engine, event_id: int) -> dict[str, tuple[str, str]]:
    with session_scope(engine) as s:
        rows = s.execute(select(Unit.name, Assignment.role, Assignment.status).join(Unit)
                         .where(Assignment.event_id == event_id)).all()
    return {name: (role, status) for name, role, status in rows}


def test_analyst_merge_keeps_one_grade_the_earliest_deadlines_and_one_alert_chain(
        engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    first = _triage(engine, ctx, [BUS], NOW)[0]["event_id"]
    later = NOW + timedelta(hours=1)
    kept = _triage(engine, ctx, [COACH], later)[0]["event_id"]
    assert first != kept
    with session_scope(engine) as s:
        merge_events(s, cfg, kept, [first], reason="同一起事故，首报乡镇有误", actor="分析员甲", now=later + timedelta(hours=1))
    with session_scope(engine) as s:
        gone, ev = s.get(Event, first), s.get(Event, kept)
        assert gone is not None and ev is not None
        assert gone.merged_into == kept and gone.post_count == 0 and ev.post_count == 2
        assert set(s.scalars(select(Post.event_id))) == {kept}
        assert ev.grade == "重大" and ev.clock_start_at == NOW
        audits = {(a.action, a.entity_id) for a in s.scalars(select(AuditLog))}
        assert {("merge_events", kept), ("merged_into", first)} <= audits
    # Each milestone at the earliest of the two events' deadlines, never later.
    assert _primary_deadlines(engine, kept) == {"authoritative_info": NOW + timedelta(hours=5),
                                                "press_conference": NOW + timedelta(hours=24)}
    roles = _roles(engine, kept)
    assert roles["石塘镇"][0] == "primary" and roles["崇头镇"][0] == "cooperating"  # one owner, one role each
    assert _roles(engine, first) == {u: r for u, r in _roles(engine, first).items() if r[1] == "withdrawn"}
    with session_scope(engine) as s:
        firsts = [(a.recipient, a.event_id) for a in s.scalars(select(Alert).where(Alert.kind == "event"))]
        chased = {(a.recipient, a.event_id) for a in unacknowledged(s, cfg.alerts.urgent_grades)}
        left = s.scalars(select(AlertDelivery.status).join(Alert).where(Alert.event_id == first)).all()
    assert {r for r, e in firsts if e == kept} == {"石塘镇", "崇头镇", "县政府办公室", "县委宣传部"}
    assert chased == {(r, kept) for r in ("石塘镇", "崇头镇", "县政府办公室", "县委宣传部")}  # one chain
    assert left and set(left) == {"cancelled"}  # what stayed behind is not sent
    with session_scope(engine) as s:
        sweep(s, cfg, later + timedelta(hours=3))
        repeats = s.scalars(select(Alert.event_id).where(Alert.kind == "escalation")).all()
    assert repeats and set(repeats) == {kept}
    with session_scope(engine) as s:
        assert [e["event_id"] for e in export_events(s, relevant_only=True)] == [kept]
        record = next(e for e in export_events(s) if e["event_id"] == first)
        assert record["merged_into"] == kept and record["posts"] == []
        assert status(s, later)["relevant_events_by_grade"] == {"重大": 1}


def test_what_a_merge_carries_over_is_keyed_as_the_kept_events_own(
        engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    first = _triage(engine, ctx, [BUS], NOW)[0]["event_id"]
    later = NOW + timedelta(hours=1)
    kept = _triage(engine, ctx, [COACH], later)[0]["event_id"]
    with session_scope(engine) as s:
        merge_events(s, cfg, kept, [first], reason="同一起事故", actor="分析员甲", now=later)
    with session_scope(engine) as s:
        carried = s.scalars(select(Alert).where(Alert.event_id == kept, Alert.kind == "event",
                                                Alert.recipient == "崇头镇")).one()  # first alerted about the other event
        assert carried.key == keys.event_alert(kept, "重大", "崇头镇")
        # The plan of the kept event finds it (and the coordinators' alerts): nothing is alerted twice.
        drafts = plan_event_alerts(kept, "重大", "崇头镇", cfg.units.coordinators, False, cfg.alerts)
        assert carried.key in {d.key for d in drafts}
        assert write_alerts(s, drafts, cfg.alerts, later) == 0
        # So is an assignment moved over: keyed as the kept event's own, one unit one row.
        moved = s.execute(select(Assignment).join(Unit).where(Unit.name == "崇头镇", Assignment.event_id == kept)).scalar_one()
        assert moved.key == Assignment.key_for(kept, moved.unit_id)


def test_merge_refuses_what_cannot_be_merged(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    a = _triage(engine, ctx, [BUS], NOW)[0]["event_id"]
    b = _triage(engine, ctx, [COACH], NOW)[0]["event_id"]
    with session_scope(engine) as s, pytest.raises(ActionError, match="理由"):
        merge_events(s, cfg, a, [b], reason=" ", actor="分析员甲", now=NOW)
    with session_scope(engine) as s, pytest.raises(ActionError, match="其他事件"):
        merge_events(s, cfg, a, [a], reason="同一事件", actor="分析员甲", now=NOW)
    with session_scope(engine) as s:
        merge_events(s, cfg, a, [b], reason="同一事件", actor="分析员甲", now=NOW)
    with session_scope(engine) as s, pytest.raises(ActionError, match="已并入"):
        merge_events(s, cfg, b, [a], reason="同一事件", actor="分析员甲", now=NOW)


VAGUE = {"id": "p1", "platform": "weibo",
         "text": "太可怕了，崇头镇云和梯田那边的盘山公路上好多救护车和消防车往山上开，网友拍的视频里一片混乱"}
NEWS = {"id": "p2", "platform": "news", "source": "丽水网",
        "text": "记者从县应急管理局获悉，今天早上崇头镇一辆旅游大巴侧翻坠入路边山谷，已致12人死亡，伤者正在抢救"}
BRIDGE = {"id": "p3", "platform": "weibo",
          "text": VAGUE["text"] + "。据悉是一辆载有游客的旅游大巴侧翻，已致12人死亡"}


def test_a_later_post_that_bridges_two_events_merges_them(engine: Engine, ctx: TriageContext) -> None:
    one, two = (i["event_id"] for i in _triage(engine, ctx, [VAGUE, NEWS], NOW))
    assert one != two  # a scene with no kind of incident, and a report: not yet known to be one
    with session_scope(engine) as s:
        grades = {e.id: e.grade for e in s.scalars(select(Event))}
    # Kept: the one with the higher grade (its alert chain carries on), the older of equals.
    kept = min((one, two), key=lambda e: (rank(grades[e] or "一般"), e))
    gone = two if kept == one else one
    item = _triage(engine, ctx, [BRIDGE], NOW + timedelta(hours=1))[0]
    assert item["event_id"] == kept
    with session_scope(engine) as s:
        assert s.scalar(select(Event.merged_into).where(Event.id == gone)) == kept
        assert set(s.scalars(select(Post.event_id))) == {kept}
        joined = s.scalar(select(Post.joined).where(Post.platform_id == "p3"))
        assert joined is not None and joined["how"] == "bridge" and "两个事件为同一事件，已合并" in joined["reasons"]
        assert s.scalar(select(AuditLog).where(AuditLog.action == "merge_events", AuditLog.actor == "系统"))


def test_split_moves_posts_to_a_new_event_decided_afresh(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    items = _triage(engine, ctx, [NEWS, {**NEWS, "id": "p2b", "source": "处州晚报", "author": "记者",
                                         "text": NEWS["text"] + "（处州晚报）"}], NOW)
    event = items[0]["event_id"]
    assert items[1]["event_id"] == event
    with session_scope(engine) as s:
        moved = s.scalar(select(Post.id).where(Post.platform_id == "p2b"))
        assert moved is not None
        with pytest.raises(ActionError, match="全部"):
            split_event(s, cfg, event, [moved, *s.scalars(select(Post.id).where(Post.platform_id == "p2"))],
                        reason="两起", actor="分析员甲", now=NOW)
    later = NOW + timedelta(hours=2)
    with session_scope(engine) as s:
        new = split_event(s, cfg, event, [moved], reason="处州晚报所报为另一起事故", actor="分析员甲", now=later)
    with session_scope(engine) as s:
        ev = s.get(Event, new)
        assert ev is not None and ev.post_count == 1 and ev.relevant and ev.grade == "重大"
        assert s.scalar(select(Post.event_id).where(Post.id == moved)) == new
        assert s.scalar(select(AuditLog).where(AuditLog.action == "split_event", AuditLog.entity_id == event))
        assert merge_incident(s, cfg, [event, new], reason="自动合并", now=later) is None  # split by a person
    assert _primary_deadlines(engine, new)["authoritative_info"] == later + timedelta(hours=5)
    # A later report of the same facts fits both: it joins one, and what a person split stays split.
    again = _triage(engine, ctx, [{**NEWS, "id": "p2c", "author": "网友", "text": NEWS["text"] + "，愿平安"}],
                    later + timedelta(hours=1))[0]
    assert again["event_id"] in (event, new)
    with session_scope(engine) as s:
        assert s.scalars(select(Event.merged_into).where(Event.id.in_([event, new]))).all() == [None, None]
