"""Signing in through the web app as an ASVS level-2 review tries it, on SQLite and PostgreSQL
through a real uvicorn server: throttling answers 429 with Retry-After and locks a name from
one address only, CSRF values are compared as bytes (non-ASCII → 403, never 500), a user whose
password an administrator chose is sent to change it, the session cookie dies with the browser
and the session when idle or replaced, HSTS under https, and refusals are audited."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from pipeline.actions.signin import unlock_user
from pipeline.actions.users import add_user, reset_password
from pipeline.rules.signin import PAIR_LIMIT, SESSION_IDLE
from pipeline.storage.db import session_scope
from pipeline.storage.models import AuditLog
from pipeline.storage.people import SigninAttempt
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.yuqing.test_web import form_csrf, running
from tests.yuqing.web_helpers import PASSWORD, csrf_of, sign_in, world

NEW_PASSWORD = "tr0mbone-Kettle-9"


def _now() -> datetime:
    return datetime.now(SHANGHAI)


@contextmanager
def from_address(client: httpx.Client, address: str) -> Iterator[httpx.Client]:
    """Another browser on another machine: a client whose connections come from ``address``
    (any 127.x.y.z reaches the server on 127.0.0.1)."""
    other = httpx.Client(base_url=client.base_url, timeout=30, transport=httpx.HTTPTransport(local_address=address))
    try:
        yield other
    finally:
        other.close()


def _audit(engine: Engine, action: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(engine) as s:
        return [(a, d) for a, d in s.execute(select(AuditLog.actor, AuditLog.detail)
                                              .where(AuditLog.action == action).order_by(AuditLog.id))]


def test_wrong_passwords_lock_the_name_from_one_address_only_and_an_admin_unlocks(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    with running(settings_for(db_url)) as client:
        for _ in range(PAIR_LIMIT):
            wrong = sign_in(client, "boss", "wrong-password")
            assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
        refused = sign_in(client, "boss")
        assert refused.status_code == 429 and "已暂时锁定" in refused.text
        assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
        # Other names from the same address are not held up, …
        assert sign_in(client, "nobody", "x").status_code == 401
        assert sign_in(client, "ana").status_code == 303
        # … and the leader signs in from their own machine.
        with from_address(client, "127.0.0.2") as elsewhere:
            assert sign_in(elsewhere, "boss").status_code == 303
            assert elsewhere.get("/overview").status_code == 200
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(SigninAttempt)) == PAIR_LIMIT + 1
            assert unlock_user(s, "boss", actor="管理员", now=_now()) == 1
        assert sign_in(client, "boss").status_code == 303
    (actor, refusal), = _audit(engine, "signin_refused")
    assert actor == "李领导" and refusal["address"] == "127.0.0.1" and refusal["locked"]


def test_csrf_values_with_non_ascii_characters_are_refused_in_chinese(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    with running(settings_for(db_url)) as client:
        fresh = str(int(time.time()))
        for bad in ("令牌", f"{fresh}.é", f"{fresh}.{form_csrf(client.get('/login').text).partition('.')[2]}é",
                    "١٧٣٣٥٠٠٠٠٠.abc", "²³.abc"):
            login = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": bad})
            assert login.status_code == 403 and "表单已失效" in login.text, bad
        assert sign_in(client, "ana").status_code == 303
        for bad in ("令牌", "ａｂｃ", csrf_of(client, "/desk") + "é"):
            post = client.post("/logout", data={"csrf": bad})
            assert post.status_code == 403 and "安全校验未通过" in post.text, bad
        odd_origin = client.post("/logout", data={"csrf": csrf_of(client, "/desk")}, headers={"Origin": "http://[::1"})
        assert odd_origin.status_code == 403 and "请求来源无效" in odd_origin.text
        assert client.get("/desk").status_code == 200  # still signed in: nothing was accepted


def test_an_administrators_password_is_changed_before_anything_else(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    events = world(engine, ctx, _now())
    with session_scope(engine) as s:
        add_user(s, "newbie", "新分析", "analyst", PASSWORD, unit=None, actor="管理员", now=_now())
    with running(settings_for(db_url)) as client:
        first = sign_in(client, "newbie")
        assert first.status_code == 303 and first.headers["location"] == "/password"
        for path in ("/", "/desk", f"/events/{events['崇头镇']}"):
            sent = client.get(path)
            assert sent.status_code == 303 and sent.headers["location"] == "/password", path
        page = client.get("/password")
        assert page.status_code == 200 and "请先设置您自己的密码" in page.text
        csrf = form_csrf(page.text)
        blocked = client.post(f"/events/{events['崇头镇']}/grade", data={"csrf": csrf, "grade": "一般", "reason": "x"})
        assert blocked.status_code == 403 and "请先修改密码" in blocked.text

        def change(current: str, new: str, repeat: str | None = None) -> httpx.Response:
            return client.post("/password", data={"csrf": csrf, "current": current, "new": new,
                                                   "repeat": new if repeat is None else repeat})

        assert "当前密码不正确" in change("not-the-password", NEW_PASSWORD).text
        assert "至少 12 个字符" in change(PASSWORD, "aaaaaaaaaa").text
        assert "过于常见" in change(PASSWORD, "Password@2024").text
        assert "包含用户名" in change(PASSWORD, "newbie-newbie-1").text
        assert "不一致" in change(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x").text
        old_cookie = client.cookies.get("yuqing_session")
        done = change(PASSWORD, NEW_PASSWORD)
        assert done.status_code == 303 and done.headers["location"] == "/password?done=1"
        assert client.cookies.get("yuqing_session") != old_cookie  # a new session for this browser
        assert "密码已修改" in client.get("/password?done=1").text
        assert client.get("/desk").status_code == 200 and 'href="/password">修改密码' in client.get("/desk").text
        stale = httpx.get(f"{client.base_url}/desk", cookies={"yuqing_session": old_cookie or ""})
        assert stale.status_code == 303 and "/login" in stale.headers["location"]
        with from_address(client, "127.0.0.3") as other:
            assert sign_in(other, "newbie").status_code == 401
            assert sign_in(other, "newbie", NEW_PASSWORD).headers["location"] == "/"
        # Every signed-in user may change their own password; a reset asks for it again.
        assert sign_in(client, "ana").status_code == 303 and client.get("/password").status_code == 200
        with session_scope(engine) as s:
            reset_password(s, "ana", "Another-Secret-7", actor="管理员", now=_now())
        assert sign_in(client, "ana", "Another-Secret-7").headers["location"] == "/password"
    (actor, changed), = _audit(engine, "change_password")
    assert actor == "新分析" and changed["address"] == "127.0.0.1"


def test_the_session_cookie_ends_with_the_browser_and_the_session_when_idle_or_replaced(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    clock = [_now()]
    with running(settings_for(db_url), clock=lambda: clock[0]) as client:
        signed = sign_in(client, "ana")
        cookie = signed.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
        assert "max-age" not in cookie and "expires" not in cookie  # a session cookie
        assert "strict-transport-security" not in signed.headers  # plain http: no HSTS
        for minutes in (20, 40, 60):  # used every 20 minutes, it lives on
            clock[0] += timedelta(minutes=20)
            assert client.get("/desk").status_code == 200, minutes
        clock[0] += SESSION_IDLE + timedelta(seconds=1)
        idle = client.get("/desk")
        assert idle.status_code == 303 and "/login" in idle.headers["location"]
        assert sign_in(client, "ana").status_code == 303
        with from_address(client, "127.0.0.4") as phone:
            assert sign_in(phone, "ana").status_code == 303
            assert phone.get("/desk").status_code == 200
        replaced = client.get("/desk")  # signing in on the phone ended the session of the first browser
        assert replaced.status_code == 303 and "/login" in replaced.headers["location"]


def test_hsts_under_https(engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    settings = dataclasses.replace(settings_for(db_url), public_url="https://yq.example.cn")
    with running(settings) as client:
        for path in ("/login", "/healthz"):
            assert client.get(path).headers["strict-transport-security"] == "max-age=31536000", path
        signed = sign_in(client, "ana")
        assert "secure" in signed.headers["set-cookie"].lower()


def test_refused_requests_are_audited_with_the_user_and_the_address(
        engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> None:
    world(engine, ctx, _now())
    with running(settings_for(db_url)) as client:
        assert client.get("/api/inbox").status_code == 401
        assert client.get("/api/inbox", headers={"Authorization": "Bearer yq_not-a-token"}).status_code == 401
        assert client.post("/login", data={"username": "ana", "password": "x", "csrf": "forged"}).status_code == 403
        assert sign_in(client, "ana").status_code == 303
        assert client.get("/inbox").status_code == 403
        assert client.post("/logout", data={"csrf": "forged"}).status_code == 403
        assert sign_in(client, "ana", "wrong-password").status_code == 401
    unauthorised = _audit(engine, "http_401")
    assert [(a, d["path"], d["address"]) for a, d in unauthorised] == [("（未登录）", "/api/inbox", "127.0.0.1")] * 2
    forbidden = _audit(engine, "http_403")
    assert [(a, d["method"], d["path"]) for a, d in forbidden] == [
        ("（未登录）", "POST", "/login"), ("张分析", "GET", "/inbox"), ("张分析", "POST", "/logout")]
    (actor, failed), = _audit(engine, "signin_failed")  # a wrong password is audited once, as a failed sign-in
    assert actor == "张分析" and failed["username"] == "ana" and failed["address"] == "127.0.0.1"
