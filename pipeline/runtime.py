"""One runtime per process boundary (a CLI command, a flow run, the web app): settings, the
business configuration, one engine and one sessionmaker, built once and passed down.

Units of work open their Session from here (``rt.session()``: commit on success, roll back on
error); shells read through ``rt.read(query, …)`` and change state through ``rt.act(action,
…)``, so no shell builds an engine or a session itself. Models are loaded only when something
classifies (``rt.triage_context()``), never trained here: a missing or stale model is a clear
error naming the command that trains it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import Config, load_config
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.store import seed_units

if TYPE_CHECKING:
    from pipeline.triage import TriageContext

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or prepared; the message says so in Chinese."""


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    _config: Config | None = field(default=None, repr=False)
    _triage: TriageContext | None = field(default=None, repr=False)

    @property
    def cfg(self) -> Config:
        """The business configuration, read and validated once."""
        if self._config is None:
            self._config = load_config(self.settings.config_dir)
        return self._config

    def triage_context(self, progress: Callable[[str], None] = lambda _: None) -> TriageContext:
        """Configuration, gazetteer, tokenizer and the trained models, loaded once (never trained)."""
        if self._triage is None:
            from pipeline.triage import TriageContext

            self._triage = TriageContext.load(self.settings, self.cfg, progress)
        return self._triage

    def session(self) -> AbstractContextManager[Session]:
        """A unit of work: commit on success, roll back on any error."""
        return session_scope(self.sessions)

    def read(self, query: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a query of ``pipeline.queries`` in its own unit of work."""
        with self.session() as session:
            return query(session, *args, **kwargs)

    def act(self, action: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run an action of ``pipeline.actions`` in its own unit of work (committed when it returns)."""
        with self.session() as session:
            return action(session, *args, **kwargs)

    def stream(self, query: Callable[Concatenate[Session, P], Iterator[T]], *args: P.args,
               **kwargs: P.kwargs) -> Iterator[T]:
        """Rows of a query that yields them, read in one unit of work as they are consumed."""
        with self.session() as session:
            yield from query(session, *args, **kwargs)

    def prepare(self) -> int:
        """Bring the schema to the newest revision and add the configured units; returns how
        many units were added. A database that is at head already costs two small queries."""
        try:
            migrate(self.engine)
            with self.session() as session:
                return seed_units(session, self.cfg)
        except OperationalError as exc:
            raise DatabaseUnavailable(_unavailable(self.settings.database_url, exc)) from exc


def _unavailable(url: str, exc: Exception) -> str:
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    return f"无法连接或初始化数据库（{shown}）：{str(exc).splitlines()[0][:200]}。请检查 YUQING_DATABASE_URL 与数据库服务。"


@contextmanager
def open_runtime(settings: Settings, *, prepare: bool = True) -> Iterator[Runtime]:
    """The runtime of one boundary; with ``prepare`` (the default) the schema is migrated and
    the units seeded first, so no command meets a database that was never initialised."""
    engine = make_engine(settings.database_url)
    try:
        rt = Runtime(settings, engine, sessionmaker(engine, expire_on_commit=False))
        if prepare:
            rt.prepare()
        yield rt
    finally:
        engine.dispose()

