"""Issue 19 on the pages and in the 专报: an event's heat index, its 快速升温 figures and its
持续发布 gap on the event page; the board's 持续发布 list; the 专报's overview rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import lxml.html
import pytest

from pipeline.actions.users import add_user
from pipeline.queries.headlines import headlines
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.runtime import Runtime
from pipeline.storage.models import Event
from tests.pipeline.reports.conftest import body, sheets
from tests.pipeline.reports.seed import NOW, seed_world
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import PASSWORD, sign_in

LATER = NOW + timedelta(days=2)  # the bus event's last release (新闻发布会) was at 05:00 on the 28th


@pytest.fixture
def world(db_url: str, runtime_for: Callable[[str], Runtime]) -> tuple[Runtime, dict[str, Event]]:
    rt = runtime_for(db_url)
    with rt.session() as s:
        events = seed_world(s)
        bus = s.get(Event, events["bus"].id)
        assert bus is not None
        bus.rising_level, bus.rising_at, bus.rising_figures = 1, LATER - timedelta(hours=1), "近1小时 48 条，前6小时平均 3 条/小时"
        add_user(s, "coord", "王协调", "coordinator", PASSWORD, unit="县政府办公室", actor="管理员", now=NOW,
                 must_change=False)
    return rt, events


def test_event_page_board_and_first_screen_show_heat_rise_and_release_gap(world: tuple[Runtime, dict[str, Event]]) -> None:
    rt, events = world
    bus, road = events["bus"].id, events["road"].id
    with running(rt.settings, clock=lambda: LATER) as client:
        assert sign_in(client, "coord").status_code == 303
        page = lxml.html.fromstring(client.get(f"/events/{bus}").text)
        other = lxml.html.fromstring(client.get(f"/events/{road}").text)
        board = lxml.html.fromstring(client.get("/board").text)
        first = lxml.html.fromstring(client.get("/overview").text)
    assert page.get_element_by_id("rising").text_content().split() == ["快速升温", "近1小时", "48", "条，前6小时平均", "3",
                                                                     "条/小时"]
    gap = page.get_element_by_id("release-gap")
    assert "距上次发布 2天3小时" in gap.text_content() and "warn" in gap.get("class", "")
    assert "热度指数" in page.text_content()
    assert other.get_element_by_id("release-gap", None) is None  # 较大: 持续发布 is not tracked
    assert other.get_element_by_id("rising", None) is None
    with rt.session() as s:
        name = headlines(s, [bus])[bus]   # lists name an event as reports and alerts do
    assert name.startswith("崇头镇旅游大巴侧翻")
    for screen in (board, first):  # 督办 and the first screen (概览) alike
        rows = [[c.text_content().strip() for c in tr.findall("td")]
                for tr in screen.get_element_by_id("release-gaps").getnext().iter("tr") if tr.findall("td")]
        assert [r[0] for r in rows] == [name] and rows[0][2] == "崇头镇"
        assert rows[0][4].startswith("距上次发布 2天3小时")


def test_special_report_carries_heat_rise_and_release_gap(world: tuple[Runtime, dict[str, Event]]) -> None:
    rt, events = world
    doc = build(rt, Spec("event", event_id=events["bus"].id, grade="重大"), LATER)
    overview = dict(body(sheets(render_xlsx(doc))["概况"]))
    assert float(overview["热度指数"]) > 0
    assert overview["快速升温"] == "近1小时 48 条，前6小时平均 3 条/小时"
    assert overview["持续发布"].startswith("距上次发布 2天3小时")
