"""Who is asking: password hashing (Argon2id), the SHA-256 of session and API tokens, and the
principal a browser session or an API token stands for. Reads only; signing in, out and the
user changes are actions (``pipeline.actions.signin``, ``pipeline.actions.users``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.rules.signin import SESSION_IDLE, SESSION_LIFETIME
from pipeline.storage.models import Unit
from pipeline.storage.people import ApiToken, User, WebSession
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import PERMISSIONS, USER_ROLES

_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
# Verified when the user name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("yuqing-no-such-user")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    """What is stored of a session or API token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """A signed-in user (or another system through its API token): plain values."""

    user_id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None
    unit_name: str | None
    api_token: str | None = None  # the token's name when the request came through the API
    must_change: bool = False  # an administrator chose the password: the user must choose their own

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def actor(self) -> str:
        """Who acts, as the audit log records it: the person's name, their unit, the system."""
        name = f"{self.display_name}（{self.unit_name}）" if self.unit_name else self.display_name
        return (f"{name}·{self.api_token}" if self.api_token else name)[:64]

    @property
    def role_name(self) -> str:
        return USER_ROLES.get(self.role, self.role)


def _principal(user: User, unit: str | None, api_token: str | None = None) -> Principal:
    return Principal(user.id, user.username, user.display_name, user.role, user.unit_id, unit, api_token)


def session_principal(session: Session, token: str, now: datetime) -> Principal | None:
    """The user of a browser session that is neither expired nor idle past its timeout, and
    whose user is not disabled."""
    stmt = (select(User, Unit.name).join(WebSession, WebSession.user_id == User.id)
            .outerjoin(Unit, Unit.id == User.unit_id)
            .where(WebSession.token_hash == digest(token), WebSession.expires_at > now, User.disabled_at.is_(None),
                   WebSession.created_at > now - SESSION_LIFETIME, WebSession.last_seen_at > now - SESSION_IDLE))
    row = session.execute(stmt).first()
    return replace(_principal(row[0], row[1]), must_change=row[0].must_change_password) if row else None


@dataclass(frozen=True)
class TokenCheck:
    """What an API token stands for at ``now``: its user, or why it is refused (Chinese)."""

    principal: Principal | None
    problem: str | None
    token_id: int | None = None
    last_used_at: datetime | None = None


def check_api_token(session: Session, token: str, now: datetime) -> TokenCheck:
    """The user an API token belongs to, named after the token, while the token is unrevoked
    and unexpired and its user not disabled; otherwise why not."""
    stmt = (select(ApiToken, User, Unit.name).join(User, User.id == ApiToken.user_id)
            .outerjoin(Unit, Unit.id == User.unit_id).where(ApiToken.token_hash == digest(token)))
    row = session.execute(stmt).first()
    if row is None:
        return TokenCheck(None, "接口令牌无效")
    api, user, unit = row
    if api.revoked_at is not None:
        return TokenCheck(None, "接口令牌已撤销，请向管理员申请新令牌")
    if api.expires_at <= now:
        return TokenCheck(None, f"接口令牌已于 {api.expires_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 过期，请向管理员申请新令牌")
    if user.disabled_at is not None:
        return TokenCheck(None, "接口令牌所属用户已停用")
    return TokenCheck(_principal(user, unit, api.name), None, api.id, api.last_used_at)
