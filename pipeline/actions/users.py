"""People and systems of the web app (``yuqing users``): add a user, disable one, reset a
password, issue an API token (with an expiry), revoke one, note its use (signing in, out and
changing one's own password: ``pipeline.actions.signin``). Every change is audited; passwords
and tokens are never stored or logged in clear. A password an administrator chose must be
changed by its user at once."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit, unit_or_fail
from pipeline.auth import digest, hash_password
from pipeline.rules.signin import password_problem
from pipeline.storage.people import ApiToken, User, WebSession
from pipeline.vocabulary import USER_ROLES

TOKEN_DAYS = 90         # an API token's default lifetime
TOKEN_DAYS_MAX = 730
TOKEN_USE_EVERY = timedelta(minutes=1)  # how often a token's last use is written at most

def _password(password: str, username: str) -> str:
    """The hash of an acceptable password (``password_problem``: the same rule as the web's
    change-password page)."""
    problem = password_problem(password, username)
    if problem:
        raise ActionError(problem)
    return hash_password(password)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ActionError(f"没有用户“{username}”")
    return user


def add_user(session: Session, username: str, display_name: str, role: str, password: str, *,
             unit: str | None, actor: str, now: datetime, must_change: bool = True) -> int:
    """A new user; a 责任单位 user is bound to exactly one unit, a coordinator may be bound to
    theirs (县政府办公室 / 县委宣传部: their alerts' links then know them), other roles to none.
    The user must choose their own password at the first sign-in (unless ``must_change`` is
    false: test and demo users whose password is thrown away)."""
    actor, username, display_name = actor_name(actor), actor_name(username), actor_name(display_name)
    if role not in USER_ROLES:
        raise ActionError(f"未知角色“{role}”；角色为 {'、'.join(f'{k}（{v}）' for k, v in USER_ROLES.items())}")
    if (role == "unit" and unit is None) or (role not in ("unit", "coordinator") and unit is not None):
        raise ActionError("责任单位用户必须指定所属单位（--unit）；协调用户可指定本单位；其他角色不指定单位")
    unit_id = unit_or_fail(session, unit).id if unit is not None else None
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ActionError(f"用户“{username}”已存在")
    user = User(username=username, display_name=display_name, role=role, unit_id=unit_id,
                password_hash=_password(password, username), created_at=now, password_changed_at=now,
                must_change_password=must_change)
    session.add(user)
    session.flush()
    audit(session, now, actor, "add_user", "user", user.id, after={"username": username, "role": role, "unit": unit})
    return user.id


def disable_user(session: Session, username: str, *, actor: str, now: datetime) -> None:
    """Disable a user: their sessions end at once and their API tokens stop working."""
    actor = actor_name(actor)
    user = _user(session, username)
    if user.disabled_at is not None:
        raise ActionError(f"用户“{username}”已停用")
    user.disabled_at = now
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    audit(session, now, actor, "disable_user", "user", user.id, before="enabled", after="disabled")


def reset_password(session: Session, username: str, password: str, *, actor: str, now: datetime) -> None:
    """A new password (and the user enabled again), which the user must change at the next
    sign-in; every session of the user ends."""
    actor = actor_name(actor)
    user = _user(session, username)
    user.password_hash, user.password_changed_at, user.disabled_at = _password(password, username), now, None
    user.must_change_password = True
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit(session, now, actor, "reset_password", "user", user.id)


def issue_token(session: Session, username: str, name: str, *, actor: str, now: datetime,
                days: int = TOKEN_DAYS) -> str:
    """An API token for another system, acting with the user's permissions until it expires
    after ``days`` or is revoked; shown once. A name belongs to one user while a token of that
    name works: the same user may hold two (a new one before the old one is revoked)."""
    actor, name = actor_name(actor), actor_name(name)
    if not 1 <= days <= TOKEN_DAYS_MAX:
        raise ActionError(f"有效期须为 1 至 {TOKEN_DAYS_MAX} 天")
    user = _user(session, username)
    taken = session.scalar(select(User.username).join(ApiToken, ApiToken.user_id == User.id).where(
        ApiToken.name == name, ApiToken.user_id != user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now))
    if taken is not None:
        raise ActionError(f"名为“{name}”的接口令牌属于用户“{taken}”且仍有效；请换一个名称，或先撤销那个令牌")
    token = "yq_" + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=digest(token), user_id=user.id, created_at=now,
                   expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    audit(session, now, actor, "issue_token", "user", user.id,
          after={"token": name, "token_id": row.id, "expires_at": row.expires_at.isoformat()})
    return token


def revoke_token(session: Session, token_id: int, *, actor: str, now: datetime) -> str:
    """Revoke one API token (the others of its user keep working); returns its name."""
    actor = actor_name(actor)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ActionError(f"没有编号为 {token_id} 的接口令牌（yuqing users tokens 可查看）")
    if row.revoked_at is not None:
        raise ActionError(f"接口令牌 {token_id}（{row.name}）已于此前撤销")
    row.revoked_at = now
    audit(session, now, actor, "revoke_token", "user", row.user_id, after={"token": row.name, "token_id": row.id})
    return row.name


def note_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Record that a token was used: at most one write a minute per token (the caller skips
    the call when the last use it read is recent; the condition keeps concurrent calls to one).
    Not audited: it is bookkeeping of every API call, not a change anyone makes."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id, or_(
        ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_USE_EVERY)).values(last_used_at=now))

