"""The 舆情日报 of the seeded 2026-11-27 on both engines: every figure in the Excel and Word
files equals the figure computed here, independently, from the rows in the database; an empty
day gives a valid report that says so; a day with a coverage gap says its figures are
incomplete, and a day without one does not."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from pipeline.reports.docx import render_docx
from pipeline.reports.html import render_html
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.storage.models import CoverageGap, Event, Post, Source
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import GRADES, PLATFORM_NAMES
from tests.pipeline.reports.conftest import body, headings, sheets, text_of, word
from tests.pipeline.reports.seed import DAY, NOW

# Page 1 says what needs a decision now (issue 17), then the period's figures.
SECTIONS = ["一、需要决策的事项", "二、总体情况", "三、传播渠道", "四、热点领域与热词", "五、舆情事件", "六、重点关注信息",
            "七、信息源与数据完整性", "八、工作提示"]


def _posted(p: Any) -> datetime:
    known = p.published_at is not None and p.published_precision in ("minute", "second")
    return p.published_at if known and p.published_at <= p.first_seen_at else p.first_seen_at


def _truth(rt: Runtime, start: datetime, end: datetime) -> dict[str, Any]:
    """The day's figures, computed from every row with plain Python."""
    with rt.session() as s:
        posts = s.execute(select(Post.first_seen_at, Post.relevant, Post.platform, Post.topic, Post.source_id,
                                 Post.event_id, Post.published_at, Post.published_precision)).all()
        events = {e.id: e for e in s.scalars(select(Event))}
        sources = dict(s.execute(select(Source.id, Source.name)).all())
        gaps = [g for g in s.scalars(select(CoverageGap)) if g.filled_at is None and g.end_at >= start and g.start_at <= end]
    inside = [p for p in posts if start <= p.first_seen_at < end]
    relevant = [p for p in inside if p.relevant]
    before = [p for p in posts if start - timedelta(days=1) <= p.first_seen_at < start and p.relevant]
    active = Counter(p.event_id for p in relevant if events[p.event_id].relevant)
    new = [e for e in events.values() if e.relevant and start <= e.first_seen_at < end]
    return {
        "collected": len(inside), "relevant": len(relevant), "previous": len(before),
        # the trend is drawn by publication time where known to the minute (else detection time);
        # posts published before the day are said apart, not drawn at its first hour
        "hours": Counter(_posted(p).astimezone(SHANGHAI).hour for p in relevant if _posted(p) >= start),
        "earlier": sum(1 for p in relevant if _posted(p) < start),
        "platforms": Counter(PLATFORM_NAMES.get(p.platform, p.platform) for p in relevant),
        "topics": Counter(p.topic for p in relevant), "sources": Counter(sources[p.source_id] for p in relevant),
        "active": active, "new": Counter(e.grade for e in new),
        "categories": Counter(c for eid in active for c in events[eid].categories),
        "rumours": {eid for eid in active if events[eid].rumor}, "gaps": len(gaps),
    }


def _report(rt: Runtime, day: datetime) -> tuple[bytes, bytes, Any]:
    doc = build(rt, Spec("daily", Period.containing("daily", day.date())), NOW)
    return render_xlsx(doc), render_docx(doc), doc


