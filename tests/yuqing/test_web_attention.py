"""What needs attention now, and the smaller points of issue 19, on both databases:

- the first screen (概览) lists the open 重大 event with owner and time left, overdue milestones
  by unit (with the clock passed in), unanswered rumours and unacknowledged alerts, each linked
  to its event, before charts with ≥12 px text and whole-number axes;
- the desk and the board default to the urgency order (a returned item no unit owns above an
  owned one of the same grade); the other orders stay choices;
- inbox cards sign for, answer and return an item; a unit lists its finished items;
- a refused action returns to the page with its Chinese message (a forged one is not shown);
- 改派 offers no preselected unit; the timeline keeps 签收 before a 回应 dated to the same minute;
  merge and split name and link the other event."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from pipeline.queries.attention import attention
from pipeline.storage.db import session_scope
from pipeline.storage.models import Assignment, Event, Post, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.yuqing.web_helpers import csrf_of, refused_page, sign_in, world
from yuqing.web.app import create_app

LINK = "https://www.yunhe.gov.cn/art/2026/12/6/answer.html"
CHISHI = {"id": "c1", "platform": "weibo", "author": "赤石网友", "text": "赤石乡集镇的路灯坏了快一个月了，晚上走路很不方便"}


@contextmanager
def client_for(settings: Any, username: str, clock: Any = None) -> Iterator[TestClient]:
    app = create_app(settings) if clock is None else create_app(settings, clock=clock)
    with TestClient(app, follow_redirects=False) as client:
        assert sign_in(client, username).status_code == 303
        yield client


def _links(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'href="/events/(\d+)"', html)]


def test_the_first_screen_lists_what_needs_attention(engine: Engine, db_url: str, ctx: TriageContext,
                                                     settings_for: Any) -> None:
    now = datetime.now(SHANGHAI)
    events = world(engine, ctx, now)
    major, minor = events["崇头镇"], events["石塘镇"]
    with session_scope(engine) as s:
        s.execute(update(Event).where(Event.id == minor).values(rumor=True))
        first = attention(s, now)
        later = attention(s, now + timedelta(hours=6))          # the 5 h 发布权威信息 has passed
    assert [(e.event_id, e.grade, e.owner, e.milestone) for e in first.serious] == [
        (major, "重大", "崇头镇", "authoritative_info")]
    assert first.overdue_by_unit == [] and [e.event_id for e in first.rumours] == [minor]
    assert first.rumours[0].reasons == ["谣言未回应"] and first.rising == []
    assert [a.event_id for a in first.alerts] == [major] and "崇头镇" in first.alerts[0].recipients
    assert [(u, [m.event_id for m in ms]) for u, ms in later.overdue_by_unit] == [("崇头镇", [major])]
    assert later.serious[0].reasons == ["时限已超"] and later.serious[0].state == "overdue"

    with client_for(settings_for(db_url), "boss") as boss:
        html = boss.get("/overview").text
    serious = html.split('id="serious"')[1].split('id="release-gaps"')[0]
    assert _links(serious) == [major] and 'data-label="牵头单位">崇头镇<' in serious and "剩余 4小时" in serious
    releases = html.split('id="release-gaps"')[1].split('id="overdue"')[0]   # 持续发布: nothing released yet
    assert _links(releases) == [major] and "尚未发布" in releases
    rumours = html.split('id="rumours"')[1].split('id="alerts"')[0]
    assert _links(rumours) == [minor]
    assert _links(html.split('id="alerts"')[1].split("统计图")[0]) == [major]
    sizes = [int(x) for x in re.findall(r'<svg [^>]*font-size="(\d+)"', html)]
    assert sizes and min(sizes) >= 12
    ticks = re.findall(r'text-anchor="end" fill="#5f6b7a">([^<]+)</text>', html)
    assert ticks and all(t.isdigit() for t in ticks)           # count axes: whole numbers only
    with session_scope(engine) as s:   # given back: overdue with nobody owning it, not charged to 崇头镇
        s.execute(update(Assignment).where(Assignment.event_id == major, Assignment.role == "primary")
                  .values(status="returned", return_reason="不属本辖区"))
        returned = attention(s, now + timedelta(hours=6))
    assert [u for u, _ in returned.overdue_by_unit] == ["待改派（崇头镇已退回）"]
    assert returned.serious[0].owner is None and "无牵头单位（待改派）" in returned.serious[0].reasons


def test_leaders_and_coordinators_start_on_the_first_screen(engine: Engine, db_url: str, ctx: TriageContext,
                                                            settings_for: Any) -> None:
    world(engine, ctx, datetime.now(SHANGHAI))
    for who in ("boss", "coord"):
        with client_for(settings_for(db_url), who) as client:
            assert client.get("/").headers["location"] == "/overview", who


def test_desk_and_board_default_to_the_urgency_order(engine: Engine, db_url: str, ctx: TriageContext,
                                                     settings_for: Any) -> None:
    now = datetime.now(SHANGHAI)
    events = world(engine, ctx, now, None)
    major, shitang = events["崇头镇"], events["石塘镇"]
    chishi = world_more(engine, ctx, now)
    settings = settings_for(db_url)
    with client_for(settings, "ana") as ana:
        assert _links(ana.get("/desk").text)[0] == major                     # newest is 赤石乡's post
        assert _links(ana.get("/desk?order=newest").text)[0] == chishi
        assert "最紧急在前" in ana.get("/desk").text
    with client_for(settings, "shitang") as unit:
        csrf = csrf_of(unit, "/inbox")
        back = unit.post(f"/events/{shitang}/return", data={"csrf": csrf, "reason": "不属本辖区", "back": "inbox"})
        assert back.headers["location"] == "/inbox?done=return"
    with client_for(settings, "coord") as coord:
        board = coord.get("/board").text.split("考核")[0]
        order = list(dict.fromkeys(_links(board)))
        assert order[:3] == [major, shitang, chishi], order   # returned, unowned: above 赤石乡's of the same grade
        assert "无牵头单位（待改派）" in board
        by_due = list(dict.fromkeys(_links(coord.get("/board?order=due").text.split("考核")[0])))
        assert by_due[0] == major and "时限最早在前" in coord.get("/board?order=due").text


def world_more(engine: Engine, ctx: TriageContext, now: datetime) -> int:
    """A second 一般 item, of 赤石乡, triaged after the world's; its event id."""
    from tests.pipeline.alerts.test_alerts import _triage

    _triage(engine, ctx, [CHISHI], now)
    with session_scope(engine) as s:
        found = s.scalar(select(Assignment.event_id).join(Unit, Unit.id == Assignment.unit_id)
                         .where(Unit.name == "赤石乡", Assignment.role == "primary"))
    assert found is not None
    return int(found)


