"""The people and systems that sign in to the web app, and what signing in leaves: users and
their roles, browser sessions, API tokens of other county systems, failed sign-ins (for rate
limiting). Tables of the same schema as ``pipeline.storage.models`` (one ``Base``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipeline.storage.models import Base, Unit


class User(Base):
    """A person (or another county system) who signs in to the web app. Roles: analyst,
    unit (bound to ``unit_id``), coordinator, leader, admin (``pipeline.vocabulary.USER_ROLES``)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    unit: Mapped[Unit | None] = relationship()
    # Set when an administrator chose the password (add, reset): the user must choose their own
    # before doing anything else (migration 0008a).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, only its SHA-256 is stored, so a
    copy of the database cannot be used to sign in. Disabling a user, resetting or changing the
    password and signing in again end the sessions; so do idleness and age
    (``pipeline.rules.signin``)."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Last use, recorded at most once a minute: a session idle past its timeout has ended.
    last_seen_at: Mapped[datetime]


class ApiToken(Base):
    """A token for another county system (12345 hotline, 浙政钉 workflows) calling the JSON API
    with the permissions of the user it belongs to; only its SHA-256 is stored. It works until
    it expires or is revoked (0008b); its last use is recorded (at most once a minute). A name
    may be reused once its token is dead, and by the same user meanwhile (rotation)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class SigninAttempt(Base):
    """A failed sign-in (or a wrong current password on the change-password page), for
    throttling per (name, address) and per address (``pipeline.rules.signin``)."""

    __tablename__ = "signin_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
