"""Reports at the boundary: build a report's Document from the queries (each in its own read),
render it, write the files, and — for the reports the system produces on its own — record it
and tell the recipients (``pipeline.actions.reports``).

- ``build``: the Document of one report (CLI on demand, the schedule, the demo).
- ``write_report``: render it in the formats asked and write them (atomically) to a path.
- ``produce_periodic_reports``: the 08:00 run — the previous day's 日报, on Mondays the previous
  week's 周报, on the 1st the previous month's 月报 and 考核通报 — to the leaders and analysts.
- ``produce_due_special_reports``: a 舆情专报 for each county event at an urgent grade without
  one at that grade, to the analysts; called after triage and by the alerts and reports flows,
  never inside the triage transaction.

Files go under ``$YUQING_STATE_DIR/reports/<kind>/``. A report is rendered and written before
its record is inserted: the database transaction stays short, and a run that loses a race (or
re-runs) finds the key recorded and announces nothing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from classifiers.tokenize import Tokenizer
from pipeline.actions.reports import ReportRecord, record_report
from pipeline.files import open_private
from pipeline.queries.assessment import assessment_figures
from pipeline.queries.attention import attention, unacknowledged_events
from pipeline.queries.event_report import event_figures
from pipeline.queries.headlines import headlines
from pipeline.queries.report_figures import period_figures, period_texts
from pipeline.queries.reports import report_recorded, special_reports_due
from pipeline.reports.compose import Letterhead, periodic_document
from pipeline.reports.compose_assessment import assessment_document
from pipeline.reports.compose_decisions import decisions
from pipeline.reports.compose_event import event_document
from pipeline.reports.document import Document
from pipeline.reports.docx import render_docx
from pipeline.reports.hotwords import hot_words
from pipeline.reports.html import render_html
from pipeline.reports.views import views
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period, due_periods
from pipeline.runtime import Runtime
from pipeline.vocabulary import GRADES

FORMATS: tuple[str, ...] = ("docx", "xlsx", "html")
RENDERERS: dict[str, Callable[[Document], bytes]] = {"docx": render_docx, "xlsx": render_xlsx, "html": render_html}
GRADE_CODES = dict(zip(GRADES, ("I", "II", "III", "IV"), strict=True))  # file names stay ASCII


@dataclass(frozen=True)
class Spec:
    """Which report: a periodic one (``period``), a 考核通报 (``period``) or a 舆情专报 (``event_id``)."""

    kind: str                  # daily | weekly | monthly | assessment | event
    period: Period | None = None
    event_id: int | None = None
    grade: str | None = None   # the grade a 专报 is produced for (part of its key)

    @property
    def key(self) -> str:
        if self.kind == "event":
            return f"event:{self.event_id}:{self.grade or '-'}"
        assert self.period is not None
        return f"assessment:{self.period.kind}:{self.period.key}" if self.kind == "assessment" else \
            f"{self.kind}:{self.period.key}"

    @property
    def stem(self) -> str:
        """The file name without its suffix: ``daily-2026-11-27``, ``event-12-II`` …"""
        if self.kind == "event":
            return f"event-{self.event_id}-{GRADE_CODES.get(self.grade or '', 'X')}"
        return self.key.replace(":", "-")


def build(rt: Runtime, spec: Spec, now: datetime) -> Document:
    """The Document of one report, as of ``now``."""
    head = Letterhead.from_config(rt.cfg)
    stop = [*rt.cfg.reports.stop_words, *rt.cfg.units.county.names]
    if spec.kind == "event":
        assert spec.event_id is not None
        fig = rt.read(event_figures, spec.event_id, now, rt.cfg.policy)
        return event_document(fig, head, views(fig.opinions, Tokenizer(rt.settings.userdict_path).load().cut, stop))
    assert spec.period is not None
    if spec.kind == "assessment":
        return assessment_document(rt.read(assessment_figures, spec.period, now), head)
    tokenizer = Tokenizer(rt.settings.userdict_path).load()
    with rt.session() as session:
        figures = period_figures(session, spec.period, now, tuple(rt.cfg.alerts.urgent_grades))
        words = hot_words(period_texts(session, spec.period, now), tokenizer, exclude=stop)
        att = attention(session, now)
        ids = [e.event_id for e in (*att.serious, *att.rising, *att.rumours)]
        ids += [m.event_id for _, items in att.overdue_by_unit for m in items]
        ids += [a.event_id for a in att.alerts if a.event_id is not None]
        names = headlines(session, sorted(set(ids)))
        first = decisions(att, unacknowledged_events(session), names, now)
    return periodic_document(figures, words, head, first)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that no reader ever sees half of it (a temporary file beside it, then a
    rename), readable by its owner only (the mailer and the web app run as that owner)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open_private(tmp, "xb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_report(doc: Document, base: Path, formats: tuple[str, ...] = FORMATS) -> dict[str, str]:
    """Render ``doc`` in each format to ``base`` with the format's suffix; returns format -> path."""
    files: dict[str, str] = {}
    for fmt in formats:
        path = base.with_name(f"{base.name}.{fmt}")
        write_atomically(path, RENDERERS[fmt](doc))
        files[fmt] = str(path)
    return files


