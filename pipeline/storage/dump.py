"""Copying a whole database out and back in, per engine: SQLite through its online backup API
(a consistent copy while other processes write), PostgreSQL through ``pg_dump``'s custom
format and ``pg_restore``. Also what a backup's manifest states about a database: its Alembic
revision and the row count of each of yuqing's tables."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from pipeline.files import create_private
from pipeline.storage import people
from pipeline.storage.db import make_engine
from pipeline.storage.models import Base

# The web app's tables are declared in their own module: counted like the others.
_TABLE_MODULES = (people,)


class DumpError(RuntimeError):
    """The database could not be copied out or in; the message, in Chinese, says why."""


def engine_name(url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    return make_url(url).get_backend_name()


@dataclass(frozen=True)
class Contents:
    """What a database holds, as a backup's manifest states it."""

    revision: str | None
    tables: dict[str, int]


def contents(conn: Connection) -> Contents:
    """The Alembic revision (None: never migrated) and the rows of each of yuqing's tables
    present (the schema's own tables, not the search index's engine-specific ones)."""
    present = set(inspect(conn).get_table_names())
    rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if "alembic_version" in present else None
    counts = {t.name: int(conn.execute(select(func.count()).select_from(table(t.name))).scalar() or 0)
              for t in Base.metadata.sorted_tables if t.name in present}
    return Contents(rev, counts)


def occupied(engine: Engine) -> tuple[int, int]:
    """How many tables the database has and how many rows yuqing's tables hold: (0, 0) is an
    empty database, the only kind a restore writes into without being told to overwrite."""
    with engine.connect() as conn:
        tables = len(inspect(conn).get_table_names())
        return tables, sum(contents(conn).tables.values()) if tables else 0


def copy_out(url: str, target: Path) -> Contents:
    """Write a copy of the database at ``url`` to ``target`` (SQLite file or pg_dump archive);
    returns what the copy holds. On PostgreSQL the dump and the counts share one snapshot."""
    target.parent.mkdir(parents=True, exist_ok=True)
    create_private(target)  # personal data: the owner's alone from the start
    if engine_name(url) == "sqlite":
        _sqlite_copy(_sqlite_path(url), target)
        copy = create_engine(f"sqlite:///{target.as_posix()}")
        try:
            with copy.connect() as conn:
                return contents(conn)
        finally:
            copy.dispose()
    engine = make_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            snapshot: str = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            _pg_run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(target)], url)
            return contents(conn)
    finally:
        engine.dispose()


def loaded_contents(url: str) -> Contents:
    """What the database at ``url`` holds now."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return contents(conn)
    finally:
        engine.dispose()


def copy_in(url: str, source: Path, overwrite: bool) -> None:
    """Load a copy made by ``copy_out`` into the database at ``url``; ``overwrite`` replaces
    what the database holds (refusing a non-empty one is the caller's decision)."""
    if engine_name(url) == "sqlite":
        _sqlite_copy(source, _sqlite_path(url))
        return
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _pg_run([*args, *(["--clean", "--if-exists"] if overwrite else []), str(source)], url, target_flag="--dbname")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError("只能备份或恢复文件形式的 SQLite 数据库")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot page by page, the target replaced whole."""
    if not source.is_file():
        raise DumpError(f"SQLite 数据库文件不存在：{source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    create_private(target)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=1024)
    except sqlite3.Error as exc:
        raise DumpError(f"SQLite 备份失败：{exc}") from exc
    finally:
        dst.close()
        src.close()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password (given in the environment instead, so
    it never shows in the process list)."""
    parsed: URL = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _pg_run(args: list[str], url: str, target_flag: str = "--dbname") -> None:
    tool = args[0]
    if shutil.which(tool) is None:
        raise DumpError(f"找不到 {tool}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（如 apt-get install postgresql-client）")
    check_client_version(tool, url)
    dsn, env = _libpq(url)
    done = subprocess.run([*args, f"{target_flag}={dsn}"], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DumpError(f"{tool} 失败（退出码 {done.returncode}）：{done.stderr.strip()[:500]}")


def _client_major(tool: str) -> int:
    found = re.search(r"\)\s*(\d+)", subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout)
    return int(found.group(1)) if found else 0


def check_client_version(tool: str, url: str) -> None:
    """pg_dump cannot dump a newer server, and pg_restore may not read a newer server's dump:
    refuse a client older than the server, naming both versions."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    except SQLAlchemyError:  # the tool itself reports a connection failure more precisely
        return
    finally:
        engine.dispose()
    client = _client_major(tool)
    if client < server:
        raise DumpError(f"{tool} 的主版本（{client}）低于数据库服务器（{server}）：请安装 PostgreSQL {server} 的客户端"
                        f"（如 apt-get install postgresql-client-{server}）")
