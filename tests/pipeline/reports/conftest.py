"""The seeded county world on both engines, and helpers to read reports back with the
libraries county users' software would open them with (python-docx, openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
import openpyxl
import pytest

from pipeline.runtime import Runtime
from pipeline.storage.models import Event
from tests.pipeline.reports.seed import seed_world


@pytest.fixture
def world(db_url: str, runtime_for: Callable[[str], Runtime]) -> tuple[Runtime, dict[str, Event]]:
    rt = runtime_for(db_url)
    with rt.session() as session:
        events = seed_world(session)
    return rt, events


def sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of a workbook as rows of values (header row first)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def body(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return rows[1:]


def word(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def headings(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def text_of(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)
