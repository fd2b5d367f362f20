"""Database schema (SQLAlchemy 2 declarative): sources, posts, events, classifications,
assignments with their deadlines, responses, units and the audit log.

Every schema change goes through an Alembic migration in ``pipeline/storage/migrations``.
Datetimes are stored timezone-aware; engagement counts are NULL when unknown, never 0.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Every aware datetime whose UTC form Python can hold is stored; one that shifts out of years
# 1–9999 in UTC (0001-01-01T00:00+12:00) cannot be read back, so it is refused before it is written.
_UNSTORABLE = "时间超出可存储范围（换算为 UTC 后须在公元 1 年至 9999 年之间）"
# A year below 1000 written before the format was zero-padded ("1-01-01 12:00:00.000000").
_UNPADDED = re.compile(r"(\d{1,3})(-\d\d-\d\d[ T].*)")


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(_UNSTORABLE) from None


@lru_cache(maxsize=4096)
def _to_sqlite(value: datetime) -> str:
    # Batches bind the same detection time thousands of times: cache the conversion. isoformat
    # zero-pads the year (strftime("%Y") does not below 1000), so the text reads back and sorts;
    # for years 1000–9999 it is the same text as before.
    return _utc(value).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@lru_cache(maxsize=4096)
def _from_sqlite(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        unpadded = _UNPADDED.fullmatch(value)
        if unpadded is None:
            raise
        parsed = datetime.fromisoformat(unpadded.group(1).zfill(4) + unpadded.group(2))
    return parsed.replace(tzinfo=UTC)


class TZDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every engine. PostgreSQL keeps ``timestamptz``; SQLite has
    no zone, so values are stored as UTC text (SQLAlchemy's own SQLite format, the year always
    four digits) and read back as aware UTC datetimes. Naive datetimes are refused, and so are
    those outside years 1–9999 in UTC (no engine could give them back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return _to_sqlite(value) if dialect.name == "sqlite" else _utc(value)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return _from_sqlite(value)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
# A JSON column whose Python None is SQL NULL (not JSON 'null'), so that "IS NULL" finds it.
NullJSON = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, datetime: TZDateTime()}  # noqa: RUF012


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # township | department


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("platform", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    local: Mapped[bool] = mapped_column(Boolean, default=False)
    # Health of a configured collector source (NULL for sources only seen in imported posts).
    health: Mapped[str | None] = mapped_column(String(16))  # ok | degraded | down
    health_reason: Mapped[str | None] = mapped_column(Text)
    health_since: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_run_at: Mapped[datetime | None]
    last_new_at: Mapped[datetime | None]
    # Incremental fetching and adaptive polling of collector sources.
    http_validators: Mapped[dict[str, Any] | None]  # url -> {"etag": …, "last_modified": …}
    poll_minutes: Mapped[float | None] = mapped_column(Float)
    next_due_at: Mapped[datetime | None]
    # Keyword search sources: the end of the time span searched completely so far.
    search_covered_until: Mapped[datetime | None]


class SourceRun(Base):
    """What one collection run did for one source: fetched, new, duplicate, rejected and why."""

    __tablename__ = "source_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    fetched: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[Any]]
    health: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)


class CoverageGap(Base):
    """A time span in which a source's posts may be missing: an outage (the source failed) or a
    truncated search window (more results than the page cap serves). ``filled_at`` is set when a
    later search covered the span after all."""

    __tablename__ = "coverage_gaps"
    __table_args__ = (UniqueConstraint("source_id", "kind", "start_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # outage | truncated
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    filled_at: Mapped[datetime | None]


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # stable external reference
    title: Mapped[str] = mapped_column(String(200))
    relevant: Mapped[bool] = mapped_column(Boolean, index=True)
    topic: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(8), index=True)
    auto_grade: Mapped[str | None] = mapped_column(String(8))
    override_grade: Mapped[str | None] = mapped_column(String(8))
    # An analyst's corrections of the automatic decision; triage keeps them on later posts.
    override_topic: Mapped[str | None] = mapped_column(String(32))
    override_relevant: Mapped[bool | None] = mapped_column(Boolean)
    override_rumor: Mapped[bool | None] = mapped_column(Boolean)
    grade_reasons: Mapped[list[Any]]
    categories: Mapped[list[Any]]
    rumor: Mapped[bool] = mapped_column(Boolean, default=False)
    leadership: Mapped[bool] = mapped_column(Boolean, default=False)
    features: Mapped[dict[str, Any]]
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    engagement: Mapped[int | None] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    clock_start_at: Mapped[datetime | None]
    # Trust (0007t): the event's sentiment (负面/中性/正面) and an analyst's correction of it; why it
    # was set aside as 无关; 待复核 with its reasons; the model versions behind its decision.
    sentiment: Mapped[str | None] = mapped_column(String(8))
    override_sentiment: Mapped[str | None] = mapped_column(String(8))
    irrelevant_reason: Mapped[str | None] = mapped_column(Text)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"), index=True)
    review_reasons: Mapped[list[Any] | None]
    model_versions: Mapped[dict[str, Any] | None]
    # An event found to be the same incident as another lives on there (pipeline.actions.merging).
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    # 快速升温 (0010h, pipeline.actions.rising): the highest level of rise reached, when it last
    # rose, and the figures that showed it.
    rising_level: Mapped[int | None] = mapped_column(Integer)
    rising_at: Mapped[datetime | None]
    rising_figures: Mapped[str | None] = mapped_column(Text)
    assignments: Mapped[list[Assignment]] = relationship(back_populates="event")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # Not unique: ids of other systems' exports are only unique per source, and a page
        # whose text changed under the same URL is a new post (pipeline.triage.identify).
        Index("ix_posts_platform_platform_id", "platform", "platform_id"),
        Index("ix_posts_content_hash", "content_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_id: Mapped[str | None] = mapped_column(String(128))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(String(1000), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    author: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_precision: Mapped[str | None] = mapped_column(String(8))
    first_seen_at: Mapped[datetime]
    reposts: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]]
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    relevant: Mapped[bool] = mapped_column(Boolean)
    topic: Mapped[str | None] = mapped_column(String(32))
    categories: Mapped[list[Any]]
    rumor: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    # What validation changed or doubted about the input: truncated text, a count out of range
    # set to unknown, a publish time in the future … ([{"kind": …, "detail": …}]).
    notes: Mapped[list[Any] | None]
    # Trust (0007t): the post's sentiment, why it was set aside as 无关 (广告营销, 地名歧义 …), and
    # the monitoring schemes it matched ([{"scheme": …, "words": […]}]).
    sentiment: Mapped[str | None] = mapped_column(String(8))
    irrelevant_reason: Mapped[str | None] = mapped_column(Text)
    schemes: Mapped[list[Any] | None]
    # Why the post is in its event (copy, similar text, the same incident; pipeline.clustering),
    # the incident facts it gives (pipeline.rules.incidents.Clues), and whether its MinHash is
    # one of the event's representatives for look-up (NULL: stored before this was recorded).
    joined: Mapped[dict[str, Any] | None] = mapped_column(NullJSON)
    clues: Mapped[dict[str, Any] | None] = mapped_column(NullJSON)
    indexed: Mapped[bool | None] = mapped_column(Boolean)
    # What a retention purge removed (0010o; data/config/retention.yaml): ``personal`` (author,
    # links, the raw record) or ``text`` (also the title and text), and when. NULL: nothing.
    purged: Mapped[str | None] = mapped_column(String(16))
    purged_at: Mapped[datetime | None]


class Classification(Base):
    __tablename__ = "classifications"
    __table_args__ = (UniqueConstraint("post_id", "model"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    model: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(64))
    label: Mapped[str | None] = mapped_column(String(64))
    scores: Mapped[dict[str, Any]]
    reasons: Mapped[list[Any]]


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("event_id", "unit_id"),)  # one unit, one role per event
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48), unique=True)  # key_for(event, unit), for bulk id lookup
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # primary | cooperating | transfer | coordinator
    status: Mapped[str] = mapped_column(String(16), default="new")  # pipeline.vocabulary.STATUS_NAMES
    reasons: Mapped[list[Any]]
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]     # 签收
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    returned_at: Mapped[datetime | None]     # 退回, with the unit's reason
    return_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]       # 办结
    withdrawn_at: Mapped[datetime | None]    # 改派 / 撤回 by the coordinators, or the event set aside
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    event: Mapped[Event] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    deadlines: Mapped[list[Deadline]] = relationship(back_populates="assignment")

    @staticmethod
    def key_for(event_id: int, unit_id: int) -> str:
        """The assignment's key: one unit, one row per event (a merge that moves an assignment
        to the kept event keys it the same way)."""
        return f"{event_id}:{unit_id}"


class Deadline(Base):
    __tablename__ = "deadlines"
    # One open row per milestone of an assignment; cancelled ones stay beside it on record.
    __table_args__ = (Index("ux_deadlines_open_milestone", "assignment_id", "milestone", unique=True,
                            sqlite_where=text("cancelled_at IS NULL"), postgresql_where=text("cancelled_at IS NULL")),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(32))
    grade: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime] = mapped_column(index=True)
    met_at: Mapped[datetime | None]
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"))
    # A milestone the event's grade no longer calls for (lowered, set aside as 无关, moved to
    # another unit): kept in the record, no longer reminded or chased.
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    assignment: Mapped[Assignment] = relationship(back_populates="deadlines")


class Response(Base):
    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    link: Mapped[str | None] = mapped_column(Text)
    # Where a 新闻发布会 / 吹风会 / 接受媒体采访 took place when it has no link (0008t).
    place: Mapped[str | None] = mapped_column(String(200))
    responded_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    # The official account's post this response is (the county's own release), if it is one.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), unique=True, index=True)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]]


class LabelledExample(Base):
    """A person's correction of a model's decision, kept for retraining: the post's text with
    the label the analyst gave (kinds: topic, grade, rumor, relevance, sentiment, units). A later
    correction of the same post and kind replaces the label."""

    __tablename__ = "labelled_examples"
    __table_args__ = (UniqueConstraint("post_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(64))
    previous: Mapped[str | None] = mapped_column(String(64))   # what the model (or triage) had said
    model_version: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class Alert(Base):
    """The outbox: one alert per (event, grade, recipient) — or per reminder, overdue notice or
    escalation — keyed so that re-running any step never creates it twice."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # event | reminder | overdue | escalation
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    grade: Mapped[str | None] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(64), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[int] = mapped_column(Integer, default=0)  # 0 first alert, n = n-th repeat
    payload: Mapped[dict[str, Any]]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    # How it was acknowledged (0008b): through a message's link (``link``, with the channel the
    # message went to when known), ``yuqing ack`` (``cli``) or a unit's 签收/回应/办结 (``work``);
    # from which address; and whether the name is only what the person typed (self-declared).
    acknowledged_via: Mapped[str | None] = mapped_column(String(16))
    acknowledged_channel: Mapped[str | None] = mapped_column(String(64))
    acknowledged_from: Mapped[str | None] = mapped_column(String(64))
    acknowledged_declared: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    deliveries: Mapped[list[AlertDelivery]] = relationship(back_populates="alert")


