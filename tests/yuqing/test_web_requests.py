"""What a web request gets from the app as FastAPI dependencies: the clock (a test sets it with
``app.dependency_overrides``), one Session for the whole request (the board reads in one
transaction), and, before an action, one small access query instead of the event's page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from starlette.testclient import TestClient

from pipeline.storage.db import session_scope
from pipeline.storage.models import AuditLog
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.yuqing.web_helpers import csrf_of, sign_in, token_for, world
from yuqing.web import create_app, security
from yuqing.web.pages import events as event_pages

FIXED = datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI)


def _now() -> datetime:
    return datetime.now(SHANGHAI)


@pytest.fixture
def client(engine: Engine, db_url: str, ctx: TriageContext, settings_for: Any) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    found: dict[str, Any] = dict(world(engine, ctx, FIXED - timedelta(hours=1)))
    found["shitang"] = token_for(engine, "shitang", _now())
    app = create_app(settings_for(db_url))
    app.dependency_overrides[security.now] = lambda: FIXED
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client, found


def _transactions(client: TestClient) -> list[str]:
    """The transactions the app's engine begins from now on (a list that grows)."""
    begun: list[str] = []
    event.listen(client.app.state.runtime.engine, "begin", lambda _conn: begun.append("begin"))  # type: ignore[attr-defined]
    return begun


def test_the_overridden_clock_is_the_time_actions_are_taken_at(client: tuple[TestClient, dict[str, Any]],
                                                              engine: Engine) -> None:
    c, w = client
    done = c.post(f"/api/events/{w['石塘镇']}/accept", headers={"Authorization": f"Bearer {w['shitang']}"})
    assert done.status_code == 200 and done.json() == {"ok": True, "event_id": w["石塘镇"], "action": "accept", "met": None}
    with session_scope(engine) as s:
        accepted = s.scalars(select(AuditLog.at).where(AuditLog.action == "accept")).one()
    assert accepted == FIXED


def test_the_board_reads_in_one_transaction(client: tuple[TestClient, dict[str, Any]]) -> None:
    c, _ = client
    assert sign_in(c, "coord").status_code == 303
    assert c.get("/board").status_code == 200  # the first visit of the app
    begun = _transactions(c)
    page = c.get("/board")
    assert page.status_code == 200 and "督办" in page.text
    assert len(begun) == 2  # the sign-in session's check, then the page's one unit of work


def test_acting_checks_access_without_reading_the_events_page(client: tuple[TestClient, dict[str, Any]],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    c, w = client
    assert sign_in(c, "shitang").status_code == 303
    csrf = csrf_of(c, f"/events/{w['石塘镇']}")

    def no_page(*_args: Any) -> None:
        raise AssertionError("an action read the event's whole page")

    monkeypatch.setattr(event_pages, "event_view", no_page)
    begun = _transactions(c)
    refused = c.post(f"/events/{w['崇头镇']}/accept", data={"csrf": csrf})  # another township's event
    assert refused.status_code == 404 and "未找到事件" in refused.text
    done = c.post(f"/events/{w['石塘镇']}/accept", data={"csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/events/{w['石塘镇']}?done=accept"
    again = c.post(f"/events/{w['石塘镇']}/close", data={"csrf": csrf})  # refused by the rules: nothing is kept
    assert again.status_code == 303 and "failed=" in again.headers["location"]
    assert len(begun) == 6  # per request: the sign-in session's check and the request's one unit of work
