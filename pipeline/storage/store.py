"""Storage functions over one Session: each takes the caller's session and never commits.

Bulk paths use ``insert(...).returning(...)`` so a batch of thousands of posts costs a few
statements on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pipeline.config import Config
from pipeline.storage.models import Assignment, Deadline, Event, Post, Source, Unit

T = TypeVar("T")
CHUNK = 500


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def insert_ignoring_conflicts(session: Session, table: Any, conflict_on: list[str]) -> Any:
    """``INSERT … ON CONFLICT (conflict_on) DO NOTHING`` for the session's database: rows another
    worker inserted meanwhile are skipped instead of failing the whole unit of work."""
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert_for(table).on_conflict_do_nothing(index_elements=conflict_on)


def upsert(session: Session, table: Any, rows: list[dict[str, Any]], conflict_on: list[str], update: list[str]) -> None:
    """``INSERT … ON CONFLICT (conflict_on) DO UPDATE SET update…`` for the session's database."""
    if not rows:
        return
    insert_for = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert_for(table)
    stmt = stmt.on_conflict_do_update(index_elements=conflict_on, set_={c: stmt.excluded[c] for c in update})
    session.connection().execute(stmt, rows)


def seed_units(session: Session, cfg: Config) -> int:
    """Insert the configured units that are not stored yet; returns how many were added.
    Workers starting at once on a fresh database may seed concurrently: conflicts are skipped."""
    have = set(session.scalars(select(Unit.name)))
    rows = [{"name": t.name, "kind": "township"} for t in cfg.units.townships if t.name not in have]
    rows += [{"name": d, "kind": "department"} for d in cfg.units.departments if d not in have]
    if not rows:
        return 0
    stmt = insert_ignoring_conflicts(session, Unit.__table__, ["name"]).returning(Unit.__table__.c.id)
    return len(session.connection().execute(stmt, rows).all())


def unit_ids(session: Session) -> dict[str, int]:
    return {name: uid for uid, name in session.execute(select(Unit.id, Unit.name))}


def ensure_sources(session: Session, keys: Iterable[tuple[str, str]], local: set[str]) -> dict[tuple[str, str], int]:
    wanted = set(keys)
    found: dict[tuple[str, str], int] = {}
    for platform, name, sid in session.execute(select(Source.platform, Source.name, Source.id)):
        if (platform, name) in wanted:
            found[(platform, name)] = sid
    missing = [{"platform": p, "name": n, "local": n in local} for p, n in wanted - set(found)]
    if missing:
        session.execute(insert(Source), missing)
        for platform, name, sid in session.execute(select(Source.platform, Source.name, Source.id)):
            if (platform, name) in wanted:
                found[(platform, name)] = sid
    return found


class StoredIdentity(NamedTuple):
    post_id: int
    platform: str
    platform_id: str | None
    source: str | None
    canonical_url: str | None
    content_hash: str
    fingerprint: str


def identity_candidates(session: Session, ids: Sequence[str], urls: Sequence[str],
                        fingerprints: Sequence[str]) -> list[StoredIdentity]:
    """Stored posts that share a platform id, a canonical URL or a fingerprint with a batch."""
    cols = (Post.id, Post.platform, Post.platform_id, Source.name, Post.canonical_url, Post.content_hash,
            Post.fingerprint)
    found: dict[int, StoredIdentity] = {}
    for column, values in ((Post.platform_id, ids), (Post.canonical_url, urls), (Post.fingerprint, fingerprints)):
        for part in chunks(sorted(set(values))):
            stmt = select(*cols).outerjoin(Source, Source.id == Post.source_id).where(column.in_(part))
            for row in session.execute(stmt):
                found[row[0]] = StoredIdentity(*row)
    return list(found.values())


def follow_incident(session: Session, event_ids: Sequence[int], not_local: str) -> None:
    """Relevance follows the incident: posts of these events (about 云和) set aside only for
    naming no 云和 place (``not_local``, the reason they were given) are about 云和 after all."""
    if event_ids:
        session.execute(update(Post).where(Post.event_id.in_(list(event_ids)), Post.irrelevant_reason == not_local)
                        .values(relevant=True, irrelevant_reason=None))


def load_events(session: Session, ids: Iterable[int]) -> dict[int, Event]:
    out: dict[int, Event] = {}
    for part in chunks(sorted(set(ids))):
        for ev in session.scalars(select(Event).where(Event.id.in_(part))):
            out[ev.id] = ev
    return out


def insert_returning_keyed(session: Session, model: Any, rows: list[dict[str, Any]], key: str) -> dict[Any, int]:
    """Insert rows and map each row's unique ``key`` value to its new id.

    RETURNING rows come back unordered in batched mode; asking for them in parameter order
    makes SQLite fall back to one INSERT per row, so rows are matched by a unique column.
    """
    out: dict[Any, int] = {}
    table = model.__table__
    # Core, not ORM: the ORM's bulk INSERT..RETURNING always requests parameter order.
    stmt = insert(table).returning(table.c.id, table.c[key])
    conn = session.connection()
    for part in chunks(rows, 2000):
        for row_id, value in conn.execute(stmt, list(part)):
            out[value] = cast(int, row_id)
    return out


def bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    conn = session.connection()
    for part in chunks(rows, 5000):
        conn.execute(insert(model.__table__), list(part))


def bulk_update(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Update rows by primary key (each dict carries ``id``)."""
    if rows:
        session.execute(update(model), rows)


class AssignmentState(NamedTuple):
    """One stored assignment, as the decision code needs it (plain values, no ORM object)."""

    id: int
    event_id: int
    unit_id: int
    unit: str
    role: str
    status: str
    dispatched_at: datetime | None
    accepted_at: datetime | None
    withdraw_reason: str | None


class DeadlineState(NamedTuple):
    id: int
    assignment_id: int
    milestone: str
    grade: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None


def assignments_of(session: Session, event_ids: Iterable[int]) -> dict[int, list[AssignmentState]]:
    """Every assignment of these events, in creation order, any state."""
    out: dict[int, list[AssignmentState]] = {}
    for part in chunks(sorted(set(event_ids))):
        stmt = (select(Assignment.id, Assignment.event_id, Assignment.unit_id, Unit.name, Assignment.role,
                       Assignment.status, Assignment.dispatched_at, Assignment.accepted_at, Assignment.withdraw_reason)
                .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id.in_(part)).order_by(Assignment.id))
        for row in session.execute(stmt):
            out.setdefault(row.event_id, []).append(AssignmentState(*row))
    return out


def open_deadlines_of(session: Session, assignment_ids: Iterable[int]) -> dict[int, list[DeadlineState]]:
    """Deadlines of these assignments that are not cancelled (met ones included)."""
    out: dict[int, list[DeadlineState]] = {}
    for part in chunks(sorted(set(assignment_ids))):
        stmt = (select(Deadline.id, Deadline.assignment_id, Deadline.milestone, Deadline.grade, Deadline.started_at,
                       Deadline.due_at, Deadline.met_at)
                .where(Deadline.assignment_id.in_(part), Deadline.cancelled_at.is_(None)).order_by(Deadline.id))
        for row in session.execute(stmt):
            out.setdefault(row.assignment_id, []).append(DeadlineState(*row))
    return out


def unit_named(session: Session, name: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.name == name))


def unit_hint(session: Session, name: str) -> str:
    """"，是否指：…" with the configured unit names closest to a mistyped one ("" when none)."""
    import difflib

    names = list(session.scalars(select(Unit.name)))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3) or [n for n in names if name in n][:3]
    return f"，是否指：{'、'.join(close)}" if close else ""
