"""What the JSON API answers, as pydantic models: the OpenAPI document states each answer's
shape, and FastAPI checks every answer against it before it is sent. The rows of the lists are
the queries' own dataclasses (``pipeline.queries``), so a field added there is in the document
at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.queries.comments import CommentView
from pipeline.queries.desk import DeskRow
from pipeline.queries.work import WorkItem


class EventsPage(BaseModel):
    """One page of the desk's list."""

    page: int
    has_next: bool
    items: list[DeskRow]


class WorkPage(BaseModel):
    """One page of open work (a unit's inbox or the board)."""

    page: int
    has_next: bool
    items: list[WorkItem]


class EventFacts(BaseModel):
    """An event's own record: what triage and the analysts decided about it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    title: str
    relevant: bool
    topic: str | None
    grade: str | None
    auto_grade: str | None
    override_grade: str | None
    rumor: bool
    leadership: bool
    categories: list[Any] | None
    grade_reasons: list[Any] | None
    post_count: int
    engagement: int | None
    first_seen_at: datetime
    last_seen_at: datetime
    clock_start_at: datetime | None


class EventDetail(BaseModel):
    """An event as the reader may see it (a unit's reader: its own assignment, deadlines and
    alerts only)."""

    event: EventFacts
    posts: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    comments: list[CommentView]


class UnitFigures(BaseModel):
    """One unit's 考核 figures."""

    unit: str
    received: int
    returned: int
    overdue: int
    on_time_rate: dict[str, float | None] = Field(description="各时限节点的按时率（无到期节点为 null）")
    median_first_response_hours: float | None


class ReportEntry(BaseModel):
    """A report the system produced, with the addresses of its files."""

    id: int
    kind: str
    title: str
    summary: str
    created_at: datetime
    event_id: int | None
    grade: str | None
    files: dict[str, str] = Field(description="格式 → 下载地址")


class ActionDone(BaseModel):
    """An action taken."""

    ok: Literal[True] = True
    event_id: int
    action: str
    met: list[str] | None = Field(None, description="respond：本次回应满足的时限节点")
