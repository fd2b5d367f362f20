"""Signing in and out, keeping a session alive, changing one's own password, an administrator
lifting a lock, and recording refused requests. Throttling follows ``pipeline.rules.signin``
(per name and address, never per name alone). Every security event is an audit entry with the
user (when known) and the address; passwords are never stored or logged in clear.

Refusals are results, not exceptions: the unit of work that records a failure must commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit
from pipeline.auth import Principal, digest, hash_password, session_principal, verify_password
from pipeline.rules.signin import (
    PAIR_LIMIT,
    SESSION_IDLE,
    SESSION_LIFETIME,
    SESSION_TOUCH,
    WINDOW,
    Verdict,
    judge,
    password_problem,
)
from pipeline.storage.people import SigninAttempt, User, WebSession

ANONYMOUS = "（未登录）"
# The audit entries of security events (entity "user"), beside the changes people make.
SECURITY_ACTIONS = ("sign_in", "signin_failed", "signin_refused", "change_password", "unlock_user",
                    "http_401", "http_403")


@dataclass(frozen=True)
class SignIn:
    token: str | None          # the new session's cookie value
    error: str | None          # why not (Chinese), never saying whether the name exists
    retry_after: int = 0       # seconds to wait, when refused unchecked (answered with 429)
    must_change: bool = False  # the user must choose a new password before anything else


def verdict_for(session: Session, username: str, address: str, now: datetime) -> Verdict:
    """Whether an attempt of this name from this address may be checked now."""
    since = now - WINDOW
    from_address = list(session.scalars(select(SigninAttempt.at).where(
        SigninAttempt.address == address, SigninAttempt.at > since)))
    pair = list(session.scalars(select(SigninAttempt.at).where(
        SigninAttempt.address == address, SigninAttempt.username == username, SigninAttempt.at > since)))
    return judge(pair, from_address, now)


def refusal_message(verdict: Verdict) -> str:
    minutes = max(1, -(-verdict.wait_seconds // 60))
    if verdict.locked:
        return (f"该账号在本地址登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试"
                "（或请系统管理员解锁）")
    return f"本地址登录失败次数过多，请 {verdict.wait_seconds} 秒后再试"


def _refused(session: Session, user: User | None, username: str, address: str, verdict: Verdict,
             now: datetime, action: str = "sign_in") -> None:
    audit(session, now, user.display_name if user else ANONYMOUS, "signin_refused", "user",
          user.id if user else None, username=username, address=address, during=action,
          locked=verdict.locked, wait_seconds=verdict.wait_seconds)


def _failed(session: Session, user: User | None, username: str, address: str, now: datetime,
            action: str = "sign_in") -> None:
    """A wrong password (or unknown or disabled name): recorded for throttling and audited."""
    session.add(SigninAttempt(username=username, address=address, at=now))
    session.flush()
    failures = session.scalar(select(func.count()).select_from(SigninAttempt).where(
        SigninAttempt.address == address, SigninAttempt.username == username, SigninAttempt.at > now - WINDOW)) or 0
    audit(session, now, user.display_name if user else ANONYMOUS, "signin_failed", "user", user.id if user else None,
          username=username, address=address, during=action, failures=failures, locked=failures >= PAIR_LIMIT)


def _open_session(session: Session, user: User, now: datetime) -> str:
    """A new session for the user, ending every earlier one (and everyone's expired ones)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                           expires_at=now + SESSION_LIFETIME))
    return token


def sign_in(session: Session, username: str, password: str, address: str, *, now: datetime) -> SignIn:
    """Check a password and open a session (ending the user's earlier sessions). A name locked
    from this address, or an address slowed down, is refused without checking the password."""
    username, address = username.strip()[:64], address[:64]
    user = session.scalar(select(User).where(User.username == username))
    verdict = verdict_for(session, username, address, now)
    if not verdict.allowed:
        _refused(session, user, username, address, verdict, now)
        return SignIn(None, refusal_message(verdict), retry_after=verdict.wait_seconds)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled_at is not None:
        _failed(session, user, username, address, now)
        return SignIn(None, "用户名或密码错误")
    session.execute(delete(SigninAttempt).where(SigninAttempt.username == username, SigninAttempt.address == address))
    token = _open_session(session, user, now)
    audit(session, now, user.display_name, "sign_in", "user", user.id, address=address)
    return SignIn(token, None, must_change=user.must_change_password)


def sign_out(session: Session, token: str, *, now: datetime) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


def resume_session(session: Session, token: str, *, now: datetime) -> Principal | None:
    """Who a session cookie stands for, if the session is alive; its last use is recorded (at
    most once a minute, so that reading pages stays nearly write-free)."""
    found = session_principal(session, token, now)
    if found is not None:
        # Read before writing: an UPDATE that matches nothing still takes SQLite's write lock.
        last = session.scalar(select(WebSession.last_seen_at).where(WebSession.token_hash == digest(token)))
        if last is not None and last < now - SESSION_TOUCH:
            session.execute(update(WebSession).where(WebSession.token_hash == digest(token),
                                                     WebSession.last_seen_at > now - SESSION_IDLE)
                            .values(last_seen_at=now))
    return found


@dataclass(frozen=True)
class PasswordChange:
    token: str | None      # the new session (every earlier one of the user has ended)
    error: str | None      # why not (Chinese)
    retry_after: int = 0


def change_password(session: Session, token: str, current: str, new: str, repeated: str, address: str, *,
                    now: datetime) -> PasswordChange:
    """A signed-in user chooses a new password: the current one is checked (wrong ones count
    as failed sign-ins from this address), the new one must pass ``password_problem``. Every
    session of the user ends and a new one is opened for this browser."""
    who = session_principal(session, token, now)
    user = session.get(User, who.user_id) if who else None
    if user is None:
        return PasswordChange(None, "登录已失效，请重新登录")
    address = address[:64]
    verdict = verdict_for(session, user.username, address, now)
    if not verdict.allowed:
        _refused(session, user, user.username, address, verdict, now, "change_password")
        return PasswordChange(None, refusal_message(verdict), verdict.wait_seconds)
    if not verify_password(user.password_hash, current):
        _failed(session, user, user.username, address, now, "change_password")
        return PasswordChange(None, "当前密码不正确")
    problem = ("两次输入的新密码不一致" if new != repeated else
               "新密码不能与当前密码相同" if new == current else password_problem(new, user.username))
    if problem:
        return PasswordChange(None, problem)
    user.password_hash, user.password_changed_at, user.must_change_password = hash_password(new), now, False
    new_token = _open_session(session, user, now)
    audit(session, now, user.display_name, "change_password", "user", user.id, address=address)
    return PasswordChange(new_token, None)


def unlock_user(session: Session, username: str, *, actor: str, now: datetime) -> int:
    """An administrator lifts the sign-in locks of a user (from every address) by forgetting
    their failed sign-ins; returns from how many addresses the user was locked."""
    actor = actor_name(actor)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ActionError(f"没有用户“{username}”")
    recent = session.execute(select(SigninAttempt.address, SigninAttempt.at).where(
        SigninAttempt.username == username, SigninAttempt.at > now - WINDOW)).all()
    per_address: dict[str, int] = {}
    for address, _ in recent:
        per_address[address] = per_address.get(address, 0) + 1
    locked = sorted(a for a, n in per_address.items() if n >= PAIR_LIMIT)
    session.execute(delete(SigninAttempt).where(SigninAttempt.username == username))
    audit(session, now, actor, "unlock_user", "user", user.id, before={"locked_from": locked}, after="unlocked")
    return len(locked)


def record_refusal(session: Session, status: int, method: str, path: str, address: str,
                   who: Principal | None, *, now: datetime) -> None:
    """A request answered 401 (not signed in, bad token) or 403 (not allowed, CSRF or origin
    refused), audited with the user when known and the address."""
    audit(session, now, who.actor if who else ANONYMOUS, f"http_{status}", "user", who.user_id if who else None,
          method=method[:10], path=path[:200], address=address[:64])