def reports_dir(rt: Runtime, kind: str, folder: str | None = None) -> Path:
    """Where reports of a kind are written: ``$YUQING_STATE_DIR/reports[/folder]/<kind>``. The web
    app serves files from under ``reports`` only."""
    root = rt.settings.state_dir / "reports"
    return (root / folder if folder else root) / kind


def produce(rt: Runtime, spec: Spec, now: datetime, recipients: list[str],
            formats: tuple[str, ...] = FORMATS, folder: str | None = None) -> ReportRecord | None:
    """Build, write, record and announce one report unless its key is recorded already; ``folder``
    keeps another database's reports (the demo's) apart from this installation's."""
    if rt.read(report_recorded, spec.key):
        return None
    doc = build(rt, spec, now)
    files = write_report(doc, reports_dir(rt, spec.kind, folder) / spec.stem, formats)
    period = spec.period
    record = ReportRecord(spec.key, spec.kind, doc.title, doc.summary, files,
                          period.start if period else None, period.end if period else None, spec.event_id, spec.grade)
    with rt.session() as session:
        if record_report(session, rt.cfg, record, recipients, now) is None:
            return None
    return record


def produce_periodic_reports(rt: Runtime, now: datetime, formats: tuple[str, ...] = FORMATS,
                             due_at: datetime | None = None) -> list[ReportRecord]:
    """The reports due at ``due_at`` (a scheduled run's time; ``now`` when not given: see the
    module doc), produced and recorded at ``now``, to the leaders and the analysts."""
    recipients = [rt.cfg.alerts.leadership_recipient, rt.cfg.alerts.analyst_recipient]
    specs = [Spec(p.kind, p) for p in due_periods(due_at or now)]
    specs += [Spec("assessment", s.period) for s in specs if s.kind == "monthly"]
    return [r for s in specs if (r := produce(rt, s, now, recipients, formats)) is not None]


def produce_missed_periodic_reports(rt: Runtime, now: datetime, due_times: list[datetime],
                                    formats: tuple[str, ...] = FORMATS) -> list[ReportRecord]:
    """Make up scheduled report runs that did not happen (the scheduler was stopped at 08:00):
    the reports each of ``due_times`` called for, oldest first, recorded at ``now``. Keyed as
    every report, so a run that did happen is never repeated."""
    return [r for at in sorted(due_times) for r in produce_periodic_reports(rt, now, formats, due_at=at)]


def produce_due_special_reports(rt: Runtime, now: datetime, formats: tuple[str, ...] = ("docx", "html"),
                                folder: str | None = None) -> list[ReportRecord]:
    """A 舆情专报 for each event that reached an urgent grade without one yet, to the analysts."""
    due = rt.read(special_reports_due, list(rt.cfg.alerts.urgent_grades))
    produced = (produce(rt, Spec("event", event_id=e, grade=g), now, [rt.cfg.alerts.analyst_recipient], formats,
                        folder) for e, g in due)
    return [r for r in produced if r is not None]
