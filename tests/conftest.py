"""Shared fixtures: settings pointing at temporary state, the trained default models, and
databases on both engines (SQLite file and a PostgreSQL database created per test). Migrated
databases are copies of a template migrated once per session; empty ones are for the tests of
migrations and of a first initialisation."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pipeline.config import Config, load_config
from pipeline.files import create_private
from pipeline.runtime import Runtime, open_runtime
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.store import seed_units
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
PG_ADMIN_URL = os.environ.get("YUQING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def cfg() -> Config:
    return load_config(PROJECT_ROOT / "data" / "config")


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with temporary state; models come from the project's own model directory."""
    state = tmp_path_factory.mktemp("state")
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_")}
    env["YUQING_STATE_DIR"] = str(state)
    env["YUQING_MODEL_DIR"] = str(PROJECT_ROOT / "var" / "models")
    if "YUQING_CORPUS_DIR" in os.environ:
        env["YUQING_CORPUS_DIR"] = os.environ["YUQING_CORPUS_DIR"]
    return Settings.from_env(env)


@pytest.fixture(scope="session")
def ctx(base_settings: Settings, cfg: Config) -> TriageContext:
    return TriageContext.load(base_settings, cfg)


def _postgres_admin() -> Engine | None:
    engine = make_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    except Exception as exc:  # any connection failure means "no server"
        if os.environ.get("YUQING_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (YUQING_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        return None


@contextmanager
def postgres_database(prefix: str = "yuqing_test", template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` when given, else empty), dropped when
    the block ends; skips the test when no server answers."""
    admin = _postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable (set YUQING_REQUIRE_POSTGRES=1 to fail instead)")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()  # a template must have no connections left, or PostgreSQL refuses to copy it


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest revision, once per session (Alembic is the slow
    part of a fresh database); tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrated(f"sqlite:///{path.as_posix()}")
    # Closing the last connection checkpoints the WAL into the file; nothing is left beside it.
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated to the newest revision once per session, for
    ``CREATE DATABASE ... TEMPLATE``; dropped at the end of the session."""
    with postgres_database("yuqing_template") as url:
        _migrated(url)
        yield url.rsplit("/", 1)[1]


def copy_template(template: Path, path: Path) -> str:
    """Copy the migrated ``template`` to ``path`` (owner-only, like any database); its URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private(path)
    shutil.copyfile(template, path)  # into the existing file: it keeps mode 0600
    return f"sqlite:///{path.as_posix()}"


@pytest.fixture
def migrated_sqlite(sqlite_template: Path, tmp_path: Path) -> Callable[[str], str]:
    """``name`` -> the URL of a SQLite file of that name in the test's directory, at the newest
    revision and without rows: a copy of the session's template."""
    return lambda name: copy_template(sqlite_template, tmp_path / name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A database of its own on each engine, at the newest revision and without rows: a copy of
    the session's migrated template (what ``migrate`` would make, without running Alembic per
    test). PostgreSQL databases are dropped afterwards. Tests of migrations or of a first
    initialisation take ``empty_db_url``."""
    if request.param == "sqlite":
        yield request.getfixturevalue("migrated_sqlite")("test.db")
        return
    with postgres_database(template=request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each engine (never migrated: no tables, no Alembic
    revision); PostgreSQL databases are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'empty.db').as_posix()}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def engine(db_url: str, cfg: Config) -> Iterator[Engine]:
    """An engine on ``db_url`` with the configured units seeded."""
    eng = make_engine(db_url)
    with session_scope(eng) as session:
        seed_units(session, cfg)
    yield eng
    eng.dispose()


@pytest.fixture
def settings_for(base_settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Settings for one database URL, with per-test state."""

    def make(url: str) -> Settings:
        env = {
            "YUQING_DATABASE_URL": url,
            "YUQING_STATE_DIR": str(tmp_path / "state"),
            "YUQING_MODEL_DIR": str(base_settings.model_dir),
        }
        if base_settings.corpus_dir:
            env["YUQING_CORPUS_DIR"] = str(base_settings.corpus_dir)
        return Settings.from_env(env)

    return make


@pytest.fixture
def runtime_for(settings_for, ctx: TriageContext) -> Iterator[Callable[[str], Runtime]]:  # type: ignore[no-untyped-def]
    """Runtimes (one per call, like separate workers) for a database URL; the loaded models of
    the session are handed to them, so tests do not load models again."""
    stack = ExitStack()

    def make(url: str) -> Runtime:
        rt = stack.enter_context(open_runtime(settings_for(url)))
        rt._triage = ctx
        return rt

    yield make
    stack.close()
