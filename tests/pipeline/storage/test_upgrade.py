"""Upgrading a database that holds a month of work, on both engines: a database at revision
0007e (the schema before web passwords, acknowledgement links, response places, own releases
and retention) is filled with a month of work — triaged, signed for, answered, returned, closed
— written in that schema's own terms (its columns only; the plain acknowledgement codes it
kept), then ``yuqing init`` upgrades it. The events, assignments, deadlines, audit trail and
the month's report and 考核 figures are what the same month gives on a database created at the
newest revision."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

from pipeline.config import Config
from pipeline.queries.assessment import assessment_figures
from pipeline.queries.report_figures import period_figures
from pipeline.runtime import Runtime
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import MIGRATIONS_DIR, _without_sqlite_foreign_keys, engine_for, make_engine
from pipeline.storage.dump import loaded_contents
from pipeline.storage.models import AlertDelivery, Assignment, AuditLog, Base, Deadline, Event, Response
from pipeline.triage import TriageContext
from tests.pipeline.month import AFTER, MONTH, triage_month, work_month
from tests.yuqing.conftest import run

OLD = "0007e"
# Columns the old schema requires that the newest one no longer has: what that release wrote.
OLD_ONLY = {("alerts", "ack_token"): lambda: secrets.token_hex(8)}  # a plain acknowledgement code


def _at_old_revision(url: str) -> sa.Engine:
    engine = make_engine(url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with _without_sqlite_foreign_keys(engine) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, OLD)
    return engine


def _old_table(table: sa.Table, present: set[str]) -> tuple[sa.Table, list[str]]:
    """The newest table's columns that the old schema has, plus the old schema's own ones."""
    extra = [name for (tname, name) in OLD_ONLY if tname == table.name and name in present]
    columns = [sa.Column(c.name, c.type, primary_key=c.primary_key) for c in table.columns if c.name in present]
    return sa.Table(table.name, sa.MetaData(), *columns, *(sa.Column(n, sa.String()) for n in extra)), extra


def _fill_old(source: sa.Engine, target: sa.Engine) -> None:
    """Every row of the month, in the old schema's columns (foreign keys checked at the end:
    an event merged into a later one refers forward)."""
    inspector = sa.inspect(target)
    tables = set(inspector.get_table_names())
    with _without_sqlite_foreign_keys(target) as conn, conn.begin(), source.connect() as src:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            old, extra = _old_table(table, {c["name"] for c in inspector.get_columns(table.name)})
            rows = [dict(r._mapping) for r in src.execute(sa.select(*(table.c[c.name] for c in old.columns
                                                                       if c.name not in extra)))]
            for row in rows:
                row.update({name: OLD_ONLY[(table.name, name)]() for name in extra})
            if rows:
                conn.execute(old.insert(), rows)
            if conn.dialect.name == "postgresql" and "id" in old.c:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"))


def _state(rt: Runtime) -> dict[str, Any]:
    with rt.session() as s:
        rows = {model.__tablename__: [tuple(r) for r in s.execute(sa.select(*model.__table__.columns)
                                                                   .order_by(model.__table__.c.id))]
                for model in (Event, Assignment, Deadline, AuditLog, Response, AlertDelivery)}
    return {**rows, "figures": rt.read(period_figures, MONTH, AFTER), "assessment": rt.read(assessment_figures, MONTH, AFTER)}


def test_a_month_of_work_upgrades_unchanged(
        migrated_sqlite: Callable[[str], str], empty_db_url: str, runtime_for: Callable[[str], Runtime], settings_for: Any,
        ctx: TriageContext, cfg: Config, tmp_path: Path) -> None:
    newest = migrated_sqlite("newest.db")
    rt = runtime_for(newest)
    triage_month(rt, ctx, 60)
    work_month(rt, cfg)
    expected = _state(rt)
    assert expected["assessment"].units and expected["assessment"].late_cases and expected["audit_log"]

    old = _at_old_revision(empty_db_url)
    try:
        _fill_old(rt.engine, old)
    finally:
        old.dispose()
    assert loaded_contents(empty_db_url).revision == OLD
    settings: Settings = settings_for(empty_db_url)
    done = run(["init"], settings, tmp_path, PYTHONPATH=str(PROJECT_ROOT))  # this checkout's code
    assert done.returncode == 0, done.stderr
    assert "数据库已就绪" in done.stdout and "新增单位 0 个" in done.stdout
    assert loaded_contents(empty_db_url).revision == loaded_contents(newest).revision
    assert _state(runtime_for(empty_db_url)) == expected
    with engine_for(empty_db_url) as engine, engine.connect() as conn:  # the old release's plain codes became links
        alerts, links = (conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar() for t in ("alerts", "ack_links"))
        assert alerts and links == alerts
