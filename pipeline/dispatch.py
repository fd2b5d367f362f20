"""Dispatch: hand new assignments to their units' queues (status new → dispatched), once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.models import Assignment, Unit
from pipeline.store import audit


def dispatch_new(session: Session, now: datetime) -> dict[str, int]:
    """Mark every new assignment dispatched; returns how many each unit received.

    The update only touches rows still ``new``, so a re-run after a crash dispatches nothing twice.
    """
    rows = session.execute(
        select(Assignment.id, Unit.name).join(Unit, Unit.id == Assignment.unit_id).where(Assignment.status == "new")
    ).all()
    per_unit: dict[str, int] = {}
    for _, name in rows:
        per_unit[name] = per_unit.get(name, 0) + 1
    if rows:
        session.execute(
            update(Assignment).where(Assignment.id.in_([r[0] for r in rows]), Assignment.status == "new")
            .values(status="dispatched", dispatched_at=now)
        )
        audit(session, now, "dispatch", "dispatch", "assignment", None, {"per_unit": per_unit})
    return per_unit
