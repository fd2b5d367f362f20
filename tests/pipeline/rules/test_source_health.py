"""Source health (issue 3): the rule, as a pure function of one run and the previous state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pipeline.rules.health import HealthState, RunFacts, assess
from tests.conftest import NOW

FRESH = HealthState(None, None, None, 0, None)


def run(**kw: object) -> RunFacts:
    base: dict[str, object] = {"name": "云和发布微博", "platform": "weibo", "fetched": 5, "new": 2, "duplicates": 3,
                               "rejected": 0}
    base.update(kw)
    return RunFacts(**base)  # type: ignore[arg-type]


def test_productive_run_is_ok() -> None:
    after = assess(run(), FRESH, NOW)
    assert (after.health, after.consecutive_failures, after.last_new_at) == ("ok", 0, NOW)


def test_anti_bot_degrades_then_repeated_failures_take_it_down() -> None:
    blocked = run(fetched=0, new=0, duplicates=0, problems=[("anti_bot", "HTTP 432")])
    first = assess(blocked, FRESH, NOW)
    assert first.health == "degraded" and "反爬" in (first.reason or "") and "HTTP 432" in (first.reason or "")
    second = assess(blocked, first, NOW + timedelta(minutes=30))
    third = assess(blocked, second, NOW + timedelta(minutes=60))
    assert second.health == "degraded" and third.health == "down" and third.consecutive_failures == 3
    assert second.since == first.since  # the state's start is kept while it lasts
    recovered = assess(run(), third, NOW + timedelta(minutes=90))
    assert recovered.health == "ok" and recovered.consecutive_failures == 0


def test_expired_cookie_and_dead_mirror() -> None:
    login = assess(run(fetched=0, new=0, problems=[("login_required", "跳转到登录页")]), FRESH, NOW)
    assert login.health == "degraded" and "Cookie" in (login.reason or "")
    dead = assess(run(fetched=0, new=0, problems=[("fetch_failed", "Connection refused")]), FRESH, NOW)
    assert dead.health == "degraded" and "无法连接" in (dead.reason or "")


def test_a_source_that_stopped_producing_is_degraded() -> None:
    ok = assess(run(), FRESH, NOW)
    quiet = run(new=0, duplicates=5)
    assert assess(quiet, ok, NOW + timedelta(hours=47)).health == "ok"
    stale = assess(quiet, ok, NOW + timedelta(hours=48))
    assert stale.health == "degraded" and "没有新内容" in (stale.reason or "")


def test_a_feed_not_parsed_whole_is_degraded_but_never_counts_as_a_failure() -> None:
    bozo = run(problems=[("bozo_feed", "SAXParseException: not well-formed (invalid token)")])
    after = assess(bozo, FRESH, NOW)
    assert after.health == "degraded" and after.consecutive_failures == 0
    assert "格式有误" in (after.reason or "") and "not well-formed" in (after.reason or "")
    state = after
    for k in range(1, 6):  # broken run after run: degraded, never down
        state = assess(bozo, state, NOW + timedelta(minutes=30 * k))
        assert (state.health, state.consecutive_failures, state.since) == ("degraded", 0, NOW)
    nothing = assess(run(fetched=0, new=0, duplicates=0, problems=[("bozo_feed", "junk"), ("empty", "feed has no items")]),
                     FRESH, NOW)
    assert nothing.health == "degraded" and nothing.consecutive_failures == 0
    blocked = assess(run(fetched=0, new=0, problems=[("bozo_feed", "junk"), ("anti_bot", "HTTP 432")]), FRESH, NOW)
    assert blocked.consecutive_failures == 1 and "反爬" in (blocked.reason or "")  # a failure still counts as one
    fixed = assess(run(), state, NOW + timedelta(hours=4))
    assert fixed.health == "ok" and fixed.reason is None


def test_other_problems_of_a_productive_run_stay_ok_but_are_said() -> None:
    after = assess(run(problems=[("http_error", "HTTP 404")]), FRESH, NOW)
    assert after.health == "ok" and "http_error" in (after.reason or "") and after.consecutive_failures == 0


def test_adaptive_polling_stays_within_a_quarter_and_four_times_the_base() -> None:
    from pipeline.rules.health import next_poll

    assert next_poll(30, None, new=3, failed=False) == 15
    assert next_poll(30, 15, new=3, failed=False) == 7.5
    assert next_poll(30, 7.5, new=3, failed=False) == 7.5  # never below base / 4
    assert next_poll(30, 30, new=0, failed=False) == 45
    assert next_poll(30, 100, new=0, failed=False) == 120  # never above base * 4
    assert next_poll(30, 30, new=0, failed=True) == 60


def test_a_failing_source_backs_off_no_further_than_its_cap() -> None:
    from pipeline.rules.health import next_poll

    waits, current = [], None
    for _ in range(6):  # an hourly feed failing six times: it is tried again every hour, not every 4 hours
        current = next_poll(60, current, new=0, failed=True, longest=60)
        waits.append(current)
    assert waits == [60] * 6
    assert next_poll(10, 40, new=0, failed=True, longest=20) == 20  # a stored longer wait is cut back at once
    assert next_poll(10, 20, new=2, failed=False, longest=20) == 10
    assert next_poll(30, 30, new=0, failed=True, longest=5) == 30  # a cap below the interval means the interval


def test_recording_a_run_applies_the_source_cap(engine: Any, cfg: Any) -> None:
    from pipeline.actions.sources import record_run
    from pipeline.storage.db import session_scope

    failing = RunFacts(name="微博搜索·云和", platform="weibo", fetched=0, new=0, duplicates=0, rejected=0,
                       problems=[("fetch_failed", "connection refused")], base_minutes=10, max_minutes=20)
    for i in range(4):
        with session_scope(engine) as s:
            source, _ = record_run(s, cfg, [failing], NOW + timedelta(minutes=20 * i))[0]
            polled, due = source.poll_minutes, source.next_due_at
    assert polled == 20 and due == NOW + timedelta(minutes=80)
