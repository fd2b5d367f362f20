"""Units of work at the boundary (CLI commands, flow tasks, web requests), each over the runtime
of its process (``pipeline.runtime``): it opens a Session, calls the plain pipeline functions
and commits once. Nothing here builds an engine of its own."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy.exc import IntegrityError

from pipeline.actions.alerts import BY_COMMAND, AckSource, acknowledge
from pipeline.actions.rising import mark_rising
from pipeline.actions.work import dispatch_new
from pipeline.alerts.acks import AckView, ack_view
from pipeline.alerts.channels import build_channels
from pipeline.alerts.outbox import deliver_one, pending_count, sweep
from pipeline.normalize import PostInput, Reject, iter_posts, write_rejects
from pipeline.runtime import Runtime

if TYPE_CHECKING:  # triage pulls in numpy and the model code: only what triages imports it
    from pipeline.imports import FileStamp, Format, HotlineMapping, ImportBatch
    from pipeline.spool import PostBatch
    from pipeline.triage import TriageReport

Progress = Callable[[str], None]


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
    truncated: int = 0


def _record_rejects(rejects: list[Reject], rejects_path: Path | None) -> None:
    if rejects and rejects_path is not None:
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        write_rejects(rejects, rejects_path)


def validate_file(path: Path, now: datetime, rejects_path: Path) -> ValidatedFile:
    """Validate a post file and write its rejects (the ingest step of the cycle flow); the
    posts are only counted, never all held."""
    valid = truncated = 0
    rejects: list[Reject] = []
    for item in iter_posts(path, now):
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            valid += 1
            truncated += item.truncated
    _record_rejects(rejects, rejects_path)
    return ValidatedFile(str(path), valid, len(rejects), str(rejects_path) if rejects else None, truncated)


def ingest_file(rt: Runtime, path: Path, now: datetime, rejects_path: Path | None,
                progress: Progress = lambda _: None, *, describe: bool = True) -> IngestResult:
    """Validate a post file, write its rejects (unless ``rejects_path`` is None: already
    recorded by an earlier step), triage the valid posts in one transaction.

    The valid posts are spooled to a temporary file and read back a chunk at a time
    (``pipeline.spool``); with ``describe=False`` the report carries no output items (write them
    with ``write_output``), so a large file is triaged in bounded memory."""
    from pipeline.spool import spool_posts

    spooled = spool_posts(path, now, progress=progress)
    with spooled.batch as batch:
        _record_rejects(spooled.rejects, rejects_path)
        report = triage_with_retry(rt, batch, now, progress, describe=describe)
        return IngestResult(len(batch) + len(spooled.rejects), report, spooled.rejects,
                            rejects_path if spooled.rejects and rejects_path is not None else None)


OUTPUT_PROGRESS_EVERY = 10_000


def write_output(rt: Runtime, report: TriageReport, path: Path, progress: Progress = lambda _: None) -> int:
    """Write a batch's triage output as JSON lines (input order), read back from storage in
    chunks; returns the number of lines."""
    from pipeline.queries.triage_output import iter_output

    n = 0
    with path.open("wb") as fh:
        for item in rt.stream(iter_output, report.post_ids, report.input_ids):
            fh.write(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE))  # UTF-8, Chinese unescaped
            n += 1
            if n % OUTPUT_PROGRESS_EVERY == 0:
                progress(f"已写出研判结果 {n}/{len(report.post_ids)} 条")
    return n


def triage_with_retry(rt: Runtime, posts: list[PostInput] | PostBatch, now: datetime,
                      progress: Progress = lambda _: None, attempts: int = 3, *,
                      describe: bool = True) -> TriageReport:
    """One transaction per batch. When another worker stored some of the same posts first,
    the unique keys make this transaction fail; it is rolled back and run again, and the second
    pass finds those posts as already known, so nothing is processed twice."""
    from pipeline.triage import triage_posts

    ctx = rt.triage_context(progress)
    for attempt in range(1, attempts + 1):
        try:
            with rt.session() as session:
                return triage_posts(session, posts, ctx, now, progress, describe=describe)
        except IntegrityError:
            if attempt == attempts:
                raise
            progress("另一个进程先存入了其中部分帖子，重新研判本批")
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


def dispatch(rt: Runtime, now: datetime) -> dict[str, int]:
    return rt.act(dispatch_new, now)


def deliver_alerts(rt: Runtime, now: datetime, env: Mapping[str, str] | None = None,
                   limit: int = 1000, clock: Callable[[], datetime] | None = None) -> dict[str, int]:
    """Send every due alert delivery, one unit of work (and commit) per message. With
    ``clock``, each message is sent (and its outcome recorded) at the clock's time when its
    turn comes, not at ``now``: a slow channel must not make later messages look sent early."""
    channels = build_channels(rt.cfg.alerts, os.environ if env is None else env)
    counts = {"sent": 0, "failed": 0}
    for _ in range(limit):
        at = clock() if clock is not None else now
        with rt.session() as session:
            outcome = deliver_one(session, channels, rt.cfg.alerts, at, public_url=rt.settings.public_url)
        if outcome is None:
            break
        counts[outcome] += 1
    counts["pending"] = rt.read(pending_count)
    return counts


def sweep_deadlines(rt: Runtime, now: datetime) -> dict[str, int]:
    """Reminders, overdue notices, escalations, 持续发布 reminders and 快速升温 marks and alerts
    due at ``now`` (idempotent)."""
    counts = rt.act(sweep, rt.cfg, now)
    counts["rising"] = rt.act(mark_rising, rt.cfg, now)
    return counts


def acknowledge_alert(rt: Runtime, token: str, by: str, now: datetime, source: AckSource = BY_COMMAND) -> int:
    return len(rt.act(acknowledge, token, by, now, source))


@dataclass(frozen=True)
class LinkAcknowledgement:
    view: AckView  # the state after this request
    newly: bool  # False: it had been acknowledged already, the first acknowledger stays recorded


def acknowledge_by_link(rt: Runtime, token: str, by: str, now: datetime, source: AckSource) -> LinkAcknowledgement:
    """Acknowledge through the web page; raises LookupError for an unknown code and
    ExpiredToken for one whose event is closed. A second confirmation changes nothing and says
    who confirmed first."""
    with rt.session() as session:
        before = ack_view(session, token)
        if before is None:
            raise LookupError("no alert with this acknowledgement code")
        if before.acknowledged_at is not None:
            return LinkAcknowledgement(before, newly=False)
        alerts = acknowledge(session, token, by, now, source)
        after = ack_view(session, token)
        assert after is not None
        # Someone else may have confirmed between the read and the update: theirs is kept.
        newly = any(a.acknowledged_at == now and a.acknowledged_by == by for a in alerts)
        return LinkAcknowledgement(after, newly=newly)


RETRAIN_LOG = "retrain.jsonl"


def retrain_models(rt: Runtime, now: datetime, progress: Progress = lambda _: None) -> list[dict[str, object]]:
    """Retrain the default models on the corpus plus every analyst's correction
    (``classifiers.retraining``): a model is replaced only if it is not worse on the same held-out
    data; each decision is appended to ``$YUQING_STATE_DIR/retrain.jsonl`` and returned."""
    from sqlalchemy import select

    from classifiers.retraining import Correction, retrain_with_corrections
    from classifiers.tokenize import Tokenizer
    from pipeline.storage.models import LabelledExample

    with rt.session() as session:
        rows = session.execute(select(LabelledExample.kind, LabelledExample.text, LabelledExample.label)
                               .order_by(LabelledExample.at, LabelledExample.id)).all()
    corrections = [Correction(kind, text, label) for kind, text, label in rows]
    s = rt.settings
    return list(retrain_with_corrections(s.training_corpus_dir, s.model_dir, corrections, Tokenizer(s.userdict_path).load(),
                                         s.state_dir / RETRAIN_LOG, now, progress))


def purge_personal_data(rt: Runtime, now: datetime, progress: Progress = lambda _: None) -> dict[str, int]:
    """Apply the retention periods (``retention.yaml``) batch by batch, each batch its own unit
    of work and audit entry, until nothing is due; returns how many posts each rule purged."""
    from pipeline.actions.retention import clear_closed_personal, remove_irrelevant_texts

    done = {"text": 0, "personal": 0}
    for rule, action in (("text", remove_irrelevant_texts), ("personal", clear_closed_personal)):
        while n := rt.act(action, rt.cfg.retention, now):
            done[rule] += n
            progress(f"{'无关信息删除正文' if rule == 'text' else '已办结事件清除个人信息'}：已处理 {done[rule]} 条")
    return done


@dataclass
class BatchOutcome:
    """What storing an import batch did."""

    report: TriageReport
    comments_new: int
    comments_duplicate: int
    replies: int


def store_batch(rt: Runtime, batch: ImportBatch, now: datetime, progress: Progress = lambda _: None) -> BatchOutcome:
    """Triage the batch's posts (one transaction), then record the replies their board fields
    carry and attach the comments (one more): running it again changes nothing."""
    from pipeline.actions.board_replies import record_board_replies
    from pipeline.actions.comments import record_comments

    report = triage_with_retry(rt, batch.posts, now, progress, describe=False)  # no output file: not described
    with rt.session() as session:
        replies = record_board_replies(session, rt.cfg, batch.posts, now)
        counts = record_comments(session, batch.comments, now)
    return BatchOutcome(report, counts.new, counts.duplicates, replies)


def import_files(rt: Runtime, paths: list[Path], fmt: Format, mapping: HotlineMapping | None, now: datetime,
                 progress: Progress = lambda _: None) -> tuple[ImportBatch, BatchOutcome]:
    """``yuqing ingest --format …``: read the files (folders recursively), store what is valid."""
    from pipeline.imports import read_files, source_files

    files = source_files(paths)
    progress(f"读取 {len(files)} 个文件")
    batch = read_files(files, fmt, mapping, now)
    return batch, store_batch(rt, batch, now, progress)


def read_folder(rt: Runtime, name: str, folder: Path, fmt: Format, mapping: HotlineMapping | None,
                settle_seconds: float, now: datetime, wall: float) -> tuple[ImportBatch, list[FileStamp]]:
    """A ``folder`` source's new files: settled, not partial, never read before (same path, size
    and time, or the same content)."""
    from pipeline.actions.files import known_files
    from pipeline.imports import read_files, settled, source_files, stamp

    with rt.session() as session:
        seen, digests = known_files(session, name)
    stamps: list[FileStamp] = []
    for path in source_files([folder]):
        info = path.stat()
        if not settled(path, settle_seconds, wall) or (str(path), info.st_size, info.st_mtime) in seen:
            continue
        found = stamp(path)
        if found.sha256 not in digests and found.size == info.st_size:
            stamps.append(found)
    batch = read_files([Path(s.path) for s in stamps], fmt, mapping, now)
    return batch, stamps
