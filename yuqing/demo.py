"""The offline demo: bundled 云和 sample posts through the whole path, then every unit's queue,
and the day's 舆情日报 (Word) beside the demo database.

The sample is written around ``DEMO_NOW`` (2026-11-28 10:00). The demo runs at the real
current time: every sample time is moved by the same offset so that ``DEMO_NOW`` becomes
now, so `yuqing web` right after it shows live deadlines, alerts and 考核 instead of items a
week overdue. A date-only time moves by whole days (it keeps its day precision); tests pass a
fixed ``now``."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers.tokenize import Tokenizer
from classifiers.training import ensure_default_models
from pipeline.normalize import Reject
from pipeline.queries.work import WorkItem, unit_queue
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
    queues: list[tuple[str, list[WorkItem]]]
    report: Path | None = None
    users: list[tuple[str, str]] | None = None  # (user name, what they are) of the demo's web users
    password: str | None = None
    now: datetime = DEMO_NOW  # the demo's clock: the sample's times are placed relative to it


def demo_clock(now: datetime | None) -> datetime:
    """The demo's "now": the given time, or the current time to the minute (so a sample time
    moved by the offset keeps its minute precision)."""
    return now if now is not None else datetime.now(SHANGHAI).replace(second=0, microsecond=0)


def shift_time(value: Any, offset: timedelta, days: int) -> Any:
    """One sample ``published_at`` moved by the demo's offset: a date-only value by whole
    ``days`` (still date-only), an ISO time by ``offset`` (in 北京时间), anything else as is."""
    if not isinstance(value, str):
        return value
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    return (datetime.fromisoformat(value) + offset).astimezone(SHANGHAI).isoformat()


def shifted_sample(text: str, now: datetime) -> str:
    """The sample file's lines with every time placed so that ``DEMO_NOW`` falls on ``now``."""
    offset = now - DEMO_NOW
    days = (now.astimezone(SHANGHAI).date() - DEMO_NOW.date()).days
    lines = []
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            record["published_at"] = shift_time(record.get("published_at"), offset, days)
            line = json.dumps(record, ensure_ascii=False)
        lines.append(line)
    return "\n".join(lines) + "\n"


def demo_queues(session: Session, now: datetime) -> list[tuple[str, list[WorkItem]]]:
    """The queue of every unit that works an item (coordinators watch, they are not listed)."""
    stmt = (select(Unit.name).join(Assignment, Assignment.unit_id == Unit.id)
            .where(Assignment.role.in_(("primary", "cooperating", "transfer"))).distinct().order_by(Unit.name))
    return [(name, unit_queue(session, name, now)) for name in session.scalars(stmt)]


def run_demo(settings: Settings, progress: Callable[[str], None] = lambda _: None,
             report: Path | None = None, now: datetime | None = None) -> DemoResult:
    """Train the models if this checkout has none yet (the demo is a newcomer's first command),
    then ingest the sample placed around ``now`` (default: the current time), hand out the
    work, read every unit's queue and, with ``report`` (a path without suffix), write the demo
    day's 舆情日报 there as Word."""
    ensure_default_models(settings.training_corpus_dir, settings.model_dir, Tokenizer(settings.userdict_path).load(),
                          progress)
    now = demo_clock(now)
    sample = settings.data_dir / "sample" / "demo_posts.jsonl"
    with tempfile.TemporaryDirectory() as tmp, open_runtime(settings) as rt:
        placed = Path(tmp) / sample.name
        placed.write_text(shifted_sample(sample.read_text(encoding="utf-8"), now), encoding="utf-8")
        result = ingest_file(rt, placed, now, settings.state_dir / "demo.rejects.jsonl", progress)
        dispatch(rt, now)
        queues = rt.read(demo_queues, now)
        written = _demo_reports(rt, report, now) if report is not None else None
        password = secrets.token_urlsafe(9)
        users = rt.act(demo_users, password, now)
    return DemoResult(result.report.items, result.rejects, queues, written, users, password, now)


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


def _demo_reports(rt: Runtime, base: Path, now: datetime) -> Path:
    """The demo day's 舆情日报 and the 舆情专报 of its urgent events, produced and recorded as the
    scheduled flows would (so the web app's 报告 page is filled), under ``reports/demo`` of the
    state directory (the demo's event numbers are not this installation's); the 日报's Word file
    is also copied to ``base`` (beside the demo database)."""
    from pipeline.reports.service import Spec, produce, produce_due_special_reports
    from pipeline.rules.periods import Period

    produce_due_special_reports(rt, now, folder="demo")
    spec = Spec("daily", Period.containing("daily", now.astimezone(SHANGHAI).date()))
    record = produce(rt, spec, now, [rt.cfg.alerts.leadership_recipient, rt.cfg.alerts.analyst_recipient],
                     folder="demo")
    assert record is not None  # a fresh demo database holds no report
    target = base.with_name(f"{base.name}.docx")
    shutil.copyfile(record.files["docx"], target)
    return target
