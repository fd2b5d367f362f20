"""What the web tests share: a small triaged world (an event of 崇头镇, one of 石塘镇), users
of every role, signing in as a browser does, and reading forms' CSRF tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine, select

from pipeline.actions.users import add_user, issue_token
from pipeline.storage.db import session_scope
from pipeline.storage.models import Assignment, Unit
from pipeline.triage import TriageContext
from tests.pipeline.alerts.test_alerts import MAJOR, _triage
from tests.yuqing.test_web import form_csrf

PASSWORD = "correct-horse-1"
SHITANG = {"id": "s1", "platform": "weibo", "author": "石塘小阿哥",
           "text": "石塘镇集镇往长汀方向那段乡道，上个月挖开埋管子，到现在都没恢复，路面坑坑洼洼，已经有人摔过了"}
USERS = [("ana", "张分析", "analyst", None), ("chongtou", "崇头值班", "unit", "崇头镇"),
         ("shitang", "石塘值班", "unit", "石塘镇"), ("coord", "王协调", "coordinator", "县政府办公室"),
         ("boss", "李领导", "leader", None)]


def world(engine: Engine, ctx: TriageContext, now: datetime, records: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Triage the posts, add the users; returns the event id of each township's item."""
    _triage(engine, ctx, records or [MAJOR, SHITANG], now)
    with session_scope(engine) as s:
        for username, name, role, unit in USERS:
            add_user(s, username, name, role, PASSWORD, unit=unit, actor="管理员", now=now, must_change=False)
        found = s.execute(select(Unit.name, Assignment.event_id).join(Assignment, Assignment.unit_id == Unit.id)
                          .where(Assignment.role == "primary", Unit.name.in_(("崇头镇", "石塘镇")))).all()
    return {name: eid for name, eid in found}


def token_for(engine: Engine, username: str, now: datetime) -> str:
    with session_scope(engine) as s:
        return issue_token(s, username, f"系统-{username}", actor="管理员", now=now)


def sign_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    csrf = form_csrf(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf})


def csrf_of(client: httpx.Client, path: str) -> str:
    return form_csrf(client.get(path).text)


def refused_page(client: httpx.Client | Any, response: httpx.Response, page: str) -> str:
    """A refused action goes back to the page it came from (303, never left on the POST
    address), which shows the Chinese message; returns that page's text."""
    assert response.status_code == 303, response.status_code
    location = response.headers["location"]
    assert location.startswith(f"{page}?failed="), location
    shown = client.get(location)
    assert shown.status_code == 200
    return str(shown.text)
