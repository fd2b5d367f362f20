"""The one reading of a deadline (issue 21): a milestone is overdue from the very moment it falls
due (a response recorded at that moment still met it in time); its state at a moment, and the
reports' coarser handling state, come from one function; the time left reads alike everywhere;
and the SQL condition agrees with the Python rule at the boundary, on SQLite and PostgreSQL, in
every count and list that shows overdue work (status, metrics, the first screen, the inbox, the
queue), in the urgency order and in the alert plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from pipeline.alerts.plan import DeadlineView, plan_deadline_alerts
from pipeline.queries.attention import overdue_by_unit
from pipeline.queries.metrics import metric_counts
from pipeline.queries.queues import past_due_clause
from pipeline.queries.status import status
from pipeline.queries.work import open_work, unit_queue
from pipeline.rules.deadlines import (
    deadline_state,
    handling_state,
    met_late,
    past_due,
    time_left,
    worst_handling,
)
from pipeline.rules.urgency import Urgency, urgency_key, urgency_reasons
from pipeline.storage.db import session_scope
from pipeline.storage.models import Deadline, Unit
from pipeline.timeparse import SHANGHAI
from tests.pipeline.reports.seed import _assign, _deadline, _event

START = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
DUE = START + timedelta(hours=5)
SECOND = timedelta(seconds=1)
BOUNDARY = {"a second before": DUE - SECOND, "at the due time": DUE, "a second after": DUE + SECOND}


def test_overdue_from_the_moment_it_falls_due_and_met_in_time_up_to_it() -> None:
    assert [past_due(DUE, now) for now in BOUNDARY.values()] == [False, True, True]
    assert [met_late(DUE, met) for met in BOUNDARY.values()] == [False, False, True]
    assert past_due(DUE, DUE.astimezone(UTC))   # the same moment in another zone


def test_one_state_function_for_the_pages_and_the_reports() -> None:
    at = lambda share: START + (DUE - START) * share  # noqa: E731
    assert [deadline_state(DUE, at(s), START) for s in (0, 0.49, 0.5, 0.79, 0.8)] == \
        ["ontime", "ontime", "half", "half", "at_risk"]
    assert [deadline_state(DUE, now, START) for now in BOUNDARY.values()] == ["at_risk", "overdue", "overdue"]
    assert deadline_state(DUE, DUE + SECOND, START, met_at=DUE) == "met"
    assert deadline_state(DUE, DUE + SECOND, START, met_at=DUE + SECOND) == "met_late"
    assert deadline_state(DUE, DUE, START, met_at=DUE + SECOND) == "overdue"        # not met yet as of then
    assert deadline_state(DUE, DUE, START, cancelled_at=DUE - SECOND) == "cancelled"
    assert deadline_state(None, DUE) is None
    # the reports' handling: whatever share of the window has passed, an open one is pending
    assert [handling_state(DUE, now) for now in BOUNDARY.values()] == ["pending", "overdue", "overdue"]
    assert handling_state(DUE, DUE + SECOND, met_at=DUE + SECOND) == "met_late"
    assert handling_state(DUE, DUE + SECOND, met_at=DUE) == "met"
    assert worst_handling(["met", "pending", "met_late"]) == "met_late" and worst_handling([]) == "none"


def test_time_left_turns_at_the_same_moment() -> None:
    assert [time_left(DUE, now) for now in BOUNDARY.values()] == ["剩余 0分钟", "已超时 0分钟", "已超时 0分钟"]
    assert time_left(DUE, DUE - timedelta(hours=3, minutes=20)) == "剩余 3小时20分"


def test_the_urgency_order_and_the_alert_plan_use_the_same_cutoff() -> None:
    view = DeadlineView(1, 1, "authoritative_info", START, DUE, "崇头镇")
    for name, now in BOUNDARY.items():
        overdue = past_due(DUE, now)
        assert (urgency_key(Urgency("重大", DUE), now)[1] is False) == overdue, name
        assert ("时限已超" in urgency_reasons(Urgency("重大", DUE), now)) == overdue, name
        kinds = {d.kind for d in plan_deadline_alerts([view], ["县政府办公室"], [0.5, 0.8], now)}
        assert kinds == ({"overdue"} if overdue else {"reminder"}), name


def test_sql_and_python_agree_at_the_boundary(engine: Engine) -> None:
    with session_scope(engine) as s:
        ev = _event(s, "崇头镇某路段塌方", "重大", "交通运输", START)
        a = _assign(s, ev, "崇头镇", "primary", "accepted", START)
        _deadline(s, a, "authoritative_info", START, 5)
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "崇头镇"))
    for name, now in BOUNDARY.items():
        expected = past_due(DUE, now)
        with session_scope(engine) as s:
            for moment in (now, now.astimezone(UTC)):
                found = s.scalars(select(Deadline.id).where(past_due_clause(Deadline.due_at, moment))).all()
                assert bool(found) == expected, (name, moment)
            assert status(s, now)["overdue_deadlines"] == int(expected), name
            assert metric_counts(s, now).overdue_milestones == int(expected), name
            assert bool(overdue_by_unit(s, now)) == expected, name
            inbox = open_work(s, now, unit_id).items
            assert [i.overdue for i in inbox] == [expected] and [i.overdue for i in unit_queue(s, "崇头镇", now)] == \
                [expected], name
            assert ("时限已超" in inbox[0].reasons) == expected, name
