"""``yuqing queue`` and the web inbox are one list (issue 21): for the same unit and the same
clock the command prints the items the inbox shows, in the same order — the urgency order
(pipeline/rules/urgency.py), not earliest deadline first — with the same overdue marks, on
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pipeline.actions.users import add_user
from pipeline.storage.db import session_scope
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.pipeline.alerts.test_alerts import MAJOR, _triage
from tests.yuqing.conftest import run
from tests.yuqing.web_helpers import PASSWORD, sign_in
from yuqing.web.app import create_app

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI)
ROAD = {"id": "r1", "platform": "weibo", "author": "崇头网友",
        "text": "崇头镇集镇往梅源方向那段乡道，上个月挖开埋管子，到现在都没恢复，路面坑坑洼洼，已经有人摔过了"}
LAMP = {"id": "l1", "platform": "weibo", "author": "崇头村民", "text": "崇头镇下村村口的路灯坏了快一个月了，晚上走路很不方便"}


def _inbox_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="card row-[\w-]+" data-event="(\d+)"', html)]


def _overdue_in_inbox(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="card row-overdue" data-event="(\d+)"', html)]


def _queue_ids(stdout: str) -> list[int]:
    """The event ids of the queue's rows (each row starts with its event id)."""
    return [int(x) for x in re.findall(r"^\s*(\d+)\s+\S", stdout, re.MULTILINE)]


def test_the_cli_queue_lists_the_inbox_in_its_order(engine: Engine, db_url: str, ctx: TriageContext,
                                                    settings_for: Any, tmp_path: Path) -> None:
    # a 48 h item, another two hours later, then a 重大 one whose 5 h milestone falls between
    _triage(engine, ctx, [ROAD], T0)
    _triage(engine, ctx, [LAMP], T0 + timedelta(hours=2))
    _triage(engine, ctx, [MAJOR], T0 + timedelta(hours=44))
    with session_scope(engine) as s:
        add_user(s, "chongtou", "崇头值班", "unit", PASSWORD, unit="崇头镇", actor="管理员", now=T0, must_change=False)
    settings = settings_for(db_url)
    # before the first deadline; then past it, and exactly at the 重大 one's (overdue from that moment)
    for now, overdue in ((T0 + timedelta(hours=47), 0), (T0 + timedelta(hours=49), 2)):
        with TestClient(create_app(settings, clock=lambda now=now: now), follow_redirects=False) as client:
            assert sign_in(client, "chongtou").status_code == 303
            inbox = client.get("/inbox").text
            by_due = client.get("/inbox", params={"order": "due"}).text
        queue = run(["queue", "--unit", "崇头镇", "--now", now.isoformat()], settings, tmp_path)
        assert queue.returncode == 0, queue.stderr
        assert len(_inbox_ids(inbox)) == 3 and "崇头镇 待办（3 件）" in queue.stdout
        assert _queue_ids(queue.stdout) == _inbox_ids(inbox), (queue.stdout, now)
        assert _inbox_ids(by_due) != _inbox_ids(inbox)    # the urgency order, not earliest deadline first
        assert queue.stdout.count("已超时") == len(_overdue_in_inbox(inbox)) == overdue, queue.stdout
