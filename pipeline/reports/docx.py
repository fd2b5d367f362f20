"""A ``Document`` as a Word file (python-docx) in the look of a county office document: A4 with
the margins of GB/T 9704, a red masthead (红头) with its number (文号) line and a red rule,
a title, real headings (Heading 1, so Word's navigation pane lists them), tables with a
repeated header row, embedded charts with numbered captions, boxed notices, the 版记 lines at
the end and page numbers (— 1 —) in the footer. Fonts are the ones county offices have:
宋体 (title, tables), 黑体 (headings), 仿宋 (text).
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from pipeline.reports.document import Chart, Document, Notice, Paragraph, Table

RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
TEXT_WIDTH_CM = 15.6  # A4 (21 cm) less the 2.8 cm and 2.6 cm side margins
MAX_ROWS = 200        # longer tables are cut in the document (the workbook has them whole)
NUMERIC = ("int", "percent", "hours", "float")
FLEXIBLE_LEAST = 4.0  # cm: a clipped column (title, excerpt) is never narrower than this
FLEXIBLE_AIM = 6.5    # cm: ... and takes this much when the other columns can give way
UNBROKEN = (*NUMERIC, "time")   # values never broken over two lines (a figure, 2026-11-28 15:00)


def _fonts(rpr_owner: Any, east: str, western: str = "Times New Roman") -> None:
    """Set the East Asian and Western fonts of a style or run (theme fonts removed)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr, name in (("w:ascii", western), ("w:hAnsi", western), ("w:eastAsia", east), ("w:cs", western)):
        fonts.set(qn(attr), name)


def _run(paragraph: Any, text: str, *, east: str = "仿宋", size: float | None = None, bold: bool = False,
         color: RGBColor | None = None) -> Any:
    run = paragraph.add_run(text)
    _fonts(run._r, east)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    return run


def _border(paragraph: Any, sides: tuple[str, ...], color: str = "C00000", size: int = 18) -> None:
    """A line on the given sides of a paragraph (size in eighths of a point)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", color)):
            line.set(qn(key), value)
        borders.append(line)
    ppr.append(borders)


def _shade(element: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    element.append(shading)


def _setup(d: Any, doc: Document) -> None:
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = d.styles["Normal"]
    _fonts(normal.element, "仿宋")
    normal.font.size = Pt(14)
    normal.paragraph_format.line_spacing = 1.3
    normal.paragraph_format.space_after = Pt(0)
    _title_style(d.styles["Title"])
    for name, size in (("Heading 1", 15), ("Heading 2", 14)):
        style = d.styles[name]
        _fonts(style.element, "黑体")
        style.font.size, style.font.bold, style.font.color.rgb = Pt(size), False, BLACK
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
        style.paragraph_format.keep_with_next = True  # never a heading alone at the foot of a page
    d.core_properties.title, d.core_properties.author = doc.title, doc.issuer
    d.core_properties.created = doc.issued
    _page_numbers(section)


def _title_style(style: Any) -> None:
    """Word's Title style in the look of a document title: 宋体 20 pt bold black, centred, without
    the template's coloured rule (the navigation pane then lists the title above the headings)."""
    _fonts(style.element, "宋体")
    style.font.size, style.font.bold, style.font.color.rgb = Pt(20), True, BLACK
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(18), Pt(12)
    style.paragraph_format.keep_with_next = True
    rpr = style.element.get_or_add_rPr()
    for extra in ("w:spacing", "w:kern"):
        for node in rpr.findall(qn(extra)):
            rpr.remove(node)


