"""Reports the system produces on its own, on both engines: the 08:00 run writes the reports
due that day under the state directory and tells the leaders and analysts once, whatever is
re-run; a 舆情专报 is produced once per event and urgent grade, announced to the analysts with
the summary and the file's path, and again only when the event climbs to a higher grade."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import docx
from sqlalchemy import select, update

from pipeline.queries.reports import list_reports, served_file
from pipeline.reports.service import produce_due_special_reports, produce_periodic_reports
from pipeline.runtime import Runtime
from pipeline.storage.models import Alert, Event, Report
from tests.pipeline.reports.seed import NOW, at


def _report_alerts(rt: Runtime) -> list[tuple[str, str, dict[str, Any]]]:
    with rt.session() as s:
        return [(a.key, a.recipient, a.payload) for a in s.scalars(select(Alert).where(Alert.kind == "report")
                                                                    .order_by(Alert.id))]


def test_the_0800_run_writes_and_announces_each_report_once(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    produced = produce_periodic_reports(rt, NOW)
    assert [r.key for r in produced] == ["daily:2026-11-27"]
    files = produced[0].files
    assert set(files) == {"docx", "xlsx", "html"} and all(Path(p).is_file() for p in files.values())
    assert Path(files["docx"]).parent == rt.settings.state_dir / "reports" / "daily"
    assert docx.Document(files["docx"]).paragraphs[0].text == "云和县政务舆情日报"
    assert produce_periodic_reports(rt, NOW + timedelta(minutes=5)) == []        # a re-run: nothing twice
    sent = _report_alerts(rt)
    assert [(k, r) for k, r, _ in sent] == [("report:daily:2026-11-27:县政府领导", "县政府领导"),
                                            ("report:daily:2026-11-27:舆情分析员", "舆情分析员")]
    payload = sent[0][2]
    assert payload["path"] == files["docx"] and payload["text"].startswith("【舆情日报】2026年11月27日舆情日报")
    assert "共监测到涉云和信息14条" in payload["text"] and "本报告有Word版、Excel版、网页版" in payload["text"]
    assert not any(path in payload["text"] for path in files.values())   # a link at sending time, never a server path
    first = rt.read(list_reports)[0]
    served = rt.read(served_file, first.id, "html", rt.settings.state_dir / "reports")
    assert first.key == "daily:2026-11-27" and served is not None and served[1] == Path(files["html"]).resolve()
    monday = produce_periodic_reports(rt, at(30, 8))
    assert [r.key for r in monday] == ["daily:2026-11-29", "weekly:2026-W48"]
    first_of_month = produce_periodic_reports(rt, at(30, 8) + timedelta(days=1))
    assert [r.key for r in first_of_month] == ["daily:2026-11-30", "monthly:2026-11", "assessment:monthly:2026-11"]
    assert len(_report_alerts(rt)) == 2 * 6


def test_a_special_report_once_per_event_and_urgent_grade(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    bus, road = events["bus"].id, events["road"].id
    made = produce_due_special_reports(rt, NOW)
    assert [(r.key, r.event_id, r.grade) for r in made] == [(f"event:{bus}:重大", bus, "重大")]
    assert set(made[0].files) == {"docx", "html"} and Path(made[0].files["docx"]).name == f"event-{bus}-II.docx"
    assert produce_due_special_reports(rt, NOW + timedelta(seconds=20)) == []
    sent = _report_alerts(rt)
    assert [(k, r) for k, r, _ in sent] == [(f"report:event:{bus}:重大:舆情分析员", "舆情分析员")]
    assert sent[0][2]["text"].startswith("【舆情专报】关于“崇头镇旅游大巴侧翻 伤者送医")   # the posts' headline, whole
    later = NOW + timedelta(hours=1)
    with rt.session() as s:   # triage (or an analyst) raises one event to 重大 and the bus accident to 特别重大
        s.execute(update(Event).where(Event.id == road).values(grade="重大"))
        s.execute(update(Event).where(Event.id == bus).values(grade="特别重大"))
    again = produce_due_special_reports(rt, later)
    assert sorted((r.event_id, r.grade) for r in again) == sorted([(bus, "特别重大"), (road, "重大")])
    with rt.session() as s:
        assert s.query(Report).filter(Report.kind == "event").count() == 3
    assert produce_due_special_reports(rt, later) == []