def test_every_figure_of_the_daily_report_equals_the_database(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    truth = _truth(rt, DAY, DAY + timedelta(days=1))
    xlsx, docx_bytes, doc = _report(rt, DAY)
    book = sheets(xlsx)
    key = dict(body(book["主要数据"]))
    assert key["采集信息总量（条）"] == truth["collected"] == 16
    assert key["涉云和信息（条）"] == truth["relevant"] == 14
    assert key["上日同期涉云和信息（条）"] == truth["previous"] == 2
    assert key["涉及舆情事件（起）"] == len(truth["active"]) == 4
    assert {g: key[f"新增{g}事件（起）"] for g in GRADES} == {g: truth["new"].get(g, 0) for g in GRADES}
    assert [n for _, n in body(book["走势"])] == [truth["hours"].get(h, 0) for h in range(24)]
    assert sum(n for _, n in body(book["走势"])) + truth["earlier"] == truth["relevant"]
    assert truth["earlier"] == 0 or f"另有{truth['earlier']}条发布于本期之前" in text_of(word(docx_bytes))
    for sheet, expected in (("平台", truth["platforms"]), ("领域", truth["topics"]), ("来源", truth["sources"])):
        rows = body(book[sheet])
        assert {name: n for name, n, _ in rows} == dict(expected), sheet
        assert all(abs(share - n / truth["relevant"]) < 1e-9 for _, n, share in rows)
        assert [n for _, n, _ in rows] == sorted((n for _, n, _ in rows), reverse=True)
    assert {eid: n for eid, _, _, n, _, _ in body(book["重点事件"])} == dict(truth["active"])
    assert dict(body(book["等级分布"])) == {g: truth["new"].get(g, 0) for g in GRADES}
    assert dict(body(book["重点类别"])) == dict(truth["categories"])
    assert {row[0] for row in body(book["谣言"])} == truth["rumours"]
    assert len(body(book["覆盖缺口"])) == truth["gaps"] == 1
    # The summary says the same numbers, and the change from the previous day.
    assert "共监测到涉云和信息14条，环比上升600.0%（上期2条）" in doc.summary
    assert "新增舆情事件3起，其中重大1起、较大1起、一般1起" in doc.summary
    assert "重大及以上事件1起，其中超时完成1起" in doc.summary   # its press conference came late
    document = word(docx_bytes)
    assert headings(document) == SECTIONS
    all_text = text_of(document)
    assert "云和县政务舆情日报" in all_text and "〔2026〕第331期" in all_text and doc.summary in all_text
    assert "本期数据不完整" in all_text and "丽水网" in all_text
    words = dict(body(book["热词"]))
    assert words and all(w in all_text for w in list(words)[:5])


def test_owner_and_handling_of_the_top_events(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    book = sheets(_report(rt, DAY)[0])
    rows = {r[0]: r for r in body(book["重点事件"])}
    assert next(iter(rows)) == events["bus"].id    # the most serious first
    assert rows[events["bus"].id][2:] == ("重大", 6, "崇头镇", "已签收，超时完成")
    assert rows[events["road"].id][2:] == ("较大", 3, "浮云街道", "待签收，未到期")
    assert rows[events["old"].id][2:] == ("一般", 2, "县住房和城乡建设局", "已退回，超时未完成")
    rumour = body(book["谣言"])[0]
    assert rumour[2:] == ("元和街道", "县公安局、县委网信办", 1, "按时完成")


def test_a_day_before_collection_began_says_so_instead_of_calling_the_data_complete(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    empty = datetime(2026, 11, 20, tzinfo=SHANGHAI)   # the first post was detected on 11-25 10:00
    xlsx, docx_bytes, doc = _report(rt, empty)
    coverage = "系统自11月25日10:00起开始采集信息，本期在此之前，没有监测数据，不代表本期无舆情。"
    assert doc.summary == f"2026年11月20日，{coverage}"
    assert doc.notices == (coverage,)
    book = sheets(xlsx)
    assert dict(body(book["主要数据"]))["涉云和信息（条）"] == 0
    assert [n for _, n in body(book["走势"])] == [0] * 24 and body(book["平台"]) == [] and body(book["重点事件"]) == []
    document = word(docx_bytes)
    assert headings(document) == SECTIONS
    text = text_of(document)
    assert coverage in text and "本期无。" in text
    assert "数据完整。" not in text and "未配置自动采集的信息源" not in text and "本期数据不完整" not in text
    assert b"<h2>" in render_html(doc)


def test_the_previous_day_has_no_gap_and_a_running_day_is_read_up_to_now(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    before = build(rt, Spec("daily", Period.containing("daily", (DAY - timedelta(days=1)).date())), NOW)
    assert not any("不完整" in n for n in before.notices) and "涉云和信息2条" in before.summary
    today = build(rt, Spec("daily", Period.containing("daily", NOW.date())), NOW)
    assert today.notices == ("本期尚未结束，数据截至11月28日08:00。",)
    assert "（截至11月28日08:00），共监测到涉云和信息2条" in today.summary
    assert "上日无相关信息" not in today.summary and "环比下降" in today.summary  # the same hours of the 27th: 5 posts
