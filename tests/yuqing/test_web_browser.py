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
from sqlalchemy import Engine, update

from pipeline.storage.db import session_scope
from pipeline.storage.models import Event
from pipeline.triage import TriageContext
from tests.conftest import NOW
from tests.pipeline.test_alerts import MAJOR, _triage
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
        s.execute(update(Event).values(title='<img src=x onerror="window.pwned=1">崇头镇大巴坠崖'))
    token = _token(engine)
    with running(settings_for(db_url)) as client, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{client.base_url}/ack/{token}")
            assert "崇头镇大巴坠崖" in page.inner_text("body") and "onerror" in page.inner_text("body")
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
