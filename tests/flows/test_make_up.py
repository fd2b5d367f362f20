"""Scheduled report runs missed while the scheduler was stopped are made up: which 08:00 runs
were missed (from schedules.yaml), and the reports they called for, produced once, recorded
at the time they were actually made."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from flows.deployments import missed_runs
from pipeline.queries.reports import last_periodic_report_at
from pipeline.reports.service import produce_missed_periodic_reports, produce_periodic_reports
from pipeline.settings import PROJECT_ROOT
from pipeline.storage.models import Report
from pipeline.timeparse import SHANGHAI

CONFIG = PROJECT_ROOT / "data" / "config"
MONDAY = datetime(2026, 11, 30, 8, 0, 5, tzinfo=SHANGHAI)
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)


def test_the_missed_08_00_runs_come_from_the_schedule() -> None:
    missed = missed_runs(CONFIG, "reports", MONDAY, THURSDAY)
    assert missed == [datetime(2026, 12, d, 8, 0, tzinfo=SHANGHAI) for d in (1, 2, 3)]
    assert missed_runs(CONFIG, "reports", None, THURSDAY) == []          # never produced one: nothing to make up
    assert missed_runs(CONFIG, "reports", THURSDAY, MONDAY) == []
    assert missed_runs(CONFIG, "alerts", MONDAY, THURSDAY) == []         # an interval schedule: nothing missed
    assert len(missed_runs(CONFIG, "reports", MONDAY - timedelta(days=90), THURSDAY, limit=5)) == 5


def test_missed_runs_are_made_up_once_and_recorded_when_made(db_url: str, runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    produce_periodic_reports(rt, MONDAY, ("html",))  # Monday's run happened: Sunday's 日报, last week's 周报
    assert rt.read(last_periodic_report_at) == MONDAY
    missed = missed_runs(CONFIG, "reports", rt.read(last_periodic_report_at), THURSDAY)
    made = produce_missed_periodic_reports(rt, THURSDAY, missed, ("html",))
    # Tuesday 1 December: Monday's 日报, November's 月报 and 考核通报; Wednesday's and Thursday's 日报
    assert [r.key for r in made] == ["daily:2026-11-30", "monthly:2026-11", "assessment:monthly:2026-11",
                                     "daily:2026-12-01", "daily:2026-12-02"]
    assert produce_missed_periodic_reports(rt, THURSDAY, missed, ("html",)) == []  # keyed: never twice
    with rt.session() as s:
        made_at = {key: at for key, at in s.execute(select(Report.key, Report.created_at))}
    assert made_at["daily:2026-11-29"] == MONDAY
    assert {made_at[r.key] for r in made} == {THURSDAY}  # when they were made, not 08:00 of the missed days
