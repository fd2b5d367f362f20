"""After the demo, the most serious open event stands at the top of the first screen (概览),
the desk, the board and its owner's inbox, at 1366 px and at 390 px, in Debian's chromium; no
page (nor the event page) is wider than a 390 px phone. Screenshots go to ``tmp_path``, or to
``YUQING_SHOTS_DIR`` when set (to look at them).

The expected event is found here without the urgency order: the only open event of the highest
grade present."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pipeline.actions.users import add_user
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.models import Assignment, Event, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import GRADES
from tests.yuqing.test_web import running
from tests.yuqing.test_web_browser import CHROMIUM, _browser_or_skip
from yuqing.demo import run_demo

OWNER_PASSWORD = "blue-lantern-7"
FIRST_LINK = {"/overview": "#serious + table tbody a[href^='/events/']",
              "/desk": "table.list tbody a[href^='/events/']",
              "/board": "table.list tbody a[href^='/events/']",
              "/inbox": "ul.cards li.card a.title"}


def _most_serious_open(url: str) -> tuple[int, str]:
    """The demo's one open event of the highest grade present, and its 牵头 unit."""
    engine = make_engine(url)
    with session_scope(engine) as s:
        rows = s.execute(select(Event.id, Event.grade, Unit.name).join(Assignment, Assignment.event_id == Event.id)
                         .join(Unit, Unit.id == Assignment.unit_id)
                         .where(Event.relevant.is_(True), Event.merged_into.is_(None), Assignment.role == "primary",
                                Assignment.status.in_(("new", "dispatched", "accepted", "responded")))).all()
        top = min(GRADES.index(g) for _, g, _ in rows)
        found = [(eid, unit) for eid, g, unit in rows if GRADES.index(g) == top]
        assert len(found) == 1, found
        add_user(s, "qiantou", "牵头单位值班员", "unit", OWNER_PASSWORD, unit=found[0][1], actor="测试",
                 now=datetime.now(SHANGHAI), must_change=False)
    engine.dispose()
    return found[0]


@pytest.mark.slow
def test_the_most_serious_open_event_tops_every_first_screen(settings_for: Any, tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    settings = settings_for(f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    demo = run_demo(settings)
    top, owner = _most_serious_open(settings.database_url)
    shots = Path(os.environ.get("YUQING_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    people = [("lingdao", demo.password, "/overview"), ("bangongshi", demo.password, "/overview"),
              ("bangongshi", demo.password, "/board"), ("fenxi", demo.password, "/desk"),
              ("qiantou", OWNER_PASSWORD, "/inbox")]
    with running(settings) as client, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for width in (1366, 390):
                for username, password, path in people:
                    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
                    page.goto(f"{client.base_url}/login")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", password or "")
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    if username in ("lingdao", "bangongshi") and path == "/overview":
                        assert page.url.endswith("/overview")        # leaders' and coordinators' first screen
                    page.goto(f"{client.base_url}{path}")
                    first = page.locator(FIRST_LINK[path]).first
                    assert first.get_attribute("href") == f"/events/{top}", (username, path, width)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
                    page.screenshot(path=str(shots / f"{path.strip('/')}-{username}-{width}.png"), full_page=True)
                    if path == "/inbox":
                        page.goto(f"{client.base_url}/events/{top}")
                        assert page.evaluate("document.documentElement.scrollWidth") <= width, ("event", width)
                        page.screenshot(path=str(shots / f"event-{username}-{width}.png"), full_page=True)
                    page.context.close()
        finally:
            browser.close()
    assert owner
