"""The offline demo: bundled 云和 sample posts through the whole path, then every unit's queue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pipeline.normalize import Reject
from pipeline.queries.queues import QueueItem, unit_queue
from pipeline.service import dispatch, ingest_file
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Assignment, Unit
from pipeline.timeparse import SHANGHAI

DEMO_NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


@dataclass
class DemoResult:
    items: list[dict[str, Any]]
    rejects: list[Reject]
    queues: list[tuple[str, list[QueueItem]]]


def run_demo(settings: Settings, progress: Callable[[str], None] = lambda _: None) -> DemoResult:
    sample = settings.data_dir / "sample" / "demo_posts.jsonl"
    result = ingest_file(settings, sample, DEMO_NOW, settings.state_dir / "demo.rejects.jsonl", progress)
    dispatch(settings, DEMO_NOW)
    queues: list[tuple[str, list[QueueItem]]] = []
    with session_scope(make_engine(settings.database_url)) as session:
        stmt = (select(Unit.name).join(Assignment, Assignment.unit_id == Unit.id)
                .where(Assignment.role.in_(("primary", "cooperating", "transfer"))).distinct().order_by(Unit.name))
        for name in session.scalars(stmt):
            queues.append((name, unit_queue(session, name, DEMO_NOW)))
    return DemoResult(result.report.items, result.rejects, queues)
