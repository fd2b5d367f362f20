"""A report as a document, independent of its format: the masthead of an office document
(红头, 文号, issuer and date), a title, the summary, notices that the figures are incomplete,
and numbered sections of paragraphs, tables and charts. The composers build one from the
figures; the renderers (docx, xlsx, html) only lay it out, each in its own way.

Table cells keep their types: numbers stay numbers (a percentage is a fraction 0–1, a duration
in hours a float), times stay aware datetimes; each renderer formats them by the column's kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pipeline.timeparse import SHANGHAI

Value = str | int | float | datetime | None
Kind = Literal["text", "int", "percent", "hours", "time", "float"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    clip: int | None = None     # the document and page show at most this many characters (the workbook all)

    def text(self, value: Value) -> str:
        shown = cell_text(value, self.kind)
        return shown if self.clip is None or len(shown) <= self.clip else shown[: self.clip - 1] + "…"


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    sheet: str = ""             # the workbook sheet's name (defaults to the title)
    in_document: bool = True    # False: only in the workbook (a full series the document charts)
    empty: str = "本期无。"      # said instead of an empty table


@dataclass(frozen=True)
class Chart:
    caption: str
    png: bytes
    width_cm: float = 15.0


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str = ""              # a bold lead-in (如“一是”), before the text


@dataclass(frozen=True)
class Notice:
    """A boxed warning the reader must not miss (incomplete figures, a period still running)."""

    text: str


Block = Paragraph | Table | Chart | Notice


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    kind: str                   # daily | weekly | monthly | event | assessment
    masthead: str               # 红头: 云和县政务舆情日报
    number: str                 # 文号-style line: 2026年第331期
    issuer: str
    issued: datetime
    title: str
    summary: str
    notices: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    basis: str = ""             # 统计口径 (how the figures were counted)
    distribution: str = ""      # 报送 / 抄送 line at the end
    meta: dict[str, str] = field(default_factory=dict)  # extra facts for the workbook's first sheet

    @property
    def issued_label(self) -> str:
        local = self.issued.astimezone(SHANGHAI)
        return f"{local.year}年{local.month}月{local.day}日"

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


def cell_text(value: Value, kind: Kind) -> str:
    """A cell as text for the document and the web page (the workbook keeps the value)."""
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind in ("hours", "float") and isinstance(value, int | float):
        return f"{value:.1f}"
    if kind == "int" and isinstance(value, int | float):
        return str(int(value))
    if isinstance(value, datetime):
        return f"{value.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    return str(value)
