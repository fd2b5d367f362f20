"""The web app's tokens as people and systems meet them (ASVS level 2), on a real server on both
engines: an expired or revoked API token is refused with a Chinese reason and a used one
records its use; an acknowledgement link records its channel, address and self-declared name,
and shows a Chinese page once its event is closed; the access log never holds a code."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, select
from uvicorn.logging import AccessFormatter

from pipeline.actions.users import revoke_token
from pipeline.actions.work import close_item, record_response
from pipeline.config import Config
from pipeline.settings import Settings
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert
from pipeline.storage.people import ApiToken
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.pipeline.alerts.test_alerts import ack_codes
from tests.yuqing.test_web import ack_post, running
from tests.yuqing.test_web_app import people
from tests.yuqing.web_helpers import token_for, world
from yuqing.web.logs import MaskAckCodes


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self) -> None:
        self.at = datetime.now(SHANGHAI)

    def __call__(self) -> datetime:
        return self.at


def _last_used(engine: Engine) -> datetime | None:
    with session_scope(engine) as s:
        return s.scalar(select(ApiToken.last_used_at))


def test_expired_and_revoked_api_tokens_are_refused_in_chinese(engine: Engine, db_url: str, ctx: TriageContext,
                                                                settings_for: Any) -> None:
    clock = Clock()
    world(engine, ctx, clock.at)
    token = token_for(engine, "ana", clock.at)
    auth = {"Authorization": f"Bearer {token}"}
    with running(settings_for(db_url), clock) as client:
        assert client.get("/api/events", headers=auth).status_code == 200
        first = _last_used(engine)
        assert first == clock.at
        clock.at += timedelta(seconds=30)
        assert client.get("/api/events", headers=auth).status_code == 200
        assert _last_used(engine) == first                     # within the minute: not written again
        clock.at += timedelta(seconds=31)
        assert client.get("/api/events", headers=auth).status_code == 200
        assert _last_used(engine) == clock.at

        clock.at += timedelta(days=90)
        expired = client.get("/api/events", headers=auth)
        assert expired.status_code == 401 and "过期，请向管理员申请新令牌" in expired.json()["detail"]
        assert expired.headers["www-authenticate"] == "Bearer"

        clock.at = datetime.now(SHANGHAI)
        fresh = token_for(engine, "boss", clock.at)
        with session_scope(engine) as s:
            token_id = s.scalar(select(ApiToken.id).where(ApiToken.name == "系统-boss"))
            assert token_id is not None
            revoke_token(s, token_id, actor="管理员", now=clock.at)
        revoked = client.get("/api/events", headers={"Authorization": f"Bearer {fresh}"})
        assert revoked.status_code == 401 and revoked.json()["detail"] == "接口令牌已撤销，请向管理员申请新令牌"


def test_an_acknowledgement_link_records_how_and_dies_with_its_event(engine: Engine, db_url: str, ctx: TriageContext,
                                                                      cfg: Config, settings_for: Any) -> None:
    now = datetime.now(SHANGHAI)
    events = world(engine, ctx, now)
    codes = ack_codes(engine, "units-dingtalk")
    with people(settings_for(db_url), "ana", "chongtou") as (ana, chongtou):
        anonymous = httpx.Client(base_url=ana.base_url)
        done = ack_post(anonymous, codes["县委宣传部"], {"by": "县长"})
        assert done.status_code == 200 and "已确认收到" in done.text and "县长（自报）" in done.text
        assert ack_post(chongtou, codes["崇头镇"], {}).status_code == 200  # known: name and unit, not typed
        with session_scope(engine) as s:
            got = {a.recipient: (a.acknowledged_by, a.acknowledged_via, a.acknowledged_channel, a.acknowledged_from,
                                 a.acknowledged_declared) for a in s.scalars(select(Alert).where(Alert.kind == "event"))}
        assert got["县委宣传部"] == ("县长", "link", "units-dingtalk", "127.0.0.1", True)
        assert got["崇头镇"] == ("崇头值班（崇头镇）", "link", "units-dingtalk", "127.0.0.1", False)
        page = ana.get(f"/events/{events['崇头镇']}").text
        assert "县长（自报）" in page and "钉钉消息链接（units-dingtalk），来自 127.0.0.1" in page
        assert "崇头值班（崇头镇）（自报）" not in page

        with session_scope(engine) as s:  # the owner answers and closes the event
            record_response(s, cfg, events["崇头镇"], "崇头镇", "新闻发布会", link="https://yunhe.gov.cn/fb/1",
                            at=now, actor="崇头值班", now=now)
            close_item(s, cfg, events["崇头镇"], "崇头镇", actor="崇头值班", now=now)
        for response in (anonymous.get(f"/ack/{codes['县政府办公室']}"),
                         anonymous.post(f"/ack/{codes['县政府办公室']}", data={"by": "某人"})):
            assert response.status_code == 410, response.text
            assert "确认链接已失效" in response.text and f"事件 {events['崇头镇']} 已办结" in response.text
        anonymous.close()
    with session_scope(engine) as s:
        office = s.scalar(select(Alert).where(Alert.kind == "event", Alert.recipient == "县政府办公室"))
        assert office is not None and office.acknowledged_at is None


def test_the_access_log_formatter_never_sees_a_code() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.7:5123", "GET", "/ack/Zq3-secret_code_22chX?x=1", "1.1", 200), None)
    assert MaskAckCodes().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == '10.0.0.7:5123 - "GET /ack/***?x=1 HTTP/1.1" 200 OK'
    assert record.getMessage() == '10.0.0.7:5123 - "GET /ack/***?x=1 HTTP/1.1" 200'


def test_yuqing_webs_access_log_masks_acknowledgement_codes(
        migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Any) -> None:
    settings: Settings = settings_for(migrated_sqlite("web.db"))
    with socket.socket() as probe:  # a free port; the tiny race with other processes is acceptable here
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
           "YUQING_MODEL_DIR": str(settings.model_dir)}  # /healthz is 200 only with the models in place
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "web", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    code = "Zq3-secret_code_22chX"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "yuqing web did not start"
                time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/ack/{code}", timeout=10).status_code == 404
        assert httpx.post(f"http://127.0.0.1:{port}/ack/{code}", data={"by": "x"}, timeout=10).status_code == 404
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert '"GET /healthz HTTP/1.1" 200' in out                # the access log is on
    assert '"GET /ack/*** HTTP/1.1" 404' in out and '"POST /ack/*** HTTP/1.1" 404' in out
    assert code not in out