def _page_numbers(section: Any) -> None:
    """``— PAGE —`` centred in the footer, as a Word field (updated by Word and LibreOffice)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", east="宋体", size=12)
    run = _run(p, "", east="宋体", size=12)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText" if text == " PAGE " else "w:t")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)
    _run(p, " —", east="宋体", size=12)


def _masthead(d: Any, doc: Document) -> None:
    head = d.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.space_before = Pt(6)
    _run(head, doc.masthead, east="宋体", size=30, bold=True, color=RED)
    number = d.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number.paragraph_format.space_before = Pt(10)
    _run(number, doc.number, size=14)
    line = d.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    _run(line, f"{doc.issuer}　编\t{doc.issued_label}", size=14)
    _border(line, ("bottom",), size=24)
    title = d.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(_title_lines(doc.title)):
        run = _run(title, "", east="宋体", size=20, bold=True, color=BLACK)
        if i:
            run.add_break()
        run.add_text(line)
    # The outline level makes the title an entry of Word's navigation pane, above the headings.
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    title._p.get_or_add_pPr().append(level)


TITLE_LINE = 21   # full-width characters of a 20 pt title line


def _title_lines(title: str) -> list[str]:
    """A long title broken after its closing quote (关于“…”/的舆情专报), never inside a word."""
    cut = title.rfind("”") + 1
    if len(title) <= TITLE_LINE or not 0 < cut < len(title):
        return [title]
    return [title[:cut], title[cut:]]


def _text(d: Any, text: str, lead: str = "", *, indent: bool = True, size: float | None = None) -> Any:
    p = d.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(28)
    if lead:
        _run(p, lead, east="黑体" if lead.endswith("：") else "仿宋", bold=not lead.endswith("："), size=size)
    _run(p, text, size=size)
    return p


def _notice(d: Any, text: str) -> None:
    p = d.add_paragraph()
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(6), Pt(6)
    _run(p, "提示：", east="黑体", size=12, color=RED)
    _run(p, text, size=12)
    _border(p, ("top", "left", "bottom", "right"), size=8)
    _shade(p._p.get_or_add_pPr(), "FFF2CC")


def _caption(d: Any, text: str) -> None:
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(6), Pt(3)
    p.paragraph_format.keep_with_next = True
    _run(p, text, east="黑体", size=10.5)


def _widths(table: Table, size: float) -> list[float]:
    """Column widths (cm) fitting each column's longest text at 10.5 pt (a Chinese character is
    about 0.37 cm at 10.5 pt). Columns that clip their text (titles, excerpts) take the room the others
    leave, at least ``FLEXIBLE_LEAST`` each; the others (at most 3.2 cm) give way when the page is too
    narrow, down to four characters — except figures and times, which keep the width of their
    longest value (never 0.0/%, never 2026-11-/28)."""
    def natural(text: str) -> float:
        return 0.6 + 0.185 * size / 10.5 * sum(2 if ord(c) > 0x2E80 else 1 for c in text)

    wanted = [max([natural(c.name[:5])] + [natural(c.text(r[i])[:24]) for r in table.rows[:50]])
              for i, c in enumerate(table.columns)]
    flexible = [i for i, c in enumerate(table.columns) if c.clip is not None]
    if not flexible:
        return _fitted(table, wanted, [max([natural(c.name[:1])] + [natural(c.text(r[i])) for r in table.rows[:50]])
                                       for i, c in enumerate(table.columns)])
    # Figures keep room for the widest substitute font (LibreOffice without Times New Roman); a time
    # its Word width: a narrower font's line breaks at its space (2026-11-28 / 09:12), never in the date.
    least = [max([natural(c.text(r[i])) * (1.0 if c.kind == "time" else 1.25) for r in table.rows[:50]], default=0.0)
             if c.kind in UNBROKEN else 0.0 for i, c in enumerate(table.columns)]
    wanted = [w if i in flexible else max(least[i], min(w, 3.2)) for i, w in enumerate(wanted)]
    # a text column keeps four characters a line, a figure its value and three characters of its header
    floor = [max(least[i], min(wanted[i], natural("字" * 3))) if least[i] else min(wanted[i], natural("字" * 4))
             for i in range(len(wanted))]
    others = [i for i in range(len(wanted)) if i not in flexible]
    # a clipped column aims at the width of its longer texts, up to FLEXIBLE_AIM; the others give way
    aim = [min(FLEXIBLE_AIM, max(FLEXIBLE_LEAST, wanted[i])) for i in flexible]
    room = TEXT_WIDTH_CM - sum(aim)
    give = sum(wanted[i] - floor[i] for i in others)
    over = sum(wanted[i] for i in others) - room
    share = min(1.0, over / give) if over > 0 and give else 0.0
    widths = [wanted[i] - (wanted[i] - floor[i]) * share for i in range(len(wanted))]
    rest = (TEXT_WIDTH_CM - sum(widths[i] for i in others)) / len(flexible)
    return [rest if i in flexible else w for i, w in enumerate(widths)]


def _fitted(table: Table, wanted: list[float], least: list[float]) -> list[float]:
    """Widths of a table without clipped columns: each as wanted, scaled to the page; when the
    page is too narrow, the numbers keep the room their values need (a figure never breaks over
    two lines; their headers may), the text columns share the rest up to what they want, and
    what is left widens the numbers' headers."""
    if sum(wanted) <= TEXT_WIDTH_CM:
        return [w * TEXT_WIDTH_CM / sum(wanted) for w in wanted]
    numeric = {i for i, c in enumerate(table.columns) if c.kind in UNBROKEN}
    kept = sum(least[i] for i in numeric)
    text = sum(w for i, w in enumerate(wanted) if i not in numeric)
    if not numeric or not text or kept >= TEXT_WIDTH_CM * 0.8:
        return [w * TEXT_WIDTH_CM / sum(wanted) for w in wanted]
    scale = (TEXT_WIDTH_CM - kept) / text
    if scale < 1:
        return [least[i] if i in numeric else w * scale for i, w in enumerate(wanted)]
    # The text fits: the room left goes to the numbers' headers, in proportion to what they lack.
    spare, lacking = TEXT_WIDTH_CM - kept - text, sum(max(0.0, wanted[i] - least[i]) for i in numeric)
    share = min(1.0, spare / lacking) if lacking else 0.0
    return [least[i] + max(0.0, w - least[i]) * share if i in numeric else w for i, w in enumerate(wanted)]


