"""Alembic environment: runs migrations on the connection handed over by ``pipeline.db.migrate``
(or on ``YUQING_DATABASE_URL`` when invoked through the ``alembic`` command)."""

from __future__ import annotations

from alembic import context

from pipeline.settings import Settings
from pipeline.storage import people  # noqa: F401  (its tables belong to the same metadata)
from pipeline.storage.db import make_engine
from pipeline.storage.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = make_engine(Settings.from_env().database_url)
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
