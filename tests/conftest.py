"""Shared fixtures: settings pointing at temporary state, the trained default models, and
databases on both engines (SQLite file and a PostgreSQL database created per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from pipeline.config import Config, load_config
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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each engine; PostgreSQL databases are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'test.db').as_posix()}"
        return
    admin = _postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable (set YUQING_REQUIRE_POSTGRES=1 to fail instead)")
    name = f"yuqing_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str, cfg: Config) -> Iterator[Engine]:
    eng = make_engine(db_url)
    migrate(eng)
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
