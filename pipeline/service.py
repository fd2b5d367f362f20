"""Units of work at the boundary (CLI commands, flow tasks, web requests): each opens its own
Session, calls the plain pipeline functions and commits once. Commands and tasks open their own
engine too; the web app keeps one engine for its lifetime and passes it in."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.actions.alerts import acknowledge
from pipeline.alerts.channels import build_channels
from pipeline.alerts.outbox import deliver_one, pending_count, sweep
from pipeline.config import load_config
from pipeline.dispatch import dispatch_new
from pipeline.normalize import ParsedFile, PostInput, Reject, RejectedRecord, read_posts, to_post, write_rejects
from pipeline.queries.alerts import AckView, ack_view
from pipeline.settings import Settings
from pipeline.storage.db import engine_for, migrate, session_scope
from pipeline.storage.store import seed_units
from pipeline.triage import TriageContext, TriageReport, triage_posts

Progress = Callable[[str], None]


def initialise(settings: Settings) -> int:
    """Create or migrate the schema and add configured units; returns units added."""
    cfg = load_config(settings.config_dir)
    with database(settings) as engine, session_scope(engine) as session:
        return seed_units(session, cfg)


@dataclass
class IngestResult:
    read: int
    report: TriageReport
    rejects: list[Reject]
    rejects_path: Path | None


@dataclass(frozen=True)
class ValidatedFile:
    """What the ingest step hands on: small, picklable, no sessions."""

    path: str
    valid: int
    rejected: int
    rejects_path: str | None


def _read_and_record_rejects(path: Path, now: datetime, rejects_path: Path | None) -> ParsedFile:
    parsed = read_posts(path, now)
    if parsed.rejects and rejects_path is not None:
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        write_rejects(parsed.rejects, rejects_path)
    return parsed


def validate_file(path: Path, now: datetime, rejects_path: Path) -> ValidatedFile:
    """Validate a post file and write its rejects (the ingest step of the cycle flow)."""
    parsed = _read_and_record_rejects(path, now, rejects_path)
    return ValidatedFile(str(path), len(parsed.posts), len(parsed.rejects),
                         str(rejects_path) if parsed.rejects else None)


def ingest_file(settings: Settings, path: Path, now: datetime, rejects_path: Path | None,
                progress: Progress = lambda _: None) -> IngestResult:
    """Validate a post file, write its rejects (unless ``rejects_path`` is None: already
    recorded by an earlier step), triage the valid posts in one transaction."""
    ctx = TriageContext.build(settings, progress)
    parsed = _read_and_record_rejects(path, now, rejects_path)
    initialise(settings)
    report = triage_with_retry(settings, parsed.posts, ctx, now, progress)
    return IngestResult(len(parsed.posts) + len(parsed.rejects), report, parsed.rejects,
                        rejects_path if parsed.rejects and rejects_path is not None else None)


def ingest_records(settings: Settings, records: list[dict[str, Any]], now: datetime,
                   ctx: TriageContext | None = None) -> tuple[TriageReport, list[Reject]]:
    """The ingest path for collected records (same fields and validation as ``yuqing ingest``):
    each record is validated, rejects come back with their position and reason, the valid
    ones are triaged in one transaction."""
    posts, rejects = [], []
    for i, record in enumerate(records, start=1):
        try:
            posts.append(to_post(record, i, now))
        except RejectedRecord as exc:
            rejects.append(Reject(line=i, reason=str(exc), raw=repr(record)[:2000]))
    ctx = ctx or TriageContext.build(settings)
    initialise(settings)
    return triage_with_retry(settings, posts, ctx, now), rejects


def triage_with_retry(settings: Settings, posts: list[PostInput], ctx: TriageContext, now: datetime,
                      progress: Progress = lambda _: None, attempts: int = 3) -> TriageReport:
    """One transaction per batch. When another worker stored some of the same posts first,
    the unique keys make this transaction fail; it is rolled back and run again, and the second
    pass finds those posts as already known, so nothing is processed twice."""
    with engine_for(settings.database_url) as engine:
        for attempt in range(1, attempts + 1):
            try:
                with session_scope(engine) as session:
                    return triage_posts(session, posts, ctx, now, progress)
            except IntegrityError:
                if attempt == attempts:
                    raise
                progress("another worker stored some of these posts first; triaging the batch again")
                time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


@contextmanager
def database(settings: Settings) -> Iterator[Engine]:
    """An engine on a schema at the newest revision: a scheduled flow may be the first thing to
    touch a fresh database (the check is one query when it is at head already)."""
    with engine_for(settings.database_url) as engine:
        migrate(engine)
        yield engine


def dispatch(settings: Settings, now: datetime) -> dict[str, int]:
    with database(settings) as engine, session_scope(engine) as session:
        return dispatch_new(session, now)


def deliver_alerts(settings: Settings, now: datetime, env: Mapping[str, str] | None = None,
                   limit: int = 1000) -> dict[str, int]:
    """Send every due alert delivery, one unit of work (and commit) per delivery."""
    cfg = load_config(settings.config_dir)
    channels = build_channels(cfg.alerts, os.environ if env is None else env)
    counts = {"sent": 0, "failed": 0}
    with database(settings) as engine:
        for _ in range(limit):
            with session_scope(engine) as session:
                outcome = deliver_one(session, channels, cfg.alerts, now, public_url=settings.public_url)
            if outcome is None:
                break
            counts[outcome] += 1
        with session_scope(engine) as session:
            counts["pending"] = pending_count(session)
    return counts


def sweep_deadlines(settings: Settings, now: datetime) -> dict[str, int]:
    """Reminders, overdue notices and escalations due at ``now`` (idempotent)."""
    cfg = load_config(settings.config_dir)
    with database(settings) as engine, session_scope(engine) as session:
        return sweep(session, cfg, now)


def acknowledge_alert(settings: Settings, token: str, by: str, now: datetime) -> int:
    with database(settings) as engine, session_scope(engine) as session:
        return len(acknowledge(session, token, by, now))


def alert_for_token(engine: Engine, token: str) -> AckView | None:
    """The alert behind an acknowledgement link, for display (reads only)."""
    with session_scope(engine) as session:
        return ack_view(session, token)


@dataclass(frozen=True)
class LinkAcknowledgement:
    view: AckView  # the state after this request
    newly: bool  # False: it had been acknowledged already, the first acknowledger stays recorded


def acknowledge_by_link(engine: Engine, token: str, by: str, now: datetime) -> LinkAcknowledgement:
    """Acknowledge through the web page; raises LookupError for an unknown token. A second
    confirmation changes nothing and says who confirmed first."""
    with session_scope(engine) as session:
        before = ack_view(session, token)
        if before is None:
            raise LookupError(f"no alert with acknowledgement token {token!r}")
        if before.acknowledged_at is not None:
            return LinkAcknowledgement(before, newly=False)
        acknowledge(session, token, by, now)
        after = ack_view(session, token)
        assert after is not None
        # Someone else may have confirmed between the read and the update: theirs is kept.
        return LinkAcknowledgement(after, newly=after.acknowledged_by == by)


@contextmanager
def open_context(settings: Settings, progress: Progress = lambda _: None) -> Iterator[tuple[Session, TriageContext]]:
    """A unit of work that also needs configuration and models."""
    ctx = TriageContext.build(settings, progress)
    initialise(settings)
    with engine_for(settings.database_url) as engine, session_scope(engine) as session:
        yield session, ctx
