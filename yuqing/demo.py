"""The offline demo: bundled 云和 sample posts through the whole path, then every unit's queue,
and the day's 舆情日报 (Word) beside the demo database."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.tokenize import Tokenizer
from classifiers.training import ensure_default_models
from pipeline.normalize import Reject
from pipeline.queries.queues import QueueItem, unit_queue
from pipeline.runtime import Runtime, open_runtime
from pipeline.service import dispatch, ingest_file
from pipeline.settings import Settings
from pipeline.storage.models import Assignment, Unit
from pipeline.timeparse import SHANGHAI

DEMO_NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


@dataclass
class DemoResult:
    items: list[dict[str, Any]]
    rejects: list[Reject]
    queues: list[tuple[str, list[QueueItem]]]
    report: Path | None = None
    users: list[tuple[str, str]] | None = None  # (user name, what they are) of the demo's web users
    password: str | None = None


def demo_queues(session: Session, now: datetime) -> list[tuple[str, list[QueueItem]]]:
    """The queue of every unit that works an item (coordinators watch, they are not listed)."""
    stmt = (select(Unit.name).join(Assignment, Assignment.unit_id == Unit.id)
            .where(Assignment.role.in_(("primary", "cooperating", "transfer"))).distinct().order_by(Unit.name))
    return [(name, unit_queue(session, name, now)) for name in session.scalars(stmt)]


def run_demo(settings: Settings, progress: Callable[[str], None] = lambda _: None,
             report: Path | None = None) -> DemoResult:
    """Train the models if this checkout has none yet (the demo is a newcomer's first command),
    then ingest the sample, hand out the work, read every unit's queue and, with ``report``
    (a path without suffix), write the demo day's 舆情日报 there as Word."""
    ensure_default_models(settings.training_corpus_dir, settings.model_dir, Tokenizer(settings.userdict_path).load(),
                          progress)
    sample = settings.data_dir / "sample" / "demo_posts.jsonl"
    with open_runtime(settings) as rt:
        result = ingest_file(rt, sample, DEMO_NOW, settings.state_dir / "demo.rejects.jsonl", progress)
        dispatch(rt, DEMO_NOW)
        queues = rt.read(demo_queues, DEMO_NOW)
        written = _demo_reports(rt, report) if report is not None else None
        password = secrets.token_urlsafe(9)
        users = rt.act(demo_users, password, DEMO_NOW)
    return DemoResult(result.report.items, result.rejects, queues, written, users, password)


DEMO_USERS = (("fenxi", "张分析", "analyst", None, "监测员"), ("chongtou", "崇头镇值班员", "unit", "崇头镇", "崇头镇"),
              ("bangongshi", "县府办督办员", "coordinator", "县政府办公室", "协调·县政府办公室"),
              ("lingdao", "县领导", "leader", None, "领导"))


def demo_users(session: Session, password: str, now: datetime) -> list[tuple[str, str]]:
    """One web user of each kind, so that `yuqing web` on the demo database shows every page
    filled (the password is new on every run and printed once)."""
    from pipeline.actions.users import add_user

    for username, name, role, unit, _ in DEMO_USERS:
        add_user(session, username, name, role, password, unit=unit, actor="演示", now=now, must_change=False)
    return [(username, what) for username, _, _, _, what in DEMO_USERS]


def _demo_reports(rt: Runtime, base: Path) -> Path:
    """The demo day's 舆情日报 and the 舆情专报 of its urgent events, produced and recorded as the
    scheduled flows would (so the web app's 报告 page is filled), under ``reports/demo`` of the
    state directory (the demo's event numbers are not this installation's); the 日报's Word file
    is also copied to ``base`` (beside the demo database)."""
    from pipeline.reports.periods import Period
    from pipeline.reports.service import Spec, produce, produce_due_special_reports

    produce_due_special_reports(rt, DEMO_NOW, folder="demo")
    spec = Spec("daily", Period.containing("daily", DEMO_NOW.date()))
    record = produce(rt, spec, DEMO_NOW, [rt.cfg.alerts.leadership_recipient, rt.cfg.alerts.analyst_recipient],
                     folder="demo")
    assert record is not None  # a fresh demo database holds no report
    target = base.with_name(f"{base.name}.docx")
    shutil.copyfile(record.files["docx"], target)
    return target
