"""Dispatch: hand new assignments to their units' queues (status new → dispatched), once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.storage.models import Assignment, Unit
from pipeline.storage.store import audit


def dispatch_new(session: Session, now: datetime) -> dict[str, int]:
    """Mark every new assignment dispatched; returns how many each unit received.

    One UPDATE … RETURNING takes only rows still ``new``: a concurrent worker (or a re-run
    after a crash) gets the rows it changed itself, so nothing is dispatched or counted twice.
    """
    changed = session.execute(
        update(Assignment).where(Assignment.status == "new").values(status="dispatched", dispatched_at=now)
        .returning(Assignment.unit_id)
    ).scalars().all()
    if not changed:
        return {}
    names = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(set(changed))))}
    per_unit: dict[str, int] = {}
    for uid in changed:
        per_unit[names[uid]] = per_unit.get(names[uid], 0) + 1
    audit(session, now, "dispatch", "dispatch", "assignment", None, {"per_unit": per_unit})
    return per_unit
