"""Alerts (RULES.md §5): who gets what, the outbox on both engines, delivery to real local
receivers with retries, acknowledgement and escalation, reminders and overdue notices."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, String, func, select

from pipeline.actions.base import ActionError
from pipeline.alerts import codes
from pipeline.alerts.plan import DeadlineView, UnackedView, plan_deadline_alerts, plan_escalations, plan_event_alerts
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.service import acknowledge_alert, deliver_alerts, sweep_deadlines
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, AlertDelivery
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW
from tests.pipeline.receivers import http_receiver, smtp_receiver

COORD = ["县政府办公室", "县委宣传部"]
MAJOR = {"id": "m1", "platform": "weibo", "author": "网友",
         "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，另有多人受伤，救援仍在进行"}


def test_who_gets_what(cfg: Config) -> None:
    def who(grade: str, leadership: bool = False) -> list[str]:
        return [d.recipient for d in plan_event_alerts(1, grade, "崇头镇", COORD, leadership, cfg.alerts)]

    assert who("特别重大", True) == ["崇头镇", *COORD, "县政府领导"]
    assert who("重大") == ["崇头镇", *COORD]
    assert who("较大") == ["崇头镇"]
    assert who("一般") == []
    assert all(d.urgent for d in plan_event_alerts(1, "重大", "崇头镇", COORD, False, cfg.alerts))
    assert not plan_event_alerts(1, "较大", "崇头镇", COORD, False, cfg.alerts)[0].urgent


def test_reminders_and_overdue_are_planned_from_the_window() -> None:
    d = DeadlineView(7, 1, "response", NOW, NOW + timedelta(hours=48), "石塘镇")
    assert plan_deadline_alerts([d], COORD, [0.5, 0.8], NOW + timedelta(hours=23)) == []
    half = plan_deadline_alerts([d], COORD, [0.5, 0.8], NOW + timedelta(hours=24))
    assert [(a.key, a.recipient) for a in half] == [("reminder:7:0.5", "石塘镇")]
    late = plan_deadline_alerts([d], COORD, [0.5, 0.8], NOW + timedelta(hours=40))
    assert [a.key for a in late] == ["reminder:7:0.8"]  # a late sweep sends the latest reminder only
    over = plan_deadline_alerts([d], COORD, [0.5, 0.8], NOW + timedelta(hours=48))
    assert [a.recipient for a in over] == ["石塘镇", *COORD] and all(a.kind == "overdue" for a in over)


def test_escalation_climbs_the_ladder_owner_coordinators_leadership(cfg: Config) -> None:
    a = UnackedView(5, 1, "重大", "崇头镇", NOW)
    assert plan_escalations([a], COORD, cfg.alerts, NOW + timedelta(minutes=29)) == []

    def step(minutes: int) -> set[tuple[str, int, bool]]:
        return {(d.recipient, d.level, d.urgent) for d in plan_escalations([a], COORD, cfg.alerts,
                                                                            NOW + timedelta(minutes=minutes))}

    assert step(30) == {("崇头镇", 1, True)}  # the owner is asked again
    assert step(60) == {("崇头镇", 2, True), ("县政府办公室", 2, False), ("县委宣传部", 2, False)}
    assert step(90) == {("崇头镇", 3, True), ("县政府办公室", 3, False), ("县委宣传部", 3, False),
                        ("县政府领导", 3, False)}
    assert step(24 * 60) == step(90)  # the top of the ladder: no further levels, no flood
    told = plan_escalations([a], COORD, cfg.alerts, NOW + timedelta(minutes=90))
    assert all(d.payload["unacknowledged"] == ["崇头镇"] for d in told)


def test_a_configured_ladder_is_followed(cfg: Config) -> None:
    ladder = cfg.alerts.model_copy(update={"ladder": [["recipients"], ["leadership"]]})
    a = UnackedView(5, 1, "重大", "崇头镇", NOW)
    top = plan_escalations([a], COORD, ladder, NOW + timedelta(hours=5))
    assert {(d.recipient, d.level) for d in top} == {("县政府领导", 2)}  # step 2 tells leadership only
    assert ladder.max_repeats == 2


def _triage(engine: Engine, ctx: TriageContext, records: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    with session_scope(engine) as s:
        return triage_posts(s, [to_post(r, i + 1, now) for i, r in enumerate(records)], ctx, now).items


def ack_codes(engine: Engine, channel: str | None = "units-dingtalk") -> dict[str, str]:
    """A fresh acknowledgement code of each recipient's first event alert, minted as rendering
    a message on ``channel`` mints it (only its hash is stored, so tests cannot read one)."""
    with session_scope(engine) as s:
        return {a.recipient: codes.mint(s, a, channel, NOW)
                for a in s.scalars(select(Alert).where(Alert.kind == "event").order_by(Alert.id))}


def _alerts(engine: Engine) -> list[tuple[str, str, int]]:
    with session_scope(engine) as s:
        return [(a.recipient, a.kind, a.level) for a in s.scalars(select(Alert).order_by(Alert.id))]


def test_major_event_writes_alerts_once_in_the_triage_transaction(engine: Engine, ctx: TriageContext) -> None:
    item = _triage(engine, ctx, [MAJOR], NOW)[0]
    assert item["grade"] in ("重大", "特别重大")
    first = _alerts(engine)
    assert [r for r, _, _ in first][:3] == ["崇头镇", *COORD]
    _triage(engine, ctx, [MAJOR], NOW + timedelta(minutes=5))
    _triage(engine, ctx, [{**MAJOR, "id": "m2", "platform": "news", "text": MAJOR["text"] + "。"}], NOW)
    assert _alerts(engine) == first
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(AlertDelivery))
        assert n == len(first) + 1  # one delivery per channel: 县政府办公室 has two (DingTalk and mail)


def _env(dingtalk_url: str, smtp_port: int, wecom_url: str) -> dict[str, str]:
    return {"YUQING_DINGTALK_UNITS_URL": dingtalk_url, "YUQING_DINGTALK_UNITS_SECRET": "SECunits",
            "YUQING_DINGTALK_COORDINATORS_URL": dingtalk_url, "YUQING_DINGTALK_COORDINATORS_SECRET": "SECunits",
            "YUQING_DINGTALK_LEADERSHIP_URL": dingtalk_url, "YUQING_DINGTALK_LEADERSHIP_SECRET": "SECunits",
            "YUQING_SMTP_HOST": "127.0.0.1", "YUQING_SMTP_PORT": str(smtp_port), "YUQING_WECOM_ANALYSTS_URL": wecom_url}


def _closed_port() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/robot/send?access_token=down"


def test_delivery_signed_retried_never_lost_never_twice(engine: Engine, db_url: str, ctx: TriageContext,
                                                         runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    _triage(engine, ctx, [MAJOR], NOW)
    with smtp_receiver() as (smtp_port, mails), http_receiver(secret="SECunits") as (url, rec):
        down = deliver_alerts(rt, NOW, _env(_closed_port(), smtp_port, url))
        # three messages: the mail went out; the units' and the coordinators' DingTalk groups were down
        assert down == {"sent": 1, "failed": 2, "pending": 2}
        again = deliver_alerts(rt, NOW + timedelta(seconds=5), _env(url, smtp_port, url))
        assert again == {"sent": 0, "failed": 0, "pending": 2}  # backoff: not due yet
        later = deliver_alerts(rt, NOW + timedelta(minutes=5), _env(url, smtp_port, url))
        assert later == {"sent": 2, "failed": 0, "pending": 0}
        assert deliver_alerts(rt, NOW + timedelta(hours=1), _env(url, smtp_port, url))["sent"] == 0
        assert rec.rejected == [] and len(mails) == 1
        texts = [m["body"]["markdown"]["text"] for m in rec.messages]
        assert len(texts) == 2
        assert all("崇头镇" in t and "重大" in t and "死亡12人" in t and "剩余" in t for t in texts)
        assert all(m["body"]["msgtype"] == "markdown" for m in rec.messages)
        coordinators = next(t for t in texts if "县委宣传部：" in t)
        assert "县政府办公室：" in coordinators and coordinators.count("yuqing ack") == 2  # one copy, both asked


def test_bad_signature_is_refused_and_retried(engine: Engine, db_url: str, ctx: TriageContext,
                                              runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    _triage(engine, ctx, [MAJOR], NOW)
    with smtp_receiver() as (port, _), http_receiver(secret="SECother") as (url, rec):
        result = deliver_alerts(rt, NOW, _env(url, port, url))
    assert result["failed"] == 2 and rec.messages == [] and rec.rejected
    with session_scope(engine) as s:
        errors = set(s.scalars(select(AlertDelivery.last_error).where(AlertDelivery.status == "pending")))
        assert any("310000" in (e or "") for e in errors)


def test_acknowledgement_stops_escalation(engine: Engine, db_url: str, ctx: TriageContext, runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    _triage(engine, ctx, [MAJOR], NOW)
    assert sweep_deadlines(rt, NOW + timedelta(minutes=10))["escalations"] == 0
    first = sweep_deadlines(rt, NOW + timedelta(minutes=31))
    assert first["escalations"] == 3  # a repeat to each of the three who have not acknowledged
    assert sweep_deadlines(rt, NOW + timedelta(minutes=32))["escalations"] == 0  # idempotent
    tokens = ack_codes(engine)
    assert acknowledge_alert(rt, tokens["崇头镇"], "崇头镇值班员", NOW + timedelta(minutes=40)) == 2  # alert + repeat
    assert acknowledge_alert(rt, tokens["县政府办公室"], "办公室值班员", NOW + timedelta(minutes=41)) == 2
    sweep_deadlines(rt, NOW + timedelta(minutes=61))
    with session_scope(engine) as s:
        second = [(a.recipient, a.urgent, a.payload["unacknowledged"])
                  for a in s.scalars(select(Alert).where(Alert.kind == "escalation", Alert.level == 2))]
    # the acknowledged chains get no second round; 县委宣传部 is repeated, 县政府办公室 is told who is missing
    assert sorted(second) == [("县委宣传部", True, ["县委宣传部"]), ("县政府办公室", False, ["县委宣传部"])]
    with pytest.raises(ActionError, match="确认人"):
        acknowledge_alert(rt, tokens["县委宣传部"], "  ", NOW + timedelta(minutes=62))


def test_sweep_sends_reminders_and_overdue_once(engine: Engine, db_url: str, ctx: TriageContext,
                                               runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    ordinary = {"id": "o1", "platform": "message_board", "text": "尊敬的领导：石塘镇老街的路灯坏了两个月，晚上出行很不方便，请尽快修复"}
    _triage(engine, ctx, [ordinary], NOW)
    assert _alerts(engine) == []
    assert sweep_deadlines(rt, NOW + timedelta(hours=25))["reminders_and_overdue"] == 1
    assert sweep_deadlines(rt, NOW + timedelta(hours=26))["reminders_and_overdue"] == 0
    assert sweep_deadlines(rt, NOW + timedelta(hours=49))["reminders_and_overdue"] == 3
    assert [(r, k) for r, k, _ in _alerts(engine)] == [("石塘镇", "reminder"), ("石塘镇", "overdue"),
                                                       ("县政府办公室", "overdue"), ("县委宣传部", "overdue")]


def test_two_workers_never_send_a_delivery_twice(engine: Engine, db_url: str, ctx: TriageContext,
                                                 runtime_for: Any) -> None:
    import threading

    towns = ["崇头镇", "石塘镇", "赤石乡", "紧水滩镇", "雾溪畲族乡", "安溪畲族乡"]
    records = [{"id": f"k{i}", "platform": "weibo",
                "text": f"{town}发生严重山体滑坡，{['死亡人数已升至12人', '已造成15人遇难', '造成11人死亡'][i % 3]}，救援正在进行"}
               for i, town in enumerate(towns)]
    _triage(engine, ctx, records, NOW)
    with session_scope(engine) as s:
        total = s.scalar(select(func.count()).select_from(AlertDelivery))
        groups = s.execute(select(func.count(func.distinct(AlertDelivery.channel + ":" + func.cast(Alert.event_id,
                                                                                                   String))))
                           .join(Alert, Alert.id == AlertDelivery.alert_id)).scalar()
    assert total and groups and groups < total  # the two coordinators' alerts share their group's message
    runtimes = [runtime_for(db_url), runtime_for(db_url)]
    with smtp_receiver() as (port, mails), http_receiver(secret="SECunits") as (url, rec):
        env = _env(url, port, url)
        results: list[dict[str, int]] = []
        workers = [threading.Thread(target=lambda rt=rt: results.append(deliver_alerts(rt, NOW, env)))
                   for rt in runtimes]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=120)
        # every group got exactly one message: nothing missing, nothing repeated, nothing split
        assert sum(r["sent"] for r in results) == groups == len(rec.messages) + len(mails)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AlertDelivery).where(AlertDelivery.status == "sent")) == total
        assert all(a == 1 for a in s.scalars(select(AlertDelivery.attempts)))
