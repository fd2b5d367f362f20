"""Recording a response through the web app (issue 18), on SQLite and PostgreSQL: the request that
used to poison an event for everyone (a response "at" year 1, stored and then unreadable by the
event page, the board and the assessment) is refused with a Chinese 422 and the event stays
readable; backdated and future responses, and one without a link, are refused by the API and
the form alike; a press conference with the place it was held is accepted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text

from pipeline.storage.db import session_scope
from pipeline.storage.models import Response, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.yuqing.web_helpers import csrf_of, refused_page, sign_in, token_for, world
from yuqing.web import create_app

LINK = "https://www.yunhe.gov.cn/art/2026/bus.html"


def _responses(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Response)) or 0)


def test_the_api_refuses_impossible_response_times_and_the_event_stays_readable(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    seen = datetime.now(SHANGHAI) - timedelta(hours=30)  # the 重大 event's 5 h and 24 h are overdue
    eid = world(engine, ctx, seen)["崇头镇"]
    unit = {"Authorization": f"Bearer {token_for(engine, 'chongtou', seen)}"}
    coord = {"Authorization": f"Bearer {token_for(engine, 'coord', seen)}"}
    with TestClient(create_app(settings_for(db_url))) as client:
        def respond(**body: Any) -> Any:
            return client.post(f"/api/events/{eid}/respond", json={"kind": "新闻发布会", "link": LINK, **body},
                               headers=unit)

        # Outside the years the document allows: malformed (422). Inside them but ruled out by the
        # event's own history (RULES.md §4): refused by the action like every rule (409).
        for at, why, status in (("0001-01-01T00:00:00-12:00", "早于 2000 年", 422),   # the poisoning request
                                ("0001-01-01T00:00:00+12:00", "早于 2000 年", 422),   # year 0 in UTC
                                ("9999-12-31T23:00:00-12:00", "晚一年以上", 422),     # year 10000 in UTC
                                ("2020-01-01T09:00:00+08:00", "早于该事件最早的发布时间", 409),
                                ((seen - timedelta(hours=1)).isoformat(), "早于该事件最早的发布时间", 409),
                                ((datetime.now(SHANGHAI) + timedelta(hours=1)).isoformat(), "晚于登记时间", 409)):
            refused = respond(at=at)
            assert refused.status_code == status, (at, refused.text)
            assert why in refused.json()["detail"], (at, refused.json())
        no_link = client.post(f"/api/events/{eid}/respond", json={"kind": "发布权威信息"}, headers=unit)
        assert no_link.status_code == 409 and "须填写回应链接" in no_link.json()["detail"]
        no_place = client.post(f"/api/events/{eid}/respond", json={"kind": "新闻发布会"}, headers=unit)
        assert no_place.status_code == 409 and "举行地点" in no_place.json()["detail"]
        assert _responses(engine) == 0
        # Everything that read the event still reads it.
        event = client.get(f"/api/events/{eid}", headers=unit)
        assert event.status_code == 200 and all(d["met_at"] is None for d in event.json()["deadlines"])
        for path in ("/api/board", "/api/assessment"):
            assert client.get(path, headers=coord).status_code == 200, path
        held = client.post(f"/api/events/{eid}/respond", headers=unit,
                           json={"kind": "新闻发布会", "place": "县新闻中心一楼发布厅",
                                 "at": (datetime.now(SHANGHAI) - timedelta(minutes=30)).isoformat()})
        assert held.status_code == 200, held.text
        assert sorted(held.json()["met"]) == ["authoritative_info", "press_conference"]
        after = client.get(f"/api/events/{eid}", headers=unit).json()
        assert [(r["kind"], r["link"], r["place"]) for r in after["responses"]] == [
            ("新闻发布会", None, "县新闻中心一楼发布厅")]
        assert all(d["met_at"] > d["due_at"] for d in after["deadlines"])  # late, and it stays so
        assert client.get("/api/board", headers=coord).status_code == 200
        # A filter's day nobody can mean is refused in Chinese, never compared in year 1 or 10000.
        analyst = {"Authorization": f"Bearer {token_for(engine, 'ana', seen)}"}
        for query in ("since=0001-01-01&until=9999-12-31", "since=0001-01-01", "until=9999-12-31"):
            found = client.get(f"/api/events?{query}", headers=analyst)
            assert found.status_code == 422 and "2000—2099" in found.json()["detail"], query
        assert client.get("/api/events?since=2026-01-01", headers=analyst).json()["items"]


def test_the_form_refuses_a_backdated_response_in_chinese_and_shows_the_place(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    seen = datetime.now(SHANGHAI) - timedelta(hours=2)
    eid = world(engine, ctx, seen)["崇头镇"]
    with TestClient(create_app(settings_for(db_url)), follow_redirects=False) as client:
        assert sign_in(client, "chongtou").status_code == 303
        page = client.get(f"/events/{eid}").text
        assert 'name="place"' in page
        csrf = csrf_of(client, f"/events/{eid}")
        for at in ("2020-01-01T09:00", "0001-01-01T00:00"):
            refused = client.post(f"/events/{eid}/respond", data={"csrf": csrf, "kind": "新闻发布会", "link": LINK,
                                                                  "at": at})
            assert "回应时间" in refused_page(client, refused, f"/events/{eid}"), at
        bare = client.post(f"/events/{eid}/respond", data={"csrf": csrf, "kind": "网络问政回复", "link": "", "at": ""})
        assert "须填写回应链接" in refused_page(client, bare, f"/events/{eid}")
        assert _responses(engine) == 0
        done = client.post(f"/events/{eid}/respond", data={"csrf": csrf, "kind": "吹风会", "link": "",
                                                           "place": "县政府三楼会议室", "at": ""})
        assert done.status_code == 303
        assert "县政府三楼会议室" in client.get(f"/events/{eid}").text


def test_an_event_poisoned_by_an_earlier_version_reads_again(engine: Engine, db_url: str, ctx: TriageContext,
                                                             settings_for: Any) -> None:
    """What the old SQLite format wrote for the poisoning request ("1-01-01 12:00:00.000000"): the
    event, the board and the assessment answer again instead of a 500 on every read."""
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite stored times as text")
    seen = datetime.now(SHANGHAI) - timedelta(hours=30)
    eid = world(engine, ctx, seen)["崇头镇"]
    with session_scope(engine) as s:
        uid = s.scalar(select(Unit.id).where(Unit.name == "崇头镇"))
        s.execute(text("INSERT INTO responses (event_id, unit_id, kind, link, responded_at, recorded_at, recorded_by) "
                       "VALUES (:e, :u, '新闻发布会', :l, '1-01-01 12:00:00.000000', :r, '崇头值班')"),
                  {"e": eid, "u": uid, "l": LINK, "r": "2026-12-06 10:00:00.000000"})
        s.execute(text("UPDATE deadlines SET met_at = '1-01-01 12:00:00.000000'"))
    unit = {"Authorization": f"Bearer {token_for(engine, 'chongtou', seen)}"}
    coord = {"Authorization": f"Bearer {token_for(engine, 'coord', seen)}"}
    with TestClient(create_app(settings_for(db_url))) as client:
        event = client.get(f"/api/events/{eid}", headers=unit)
        assert event.status_code == 200 and event.json()["responses"][0]["responded_at"].startswith("0001-01-01")
        for path in ("/api/board", "/api/assessment"):
            assert client.get(path, headers=coord).status_code == 200, path
