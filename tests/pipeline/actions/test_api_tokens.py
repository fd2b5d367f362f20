"""API tokens (ASVS level 2): they expire (90 days unless told), are revoked one by one, record
their last use at most once a minute, and say why they are refused. On both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from pipeline.actions.base import ActionError
from pipeline.actions.users import add_user, disable_user, issue_token, note_token_use, revoke_token
from pipeline.auth import check_api_token
from pipeline.queries.tokens import api_tokens
from pipeline.storage.db import session_scope
from pipeline.storage.models import AuditLog
from pipeline.storage.people import ApiToken
from tests.conftest import NOW

PASSWORD = "correct-horse-1"


def _users(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=NOW)
        add_user(s, "boss", "李领导", "leader", PASSWORD, unit=None, actor="管理员", now=NOW)


def _issue(engine: Engine, username: str, name: str, **kw: int) -> tuple[str, int]:
    with session_scope(engine) as s:
        token = issue_token(s, username, name, actor="管理员", now=NOW, **kw)
        row = s.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
        assert row is not None
        return token, row.id


def test_tokens_expire_after_their_days(engine: Engine) -> None:
    _users(engine)
    default, default_id = _issue(engine, "ana", "12345热线")
    week, _ = _issue(engine, "ana", "浙政钉", days=7)
    with session_scope(engine) as s:
        assert s.get(ApiToken, default_id).expires_at == NOW + timedelta(days=90)  # type: ignore[union-attr]
        ok = check_api_token(s, default, NOW + timedelta(days=89))
        assert ok.principal is not None and ok.principal.actor == "张分析·12345热线" and ok.problem is None
        assert check_api_token(s, week, NOW + timedelta(days=6)).principal is not None
        late = check_api_token(s, week, NOW + timedelta(days=7))
        assert late.principal is None and late.problem == "接口令牌已于 2026-12-05 10:00 过期，请向管理员申请新令牌"
        assert check_api_token(s, default, NOW + timedelta(days=90)).principal is None
        assert check_api_token(s, "yq_nonsense", NOW).problem == "接口令牌无效"
        rows = {r.name: r.state for r in api_tokens(s, NOW + timedelta(days=8))}
    assert rows == {"12345热线": "有效", "浙政钉": "已过期"}
    for days in (0, 731):
        with session_scope(engine) as s, pytest.raises(ActionError, match="有效期须为 1 至 730 天"):
            issue_token(s, "ana", "坏令牌", actor="管理员", now=NOW, days=days)


def test_one_token_is_revoked_and_the_others_keep_working(engine: Engine) -> None:
    _users(engine)
    old, old_id = _issue(engine, "ana", "12345热线")
    new, _ = _issue(engine, "ana", "12345热线")  # the same system's next token, before the old one is revoked
    with session_scope(engine) as s:
        assert revoke_token(s, old_id, actor="管理员", now=NOW + timedelta(hours=1)) == "12345热线"
    with session_scope(engine) as s:
        refused = check_api_token(s, old, NOW + timedelta(hours=2))
        assert refused.principal is None and refused.problem == "接口令牌已撤销，请向管理员申请新令牌"
        assert check_api_token(s, new, NOW + timedelta(hours=2)).principal is not None
        audited = s.scalars(select(AuditLog.action).where(AuditLog.entity == "user")).all()
        assert "revoke_token" in audited
        states = [(r.id, r.state, r.revoked_at) for r in api_tokens(s, NOW + timedelta(hours=2), "ana")]
    assert states[-1] == (old_id, "已撤销", NOW + timedelta(hours=1)) and states[0][1] == "有效"
    with session_scope(engine) as s, pytest.raises(ActionError, match="已于此前撤销"):
        revoke_token(s, old_id, actor="管理员", now=NOW)
    with session_scope(engine) as s, pytest.raises(ActionError, match="没有编号为 999 的接口令牌"):
        revoke_token(s, 999, actor="管理员", now=NOW)
    with session_scope(engine) as s:
        disable_user(s, "ana", actor="管理员", now=NOW + timedelta(hours=3))
        assert check_api_token(s, new, NOW + timedelta(hours=4)).problem == "接口令牌已撤销，请向管理员申请新令牌"


def test_a_live_name_belongs_to_one_user(engine: Engine) -> None:
    _users(engine)
    _, first = _issue(engine, "ana", "12345热线")
    with session_scope(engine) as s, pytest.raises(ActionError, match="属于用户“ana”且仍有效"):
        issue_token(s, "boss", "12345热线", actor="管理员", now=NOW)
    with session_scope(engine) as s:
        revoke_token(s, first, actor="管理员", now=NOW)
    token, _ = _issue(engine, "boss", "12345热线")  # free again once its token is dead
    with session_scope(engine) as s:
        found = check_api_token(s, token, NOW)
        assert found.principal is not None and found.principal.username == "boss"


def test_last_use_is_written_at_most_once_a_minute(engine: Engine) -> None:
    _users(engine)
    token, token_id = _issue(engine, "ana", "12345热线")
    with session_scope(engine) as s:
        assert check_api_token(s, token, NOW).last_used_at is None
        assert api_tokens(s, NOW)[0].last_used_at is None
    for seconds in (0, 30, 59, 60, 61):
        with session_scope(engine) as s:
            note_token_use(s, token_id, NOW + timedelta(seconds=seconds))
    with session_scope(engine) as s:
        # 0 written; 30 and 59 within the minute skipped; 60 written; 61 skipped
        assert check_api_token(s, token, NOW).last_used_at == NOW + timedelta(seconds=60)
