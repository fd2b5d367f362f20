"""Times stored and read safely (issue 18): any time whose UTC form lies in years 1–9999 round-trips
on both engines, in order; one that shifts out of that range in UTC is refused before it is
written (it used to be stored and break every later reading); existing SQLite text still reads.
And the pure rule that refuses times nobody can mean: before 2000, or years ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError

from pipeline.rules.times import implausible
from pipeline.storage.db import session_scope
from pipeline.storage.models import AuditLog, _from_sqlite, _to_sqlite
from pipeline.timeparse import SHANGHAI
from tests.conftest import NOW

EDGES = [
    "0001-01-01T00:00:00-12:00",         # year 1, UTC 12:00 the same day
    "0001-01-01T13:00:00+12:00",         # year 1, UTC 01:00
    "0999-06-15T12:34:56.789012+00:00",  # three-digit year, microseconds
    "0999-12-31T20:00:00-08:00",         # UTC 1000-01-01 04:00: across the year boundary
    "1000-01-01T02:00:00+08:00",         # UTC 0999-12-31 18:00: back across it
    "2026-11-28T10:00:00+08:00",
    "9998-12-31T23:00:00-05:00",         # UTC 9999-01-01 04:00
    "9999-12-31T10:00:00+08:00",         # UTC 9999-12-31 02:00
    "9999-12-31T23:59:59.999999+00:00",
]


def test_edge_years_round_trip_and_sort_on_both_engines(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":  # a server in 北京时间, as county servers often are
        with engine.begin() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'"))
        engine.dispose()
    written = [datetime.fromisoformat(v) for v in EDGES]
    with session_scope(engine) as s:
        s.add_all(AuditLog(at=at, actor="测试", action=raw, entity="time", entity_id=None, detail={})
                  for at, raw in zip(written, EDGES, strict=True))
    with session_scope(engine) as s:
        read = dict(s.execute(select(AuditLog.action, AuditLog.at)).all())
        ordered = list(s.scalars(select(AuditLog.action).order_by(AuditLog.at)))
    assert all(read[raw] == at and read[raw].utcoffset() is not None for raw, at in zip(EDGES, written, strict=True))
    assert ordered == [raw for raw, _ in sorted(zip(EDGES, written, strict=True), key=lambda p: p[1])]


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+12:00", "0001-01-01T05:00:00+05:00:01",
                                 "9999-12-31T23:00:00-12:00"])
def test_a_time_outside_years_1_to_9999_in_utc_is_refused_before_it_is_written(engine: Engine, raw: str) -> None:
    with pytest.raises(StatementError, match="超出可存储范围"), session_scope(engine) as s:
        s.add(AuditLog(at=datetime.fromisoformat(raw), actor="测试", action="x", entity="time", entity_id=None,
                       detail={}))
        s.flush()
    with session_scope(engine) as s:  # nothing half-written that a later reading trips over
        assert s.scalars(select(AuditLog.at)).all() == []


def test_sqlite_text_is_unchanged_for_ordinary_years_and_old_unpadded_text_reads() -> None:
    for at in (NOW, datetime(1000, 1, 1, tzinfo=UTC), datetime(2026, 2, 3, 4, 5, 6, 7, tzinfo=SHANGHAI)):
        assert _to_sqlite(at) == at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    assert _to_sqlite(datetime(1, 1, 1, 12, tzinfo=UTC)) == "0001-01-01 12:00:00.000000"
    # What strftime("%Y") wrote for a year below 1000 before the fix: it reads again.
    assert _from_sqlite("1-01-01 12:00:00.000000") == datetime(1, 1, 1, 12, tzinfo=UTC)
    assert _from_sqlite("999-12-31 18:00:00.000000") == datetime(999, 12, 31, 18, tzinfo=UTC)
    assert _from_sqlite("2026-11-28 02:00:00.000000") == NOW


def test_a_legacy_unpadded_row_no_longer_breaks_reading(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite stored times as text")
    with session_scope(engine) as s:
        s.execute(text("INSERT INTO audit_log (at, actor, action, entity, detail) "
                       "VALUES ('1-01-01 12:00:00.000000', 'x', 'x', 'x', '{}')"))
    with session_scope(engine) as s:
        assert s.scalars(select(AuditLog.at)).all() == [datetime(1, 1, 1, 12, tzinfo=UTC)]


def test_times_nobody_can_mean_are_named() -> None:
    clock = NOW
    assert implausible(NOW - timedelta(days=3000), clock) is None
    assert implausible(NOW + timedelta(days=300), clock) is None
    assert "2000" in (implausible(datetime(1999, 12, 31, 23, tzinfo=SHANGHAI), clock) or "")
    assert "2000" in (implausible(datetime.fromisoformat("0001-01-01T00:00:00+12:00"), clock) or "")
    assert "晚一年以上" in (implausible(datetime.fromisoformat("9999-12-31T23:00:00-12:00"), clock, "--now") or "")
    assert "晚一年以上" in (implausible(NOW + timedelta(days=400), clock) or "")
