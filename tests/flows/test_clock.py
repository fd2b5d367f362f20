"""Times are recorded when things happen: a task without a given time works at the moment it
starts (not the run's scheduled start), and each alert message is recorded when it goes out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from flows.runtime import run_clock, task_now
from pipeline.service import deliver_alerts
from pipeline.storage.db import session_scope
from pipeline.storage.models import AlertDelivery
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.conftest import NOW
from tests.pipeline.alerts.test_alerts import MAJOR, _env, _triage
from tests.pipeline.receivers import http_receiver, smtp_receiver


def test_a_task_without_a_given_time_works_at_the_moment_it_starts() -> None:
    before = datetime.now(SHANGHAI)
    moment = task_now(None)
    assert before <= moment <= datetime.now(SHANGHAI) and moment.tzinfo is not None
    assert run_clock(None) is None
    given = run_clock("2026-11-28T10:00:00+08:00")
    assert given is not None and task_now(given) == NOW


def test_each_alert_message_is_recorded_when_it_goes_out(engine: Engine, db_url: str, ctx: TriageContext,
                                                         runtime_for: Any) -> None:
    _triage(engine, ctx, [MAJOR], NOW)
    ticks: Iterator[datetime] = (NOW + timedelta(seconds=7 * i) for i in range(1, 100))
    with smtp_receiver() as (smtp_port, _mails), http_receiver(secret="SECunits") as (url, _rec):
        counts = deliver_alerts(runtime_for(db_url), NOW, _env(url, smtp_port, url), clock=lambda: next(ticks))
    with session_scope(engine) as s:
        sent = sorted(t for t in s.scalars(select(AlertDelivery.sent_at)) if t is not None)
    assert counts["sent"] >= 3 and len(set(sent)) == counts["sent"]  # one moment per message, none at NOW
    assert sent[0] == NOW + timedelta(seconds=7) and NOW not in sent
