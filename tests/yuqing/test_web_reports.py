"""The reports in the web app and the API, on SQLite and PostgreSQL: the reports the schedule
produced are listed for analysts, coordinators and leaders and served as files (Word and Excel
to download, the web page to read under a CSP that still forbids script); units are refused;
a record is never a way to read another file; crawled text in a title stays text."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import httpx
from sqlalchemy import Engine, select

from pipeline.reports.service import produce_periodic_reports
from pipeline.storage.db import session_scope
from pipeline.storage.models import Report
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext
from tests.yuqing.test_web_app import people
from tests.yuqing.web_helpers import token_for, world
from yuqing.web.pages.reports import REPORT_CSP


def _now() -> datetime:
    return datetime.now(SHANGHAI)


def test_reports_are_listed_and_served_to_those_who_read_them(engine: Engine, db_url: str, ctx: TriageContext,
                                                              runtime_for: Any) -> None:
    world(engine, ctx, _now())
    rt = runtime_for(db_url)
    daily = next(r for r in produce_periodic_reports(rt, _now()) if r.key.startswith("daily:"))
    with session_scope(engine) as s:
        report_id = s.scalar(select(Report.id).where(Report.key == daily.key))
    assert report_id is not None
    with people(rt.settings, "boss", "shitang", "ana") as (boss, shitang, ana):
        listing = boss.get("/reports").text
        assert "舆情日报" in listing and f"/reports/{report_id}/docx" in listing and 'href="/reports"' in listing
        assert f"/reports/{report_id}/docx" in ana.get("/reports?kind=daily").text
        assert f"/reports/{report_id}/docx" not in ana.get("/reports?kind=monthly").text

        word = boss.get(f"/reports/{report_id}/docx")
        assert word.status_code == 200 and word.content == Path(daily.files["docx"]).read_bytes()
        assert word.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
        day = daily.key.split(":")[1]
        assert word.headers["content-disposition"].startswith("attachment;")
        assert f"filename*=utf-8''%E8%88%86%E6%83%85%E6%97%A5%E6%8A%A5-{day}.docx" in word.headers["content-disposition"]
        assert docx.Document(io.BytesIO(word.content)).paragraphs[0].text == "云和县政务舆情日报"

        page = boss.get(f"/reports/{report_id}/html")
        assert page.status_code == 200 and page.headers["content-disposition"].startswith("inline;")
        assert page.headers["content-security-policy"] == REPORT_CSP and "script" not in REPORT_CSP
        assert "云和县政务舆情日报" in page.text

        # A unit's staff read their own inbox, not the county's reports.
        assert shitang.get("/reports").status_code == 403
        assert shitang.get(f"/reports/{report_id}/docx").status_code == 403
        assert "/reports" not in shitang.get("/inbox").text
        anonymous = httpx.get(f"{boss.base_url}/reports/{report_id}/docx")
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
        for path in (f"/reports/{report_id}/pdf", "/reports/999999/docx", f"/reports/{report_id}/..%2f..%2fsecret.key"):
            missing = boss.get(path)
            assert missing.status_code == 404 and "没有这" in missing.text and "Not Found" not in missing.text, path


def test_a_record_never_serves_a_file_outside_the_reports(engine: Engine, db_url: str, ctx: TriageContext,
                                                          runtime_for: Any) -> None:
    world(engine, ctx, _now())
    rt = runtime_for(db_url)
    secret = rt.settings.state_dir / "secret.key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("not for download")
    inside = rt.settings.state_dir / "reports" / "daily" / "x.docx"
    inside.parent.mkdir(parents=True, exist_ok=True)
    inside.write_bytes(b"PK fake")
    hostile = '<script>alert("x")</script>关于某事的舆情专报'
    with session_scope(engine) as s:
        report = Report(key="event:1:重大", kind="event", title=hostile, summary=hostile, created_at=_now(),
                        files={"docx": str(secret), "xlsx": "/etc/passwd",
                               "html": str(inside.parent / ".." / ".." / "secret.key")})
        s.add(report)
        s.flush()
        report_id = report.id
    with people(rt.settings, "ana") as (ana,):
        for fmt in ("docx", "xlsx", "html"):
            answer = ana.get(f"/reports/{report_id}/{fmt}")
            assert answer.status_code == 404 and "not for download" not in answer.text, fmt
        listing = ana.get("/reports").text
        assert "<script>alert" not in listing and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in listing
    with session_scope(engine) as s:
        s.get(Report, report_id).files = {"docx": str(inside)}  # type: ignore[union-attr]
    with people(rt.settings, "ana") as (ana,):
        served = ana.get(f"/reports/{report_id}/docx")
        assert served.status_code == 200 and served.content == b"PK fake"
        assert "%E8%88%86%E6%83%85%E4%B8%93%E6%8A%A5-1-" in served.headers["content-disposition"]  # 舆情专报-1-…


def test_the_api_lists_and_serves_reports_by_token(engine: Engine, db_url: str, ctx: TriageContext,
                                                   runtime_for: Any) -> None:
    world(engine, ctx, _now())
    rt = runtime_for(db_url)
    made = produce_periodic_reports(rt, _now() - timedelta(hours=1))
    leader, unit = token_for(engine, "boss", _now()), token_for(engine, "shitang", _now())
    with people(rt.settings, "ana") as (ana,):
        api = httpx.Client(base_url=ana.base_url, headers={"Authorization": f"Bearer {leader}"})
        listed = api.get("/api/reports").json()
        assert {r["title"] for r in listed} == {r.title for r in made}
        first = listed[0]
        assert set(first["files"]) == {"docx", "xlsx", "html"}
        xlsx = api.get(first["files"]["xlsx"])
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        refused = httpx.get(f"{ana.base_url}/api/reports", headers={"Authorization": f"Bearer {unit}"})
        assert refused.status_code == 403 and "不能" in refused.json()["detail"]
        assert httpx.get(f"{ana.base_url}/api/reports", cookies=ana.cookies).status_code == 401
        api.close()
