"""持续发布 (RULES.md §4) read from storage: for each open event of the configured grades
(特别重大, 重大), its owner and the owner's last release — a response the owning unit recorded,
or the county's own release (an official account's post) placed in the event — and how long
ago that was. The event page, the board and the sweep's reminders read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pipeline.config import ReleaseGap
from pipeline.queries.headlines import named
from pipeline.rules.deadlines import span_text
from pipeline.rules.releases import ReleaseGapView
from pipeline.storage.models import Assignment, Event, Response, Unit
from pipeline.vocabulary import OPEN_STATUSES


@dataclass(frozen=True)
class ReleaseStatus:
    event_id: int
    owner: str
    last_release_id: int | None
    last_release_at: datetime | None
    overdue: bool  # the gap is longer than the configured interval
    title: str = ""
    grade: str | None = None

    def text(self, now: datetime) -> str:
        """In Chinese: 距上次发布 1天3小时（已超过24小时） / 尚未发布."""
        if self.last_release_at is None:
            return "尚未发布"
        gap = span_text((now - self.last_release_at).total_seconds())
        return f"距上次发布 {gap}" + ("（已超过间隔，请及时发布进展）" if self.overdue else "")


def release_statuses(session: Session, policy: ReleaseGap, now: datetime,
                     event_ids: list[int] | None = None) -> dict[int, ReleaseStatus]:
    """Per open event of ``policy.grades`` (or only ``event_ids``): its release status at ``now``."""
    stmt = (select(Event.id, Assignment.unit_id, Unit.name, Event.title, Event.grade)
            .join(Assignment, Assignment.event_id == Event.id).join(Unit, Unit.id == Assignment.unit_id)
            .where(Event.relevant.is_(True), Event.merged_into.is_(None), Event.grade.in_(policy.grades),
                   Assignment.role == "primary", Assignment.status.in_((*OPEN_STATUSES, "responded"))))
    if event_ids is not None:
        stmt = stmt.where(Event.id.in_(event_ids))
    rows = {e: (unit_id, name, title, grade) for e, unit_id, name, title, grade in session.execute(stmt)}
    last = _last_releases(session, {e: (u, n) for e, (u, n, _, _) in rows.items()}, now)
    limit = timedelta(hours=policy.hours)
    statuses: dict[int, ReleaseStatus] = {}
    for e, (_, name, title, grade) in rows.items():
        rid, at = last.get(e, (None, None))
        statuses[e] = ReleaseStatus(e, name, rid, at, at is not None and now - at > limit, title, grade)
    return {s.event_id: s for s in named(session, list(statuses.values()))}


def release_board(session: Session, policy: ReleaseGap, now: datetime) -> list[ReleaseStatus]:
    """The board's 持续发布 list: the longest gap first, events not yet released before them."""
    statuses = release_statuses(session, policy, now).values()
    return sorted(statuses, key=lambda s: (s.last_release_at is not None, s.last_release_at or now, s.event_id))


def _last_releases(session: Session, owners: dict[int, tuple[int, str]],
                   now: datetime) -> dict[int, tuple[int, datetime]]:
    """Per event: the owner's latest release (id, time) up to ``now``."""
    if not owners:
        return {}
    stmt = (select(Response.event_id, Response.unit_id, Response.id, Response.responded_at, Response.post_id)
            .where(Response.event_id.in_(list(owners)), Response.responded_at <= now,
                   or_(Response.post_id.is_not(None), Response.unit_id.in_({u for u, _ in owners.values()})))
            .order_by(Response.responded_at, Response.id))
    last: dict[int, tuple[int, datetime]] = {}
    for event_id, unit_id, rid, at, post_id in session.execute(stmt):
        if post_id is not None or unit_id == owners[event_id][0]:
            last[event_id] = (rid, at)
    return last


def release_gaps(session: Session, policy: ReleaseGap, now: datetime) -> list[ReleaseGapView]:
    """The open events whose owner has released before (what the sweep's reminders read)."""
    return [ReleaseGapView(s.event_id, s.owner, s.last_release_id, s.last_release_at)
            for s in release_statuses(session, policy, now).values()
            if s.last_release_id is not None and s.last_release_at is not None]