class AckLink(Base):
    """An acknowledgement code of an alert chain, minted for one message when it is sent (the
    channel it went to is recorded) and stored only as its SHA-256: a copy of the database
    cannot acknowledge anything, and each message's link says which channel it came through.
    A code stops working when its event is closed (办结) or merged into another."""

    __tablename__ = "ack_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str | None] = mapped_column(String(64))  # None: minted before 0008b or for the CLI
    created_at: Mapped[datetime]


class AlertDelivery(Base):
    """One channel target of an alert: retried with backoff until it succeeds, independently of
    the alert's other targets, so a working channel is never sent the same alert twice."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "channel"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | sent
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    alert: Mapped[Alert] = relationship(back_populates="deliveries")


class Report(Base):
    """A report the system produced on its own — a scheduled 舆情日报 / 周报 / 月报 or 考核通报,
    or the 舆情专报 of an event that reached an urgent grade — with its files under the state
    directory and the summary sent with it. The key (``daily:2026-11-27``, ``event:12:重大`` …)
    makes each one once: re-running a schedule never produces or announces it twice."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # daily | weekly | monthly | assessment | event
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(8))
    files: Mapped[dict[str, Any]]  # format -> path of the written file
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)


class PostIndex(Base):
    """The desk's search index of a post, built lazily (``pipeline.search``): the model
    certainty that orders 待复核 (the lower of the topic and grade models' top probability).
    The full-text part is engine-specific and written in SQL: an FTS5 table ``post_fts`` on
    SQLite, a ``tsv tsvector`` column with a GIN index here on PostgreSQL."""

    __tablename__ = "post_index"
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True, autoincrement=False)
    certainty: Mapped[float | None] = mapped_column(Float, index=True)


class Comment(Base):
    """A comment on a post, as collectors of short-video and forum platforms (MediaCrawler) keep
    them: attached to its post (``post_id``, found by the platform id of the note it belongs to;
    NULL until that post is stored), never an item of its own with deadlines. 网民观点 read them."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("platform", "comment_id"),
                      Index("ix_comments_platform_note_id", "platform", "note_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    comment_id: Mapped[str] = mapped_column(String(128))
    note_id: Mapped[str] = mapped_column(String(128))          # the platform id of its post
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    parent_comment_id: Mapped[str | None] = mapped_column(String(128))
    author: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_precision: Mapped[str | None] = mapped_column(String(8))
    likes: Mapped[int | None] = mapped_column(BigInteger)
    replies: Mapped[int | None] = mapped_column(BigInteger)
    ip_location: Mapped[str | None] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]]
    first_seen_at: Mapped[datetime]


class ImportedFile(Base):
    """A file a ``folder`` source (or ``yuqing ingest``) has read, by its content: a file seen
    again unchanged (same size and modification time, or the same SHA-256) is not read again."""

    __tablename__ = "imported_files"
    __table_args__ = (UniqueConstraint("source", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime]
    posts: Mapped[int] = mapped_column(Integer)
    comments: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
