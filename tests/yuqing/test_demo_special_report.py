"""The 舆情专报 of the demo's bus crash (issue 17): its first source, peak, key spreaders, the
repost tree, two or more views with shares, and a 研判 whose every sentence names a figure; the
Word file has a Title and Heading 1 paragraphs (Word's navigation pane lists them)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
from sqlalchemy import select

from pipeline.reports.document import Chart, Paragraph, Table
from pipeline.reports.docx import render_docx
from pipeline.reports.service import Spec, build
from pipeline.runtime import open_runtime
from pipeline.storage.models import Post
from yuqing.demo import DEMO_NOW, run_demo


def test_the_bus_crash_special_report_analyses_its_spread_and_views(settings_for: Any, tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    run_demo(settings, now=DEMO_NOW)
    with open_runtime(settings) as rt:
        with rt.session() as s:
            bus = s.scalar(select(Post.event_id).where(Post.url == "https://weibo.com/5286041937/PaX8dJf2k"))
        doc = build(rt, Spec("event", event_id=bus, grade="重大"), DEMO_NOW)
    assert doc.title == "关于“崇头镇云和梯田客车交通事故致12人死亡”的舆情专报"
    parts = {s.heading.split("、", 1)[1]: s.blocks for s in doc.sections}
    judged = [b.text for b in parts["研判"] if isinstance(b, Paragraph)]
    assert len(judged) >= 5 and all(re.search(r"\d", sentence) for sentence in judged), judged
    spread = parts["传播分析"]
    leads = {b.lead: b.text for b in spread if isinstance(b, Paragraph)}
    assert leads["首发："].startswith("11月28日09:12，丽水身边事") and "共4条" in leads["峰值："]
    tables = {b.title: b for s in doc.sections for b in s.blocks if isinstance(b, Table)}
    assert tables["关键传播账号"].rows[0][0] == "丽水身边事"
    tree = [(r[0].strip("　└ "), r[2]) for r in tables["转发路径"].rows]
    assert ("丽水身边事", 0) in tree and ("云和同城", 1) in tree and ("浙南生活观察", 2) in tree
    assert any(isinstance(b, Chart) and b.caption.startswith("转发路径图") for b in spread)
    views = tables["网民观点"].rows
    assert len(views) >= 2 and all(0 < r[4] <= 1 for r in views)
    assert any("TextRank" in b.text for b in parts["网民观点"] if isinstance(b, Paragraph))   # the method, explained
    word = docx.Document(io.BytesIO(render_docx(doc)))
    styled = [(p.style.name, p.text) for p in word.paragraphs if p.style is not None and p.style.name in ("Title", "Heading 1")]
    assert styled[0] == ("Title", doc.title.replace("”的", "”\n的")) and [t for n, t in styled[1:]] == [s.heading for s in doc.sections]


def test_page_one_of_the_daily_report_says_what_needs_a_decision(settings_for: Any, tmp_path: Path) -> None:
    """Issue 17: every periodic report opens with what needs a decision now — the demo's most
    serious open event first, with its owner and time left — before the period's figures."""
    from pipeline.queries.urgency import ranked_open_events
    from pipeline.rules.periods import period_for

    settings = settings_for(f"sqlite:///{(tmp_path / 'demo.db').as_posix()}")
    run_demo(settings, now=DEMO_NOW)
    with open_runtime(settings) as rt:
        with rt.session() as s:
            first = ranked_open_events(s, DEMO_NOW)[0]
        doc = build(rt, Spec("daily", period_for("daily", None, DEMO_NOW)), DEMO_NOW)
    opening = doc.sections[0]
    assert opening.heading.endswith("需要决策的事项") and doc.sections[1].heading.endswith("总体情况")
    lead = opening.blocks[0]
    assert isinstance(lead, Paragraph) and re.search(r"在办特别重大、重大事件\d+起", lead.text)
    serious = next(b for b in opening.blocks if isinstance(b, Table) and b.title == "在办特别重大、重大事件")
    assert serious.rows[0][0] == first and serious.rows[0][3] and serious.rows[0][5].startswith(("剩余", "已超时"))
