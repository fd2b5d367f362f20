"""The web app's routes and permissions, on SQLite and PostgreSQL, through a real uvicorn
server: each role reaches its pages and no other; a unit never reaches another unit's item
(by page, by guessing a URL, by the API); CSRF and Origin are checked on every form; a
disabled user's session ends; hostile text is escaped; every change is audited."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine, func, select, update

from pipeline.actions.signin import SECURITY_ACTIONS
from pipeline.actions.users import disable_user
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, AuditLog, Event, LabelledExample, Post
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.pipeline.alerts.test_alerts import ack_codes
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import csrf_of, refused_page, sign_in, token_for, world


def _now() -> datetime:
    return datetime.now(SHANGHAI)


@contextmanager
def people(settings: Any, *usernames: str) -> Iterator[list[httpx.Client]]:
    """One browser (cookie jar) per user, each signed in, on one running server."""
    with running(settings) as first:
        clients = [first] + [httpx.Client(base_url=first.base_url, timeout=30) for _ in usernames[1:]]
        try:
            for client, username in zip(clients, usernames, strict=True):
                assert sign_in(client, username).status_code == 303
            yield clients
        finally:
            for client in clients[1:]:
                client.close()


def test_each_role_reaches_its_pages_only(engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    with people(settings_for(db_url), "ana", "shitang", "boss", "coord") as (ana, shitang, boss, coord):
        anonymous = httpx.Client(base_url=ana.base_url)
        assert anonymous.get("/desk").status_code == 303 and "/login" in anonymous.get("/desk").headers["location"]
        for path in ("/desk", f"/events/{events['崇头镇']}", "/board", "/overview", "/desk?q=大巴&grade=重大"):
            assert ana.get(path).status_code == 200, path
        assert ana.get("/inbox").status_code == 403
        desk, event = ana.get("/desk").text, ana.get(f"/events/{events['崇头镇']}").text
        # Platforms as county readers name them, never the stored code.
        assert '<td data-label="平台">微博' in desk and '平台">weibo' not in desk and '<option value="weibo">微博</option>' in desk
        assert "· 微博" in event and "· weibo" not in event
        for path in ("/desk", "/board", "/overview", "/api/events"):
            assert shitang.get(path).status_code in (401, 403), path
        inbox = shitang.get("/inbox").text
        assert f"/events/{events['石塘镇']}" in inbox and f"/events/{events['崇头镇']}" not in inbox
        assert boss.get("/overview").status_code == 200 and boss.get("/board").status_code == 200
        assert coord.get("/board").status_code == 200 and "考核" in coord.get("/board").text
        # A leader reads but changes nothing; a coordinator reassigns but does not regrade.
        eid = events["崇头镇"]
        denied = boss.post(f"/events/{eid}/grade", data={"csrf": csrf_of(boss, f"/events/{eid}"), "grade": "一般",
                                                         "reason": "试图改级"})
        assert denied.status_code == 403
        assert coord.post(f"/events/{eid}/grade", data={"csrf": csrf_of(coord, f"/events/{eid}"), "grade": "一般",
                                                        "reason": "x"}).status_code == 403
        anonymous.close()


def test_a_unit_never_reaches_another_units_item(engine: Engine, db_url: str, ctx: TriageContext,
                                                 settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    other = events["崇头镇"]
    api_token = token_for(engine, "shitang", _now())
    with people(settings_for(db_url), "shitang") as (shitang,):
        csrf = csrf_of(shitang, "/inbox")
        assert shitang.get(f"/events/{other}").status_code == 404        # by guessing a URL
        assert shitang.get("/events/999999").status_code == 404          # the same answer as no event at all
        for name in ("accept", "return", "respond", "close", "grade"):
            answer = shitang.post(f"/events/{other}/{name}", data={"csrf": csrf, "reason": "x", "kind": "网络问政回复"})
            assert answer.status_code == 404, name
        assert shitang.get("/desk?q=崇头镇").status_code == 403          # no search across units
        api = httpx.Client(base_url=shitang.base_url, headers={"Authorization": f"Bearer {api_token}"})
        assert api.get(f"/api/events/{other}").status_code == 404
        assert api.post(f"/api/events/{other}/accept", json={}).status_code == 404
        assert api.get("/api/events").status_code == 403
        assert [i["event_id"] for i in api.get("/api/inbox").json()["items"]] == [events["石塘镇"]]
        assert api.get(f"/api/events/{events['石塘镇']}").status_code == 200
        assert httpx.get(f"{shitang.base_url}/api/inbox").status_code == 401           # no token
        assert httpx.get(f"{shitang.base_url}/api/inbox", cookies=shitang.cookies).status_code == 401  # no cookies
        api.close()
    with session_scope(engine) as s:
        mine = select(func.count()).select_from(AuditLog).where(AuditLog.actor.like("石塘值班%"))
        assert s.scalar(mine.where(AuditLog.action.not_in(SECURITY_ACTIONS))) == 0  # nothing changed in its name
        assert s.scalar(mine.where(AuditLog.action == "http_403")) == 2  # the refused desk search and API call


def test_forms_need_the_sessions_csrf_token_and_a_same_origin(engine: Engine, db_url: str, ctx: TriageContext,
                                                              settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    eid = events["石塘镇"]
    with people(settings_for(db_url), "shitang", "chongtou") as (shitang, chongtou):
        own = csrf_of(shitang, f"/events/{eid}")
        someone_elses = csrf_of(chongtou, "/inbox")
        assert shitang.post(f"/events/{eid}/accept", data={}).status_code == 403                    # missing
        assert shitang.post(f"/events/{eid}/accept", data={"csrf": someone_elses}).status_code == 403  # replayed
        for origin in ("https://evil.example", "null"):
            assert shitang.post(f"/events/{eid}/accept", data={"csrf": own},
                                headers={"Origin": origin}).status_code == 403
        assert _status(engine, eid, "石塘镇") == "new"  # nothing changed
        assert shitang.post(f"/events/{eid}/accept", data={"csrf": own},
                            headers={"Origin": str(shitang.base_url).rstrip("/")}).status_code == 303
        assert _status(engine, eid, "石塘镇") == "accepted"
        # Signed out: the old cookie and its token are worth nothing.
        cookie = shitang.cookies.get("yuqing_session")
        assert shitang.post("/logout", data={"csrf": own}).status_code == 303
        replay = httpx.post(f"{shitang.base_url}/events/{eid}/return", data={"csrf": own, "reason": "重放"},
                            cookies={"yuqing_session": cookie or ""})
        assert replay.status_code == 401 and _status(engine, eid, "石塘镇") == "accepted"


def _status(engine: Engine, event_id: int, unit: str) -> str:
    from pipeline.storage.models import Assignment, Unit

    with session_scope(engine) as s:
        return str(s.scalar(select(Assignment.status).join(Unit, Unit.id == Assignment.unit_id)
                            .where(Assignment.event_id == event_id, Unit.name == unit)))


def test_a_disabled_users_session_and_tokens_stop_at_once(engine: Engine, db_url: str, ctx: TriageContext,
                                                          settings_for: Any) -> None:
    world(engine, ctx, _now())
    api_token = token_for(engine, "ana", _now())
    with people(settings_for(db_url), "ana") as (ana,):
        assert ana.get("/desk").status_code == 200
        with session_scope(engine) as s:
            disable_user(s, "ana", actor="管理员", now=_now())
        assert ana.get("/desk").status_code == 303                                  # back to the sign-in page
        assert httpx.get(f"{ana.base_url}/api/events", headers={"Authorization": f"Bearer {api_token}"}).status_code == 401
        assert sign_in(ana, "ana").status_code == 401


def test_hostile_text_is_escaped_everywhere(engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    eid = events["崇头镇"]
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    with session_scope(engine) as s:
        s.execute(update(Event).where(Event.id == eid).values(title=hostile + "大巴坠崖"))
        s.execute(update(Post).where(Post.event_id == eid).values(text=hostile + "正文", url="javascript:alert(3)"))
    with people(settings_for(db_url), "ana") as (ana,):
        changed = ana.post(f"/events/{eid}/grade", data={"csrf": csrf_of(ana, f"/events/{eid}"), "grade": "特别重大",
                                                         "reason": hostile + "理由"})
        assert changed.status_code == 303
        pages = [ana.get(p).text for p in (f"/events/{eid}", "/desk", "/board", "/api/events")]
    for html in pages[:3]:
        assert "<script>" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in pages[0]
    assert "理由" in pages[0] and "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[1]


def test_an_analysts_regrade_is_audited_alerts_once_and_is_an_example(engine: Engine, db_url: str,
                                                                      ctx: TriageContext, settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    eid = events["石塘镇"]
    with people(settings_for(db_url), "ana") as (ana,):
        csrf = csrf_of(ana, f"/events/{eid}")
        for _ in range(2):  # a second press of the same button sends nothing again
            assert ana.post(f"/events/{eid}/grade", data={"csrf": csrf, "grade": "重大", "reason": "央媒关注"}).status_code == 303
        bad = ana.post(f"/events/{eid}/grade", data={"csrf": csrf, "grade": "重大", "reason": " "})
        assert "请填写定级理由" in refused_page(ana, bad, f"/events/{eid}")
        page = ana.get(f"/events/{eid}?done=grade").text
        assert "已保存定级" in page and "张分析" in page and "央媒关注" in page
        assert ana.post(f"/events/{eid}/rumor", data={"csrf": csrf, "rumor": "1", "reason": "经核实"}).status_code == 303
        trail = ana.get(f"/events/{eid}").text.split("操作记录（审计）")[1]
        # Before and after as a person reads them: 一般 → 重大, 否 → 是; never JSON.
        assert "<td>人工定级</td><td>一般</td>\n<td>重大</td>" in trail
        assert "<td>更正谣言标记</td><td>否</td>\n<td>是</td>" in trail
        assert not any(code in trail for code in ("\\u", "true", "false", "&#34;"))
    with session_scope(engine) as s:
        recipients = s.scalars(select(Alert.recipient).where(Alert.event_id == eid, Alert.kind == "event",
                                                             Alert.urgent.is_(True))).all()
        audit = s.scalars(select(AuditLog.actor).where(AuditLog.action == "regrade", AuditLog.entity_id == eid)).all()
        example = s.scalar(select(LabelledExample.label).where(LabelledExample.event_id == eid,
                                                               LabelledExample.kind == "grade"))
    assert sorted(recipients) == sorted(["石塘镇", "县政府办公室", "县委宣传部"])
    assert audit and all(a == "张分析" for a in audit) and example == "重大"


def test_the_api_reads_and_acts_with_the_tokens_permissions(engine: Engine, db_url: str, ctx: TriageContext,
                                                            settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    eid = events["石塘镇"]
    unit, analyst = token_for(engine, "shitang", _now()), token_for(engine, "ana", _now())
    with running(settings_for(db_url)) as client:
        as_unit = {"Authorization": f"Bearer {unit}"}
        assert client.post(f"/api/events/{eid}/accept", json={}, headers=as_unit).json()["ok"] is True
        met = client.post(f"/api/events/{eid}/respond", json={"kind": "网络问政回复", "link": "https://yunhe.gov.cn/r/1"},
                          headers=as_unit).json()
        assert met["met"] == ["response"]
        refused = client.post(f"/api/events/{eid}/grade", json={"grade": "一般", "reason": "x"}, headers=as_unit)
        assert refused.status_code == 403
        bad = client.post(f"/api/events/{eid}/respond", json={"kind": "网络问政回复", "link": "javascript:x"}, headers=as_unit)
        assert bad.status_code == 422 and "http" in bad.json()["detail"]
        rows = client.get("/api/events?grade=一般", headers={"Authorization": f"Bearer {analyst}"}).json()["items"]
        assert rows and all(r["grade"] == "一般" for r in rows)
        assert "/api/inbox" in client.get("/openapi.json").json()["paths"] and client.get("/docs").status_code == 200
        # 办结 takes an optional note (the command line's --note): recorded as the audit's reason
        closed = client.post(f"/api/events/{eid}/close", json={"note": "已答复网民"}, headers=as_unit)
        assert closed.status_code == 200, closed.text
    with session_scope(engine) as s:
        actors = s.scalars(select(AuditLog.actor).where(AuditLog.action.in_(("accept", "record_response")))).all()
        notes = [d["reason"] for d in s.scalars(select(AuditLog.detail).where(AuditLog.action == "close"))]
    assert actors and all(a == "石塘值班（石塘镇）·系统-shitang" for a in actors)
    assert notes == ["已答复网民"]


def test_acknowledgement_links_check_csrf_and_origin_and_know_the_signed_in_person(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    tokens = ack_codes(engine)
    mine, theirs = tokens["崇头镇"], tokens["县政府办公室"]
    with people(settings_for(db_url), "chongtou") as (chongtou,):
        anonymous = httpx.Client(base_url=chongtou.base_url)
        other_alerts = csrf_of(anonymous, f"/ack/{theirs}")
        assert anonymous.post(f"/ack/{mine}", data={"by": "路人"}).status_code == 403                     # missing
        assert anonymous.post(f"/ack/{mine}", data={"by": "路人", "csrf": other_alerts}).status_code == 403  # replayed
        assert anonymous.post(f"/ack/{mine}", data={"by": "路人", "csrf": csrf_of(anonymous, f"/ack/{mine}")},
                              headers={"Origin": "https://evil.example"}).status_code == 403
        anonymous.close()
        shown = chongtou.get(f"/ack/{mine}").text
        assert "确认人：崇头值班（崇头镇）" in shown and 'name="by"' not in shown
        # A name typed into the form does not replace the signed-in person of the recipient unit.
        done = chongtou.post(f"/ack/{mine}", data={"csrf": csrf_of(chongtou, f"/ack/{mine}"), "by": "冒名者"})
        assert done.status_code == 200 and "已确认收到" in done.text
        # Signed in but of another unit: the name typed is required and recorded.
        assert 'name="by"' in chongtou.get(f"/ack/{theirs}").text
        # A coordinator bound to 县政府办公室 is known on that office's alerts.
        assert sign_in(chongtou, "coord").status_code == 303
        assert "确认人：王协调（县政府办公室）" in chongtou.get(f"/ack/{theirs}").text
    with session_scope(engine) as s:
        by = dict(s.execute(select(Alert.recipient, Alert.acknowledged_by).where(Alert.kind == "event")).all())
    assert by["崇头镇"] == "崇头值班（崇头镇）" and by["县政府办公室"] is None


def test_the_desk_filters_by_review_flag_and_sentiment(engine: Engine, db_url: str, ctx: TriageContext,
                                                        settings_for: Any) -> None:
    """待复核 is the flag triage stores with its reasons; 情感倾向 is the post's sentiment."""
    events = world(engine, ctx, _now())
    flagged, plain = events["崇头镇"], events["石塘镇"]
    with session_scope(engine) as s:
        s.execute(update(Event).values(needs_review=False))
        s.execute(update(Event).where(Event.id == flagged).values(needs_review=True, review_reasons=["模型认为应为特别重大"]))
        s.execute(update(Post).values(sentiment="负面"))
        s.execute(update(Post).where(Post.event_id == plain).values(sentiment="中性"))
    with people(settings_for(db_url), "ana") as (ana,):
        review = ana.get("/desk?review=1").text
        assert f"/events/{flagged}" in review and f"/events/{plain}" not in review and "待复核" in review
        neutral = ana.get("/desk?sentiment=中性").text
        assert f"/events/{plain}" in neutral and f"/events/{flagged}" not in neutral
        assert f"/events/{flagged}" in ana.get("/desk?sentiment=负面").text
        assert f"/events/{plain}" in ana.get("/desk?sentiment=乱写").text  # an unknown value filters nothing


