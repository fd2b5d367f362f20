"""People and systems of the web app (``yuqing users``): add a user, disable one, reset a
password, issue an API token (signing in, out and changing one's own password:
``pipeline.actions.signin``). Every change is audited; passwords and tokens are never stored or
logged in clear. A password an administrator chose must be changed by its user at once."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError, actor_name, audit, unit_or_fail
from pipeline.auth import digest, hash_password
from pipeline.rules.signin import password_problem
from pipeline.storage.people import ApiToken, User, WebSession
from pipeline.vocabulary import USER_ROLES


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


def issue_token(session: Session, username: str, name: str, *, actor: str, now: datetime) -> str:
    """An API token for another system, acting with the user's permissions; shown once."""
    actor, name = actor_name(actor), actor_name(name)
    user = _user(session, username)
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise ActionError(f"已有名为“{name}”的接口令牌")
    token = "yq_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_hash=digest(token), user_id=user.id, created_at=now))
    audit(session, now, actor, "issue_token", "user", user.id, after={"token": name})
    return token
