"""One report page as people see it: the 舆情日报 converted by LibreOffice (headless) to PDF and
its first page to PNG (poppler's pdftoppm), so that layout problems show. CI installs both
(.ci/run); elsewhere the test is skipped when they are missing, unless
YUQING_REQUIRE_LIBREOFFICE=1. LibreOffice gets the project's own CJK font through a fontconfig
file, so Chinese is set in a real CJK font even on a machine without one."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from pipeline.reports.docx import render_docx
from pipeline.reports.fonts import cjk_font
from pipeline.reports.service import Spec, build
from pipeline.rules.periods import Period
from tests.pipeline.reports.seed import DAY, NOW, seed_world

pytestmark = pytest.mark.slow


def _tools() -> tuple[str, str, str]:
    found = tuple(shutil.which(t) for t in ("soffice", "pdftoppm", "pdffonts"))
    if not all(found):
        if os.environ.get("YUQING_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice and poppler-utils are required (YUQING_REQUIRE_LIBREOFFICE=1) but missing")
        pytest.skip("LibreOffice (soffice) or poppler-utils (pdftoppm, pdffonts) not installed")
    return found  # type: ignore[return-value]


def to_pdf(docx: Path, work: Path) -> Path:
    """LibreOffice headless, with its own profile (tests run concurrently) and the project's font."""
    soffice = _tools()[0]
    conf = work / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{cjk_font().parent}</dir>
<cachedir>{work / 'fc-cache'}</cachedir></fontconfig>""", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(work)}
    subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'lo-profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), str(docx)], env=env, check=True, capture_output=True, timeout=240)
    return work / f"{docx.stem}.pdf"


def test_the_daily_report_page_renders_as_an_office_document(
        migrated_sqlite: Callable[[str], str], runtime_for: Any, tmp_path: Path) -> None:
    # The layout does not depend on the database: one SQLite database is enough.
    _, pdftoppm, pdffonts = _tools()
    rt = runtime_for(migrated_sqlite("layout.db"))
    with rt.session() as session:
        seed_world(session)
    source = tmp_path / "daily.docx"
    source.write_bytes(render_docx(build(rt, Spec("daily", Period.containing("daily", DAY.date())), NOW)))
    pdf = to_pdf(source, tmp_path)
    fonts = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "SC" in fonts, fonts       # Chinese set in a CJK font, not boxes
    subprocess.run([pdftoppm, "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 10
    first = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
    height = first.shape[0]
    red = (first[..., 0] > 150) & (first[..., 1] < 80) & (first[..., 2] < 80)
    rows_with_red = np.nonzero(red.any(axis=1))[0]
    assert rows_with_red.size and rows_with_red.min() < height * 0.25   # the red masthead and rule at the top
    ink = (first.sum(axis=2) < 600).any(axis=1)
    assert ink[: height // 2].sum() > height * 0.15                   # text on the upper half, not a blank page
    if os.environ.get("YUQING_KEEP_PREVIEW"):
        shutil.copy(pages[0], os.environ["YUQING_KEEP_PREVIEW"])


def test_the_special_report_pages_render_with_their_tables_and_charts(
        migrated_sqlite: Callable[[str], str], runtime_for: Any, tmp_path: Path) -> None:
    """The 专报's new blocks (研判, 传播分析 with the trend and repost-tree charts, key spreaders,
    the repost path, 网民观点) lay out on a few pages, the title set in Word's Title style."""
    _, pdftoppm, _ = _tools()
    rt = runtime_for(migrated_sqlite("layout.db"))
    with rt.session() as session:
        bus = seed_world(session)["bus"].id
    source = tmp_path / "event.docx"
    source.write_bytes(render_docx(build(rt, Spec("event", event_id=bus, grade="重大"), NOW)))
    pdf = to_pdf(source, tmp_path)
    subprocess.run([pdftoppm, "-r", "50", "-png", str(pdf), str(tmp_path / "event")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("event-*.png"))
    assert 3 <= len(pages) <= 12
    first = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
    ink = (first.sum(axis=2) < 600).any(axis=1)
    assert ink[: first.shape[0] // 2].sum() > first.shape[0] * 0.15
    if os.environ.get("YUQING_KEEP_PREVIEW"):
        for page in pages:
            shutil.copy(page, Path(os.environ["YUQING_KEEP_PREVIEW"]).with_name(page.name))