def test_an_analyst_corrects_the_sentiment_in_the_page_and_it_is_an_example(engine: Engine, db_url: str,
                                                                           ctx: TriageContext, settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    eid = events["石塘镇"]
    with people(settings_for(db_url), "ana") as (ana,):
        done = ana.post(f"/events/{eid}/sentiment", data={"csrf": csrf_of(ana, f"/events/{eid}"), "sentiment": "正面",
                                                          "reason": "是表扬信"}, follow_redirects=True)
        assert done.status_code == 200 and "已更正情感倾向" in done.text
    with session_scope(engine) as s:
        assert s.scalar(select(Event.sentiment).where(Event.id == eid)) == "正面"
        kinds = {(e.kind, e.label, e.actor) for e in s.scalars(select(LabelledExample).where(
            LabelledExample.event_id == eid))}
        audit = s.scalar(select(AuditLog.action).where(AuditLog.entity_id == eid, AuditLog.action == "set_sentiment"))
    assert ("sentiment", "正面", "张分析") in kinds and audit == "set_sentiment"


def test_an_analyst_merges_and_splits_events_in_the_page(engine: Engine, db_url: str, ctx: TriageContext,
                                                         settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    keep, other = events["崇头镇"], events["石塘镇"]
    with session_scope(engine) as s:
        moved = list(s.scalars(select(Post.id).where(Post.event_id == other)))
    with people(settings_for(db_url), "ana", "shitang") as (ana, shitang):
        csrf = csrf_of(ana, f"/events/{keep}")
        refused = ana.post(f"/events/{keep}/merge", data={"csrf": csrf, "with": "", "reason": "同一事件"})
        assert "请填写要并入的事件编号" in refused_page(ana, refused, f"/events/{keep}")
        denied = shitang.post(f"/events/{other}/merge", data={"csrf": csrf_of(shitang, "/inbox"), "with": str(keep),
                                                              "reason": "x"})
        assert denied.status_code in (403, 404)
        merged = ana.post(f"/events/{keep}/merge", data={"csrf": csrf, "with": f"{other}", "reason": "同一事件"},
                          follow_redirects=True)
        assert merged.status_code == 200 and "已合并事件" in merged.text and f"帖子 {moved[0]}" in merged.text
        split = ana.post(f"/events/{keep}/split", data={"csrf": csrf_of(ana, f"/events/{keep}"),
                                                        "posts": ", ".join(map(str, moved)), "reason": "两件事"},
                         follow_redirects=True)
        assert split.status_code == 200 and "已拆分为新事件" in split.text
    with session_scope(engine) as s:
        assert s.scalar(select(Event.merged_into).where(Event.id == other)) == keep
        new_event = s.scalar(select(Post.event_id).where(Post.id == moved[0]))
        assert new_event not in (keep, other)
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.actor == "张分析")))
    assert {"merge_events", "split_event"} <= actions


