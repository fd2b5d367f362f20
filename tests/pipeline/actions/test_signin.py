"""Signing in as an ASVS level-2 review asks: throttling per (name, address) that never lets
made-up names or one address lock a real account, an address slowed (not locked) past its
ceiling, an administrator's unlock, the password rule, the forced change of an administrator's
password, idle and absolute session ends, one session per user, and every security event in
the audit log — the rules alone, and the actions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from pipeline.actions.base import ActionError
from pipeline.actions.signin import (
    change_password,
    record_refusal,
    resume_session,
    sign_in,
    unlock_user,
)
from pipeline.actions.users import add_user, reset_password
from pipeline.auth import verify_password
from pipeline.rules.signin import (
    ADDRESS_DELAY_FIRST,
    ADDRESS_DELAY_MAX,
    ADDRESS_FREE,
    PAIR_LIMIT,
    SESSION_IDLE,
    SESSION_LIFETIME,
    WINDOW,
    common_passwords,
    judge,
    password_problem,
)
from pipeline.storage.db import session_scope
from pipeline.storage.models import AuditLog
from pipeline.storage.people import SigninAttempt, User, WebSession
from tests.conftest import NOW

PASSWORD = "correct-horse-1"
OFFICE, HOME = "10.1.1.1", "10.2.2.2"


# --- the rules alone -------------------------------------------------------------------------

def test_a_pair_is_locked_after_the_limit_until_its_failures_age_out() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (10, 8, 6, 4, 2)]
    assert judge(failures[:PAIR_LIMIT - 1], failures[:PAIR_LIMIT - 1], NOW).allowed
    verdict = judge(failures, failures, NOW)
    assert verdict.locked and not verdict.allowed
    assert verdict.wait_seconds == 5 * 60  # the oldest (10 minutes ago) leaves the 15-minute window in 5
    assert judge(failures, failures, NOW - timedelta(minutes=10) + WINDOW + timedelta(seconds=1)).allowed


def test_an_address_past_its_ceiling_waits_longer_and_longer_but_is_never_locked() -> None:
    last = NOW - timedelta(seconds=1)
    spread = [last - timedelta(seconds=i) for i in range(ADDRESS_FREE)]
    first = judge([], spread, NOW)
    assert not first.locked and first.wait_seconds == ADDRESS_DELAY_FIRST - 1
    more = judge([], spread + [last] * 3, NOW)
    assert not more.locked and more.wait_seconds == ADDRESS_DELAY_FIRST * 8 - 1
    capped = judge([], spread + [last] * 40, NOW)
    assert capped.wait_seconds == ADDRESS_DELAY_MAX - 1
    assert judge([], spread + [last] * 40, last + timedelta(seconds=ADDRESS_DELAY_MAX)).allowed  # waiting is enough
    assert judge([], spread[:ADDRESS_FREE - 1], NOW).allowed  # below the ceiling: no wait


@pytest.mark.parametrize(("password", "problem"), [
    ("short-pw-1", "至少 12 个字符"),
    ("x" * 129, "不能超过 128 个字符"),
    ("aaaaaaaaaaaa", "重复或连续"),
    ("abcabcabcabc", "重复或连续"),
    ("123456789012", "重复或连续"),
    ("9876543210987", "重复或连续"),
    ("qwertyuiopasdf", "重复或连续"),
    ("abcdefghijklmn", "重复或连续"),
    ("zhangsanzhangsan", "包含用户名"),
    ("My-ZhangSan-2026", "包含用户名"),
    ("Password@2024", "过于常见"),
    ("password1234", "过于常见"),
    ("iloveyou!!!!", "过于常见"),
    ("woaini5201314", "过于常见"),
    ("1qaz2wsx3edc", "过于常见"),
    ("yunhe20262026", "过于常见"),
])
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    found = password_problem(password, "zhangsan")
    assert found is not None and problem in found


@pytest.mark.parametrize("password", ["correct-horse-1", "云和县舆情值班2026春", "tr0mbone-Kettle-9", "a-long-password"])
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "zhangsan") is None


def test_the_shipped_list_is_a_few_hundred_common_passwords() -> None:
    common = common_passwords()
    assert 300 <= len(common) <= 2000
    assert {"123456", "password", "qwerty", "iloveyou", "woaini1314", "123456789012"} <= common
    assert all(p == p.casefold() and p.strip() == p for p in common)


def test_a_short_user_name_is_refused_only_as_the_whole_password() -> None:
    assert password_problem("li" * 7, "li") is not None  # a repeat anyway
    assert password_problem("lichen-river-7", "li") is None
    assert password_problem("lichen-river-7", "lichen") == "密码不能包含用户名"


# --- the actions, on both engines ------------------------------------------------------------

def _users(engine: Engine, must_change: bool = False) -> None:
    with session_scope(engine) as s:
        add_user(s, "boss", "李领导", "leader", PASSWORD, unit=None, actor="管理员", now=NOW, must_change=must_change)
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=NOW, must_change=must_change)


def _try(engine: Engine, username: str, password: str, address: str, at: datetime) -> tuple[str | None, str | None, int]:
    with session_scope(engine) as s:
        result = sign_in(s, username, password, address, now=at)
    return result.token, result.error, result.retry_after


def _audit(engine: Engine, action: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(engine) as s:
        return [(a, d) for a, d in s.execute(select(AuditLog.actor, AuditLog.detail).where(AuditLog.action == action)
                                              .order_by(AuditLog.id))]


def test_made_up_names_from_an_office_never_lock_a_real_account(engine: Engine) -> None:
    _users(engine)
    at = NOW
    for i in range(ADDRESS_FREE):
        token, error, wait = _try(engine, f"nobody{i}", "guess-guess-guess", OFFICE, at)
        assert token is None and error == "用户名或密码错误" and wait == 0
        at += timedelta(seconds=1)
    # The office's address is now slowed down, never locked: after the wait the leader signs in.
    token, error, wait = _try(engine, "boss", PASSWORD, OFFICE, at)
    assert token is None and wait > 0 and "秒后再试" in (error or "")
    token, error, _ = _try(engine, "boss", PASSWORD, OFFICE, at + timedelta(seconds=wait))
    assert token is not None and error is None
    # And from elsewhere nothing was ever in the way.
    assert _try(engine, "ana", PASSWORD, HOME, at)[0] is not None
    refused = _audit(engine, "signin_refused")
    assert len(refused) == 1 and refused[0][0] == "李领导" and refused[0][1]["address"] == OFFICE
    assert not refused[0][1]["locked"] and refused[0][1]["wait_seconds"] == wait
    failed = _audit(engine, "signin_failed")
    assert len(failed) == ADDRESS_FREE and failed[0][1]["username"] == "nobody0" and failed[0][1]["address"] == OFFICE
    assert all("password" not in d and PASSWORD not in str(d) for _, d in failed)


def test_wrong_passwords_lock_the_name_from_that_address_only(engine: Engine) -> None:
    _users(engine)
    for i in range(PAIR_LIMIT):
        assert _try(engine, "boss", "wrong-password-x", OFFICE, NOW + timedelta(seconds=i))[1] == "用户名或密码错误"
    token, error, wait = _try(engine, "boss", PASSWORD, OFFICE, NOW + timedelta(minutes=1))
    assert token is None and "已暂时锁定" in (error or "") and "请系统管理员解锁" in (error or "")
    assert wait > 0
    # The leader signs in from another address all the same.
    assert _try(engine, "boss", PASSWORD, HOME, NOW + timedelta(minutes=1))[0] is not None
    # The failures were audited with the user, the address and the count; the last one locked.
    failed = _audit(engine, "signin_failed")
    assert [d["failures"] for _, d in failed] == list(range(1, PAIR_LIMIT + 1))
    assert failed[-1][0] == "李领导" and failed[-1][1]["locked"] and not failed[0][1]["locked"]
    # The lock lifts once the failures are older than the window.
    later = NOW + WINDOW + timedelta(seconds=PAIR_LIMIT)
    assert _try(engine, "boss", PASSWORD, OFFICE, later)[0] is not None


def test_an_administrator_unlocks_a_locked_user(engine: Engine) -> None:
    _users(engine)
    for i in range(PAIR_LIMIT):
        _try(engine, "boss", "wrong-password-x", OFFICE, NOW + timedelta(seconds=i))
    assert _try(engine, "boss", PASSWORD, OFFICE, NOW + timedelta(minutes=1))[0] is None
    with session_scope(engine) as s:
        assert unlock_user(s, "boss", actor="管理员", now=NOW + timedelta(minutes=2)) == 1
    assert _try(engine, "boss", PASSWORD, OFFICE, NOW + timedelta(minutes=2))[0] is not None
    (actor, detail), = _audit(engine, "unlock_user")
    assert actor == "管理员" and detail["before"] == {"locked_from": [OFFICE]}
    with session_scope(engine) as s:
        assert unlock_user(s, "boss", actor="管理员", now=NOW + timedelta(minutes=3)) == 0
        with pytest.raises(ActionError, match="没有用户“nobody”"):
            unlock_user(s, "nobody", actor="管理员", now=NOW)


def test_signing_in_ends_the_earlier_session_and_sessions_end_when_idle_or_old(engine: Engine) -> None:
    _users(engine)
    first = _try(engine, "ana", PASSWORD, OFFICE, NOW)[0]
    assert first is not None
    with session_scope(engine) as s:
        assert resume_session(s, first, now=NOW + timedelta(minutes=1)) is not None
    second = _try(engine, "ana", PASSWORD, HOME, NOW + timedelta(minutes=2))[0]
    assert second is not None
    with session_scope(engine) as s:
        assert resume_session(s, first, now=NOW + timedelta(minutes=3)) is None  # the earlier session has ended
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
    # Used every 20 minutes, the session lives on (each use is recorded) …
    at = NOW + timedelta(minutes=2)
    while at + timedelta(minutes=20) < NOW + SESSION_LIFETIME:
        at += timedelta(minutes=20)
        with session_scope(engine) as s:
            assert resume_session(s, second, now=at) is not None, at
    # … until its absolute lifetime is over, however busy.
    with session_scope(engine) as s:
        assert resume_session(s, second, now=NOW + SESSION_LIFETIME + timedelta(minutes=3)) is None
    third = _try(engine, "ana", PASSWORD, HOME, NOW + timedelta(hours=13))[0]
    assert third is not None
    with session_scope(engine) as s:  # left idle past the timeout, it has ended
        assert resume_session(s, third, now=NOW + timedelta(hours=13) + SESSION_IDLE + timedelta(seconds=1)) is None


def test_an_administrators_password_must_be_changed_and_changing_it_ends_other_sessions(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=NOW)
    phone = _try(engine, "ana", PASSWORD, HOME, NOW)[0]
    assert phone is not None
    with session_scope(engine) as s:
        who = resume_session(s, phone, now=NOW)
        assert who is not None and who.must_change
        refused = [change_password(s, phone, "wrong-current-pw", "tr0mbone-Kettle-9", "tr0mbone-Kettle-9", HOME,
                                   now=NOW).error,
                   change_password(s, phone, PASSWORD, "tr0mbone-Kettle-9", "tr0mbone-Kettle-8", HOME, now=NOW).error,
                   change_password(s, phone, PASSWORD, PASSWORD, PASSWORD, HOME, now=NOW).error,
                   change_password(s, phone, PASSWORD, "ana-ana-ana-ana", "ana-ana-ana-ana", HOME, now=NOW).error]
    assert refused == ["当前密码不正确", "两次输入的新密码不一致", "新密码不能与当前密码相同", "密码不能包含用户名"]
    with session_scope(engine) as s:
        done = change_password(s, phone, PASSWORD, "tr0mbone-Kettle-9", "tr0mbone-Kettle-9", HOME, now=NOW)
    assert done.error is None and done.token is not None
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == "ana"))
        assert user is not None and not user.must_change_password and verify_password(user.password_hash,
                                                                                        "tr0mbone-Kettle-9")
        assert resume_session(s, phone, now=NOW) is None          # the old session has ended
        fresh = resume_session(s, done.token, now=NOW)
        assert fresh is not None and not fresh.must_change
    (actor, detail), = _audit(engine, "change_password")
    assert actor == "张分析" and detail["address"] == HOME
    (_, wrong), = _audit(engine, "signin_failed")
    assert wrong["during"] == "change_password" and wrong["username"] == "ana"
    # An administrator's reset asks for a change again.
    with session_scope(engine) as s:
        reset_password(s, "ana", "another-secret-7", actor="管理员", now=NOW)
    token = _try(engine, "ana", "another-secret-7", HOME, NOW + timedelta(minutes=1))[0]
    with session_scope(engine) as s:
        who = resume_session(s, token or "", now=NOW + timedelta(minutes=1))
        assert who is not None and who.must_change


def test_wrong_current_passwords_are_throttled_like_sign_ins(engine: Engine) -> None:
    _users(engine)
    token = _try(engine, "ana", PASSWORD, OFFICE, NOW)[0]
    assert token is not None
    for i in range(PAIR_LIMIT):
        with session_scope(engine) as s:
            assert change_password(s, token, f"guess-number-{i}", "tr0mbone-Kettle-9", "tr0mbone-Kettle-9", OFFICE,
                                   now=NOW).error == "当前密码不正确"
    with session_scope(engine) as s:
        locked = change_password(s, token, PASSWORD, "tr0mbone-Kettle-9", "tr0mbone-Kettle-9", OFFICE, now=NOW)
        assert locked.token is None and locked.retry_after > 0 and "已暂时锁定" in (locked.error or "")
        assert s.scalar(select(func.count()).select_from(SigninAttempt)) == PAIR_LIMIT


def test_users_added_or_reset_by_an_administrator_follow_the_password_rule(engine: Engine) -> None:
    with session_scope(engine) as s:
        with pytest.raises(ActionError, match="至少 12 个字符"):
            add_user(s, "ana", "张分析", "analyst", "aaaaaaaaaa", unit=None, actor="管理员", now=NOW)
        with pytest.raises(ActionError, match="包含用户名"):
            add_user(s, "zhangsan", "张三", "analyst", "zhangsanzhangsan", unit=None, actor="管理员", now=NOW)
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=NOW)
        with pytest.raises(ActionError, match="过于常见"):
            reset_password(s, "ana", "Password@2024", actor="管理员", now=NOW)
        assert s.scalar(select(User.must_change_password).where(User.username == "ana")) is True


def test_refused_requests_are_audited_with_user_and_address(engine: Engine) -> None:
    _users(engine)
    token = _try(engine, "ana", PASSWORD, OFFICE, NOW)[0]
    with session_scope(engine) as s:
        who = resume_session(s, token or "", now=NOW)
        record_refusal(s, 403, "GET", "/inbox", OFFICE, who, now=NOW)
        record_refusal(s, 401, "GET", "/api/events", HOME, None, now=NOW)
    (actor, forbidden), = _audit(engine, "http_403")
    assert actor == "张分析" and forbidden["path"] == "/inbox" and forbidden["address"] == OFFICE
    (anonymous, unauthorised), = _audit(engine, "http_401")
    assert anonymous == "（未登录）" and unauthorised["address"] == HOME and unauthorised["method"] == "GET"


def test_migration_0008a_asks_existing_users_to_choose_their_own_password(empty_db_url: str) -> None:
    """Every password before 0008a was an administrator's: existing users must change theirs;
    existing sessions get their last use from their start. Down and up again works."""
    from alembic import command
    from alembic.config import Config

    from pipeline.storage.db import MIGRATIONS_DIR, make_engine

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "0007e")
                conn.execute(text("INSERT INTO users (username, display_name, role, password_hash, created_at, "
                                  "password_changed_at) VALUES ('ana', '张分析', 'analyst', 'x', :t, :t)"),
                             {"t": NOW})
                conn.execute(text("INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) "
                                  "SELECT 'h', id, :t, :e FROM users"), {"t": NOW, "e": NOW + SESSION_LIFETIME})
                command.upgrade(cfg, "0008a")
                assert conn.execute(text("SELECT must_change_password FROM users")).scalar() in (True, 1)
                seen = conn.execute(text("SELECT last_seen_at FROM web_sessions")).scalar()
                assert seen is not None
                command.downgrade(cfg, "0007e")
                command.upgrade(cfg, "head")
        with session_scope(engine) as s:
            s.add(User(username="new", display_name="新", role="analyst", password_hash="x", created_at=NOW,
                       password_changed_at=NOW))
            s.flush()
            assert s.scalar(select(User.must_change_password).where(User.username == "new")) is False
    finally:
        engine.dispose()
