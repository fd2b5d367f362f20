"""The acknowledgement web app as people use it: a real uvicorn server on 127.0.0.1 in a thread,
driven with httpx, on both engines; and the link in rendered alert messages."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, update

from pipeline.alerts import codes
from pipeline.runtime import open_runtime
from pipeline.service import sweep_deadlines
from pipeline.settings import Settings
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, Event, Post
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.conftest import NOW
from tests.pipeline.alerts.test_alerts import MAJOR, _triage, ack_codes
from yuqing.web import create_app, served


@contextmanager
def running(settings: Settings, clock: Callable[[], datetime] | None = None) -> Iterator[httpx.Client]:
    """The app served by uvicorn on a free local port until the block ends."""
    app = create_app(settings) if clock is None else create_app(settings, clock=clock)
    with served(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client


def form_csrf(html: str) -> str:
    """The CSRF token of the page's own form: the last one (the sign-out form in the header of a
    signed-in user's page comes first)."""
    found = re.findall(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return str(found[-1])


def ack_post(client: httpx.Client, token: str, data: dict[str, str], csrf: str | None = None) -> httpx.Response:
    """Confirm as a browser does: open the page, then post its form with the page's CSRF token
    (or with one taken from the page earlier, as a second tab still open would)."""
    csrf = csrf or form_csrf(client.get(f"/ack/{token}").text)
    return client.post(f"/ack/{token}", data={**data, "csrf": csrf})


def _token(engine: Engine, recipient: str = "崇头镇") -> str:
    return ack_codes(engine)[recipient]


def _acked(engine: Engine, token: str) -> tuple[datetime | None, str | None]:
    with session_scope(engine) as s:
        found = codes.find(s, token)
        assert found is not None
        return found[1].acknowledged_at, found[1].acknowledged_by


def test_get_shows_post_acknowledges_once_and_stops_escalation(engine: Engine, db_url: str, ctx: TriageContext,
                                                               settings_for: Any) -> None:
    settings = settings_for(db_url)
    grade = _triage(engine, ctx, [MAJOR], NOW)[0]["grade"]
    token = _token(engine)
    with running(settings) as client:
        page = client.get(f"/ack/{token}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert all(s in page.text for s in ("舆情预警", "崇头镇", grade, "未确认", 'name="by"', "确认收到</button>"))
        assert page.headers["x-frame-options"] == "DENY"
        assert _acked(engine, token) == (None, None)  # a GET (link preview, mail scanner) never acknowledges

        before = datetime.now(SHANGHAI)
        second_tab = form_csrf(page.text)
        done = ack_post(client, token, {"by": "  崇头镇值班员 "})
        assert done.status_code == 200, done.text
        assert "已确认收到" in done.text and "相关预警，不再重复提醒" in done.text
        at, by = _acked(engine, token)
        assert by == "崇头镇值班员" and at is not None and before <= at <= datetime.now(SHANGHAI)

        again = ack_post(client, token, {"by": "另一个人"}, second_tab)
        assert again.status_code == 200 and "此前已确认" in again.text and "崇头镇值班员" in again.text
        assert _acked(engine, token) == (at, "崇头镇值班员")  # the first acknowledger stays recorded
        shown = client.get(f"/ack/{token}")
        assert "已由 崇头镇值班员" in shown.text and 'name="by"' not in shown.text

    # Past the acknowledgement timeout the coordinators' own unacknowledged alerts escalate,
    # the acknowledged one does not.
    with open_runtime(settings) as rt:
        assert sweep_deadlines(rt, NOW + timedelta(minutes=31))["escalations"] > 0
    with session_scope(engine) as s:
        escalated = s.scalar(select(func.count()).select_from(Alert).where(
            Alert.kind == "escalation", Alert.payload["unacknowledged"].as_string() == "崇头镇"))
    assert escalated == 0


def test_simultaneous_confirmations_keep_the_first(engine: Engine, db_url: str, ctx: TriageContext,
                                                   settings_for: Any) -> None:
    _triage(engine, ctx, [MAJOR], NOW)
    token = _token(engine)
    names = [f"值班员{i}" for i in range(4)]
    answers: dict[str, str] = {}
    with running(settings_for(db_url)) as client:
        start = threading.Barrier(len(names))
        csrf = form_csrf(client.get(f"/ack/{token}").text)

        def confirm(name: str) -> None:
            start.wait()
            answers[name] = ack_post(client, token, {"by": name}, csrf).text

        threads = [threading.Thread(target=confirm, args=(n,)) for n in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    winners = [n for n, text in answers.items() if "已确认收到「" in text]
    assert len(answers) == len(names) and len(winners) == 1, answers
    assert _acked(engine, token)[1] == winners[0]
    assert all("此前已确认" in text and winners[0] in text for n, text in answers.items() if n != winners[0])


def test_unknown_tokens_and_bad_names_are_refused_in_chinese(engine: Engine, db_url: str, ctx: TriageContext,
                                                             settings_for: Any) -> None:
    _triage(engine, ctx, [MAJOR], NOW)
    token = _token(engine)
    with running(settings_for(db_url)) as client:
        assert client.get("/healthz").json()["database"] == {"status": "ok"}
        for path in ("/ack/0123456789abcdef", "/ack/not-a-token"):
            missing = client.get(path)
            assert missing.status_code == 404 and "未找到预警" in missing.text
        assert client.post("/ack/0123456789abcdef", data={"by": "张三"}).status_code == 404

        blank = ack_post(client, token, {"by": "   "})
        assert blank.status_code == 422 and "请填写确认人姓名" in blank.text and 'name="by"' in blank.text
        assert ack_post(client, token, {}).status_code == 422
        long = ack_post(client, token, {"by": "张" * 65})
        assert long.status_code == 422 and "不能超过 64 个字" in long.text
        assert client.post(f"/ack/{token}", content=b"by=" + b"x" * 5000,
                           headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 413
        assert _acked(engine, token) == (None, None)
        assert ack_post(client, token, {"by": "张" * 64}).status_code == 200


def test_titles_from_crawled_text_are_escaped(engine: Engine, db_url: str, ctx: TriageContext,
                                              settings_for: Any) -> None:
    _triage(engine, ctx, [MAJOR], NOW)
    token = _token(engine)
    # Crawled text is cleaned on the way in, but the page must not depend on that.
    # Pages name an event by its headline, read from its posts' titles when their clues name no
    # incident: a hostile post title reaches the page that way.
    with session_scope(engine) as s:
        s.execute(update(Event).values(title='<script>alert("x")</script>崇头镇大巴坠崖'))
        s.execute(update(Post).values(title='<script>"x"</script>崇头镇大巴坠崖', clues=None))
    with running(settings_for(db_url)) as client:
        page = client.get(f"/ack/{token}")
        done = ack_post(client, token, {"by": "<b>值班员</b>"})
    for html in (page.text, done.text):
        assert "<script>" not in html and "&lt;script&gt;&quot;x&quot;&lt;/script&gt;崇头镇大巴坠崖" in html
    assert "<b>" not in done.text and "&lt;b&gt;值班员&lt;/b&gt;" in done.text


@pytest.mark.parametrize(("value", "expected"), [("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
                                                 ("  https://yq.example.cn/ ", "https://yq.example.cn/"),
                                                 ("", None), (None, None)])
def test_public_url_comes_from_the_environment(value: str | None, expected: str | None) -> None:
    env = {} if value is None else {"YUQING_PUBLIC_URL": value}
    assert Settings.from_env(env).public_url == expected


def test_yuqing_web_serves_until_stopped(migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Any) -> None:
    settings: Settings = settings_for(migrated_sqlite("web.db"))
    with socket.socket() as probe:  # a free port; the tiny race with other processes is acceptable here
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
           "YUQING_MODEL_DIR": str(settings.model_dir), "YUQING_PUBLIC_URL": "http://10.0.0.5:8080/"}
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.cli", "web", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "yuqing web did not start"
                time.sleep(0.1)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "http://10.0.0.5:8080/ack/<确认码>" in out
