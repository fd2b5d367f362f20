"""What a county reader sees carries no internal code and no title cut mid-word (issue 17): the
demo's every report (日报, 周报, 月报, 考核通报, a 专报 for every relevant event — Word, web page,
Excel), every alert message the outbox would send, and the analyst's web pages are scanned for
model ids (grade-r6-…), leftovers such as 待分析员复核, and English codes (own_release, weibo,
overdue …); the titles of reports and alerts end in a whole word, and the board and 概览 name
events by their headlines."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import lxml.html
import openpyxl
from sqlalchemy import select

from pipeline.alerts.render import render_message
from pipeline.queries.headlines import headlines
from pipeline.reports.docx import render_docx
from pipeline.reports.html import render_html
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.deadlines import DEADLINE_STATE_NAMES, HANDLING_NAMES
from pipeline.rules.periods import Period
from pipeline.runtime import open_runtime
from pipeline.storage.models import Alert, Event
from pipeline.vocabulary import CHANNEL_TYPE_NAMES, MILESTONE_NAMES, PLATFORM_NAMES, ROLE_NAMES, STATUS_NAMES
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import sign_in
from yuqing.demo import DEMO_NOW, run_demo

# The stored codes a reader must never meet (each has its Chinese name): milestones, roles,
# statuses, platforms, handling states, grade rules, channels — those of five letters or more,
# so that an English word of a crawled post (ok, new) is not taken for one.
STORED = sorted({k for names in (MILESTONE_NAMES, ROLE_NAMES, STATUS_NAMES, PLATFORM_NAMES, HANDLING_NAMES,
                                 DEADLINE_STATE_NAMES, CHANNEL_TYPE_NAMES) for k in names if len(k) >= 5}
                | {"own_release", "met_by_own_release", "reach_engagement", "reach_media", "statutory_cap", "casualty"},
                key=len, reverse=True)
CODES = re.compile(
    r"(?:grade|topic|rumor|categories|sentiment)-r\d"      # a model id
    r"|待分析员复核|定级为\S{1,4}（文本模型"                  # a desk leftover; a grade with a contrary reason
    rf"|(?<![/.\w])(?:{'|'.join(STORED)}|None|null|True|False)(?![.\w])")  # a source address weibo.com stays text


def _docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def _page_text(html: str) -> str:
    tree = lxml.html.fromstring(html)
    for node in tree.xpath("//script|//style"):
        node.getparent().remove(node)
    return str(tree.text_content())


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                     if isinstance(c.value, str))


def _clean(where: str, text: str) -> None:
    found = sorted(set(CODES.findall(text)))
    assert not found, f"{where}: {found}"


def test_no_report_page_or_alert_shows_an_internal_code_or_a_cut_title(settings_for: Any, tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    result = run_demo(settings, now=DEMO_NOW)
    now: datetime = result.now
    with open_runtime(settings) as rt:
        with rt.session() as s:
            events = list(s.scalars(select(Event.id).where(Event.relevant.is_(True), Event.merged_into.is_(None))))
            names = headlines(s, events)
        specs = [Spec(kind, Period.containing(kind, now.date())) for kind in ("daily", "weekly", "monthly")]
        specs += [Spec("assessment", Period.containing("monthly", now.date()))]
        specs += [Spec("event", event_id=e) for e in events]
        for spec in specs:
            doc = build(rt, spec, now)
            where = f"{spec.kind} {spec.event_id or ''}"
            _clean(where + " docx", _docx_text(render_docx(doc)))
            _clean(where + " html", _page_text(render_html(doc).decode("utf-8")))
            _clean(where + " xlsx", _xlsx_text(render_xlsx(doc)))
            assert "…”" not in doc.title and not doc.title.endswith("…"), doc.title   # never cut short
        with rt.session() as s:
            alerts = list(s.scalars(select(Alert)))
            assert alerts
            for alert in alerts:
                title, text = render_message(s, [alert], now, public_url="http://127.0.0.1:8080")
                _clean(f"alert {alert.id}", title + "\n" + text)
                assert "…】" not in title and not title.endswith("…"), title
                assert str(settings.state_dir) not in text       # a report is a link, never the server's path
    with running(settings) as client:
        assert sign_in(client, "fenxi", result.password or "").status_code == 303
        for path in ["/desk", "/board", "/overview", "/reports", *(f"/events/{e}" for e in events)]:
            page = client.get(path)
            assert page.status_code == 200, path
            _clean(path, _page_text(page.text))
            if path in ("/board", "/overview"):
                # Lists name events by headline, never by the stored title (a post cut at 60 characters).
                links = [(int(a.get("href").rsplit("/", 1)[1]), a.text_content().strip())
                         for a in lxml.html.fromstring(page.text).xpath("//a[starts-with(@href, '/events/')]")
                         if a.get("href").rsplit("/", 1)[1].isdigit()]
                assert links, path
                assert all(text == names[eid] for eid, text in links if eid in names), (path, links)
