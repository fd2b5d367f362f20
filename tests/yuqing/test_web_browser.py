"""The acknowledgement page in a real browser (Debian's chromium driven by Playwright): a duty
officer opens the link from an alert, types a name, presses 确认收到 — under the page's strict
Content-Security-Policy — and the alert is acknowledged; a hostile event title stays text.

Skipped with a reason where chromium or Playwright is missing, unless ``YUQING_REQUIRE_BROWSER=1``
(set by CI, which installs Debian's chromium) makes that a failure."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from pipeline.storage.db import session_scope
from pipeline.storage.models import Event, Post
from pipeline.triage import TriageContext
from tests.conftest import NOW
from tests.pipeline.alerts.test_alerts import MAJOR, _triage
from tests.yuqing.test_web import _acked, _token, running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_or_skip() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = "Playwright is not installed" if sync_playwright is None else (
        "Debian's chromium is not installed (apt-get install chromium)" if CHROMIUM is None else None)
    if missing:
        if os.environ.get("YUQING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser required (YUQING_REQUIRE_BROWSER=1): {missing}")
        pytest.skip(missing)
    return sync_playwright


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_duty_officer_acknowledges_in_a_real_browser(engine: Engine, db_url: str, ctx: TriageContext,
                                                     settings_for: Any) -> None:
    sync_playwright = _browser_or_skip()
    _triage(engine, ctx, [MAJOR], NOW)
    with session_scope(engine) as s:  # crawled text is untrusted: a title that tries to run script
        # (pages name the event by its headline, read from its posts' titles when their clues
        # name no incident: the hostile title reaches the page that way)
        s.execute(update(Event).values(title='<img src=x onerror="window.pwned=1">崇头镇大巴坠崖'))
        s.execute(update(Post).values(title="<svg onload=pwned=1>崇头镇大巴坠崖", clues=None))
    token = _token(engine)
    with running(settings_for(db_url)) as client, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{client.base_url}/ack/{token}")
            assert "<svg onload=pwned=1>崇头镇大巴坠崖" in page.inner_text("body")
            assert page.evaluate("window.pwned") is None           # shown as text, never run
            assert _acked(engine, token) == (None, None)            # opening the link acknowledges nothing
            page.fill("input[name=by]", "崇头镇值班员")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            assert "已确认收到" in page.inner_text("body")
            assert violations == []                                  # the form submits under the page's CSP
        finally:
            browser.close()
    at, by = _acked(engine, token)
    assert by == "崇头镇值班员" and at is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_analysts_and_a_units_day_in_a_real_browser(engine: Engine, db_url: str, ctx: TriageContext,
                                                       settings_for: Any) -> None:
    """An analyst raises an item to 重大 with a reason (the urgent alerts go out once), the unit
    signs for it and records a response, and the deadline shows as met; the unit cannot open
    another unit's item; a hostile post renders as text; nothing breaks the CSP."""
    sync_playwright = _browser_or_skip()
    from datetime import datetime

    from pipeline.storage.models import Alert, Post
    from pipeline.timeparse import SHANGHAI
    from tests.yuqing.web_helpers import PASSWORD, world

    events = world(engine, ctx, datetime.now(SHANGHAI))
    eid, other = events["石塘镇"], events["崇头镇"]
    with session_scope(engine) as s:
        s.execute(update(Post).where(Post.event_id == eid).values(
            text='<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>路面坑坑洼洼'))
    with running(settings_for(db_url)) as client, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        violations: list[str] = []
        try:
            def person(username: str) -> Any:
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
                page.goto(f"{client.base_url}/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                return page

            analyst = person("ana")
            assert "研判台" in analyst.inner_text("h1")
            analyst.goto(f"{client.base_url}/events/{eid}")
            assert "路面坑坑洼洼" in analyst.inner_text("body") and "onerror" in analyst.inner_text("body")
            assert analyst.evaluate("window.pwned") is None
            for _ in range(2):  # pressed twice: the urgent alerts still go out once
                analyst.select_option("form[action$='/grade'] select[name=grade]", "重大")
                analyst.fill("form[action$='/grade'] input[name=reason]", "央媒关注，影响扩大")
                analyst.click("form[action$='/grade'] button")
                analyst.wait_for_load_state()
                assert "已保存定级" in analyst.inner_text("body")
            with session_scope(engine) as s:
                urgent = s.scalars(select(Alert.recipient).where(Alert.event_id == eid, Alert.urgent.is_(True),
                                                                 Alert.kind == "event")).all()
            assert sorted(urgent) == sorted(["石塘镇", "县政府办公室", "县委宣传部"])

            unit = person("shitang")
            assert "石塘镇待办" in unit.inner_text("h1")
            unit.click(f"a[href='/events/{eid}']")
            unit.wait_for_load_state()
            unit.click("form[action$='/accept'] button")
            unit.wait_for_load_state()
            assert "已签收" in unit.inner_text("body")
            unit.select_option("form[action$='/respond'] select[name=kind]", "发布权威信息")
            unit.fill("form[action$='/respond'] input[name=link]", "https://www.yunhe.gov.cn/art/2026/notice.html")
            unit.click("form[action$='/respond'] button")
            unit.wait_for_load_state()
            assert "已登记回应" in unit.inner_text("body")
            assert "按时完成" in unit.inner_text("table.list")   # the 发布权威信息 deadline is met
            assert unit.evaluate("window.pwned") is None
            answer = unit.goto(f"{client.base_url}/events/{other}")
            assert answer is not None and answer.status == 404 and "未找到事件" in unit.inner_text("body")
        finally:
            browser.close()
    assert violations == []
