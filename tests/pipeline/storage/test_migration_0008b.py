"""Upgrading a database in use to 0008b: acknowledgement codes already sent keep working (their
plain values are hashed and dropped), existing API tokens get an expiry instead of breaking,
and the way back works. On both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

from pipeline.alerts import codes
from pipeline.alerts.acks import ack_view
from pipeline.auth import check_api_token, digest
from pipeline.storage.db import MIGRATIONS_DIR, _without_sqlite_foreign_keys, make_engine, migrate, session_scope
from pipeline.storage.models import TZDateTime
from tests.conftest import NOW

OLD_CODE = "0123456789abcdef"  # secrets.token_hex(8), as alerts were given before 0008b


def _to(engine: sa.Engine, revision: str, down: bool = False) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with _without_sqlite_foreign_keys(engine) as conn, conn.begin():  # as pipeline.storage.db.migrate does
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _old_rows(engine: sa.Engine) -> None:
    tz = TZDateTime()
    meta = sa.MetaData()
    alerts = sa.Table("alerts", meta, autoload_with=engine)
    users = sa.Table("users", meta, autoload_with=engine)
    tokens = sa.Table("api_tokens", meta, autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(alerts.insert(), {"key": "event:1:重大:崇头镇", "kind": "event", "recipient": "崇头镇", "urgent": True,
                                       "level": 0, "payload": {}, "ack_token": OLD_CODE,
                                       "created_at": tz.process_bind_param(NOW, conn.dialect)})
        conn.execute(users.insert(), {"username": "sys", "display_name": "系统", "role": "analyst", "password_hash": "x",
                                      "created_at": tz.process_bind_param(NOW, conn.dialect),
                                      "password_changed_at": tz.process_bind_param(NOW, conn.dialect)})
        user_id = conn.execute(sa.select(users.c.id)).scalar_one()
        conn.execute(tokens.insert(), {"name": "12345热线", "token_hash": digest("yq_old"), "user_id": user_id,
                                       "created_at": tz.process_bind_param(NOW, conn.dialect)})


def test_codes_sent_before_keep_working_and_tokens_get_an_expiry(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        _to(engine, "0007e")
        _old_rows(engine)
        before = datetime.now(UTC)
        migrate(engine)
        with session_scope(engine) as s:
            found = codes.find(s, OLD_CODE)
            assert found is not None and found[0].channel is None and found[0].token_hash == digest(OLD_CODE)
            view = ack_view(s, OLD_CODE)
            assert view is not None and view.recipient == "崇头镇" and view.expired is None
            columns = {c["name"] for c in sa.inspect(s.connection()).get_columns("alerts")}
            assert "ack_token" not in columns and {"acknowledged_via", "acknowledged_declared"} <= columns
            check = check_api_token(s, "yq_old", datetime.now(UTC))
            assert check.principal is not None  # an integration does not break on the day of the upgrade
            expires = s.execute(sa.text("SELECT expires_at FROM api_tokens")).scalar_one()
        expires = TZDateTime().process_result_value(expires, engine.dialect)
        assert expires is not None and before + timedelta(days=89) < expires < datetime.now(UTC) + timedelta(days=91)
        _to(engine, "0007e", down=True)  # the way back: new plain codes (old links stop), tokens as before
        with engine.connect() as conn:
            code = conn.execute(sa.text("SELECT ack_token FROM alerts")).scalar_one()
            assert code and code != OLD_CODE
        migrate(engine)
    finally:
        engine.dispose()
