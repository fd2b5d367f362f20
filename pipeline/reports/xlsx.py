"""A ``Document`` as an Excel workbook (pandas + openpyxl): a first sheet 概要 with the title,
number, period, summary, notices and counting basis, then one sheet per table — the series
the document only charts included — each with a frozen header row, widths that fit the
Chinese text, and numbers kept as numbers (counts as integers, rates as percentages, durations
in hours, times as Excel date-times in 北京时间). Every text cell is written as text: a crawled
title such as ``=HYPERLINK(…)`` must never become a live formula in a county office's Excel.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from pipeline.reports.document import Column, Document, Table, Value, cell_text
from pipeline.timeparse import SHANGHAI

NUMBER_FORMATS = {"percent": "0.0%", "hours": "0.0", "float": "0.0", "int": "0", "time": "yyyy-mm-dd hh:mm"}
MAX_WIDTH = 60
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Excel (and LibreOffice, and a later CSV save) reads text starting with these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def display_width(text: str) -> int:
    """Width in Excel character units: a Chinese character takes two."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("", wanted).strip() or "表"
    name, n = base[:31], 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _excel_value(value: Value, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).replace(tzinfo=None)  # Excel has no time zones: 北京时间
    if kind == "int" and isinstance(value, int | float):
        return int(value)
    return value


def _frame(table: Table) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for i, column in enumerate(table.columns):
        values = [_excel_value(row[i], column.kind) for row in table.rows]
        if column.kind == "int":
            data[column.name] = pd.array(values, dtype="Int64")
        elif column.kind in ("percent", "hours", "float"):
            data[column.name] = pd.array(values, dtype="Float64")
        elif column.kind == "time":
            data[column.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        else:
            data[column.name] = pd.Series(values, dtype="object")
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


def _layout(sheet: Any, table: Table) -> None:
    """Widths from the longest shown text, number formats by kind, long text wrapped."""
    for i, column in enumerate(table.columns, start=1):
        letter = get_column_letter(i)
        texts = [column.name, *(cell_text(row[i - 1], column.kind) for row in table.rows[:200])]
        width = min(MAX_WIDTH, max(display_width(t) for t in texts) + 2)
        sheet.column_dimensions[letter].width = max(width, 16 if column.kind == "time" else 8)
        for row in range(2, len(table.rows) + 2):  # the data rows only: an empty table stays empty
            cell = sheet.cell(row=row, column=i)
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            elif width >= MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _text_only(sheet: Any) -> None:
    """Every string cell stays a string: openpyxl turns any text starting with ``=`` into a
    formula cell, and Excel evaluates text starting with + - @ once a user edits the cell;
    the quote prefix keeps such text literal there too."""
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str):
                continue
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True


def _cover(doc: Document) -> Table:
    rows = (("标题", doc.title), ("文号", f"{doc.masthead}　{doc.number}"), ("编发单位", doc.issuer),
            ("日期", doc.issued_label), *doc.meta.items(), ("内容提要", doc.summary),
            *(("提示", n) for n in doc.notices), ("统计口径", doc.basis))
    return Table("概要", (Column("项目"), Column("内容")), rows)


def render_xlsx(doc: Document) -> bytes:
    out = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for table in (_cover(doc), *doc.tables()):
            name = sheet_name(table.sheet or table.title, taken)
            _frame(table).to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            _layout(writer.sheets[name], table)
            _text_only(writer.sheets[name])
    return out.getvalue()
