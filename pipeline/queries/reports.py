"""The reports the system produced (for the web app's list and downloads, and for the
schedules to know what is done): newest first, with their files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.storage.models import Event, Report


@dataclass(frozen=True)
class ReportView:
    id: int
    key: str
    kind: str
    title: str
    summary: str
    files: dict[str, str]
    created_at: datetime
    event_id: int | None
    grade: str | None


def list_reports(session: Session, kind: str | None = None, limit: int = 100) -> list[ReportView]:
    stmt = select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    if kind is not None:
        stmt = stmt.where(Report.kind == kind)
    return [_view(r) for r in session.scalars(stmt)]


def _view(r: Report) -> ReportView:
    return ReportView(r.id, r.key, r.kind, r.title, r.summary, dict(r.files), r.created_at, r.event_id, r.grade)


def served_file(session: Session, report_id: int, fmt: str, root: Path) -> tuple[ReportView, Path] | None:
    """A recorded report and the file of one of its formats, for download: only a file that
    exists under ``root`` (the state directory's ``reports``), whatever path the record holds."""
    report = session.get(Report, report_id)
    raw = None if report is None else report.files.get(fmt)
    if report is None or not isinstance(raw, str):
        return None
    path = Path(raw).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return _view(report), path


PERIODIC_KINDS = ("daily", "weekly", "monthly")


def last_periodic_report_at(session: Session) -> datetime | None:
    """When the newest 日报 / 周报 / 月报 was produced (None: never): scheduled report runs
    after it that did not happen are made up (``produce_missed_periodic_reports``)."""
    return session.scalar(select(func.max(Report.created_at)).where(Report.kind.in_(PERIODIC_KINDS)))


def report_recorded(session: Session, key: str) -> bool:
    return session.scalar(select(Report.id).where(Report.key == key)) is not None


def special_reports_due(session: Session, grades: list[str]) -> list[tuple[int, str]]:
    """(event, grade) of county events at an urgent grade whose 舆情专报 at that grade was not
    produced yet, oldest event first."""
    done = {(eid, grade) for eid, grade in session.execute(
        select(Report.event_id, Report.grade).where(Report.kind == "event"))}
    stmt = (select(Event.id, Event.grade).where(Event.relevant.is_(True), Event.grade.in_(grades))
            .order_by(Event.id))
    return [(eid, str(grade)) for eid, grade in session.execute(stmt) if (eid, grade) not in done]
