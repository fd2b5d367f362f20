"""快速升温 as a state change: the sweep marks each event that is rising at ``now`` with its
level and figures (audited when the level is new or the mark had lapsed) and writes one alert to
its owner and the analysts per event per level — through the outbox, keyed, so re-running a
sweep, or a rise that lasts several sweeps, never writes it again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import plan_rising_alerts
from pipeline.config import Config
from pipeline.queries.rising import current_rises
from pipeline.rules.rising import Rise
from pipeline.storage.models import Assignment, Event, Unit
from pipeline.vocabulary import SYSTEM_ACTOR


def mark_rising(session: Session, cfg: Config, now: datetime) -> int:
    """Mark the events rising at ``now`` and alert their owners and the analysts; returns how
    many alerts were new."""
    rises = current_rises(session, cfg.policy.rising, now)
    if not rises:
        return 0
    owners = _owners(session, list(rises))
    drafts = []
    for event_id, rise in sorted(rises.items()):
        event = session.get(Event, event_id)
        if event is None:
            continue
        _mark(session, event, rise, cfg.policy.rising.hold_hours, now)
        drafts += plan_rising_alerts(event_id, rise.level, rise.figures, owners.get(event_id),
                                     cfg.units.coordinators, cfg.alerts)
    return write_alerts(session, drafts, cfg.alerts, now)


def _mark(session: Session, event: Event, rise: Rise, hold_hours: int, now: datetime) -> None:
    """Keep the mark fresh; a new level (or a rise after the mark lapsed) records its figures
    — those its alert carries — and is audited."""
    lapsed = event.rising_at is None or event.rising_at < now - timedelta(hours=hold_hours)
    before = None if lapsed else event.rising_level
    if before is None or rise.level > before:
        audit(session, now, SYSTEM_ACTOR, "rising", "event", event.id, before=before, after=rise.level,
              reason=rise.figures)
        event.rising_level, event.rising_figures = rise.level, rise.figures
    event.rising_at = now


def _owners(session: Session, event_ids: list[int]) -> dict[int, str]:
    stmt = (select(Assignment.event_id, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id.in_(event_ids), Assignment.role == "primary",
                   Assignment.status != "withdrawn"))
    return {e: name for e, name in session.execute(stmt)}
