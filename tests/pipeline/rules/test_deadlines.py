"""Deadlines (RULES.md §4): milestones per grade, clock start, regrading never moves one later."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.config import Config
from pipeline.rules.deadlines import clock_start, milestones_for, plan_deadlines, time_left
from pipeline.timeparse import SHANGHAI

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


def test_major_grades_get_5h_and_24h(cfg: Config) -> None:
    for grade in ("特别重大", "重大"):
        ms = {m.milestone: m.due_at - T0 for m in milestones_for(grade, T0, cfg.policy)}
        assert ms == {"authoritative_info": timedelta(hours=5), "press_conference": timedelta(hours=24)}


def test_other_grades_get_48h_response(cfg: Config) -> None:
    for grade in ("较大", "一般"):
        ms = {m.milestone: m.due_at - T0 for m in milestones_for(grade, T0, cfg.policy)}
        assert ms == {"response": timedelta(hours=48)}


def test_authoritative_info_can_be_switched_off(cfg: Config) -> None:
    off = cfg.policy.model_copy(update={"deadlines": cfg.policy.deadlines.model_copy(
        update={"authoritative_info_enabled": False})})
    assert [m.milestone for m in milestones_for("重大", T0, off)] == ["press_conference"]


def test_clock_starts_at_first_seen_and_date_only_is_not_midnight(cfg: Config) -> None:
    published_day = datetime(2026, 11, 27, tzinfo=SHANGHAI)
    assert clock_start(T0, published_day, "day", cfg.policy)[0] == T0
    by_published = cfg.policy.model_copy(update={"deadlines": cfg.policy.deadlines.model_copy(
        update={"clock_start": "published"})})
    minute = datetime(2026, 11, 28, 8, 30, tzinfo=SHANGHAI)
    assert clock_start(T0, minute, "minute", by_published)[0] == minute
    assert clock_start(T0, published_day, "day", by_published)[0] == T0


def test_upgrade_adds_new_milestones_from_regrade_time_and_keeps_existing(cfg: Config) -> None:
    first = {m.milestone: m for m in plan_deadlines("一般", {}, T0, None, cfg.policy)}
    assert first["response"].due_at == T0 + timedelta(hours=48)
    later = T0 + timedelta(hours=30)
    added = {m.milestone: m for m in plan_deadlines("重大", first, T0, later, cfg.policy)}
    assert added["authoritative_info"].due_at == later + timedelta(hours=5)
    assert added["press_conference"].due_at == later + timedelta(hours=24)
    assert "response" not in added  # the 48 h deadline stays as it was


def test_existing_deadline_never_moves_later(cfg: Config) -> None:
    existing = {m.milestone: m for m in plan_deadlines("重大", {}, T0, None, cfg.policy)}
    again = plan_deadlines("重大", existing, T0, T0 + timedelta(hours=3), cfg.policy)
    assert again == []


def test_time_left_in_chinese() -> None:
    assert time_left(T0 + timedelta(hours=3, minutes=20), T0) == "剩余 3小时20分"
    assert time_left(T0 - timedelta(days=1, hours=2, minutes=5), T0) == "已超时 1天2小时"
    assert time_left(T0 + timedelta(minutes=45), T0) == "剩余 45分钟"