def test_unknown_addresses_and_malformed_api_calls_answer_in_chinese(engine: Engine, db_url: str, ctx: TriageContext,
                                                                     settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    api_token = token_for(engine, "ana", _now())
    with people(settings_for(db_url), "ana") as (ana,):
        page = ana.get("/no-such-page")
        assert page.status_code == 404 and "没有这个页面" in page.text and "Not Found" not in page.text
        assert "<html" in page.text and "张分析" in page.text            # the app's own page, signed in
        assert ana.put("/desk").status_code == 405 and "不接受这种请求" in ana.put("/desk").text
        api = httpx.Client(base_url=ana.base_url, headers={"Authorization": f"Bearer {api_token}"})
        missing = api.get("/api/nothing")
        assert missing.status_code == 404 and missing.json() == {"detail": "没有这个页面或对象。"}
        eid = events["崇头镇"]
        broken = api.post(f"/api/events/{eid}/grade", content=b"{not json", headers={"Content-Type": "application/json"})
        assert broken.status_code == 422 and "不是有效的 JSON" in broken.json()["detail"]
        wrong = api.post(f"/api/events/{eid}/relevance", json={"relevant": "也许", "reason": "x"})
        assert wrong.status_code == 422 and wrong.json()["detail"] == "relevant：应为 true 或 false"
        assert api.post("/api/events/abc/grade", json={}).json()["detail"] == "event_id：应为整数"
        api.close()
