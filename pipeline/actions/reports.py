"""Recording a report the system produced and announcing it (RULES.md §5): one row in
``reports`` keyed so that re-running a schedule never records or announces a report twice, and
one ``report`` alert per recipient with the Chinese summary; the message names the formats and,
when the web app's address is configured, links to the report's download page
(``pipeline.alerts.render``) — never a path on the server. The payload keeps the files' paths
for the e-mail channel, which attaches the Word file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.alerts import keys
from pipeline.alerts.outbox import write_alerts
from pipeline.alerts.plan import AlertDraft
from pipeline.config import Config
from pipeline.storage.models import Report
from pipeline.storage.store import insert_ignoring_conflicts
from pipeline.vocabulary import FORMAT_NAMES, REPORT_NAMES, SYSTEM_ACTOR


@dataclass(frozen=True)
class ReportRecord:
    key: str
    kind: str
    title: str
    summary: str
    files: dict[str, str]          # format -> path
    period_start: datetime | None = None
    period_end: datetime | None = None
    event_id: int | None = None
    grade: str | None = None

    @property
    def main_file(self) -> str:
        """The file sent with the message: the Word version when there is one."""
        return self.files.get("docx") or next(iter(self.files.values()))

    def message(self) -> str:
        formats = "、".join(f"{FORMAT_NAMES.get(f, f)}版" for f in self.files)
        return f"【{REPORT_NAMES.get(self.kind, self.kind)}】{self.title}\n{self.summary}\n本报告有{formats}。"


def record_report(session: Session, cfg: Config, record: ReportRecord, recipients: list[str], now: datetime) -> int | None:
    """Store the report and its alerts; None (and nothing written) when its key is recorded
    already — by an earlier run, or by another worker a moment ago."""
    table = Report.__table__
    stmt = insert_ignoring_conflicts(session, table, ["key"]).returning(table.c.id)
    row = {"key": record.key, "kind": record.kind, "title": record.title, "period_start": record.period_start,
           "period_end": record.period_end, "event_id": record.event_id, "grade": record.grade,
           "files": record.files, "summary": record.summary, "created_at": now}
    created = session.connection().execute(stmt, [row]).scalar()
    if created is None:
        return None
    payload = {"text": record.message(), "title": record.title, "path": record.main_file, "files": record.files,
               "report_id": created, "main_format": next(f for f, p in record.files.items() if p == record.main_file)}
    drafts = [AlertDraft(key=keys.report(record.key, r), kind="report", recipient=r, urgent=False,
                         event_id=record.event_id, grade=record.grade, payload=payload) for r in dict.fromkeys(recipients)]
    write_alerts(session, drafts, cfg.alerts, now)
    audit(session, now, SYSTEM_ACTOR, "produce_report", "report", int(created), after={"key": record.key},
          files=record.files, recipients=list(dict.fromkeys(recipients)))
    return int(created)