def test_inbox_cards_sign_answer_and_return_and_finished_items_are_listed(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    eid = world(engine, ctx, datetime.now(SHANGHAI))["石塘镇"]
    with client_for(settings_for(db_url), "shitang") as unit:
        inbox = unit.get("/inbox").text
        for name in ("accept", "respond", "return"):
            form = inbox.split(f'action="/events/{eid}/{name}"')[1].split("</form>")[0]
            assert 'name="csrf"' in form and 'name="back" value="inbox"' in form, name
        csrf = csrf_of(unit, "/inbox")
        signed = unit.post(f"/events/{eid}/accept", data={"csrf": csrf, "back": "inbox"})
        assert signed.headers["location"] == "/inbox?done=accept" and "已签收" in unit.get(signed.headers["location"]).text
        blank = unit.post(f"/events/{eid}/return", data={"csrf": csrf, "reason": " ", "back": "inbox"})
        assert "请填写退回理由" in refused_page(unit, blank, "/inbox")
        minute = datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")   # as the form offers it: to the minute
        answered = unit.post(f"/events/{eid}/respond", data={"csrf": csrf, "kind": "网络问政回复", "link": LINK,
                                                             "at": minute, "back": "inbox"})
        assert answered.headers["location"] == "/inbox?done=respond"
        timeline = unit.get(f"/events/{eid}").text.split("时间线")[1]
        assert timeline.index("石塘镇签收") < timeline.index("石塘镇回应")
        assert unit.get("/inbox/closed").text.count(f'href="/events/{eid}"') == 0
        assert unit.post(f"/events/{eid}/close", data={"csrf": csrf}).status_code == 303
        closed = unit.get("/inbox/closed").text
        assert f'href="/events/{eid}"' in closed and "已办结" in closed
        assert f'href="/events/{eid}"' not in unit.get("/inbox").text


def test_a_refused_action_returns_with_its_message_and_a_forged_one_is_not_shown(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    eid = world(engine, ctx, datetime.now(SHANGHAI))["石塘镇"]
    with client_for(settings_for(db_url), "coord") as coord:
        page = coord.get(f"/events/{eid}").text
        reassign = page.split('action="/events/' + str(eid) + '/reassign"')[1].split("</form>")[0]
        assert '<option value="" selected disabled>请选择新的牵头单位</option>' in reassign
        assert reassign.count(" selected") == 1                                  # no unit preselected
        csrf = csrf_of(coord, f"/events/{eid}")
        empty = coord.post(f"/events/{eid}/reassign", data={"csrf": csrf, "unit": "", "reason": "核实"})
        assert "请选择单位" in refused_page(coord, empty, f"/events/{eid}")
        forged = coord.get(f"/events/{eid}?failed=请立即转账&sig=0000").text
        assert "请立即转账" not in forged


def test_merge_and_split_name_and_link_the_other_event(engine: Engine, db_url: str, ctx: TriageContext,
                                                       settings_for: Any) -> None:
    events = world(engine, ctx, datetime.now(SHANGHAI), None)
    keep, other = events["崇头镇"], events["石塘镇"]
    with session_scope(engine) as s:
        moved = list(s.scalars(select(Post.id).where(Post.event_id == other)))
    with client_for(settings_for(db_url), "ana") as ana:
        csrf = csrf_of(ana, f"/events/{keep}")
        assert ana.post(f"/events/{keep}/merge", data={"csrf": csrf, "with": str(other), "reason": "同一事件"}
                        ).status_code == 303
        kept = ana.get(f"/events/{keep}").text.split("时间线")[1]
        assert f"并入事件 {other}" in kept and f'href="/events/{other}"' in kept
        gone = ana.get(f"/events/{other}").text.split("时间线")[1]
        assert f"事件 {keep}" in gone and f'href="/events/{keep}"' in gone
        assert ana.post(f"/events/{keep}/split", data={"csrf": csrf, "posts": ", ".join(map(str, moved)),
                                                       "reason": "两件事"}).status_code == 303
        with session_scope(engine) as s:
            new = s.scalar(select(Post.event_id).where(Post.id == moved[0]))
        after = ana.get(f"/events/{keep}").text.split("时间线")[1]
        assert f"拆出为事件 {new}" in after and f'href="/events/{new}"' in after
        born = ana.get(f"/events/{new}").text.split("时间线")[1]
        assert f"从事件 {keep} 拆分而来" in born and f'href="/events/{keep}"' in born


