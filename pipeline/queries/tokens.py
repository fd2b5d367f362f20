"""What administrators read about API tokens (``yuqing users tokens``): each token's name, user,
dates, last use and whether it still works. Never the token itself (only its hash is stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.people import ApiToken, User


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    username: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str  # 有效 | 已撤销 | 已过期 | 用户已停用


def _state(token: ApiToken, user: User, now: datetime) -> str:
    if token.revoked_at is not None:
        return "已撤销"
    if token.expires_at <= now:
        return "已过期"
    return "用户已停用" if user.disabled_at is not None else "有效"


def api_tokens(session: Session, now: datetime, username: str | None = None) -> list[TokenRow]:
    """Every API token (of one user when ``username`` is given), newest first."""
    stmt = select(ApiToken, User).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    if username is not None:
        stmt = stmt.where(User.username == username)
    return [TokenRow(t.id, t.name, u.username, t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
                     _state(t, u, now)) for t, u in session.execute(stmt)]
