"""Acknowledgement codes (ASVS level 2): 128-bit, minted per message with the channel it went
to, stored only as SHA-256, dead once the event is closed (办结) or merged away; and every
acknowledgement records how, from where and whether the name is only self-declared. On both
engines."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, select

from pipeline.actions.alerts import AckSource, ExpiredToken, UnknownToken, acknowledge, acknowledge_by_number
from pipeline.actions.merging import merge_events
from pipeline.actions.work import close_item, record_response
from pipeline.alerts import codes
from pipeline.alerts.acks import ack_view
from pipeline.alerts.outbox import deliver_one
from pipeline.auth import digest
from pipeline.config import Config
from pipeline.queries.events import event_view
from pipeline.storage.db import session_scope
from pipeline.storage.models import AckLink, Alert
from pipeline.triage import TriageContext
from tests.conftest import NOW
from tests.pipeline.alerts.test_alerts import MAJOR, _triage
from tests.pipeline.alerts.test_render import Recorder

LATER = NOW + timedelta(minutes=20)
SHITANG_MAJOR = {"id": "m2", "platform": "weibo", "text": "石塘镇一座民房倒塌，死亡人数已升至11人，搜救仍在进行"}


def _sent_codes(engine: Engine, cfg: Config) -> dict[str, list[str]]:
    """Deliver every due message through recording channels; the codes each channel's
    messages carry (from the text people receive)."""
    channels = {name: Recorder() for name in cfg.alerts.channels}
    with session_scope(engine) as s:
        while deliver_one(s, channels, cfg.alerts, NOW, public_url="https://yq.yunhe.gov.cn") is not None:
            pass
    return {name: [c for _, text in ch.sent for c in re.findall(r"/ack/([^)\s]+)\)", text)]
            for name, ch in channels.items()}


def test_codes_are_128_bit_hashed_per_message_and_name_their_channel(engine: Engine, ctx: TriageContext,
                                                                      cfg: Config) -> None:
    _triage(engine, ctx, [MAJOR], NOW)
    sent = _sent_codes(engine, cfg)
    units = sent["units-dingtalk"]
    assert units and all(len(c) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", c) for c in units)  # token_urlsafe(16)
    assert sent["coordinators-dingtalk"] and not set(units) & set(sent["coordinators-dingtalk"])
    with session_scope(engine) as s:
        stored = list(s.scalars(select(AckLink)))
        everything = " ".join(f"{r.token_hash} {r.channel}" for r in stored)
        assert all(c not in everything for cs in sent.values() for c in cs)  # only hashes are kept
        assert {digest(c) for c in units} <= {r.token_hash for r in stored}
        assert "ack_token" not in {c["name"] for c in inspect(s.connection()).get_columns("alerts")}

        alerts = acknowledge(s, units[0], "崇头镇值班员", LATER, AckSource(via="link", address="10.1.2.3"))
        first = alerts[0]
        assert (first.acknowledged_by, first.acknowledged_via, first.acknowledged_channel, first.acknowledged_from,
                first.acknowledged_declared) == ("崇头镇值班员", "link", "units-dingtalk", "10.1.2.3", True)
        view = ack_view(s, units[0])
        assert view is not None and view.acknowledged_by == "崇头镇值班员（自报）" and view.expired is None
        with pytest.raises(UnknownToken):
            acknowledge(s, "A" * 22, "某人", LATER)


def test_a_code_dies_when_its_event_is_closed_and_a_number_still_acknowledges(engine: Engine, ctx: TriageContext,
                                                                            cfg: Config) -> None:
    event_id = int(_triage(engine, ctx, [MAJOR], NOW)[0]["event_id"])
    with session_scope(engine) as s:
        office = s.scalar(select(Alert).where(Alert.recipient == "县政府办公室", Alert.kind == "event"))
        town = s.scalar(select(Alert).where(Alert.recipient == "崇头镇", Alert.kind == "event"))
        assert office is not None and town is not None
        office_code, town_code = codes.mint(s, office, "coordinators-dingtalk", NOW), codes.mint(s, town, None, NOW)
        office_id = office.id
    with session_scope(engine) as s:
        record_response(s, cfg, event_id, "崇头镇", "新闻发布会", link="https://yunhe.gov.cn/fb/1", at=LATER,
                        actor="崇头镇", now=LATER)
        assert ack_view(s, office_code) is not None and ack_view(s, office_code).expired is None  # type: ignore[union-attr]
        close_item(s, cfg, event_id, "崇头镇", actor="崇头镇", now=LATER)
    with session_scope(engine) as s:
        view = ack_view(s, office_code)
        assert view is not None and view.expired == f"事件 {event_id} 已办结"
        with pytest.raises(ExpiredToken, match="已办结"):
            acknowledge(s, office_code, "办公室值班员", LATER)
        with pytest.raises(ExpiredToken):
            acknowledge(s, town_code, "崇头镇值班员", LATER)
    with session_scope(engine) as s:  # on the server, the operator acknowledges by number
        done = acknowledge_by_number(s, office_id, "办公室值班员", LATER, AckSource(via="cli", address="duty@yq"))
        assert (done[0].acknowledged_via, done[0].acknowledged_from, done[0].acknowledged_declared) == (
            "cli", "duty@yq", True)
        # the unit's own alerts were answered by its response: known, not self-declared
        answered = s.scalar(select(Alert).where(Alert.recipient == "崇头镇", Alert.kind == "event"))
        assert answered is not None and (answered.acknowledged_via, answered.acknowledged_declared) == ("work", False)
        with pytest.raises(UnknownToken):
            acknowledge_by_number(s, 999_999, "某人", LATER)


def test_a_code_dies_when_its_alert_stays_with_an_event_merged_away(engine: Engine, ctx: TriageContext,
                                                                    cfg: Config) -> None:
    """A merge carries the other event's alert chains over unless the kept event has one for that
    recipient already: a carried chain's codes keep working, a left-behind chain's die."""
    keep = int(_triage(engine, ctx, [MAJOR], NOW)[0]["event_id"])
    other = int(_triage(engine, ctx, [SHITANG_MAJOR], NOW)[0]["event_id"])
    assert keep != other
    with session_scope(engine) as s:
        mint = {a.recipient: codes.mint(s, a, "units-dingtalk", NOW)
                for a in s.scalars(select(Alert).where(Alert.event_id == other, Alert.kind == "event"))}
    assert {"石塘镇", "县政府办公室"} <= set(mint)
    with session_scope(engine) as s:
        merge_events(s, cfg, keep, [other], reason="同一事件", actor="张分析", now=LATER)
    with session_scope(engine) as s:
        behind, carried = ack_view(s, mint["县政府办公室"]), ack_view(s, mint["石塘镇"])
        assert behind is not None and behind.expired == f"事件 {other} 已并入事件 {keep}"
        assert carried is not None and carried.expired is None and carried.event_id == keep
        with pytest.raises(ExpiredToken, match="已并入"):
            acknowledge(s, mint["县政府办公室"], "值班员", LATER)
        assert acknowledge(s, mint["石塘镇"], "石塘镇值班员", LATER)[0].acknowledged_by == "石塘镇值班员"


def test_the_event_view_marks_a_typed_name_self_declared(engine: Engine, ctx: TriageContext) -> None:
    event_id = int(_triage(engine, ctx, [MAJOR], NOW)[0]["event_id"])
    with session_scope(engine) as s:
        alert = s.scalar(select(Alert).where(Alert.recipient == "崇头镇", Alert.kind == "event"))
        assert alert is not None
        acknowledge(s, codes.mint(s, alert, "units-dingtalk", NOW), "县长", LATER,
                    AckSource(via="link", address="203.0.113.9"))
    with session_scope(engine) as s:
        view = event_view(s, event_id, LATER)
        assert view is not None
        shown = {a["recipient"]: a for a in view.alerts if a["kind"] == "event"}
    assert shown["崇头镇"]["acknowledged_as"] == "县长（自报）"
    assert (shown["崇头镇"]["acknowledged_channel"], shown["崇头镇"]["acknowledged_from"]) == (
        "units-dingtalk", "203.0.113.9")


def test_a_code_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """`yuqing ack -x… --by 姓名` would read the code as an option: token_urlsafe gives such a
    code once in 64, so mint draws again."""
    drawn = iter(["-leadingDashCode0000000", "GoodCode_with-dash00000"])
    monkeypatch.setattr(codes.secrets, "token_urlsafe", lambda n: next(drawn))
    added: list[AckLink] = []

    class Session:
        def add(self, row: AckLink) -> None:
            added.append(row)

    root = Alert(id=7)
    assert codes.mint(Session(), root, "dingtalk", NOW) == "GoodCode_with-dash00000"  # type: ignore[arg-type]
    assert [(a.alert_id, a.token_hash) for a in added] == [(7, digest("GoodCode_with-dash00000"))]
