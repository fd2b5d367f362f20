"""The board's 考核 on SQLite and PostgreSQL: for the same span it shows exactly the figures of
the 考核通报 (one query), in the same order — rates beside their counts, milestones not due yet
as in time so far, a co-handling department's own work instead of a dash."""

from __future__ import annotations

from collections.abc import Callable

import lxml.html
import pytest

from pipeline.actions.users import add_user
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.runtime import Runtime
from tests.pipeline.reports.conftest import body, sheets
from tests.pipeline.reports.seed import seed_world
from tests.pipeline.reports.test_assessment_fairness import DEC_NOW, DECEMBER, seed_december
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import PASSWORD, sign_in


def _board_rows(html: str) -> list[list[str]]:
    table = lxml.html.fromstring(html).get_element_by_id("assessment-table")
    return [[cell.text_content().strip() for cell in row.findall("td")] for row in table.iter("tr") if row.findall("td")]


@pytest.fixture
def rt(db_url: str, runtime_for: Callable[[str], Runtime]) -> Runtime:
    runtime = runtime_for(db_url)
    with runtime.session() as s:
        seed_world(s)
    return runtime


def test_the_board_and_the_notice_show_the_same_figures(rt: Runtime) -> None:
    with rt.session() as s:
        seed_december(s)
        add_user(s, "coord", "王协调", "coordinator", PASSWORD, unit="县政府办公室", actor="管理员", now=DEC_NOW,
                 must_change=False)
    doc = build(rt, Spec("assessment", DECEMBER), DEC_NOW)
    notice = {r[1]: r for r in body(sheets(render_xlsx(doc))["各单位情况"])}
    work = {r[0]: r for r in body(sheets(render_xlsx(doc))["办理情况"])}
    with running(rt.settings, clock=lambda: DEC_NOW) as client:
        assert sign_in(client, "coord").status_code == 303
        page = client.get("/board", params={"since": "2026-12-01", "until": "2026-12-31"})
    assert page.status_code == 200
    rows = _board_rows(page.text)
    assert [r[0] for r in rows] == list(notice)          # the same units, in the same order
    for unit, received, info, press, response, overdue, signed, answered, closed, returned in rows:
        n = notice[unit]
        assert overdue == f"{n[6]}（{n[7]}）" and int(returned) == n[10], unit
        if unit in work:
            assert received == f"{n[2]}（{work[unit][2]}/{work[unit][3]}）", unit
            assert signed.startswith(str(work[unit][4])) and answered.startswith(str(work[unit][6])), unit
            assert closed.startswith(str(work[unit][8])), unit
        else:
            assert received.startswith(f"{n[2]}（"), unit
        assert "—" not in (info, press, response), unit
    by_unit = {r[0]: r for r in rows}
    assert by_unit["紧水滩镇"][2] == "按时至今（未到期1，已完成1）"
    assert by_unit["赤石乡"][4] == "0.0%（按时0/到期1）"
    assert by_unit["县应急管理局"][6:9] == ["1（1.0 小时）", "1（2.0 小时）", "1（3.0 小时）"]
    assert by_unit["县应急管理局"][4] == "本期无到期"
