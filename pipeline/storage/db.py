"""Database engines and sessions: SQLite (embedded, WAL) by default, PostgreSQL by URL.

One Session per unit of work, opened at the boundary (CLI command, flow task, request);
store functions take that session and never commit.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pipeline.files import create_private, open_private

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x7975_7169  # "yuqi": the PostgreSQL advisory lock taken while migrating
TRIAGE_LOCK_KEY = 0x7975_7174  # "yuqt": held by a triage transaction on PostgreSQL until it ends


def _json_dumps(value: Any) -> str:
    # orjson: several times faster than json on bulk writes, and keeps Chinese readable in
    # SQLite's TEXT JSON instead of \uXXXX escapes.
    return orjson.dumps(value).decode("utf-8")


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL, a busy timeout and foreign keys, and are created
    owner-only (0600): SQLite gives the -wal and -shm files the database file's mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            create_private(Path(parsed.database))
        engine = create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads,
                               connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # Sessions in UTC: the server's own zone (often Asia/Shanghai) would hand back a stored
    # 9999-12-31 23:00 UTC as year 10000 and 0001-01-01 00:30 UTC west of Greenwich as year 0,
    # which no driver can read. Nothing here depends on the session zone otherwise.
    given = parsed.query.get("options", "")
    options = " ".join([*([given] if isinstance(given, str) else given), "-c timezone=UTC"]).strip()
    return create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads, pool_pre_ping=True,
                         connect_args={"options": options})


@contextmanager
def session_scope(bind: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = (bind if isinstance(bind, sessionmaker) else sessionmaker(bind, expire_on_commit=False))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# Alembic's command API keeps module-level state: one migration at a time per process.
_MIGRATE_LOCK = threading.Lock()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database);
    a database already at the newest revision is left alone without running Alembic."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with _MIGRATE_LOCK, _sqlite_file_lock(engine), _without_sqlite_foreign_keys(engine) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            # Workers on several machines may start on a fresh database at once: the first takes
            # this lock and migrates, the others wait, then find the schema at head.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if MigrationContext.configure(conn).get_current_revision() == head:
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def _without_sqlite_foreign_keys(engine: Engine) -> Iterator[Connection]:
    """A connection for migrating. On SQLite, foreign keys are off while it migrates: changing a
    constraint there copies the table and drops the old one, which a referencing table would
    refuse (the PRAGMA only takes effect outside a transaction, so it is set before one begins)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            yield conn
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations of one SQLite file across processes (its DDL runs outside a
    transaction, so two processes could both create a table)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open_private(Path(f"{database}.migrate-lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    """An engine for one unit of work at the boundary, disposed afterwards (no leaked pools):
    backup and restore open the database this way."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def wait_for_other_triage(session: Session) -> None:
    """On PostgreSQL, take the triage lock for the rest of the transaction, waiting while another
    worker's triage transaction holds it. A batch must see the events that a batch triaged at the
    same moment created: two workers each taking one report of the same incident would otherwise
    both open an event for it (two alert chains until a later post merged them). SQLite has one
    writer at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TRIAGE_LOCK_KEY})