def _table(d: Any, table: Table, number: int) -> None:
    _caption(d, f"表{number}　{table.title}")
    if not table.rows:
        _text(d, table.empty, size=12)
        return
    rows = table.rows[:MAX_ROWS]
    grid = d.add_table(rows=len(rows) + 1, cols=len(table.columns))
    grid.style, grid.alignment, grid.autofit = "Table Grid", WD_TABLE_ALIGNMENT.CENTER, False
    size = 10.5 if len(table.columns) <= 7 else 9.0
    widths = _widths(table, size)
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Cm(width)  # the table grid, which LibreOffice lays out by
    header_row = grid.rows[0]
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for i, column in enumerate(table.columns):
        _cell(header_row.cells[i], column.name, widths[i], size, bold=True, center=True)
        _shade(header_row.cells[i]._tc.get_or_add_tcPr(), "D9D9D9")
    for r, row in enumerate(rows, start=1):
        cells = grid.rows[r].cells
        for i, column in enumerate(table.columns):
            _cell(cells[i], column.text(row[i]), widths[i], size, right=column.kind in NUMERIC)
    if len(table.rows) > MAX_ROWS:
        _text(d, f"（共{len(table.rows)}行，此处列出前{MAX_ROWS}行，完整数据见 Excel 版。）", size=10.5)
    _gap(d)


def _gap(d: Any) -> None:
    """A small empty paragraph after a table, so the next text never touches its bottom rule."""
    p = d.add_paragraph()
    p.paragraph_format.space_after, p.paragraph_format.line_spacing = Pt(0), Pt(8)


def _cell(cell: Any, text: str, width_cm: float, size: float, *, bold: bool = False, center: bool = False,
          right: bool = False) -> None:
    cell.width = Cm(width_cm)
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = None
    p.paragraph_format.line_spacing = 1.0
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else (WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT)
    _run(p, text, east="宋体", size=size, bold=bold)


def _chart(d: Any, chart: Chart, number: int) -> None:
    p = d.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = 1.0
    p.paragraph_format.keep_with_next = True   # a chart never parted from its caption
    p.add_run().add_picture(io.BytesIO(chart.png), width=Cm(min(chart.width_cm, TEXT_WIDTH_CM)))
    _caption(d, f"图{number}　{chart.caption}")


def _body(d: Any, doc: Document) -> None:
    tables = charts = 0
    for section in doc.sections:
        d.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Table) and block.in_document:
                tables += 1
                _table(d, block, tables)
            elif isinstance(block, Chart):
                charts += 1
                _chart(d, block, charts)
            elif isinstance(block, Paragraph):
                _text(d, block.text, block.lead)
            elif isinstance(block, Notice):
                _notice(d, block.text)


def _colophon(d: Any, doc: Document) -> None:
    """统计口径, then the 版记: distribution and the issuing line between rules."""
    if doc.basis:
        _text(d, doc.basis, size=10.5).paragraph_format.space_before = Pt(12)
    if doc.distribution:
        p = d.add_paragraph()
        p.paragraph_format.space_before = Pt(18)
        _run(p, doc.distribution, size=12)
        _border(p, ("top",), color="000000", size=6)
    issued = d.add_paragraph()
    issued.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    _run(issued, f"{doc.issuer}\t{doc.issued_label}印发", size=12)
    _border(issued, ("top", "bottom"), color="000000", size=6)


def render_docx(doc: Document) -> bytes:
    d = new_document()
    _setup(d, doc)
    _masthead(d, doc)
    for notice in doc.notices:
        _notice(d, notice)
    _text(d, doc.summary, "内容提要：")
    _body(d, doc)
    _colophon(d, doc)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
