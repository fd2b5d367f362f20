"""A month of work for the operations tests (backup, retention, upgrades): a generated month
of posts triaged half a day at a time, then items signed for, answered in time or late,
returned, and some events answered and closed (办结) by every unit on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from pipeline.actions.work import accept, close_item, record_response, return_item
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.storage.models import Assignment, Event, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext, triage_posts
from tests.pipeline.reports.gen import month_records

MONTH = Period.containing("monthly", date(2026, 11, 1))
AFTER = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)  # when the month's reports are made


def triage_month(rt: Runtime, ctx: TriageContext, matters: int = 120) -> None:
    """Each half day's posts in one batch, at the batch's own clock."""
    batches: dict[datetime, list[dict[str, Any]]] = {}
    for r in month_records(2026, 11, matters):
        seen: datetime = r["_seen"]
        batches.setdefault(seen.replace(hour=11 if seen.hour < 12 else 23, minute=59), []).append(r)
    for now, records in sorted(batches.items()):
        with rt.session() as s:
            posts = [to_post({k: v for k, v in r.items() if k != "_seen"}, i + 1, now) for i, r in enumerate(records)]
            triage_posts(s, posts, ctx, now)


def work_month(rt: Runtime, cfg: Config) -> list[int]:
    """Sign for, answer, return and close items; returns the events closed by every unit."""
    closed: list[int] = []
    with rt.session() as s:
        owners = s.execute(select(Event.id, Unit.name, Event.first_seen_at).join(Assignment, Assignment.event_id == Event.id)
                           .join(Unit, Unit.id == Assignment.unit_id)
                           .where(Assignment.role == "primary", Assignment.status != "withdrawn",
                                  Event.merged_into.is_(None)).order_by(Event.id)).all()
        for i, (eid, unit, seen) in enumerate(owners):
            if i % 3 == 0:
                accept(s, cfg, eid, unit, actor="值班员", now=seen + timedelta(hours=1))
            if i % 2 == 0:
                at = seen + timedelta(hours=3 if i % 8 else 60)
                record_response(s, cfg, eid, unit, "网络问政回复", link="https://yunhe.example/r", at=at, actor="值班员",
                                now=max(at, seen + timedelta(hours=1)))
                if i % 4 == 0 and _close_all(s, cfg, eid, seen + timedelta(days=2)):
                    closed.append(eid)
            elif i % 7 == 3:
                return_item(s, cfg, eid, unit, reason="不属本单位职责", actor="值班员", now=seen + timedelta(hours=40))
    return closed


def _close_all(s: Any, cfg: Config, event_id: int, now: datetime) -> bool:
    if s.get(Event, event_id).grade in ("特别重大", "重大"):
        return False  # its 发布权威信息 / 新闻发布会 milestones are not met by the 网络问政回复 given above
    rows = s.execute(select(Unit.name, Assignment.status).join(Unit, Unit.id == Assignment.unit_id)
                     .where(Assignment.event_id == event_id, Assignment.status != "withdrawn")).all()
    if any(status in ("returned", "closed") for _, status in rows):
        return False
    for unit, _ in rows:
        close_item(s, cfg, event_id, unit, actor="值班员", now=now)
    return True
