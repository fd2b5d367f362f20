"""What people and the collectors read about sources: health per source (``yuqing sources``),
which sources are due, their HTTP validators and search cursors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import Source, SourceRun


def due_sources(session: Session, names: list[str], now: datetime) -> list[str]:
    """Of the configured sources ``names``, those never run or whose next poll is due."""
    next_due: dict[str, datetime | None] = {
        row.name: row.next_due_at
        for row in session.execute(select(Source.name, Source.next_due_at).where(Source.name.in_(names)))}
    return [n for n in names if (due := next_due.get(n)) is None or due <= now]


def validators_of(session: Session, names: list[str]) -> dict[str, dict[str, str | None]]:
    merged: dict[str, dict[str, str | None]] = {}
    stored: dict[str, Any] | None
    for stored in session.scalars(select(Source.http_validators).where(Source.name.in_(names))):
        merged.update(stored or {})
    return merged


def covered_until_of(session: Session, names: list[str]) -> dict[str, datetime | None]:
    """Keyword search sources: where each one's complete coverage ends."""
    stmt = select(Source.name, Source.search_covered_until).where(Source.name.in_(names))
    return {name: covered for name, covered in session.execute(stmt)}


def source_table(session: Session, configured: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Configured sources with their health, for ``yuqing sources``; ``configured`` (name → kind,
    from sources.yaml) adds each source's kind and the sources that have not run yet."""
    kinds = dict(configured or {})
    rows = []
    for s in session.scalars(select(Source).where(Source.health.is_not(None)).order_by(Source.name)):
        last = session.scalar(select(SourceRun).where(SourceRun.source_id == s.id).order_by(SourceRun.id.desc()).limit(1))
        rows.append({"name": s.name, "platform": s.platform, "kind": kinds.pop(s.name, None), "health": s.health,
                     "reason": s.health_reason, "since": s.health_since, "last_run_at": s.last_run_at,
                     "last_new_at": s.last_new_at, "last_fetched": last.fetched if last else None,
                     "last_new": last.new if last else None, "last_rejected": last.rejected if last else None,
                     "search_covered_until": s.search_covered_until})
    rows += [{"name": name, "platform": None, "kind": kind, "health": None, "reason": None, "since": None,
              "last_run_at": None, "last_new_at": None, "last_fetched": None, "last_new": None, "last_rejected": None,
              "search_covered_until": None} for name, kind in sorted(kinds.items())]
    return rows
