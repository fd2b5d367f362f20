"""The desk's full-text search over the tokens the classifiers use (rjieba with the project's
user dictionary): an FTS5 table on SQLite, a ``tsvector`` with a GIN index on PostgreSQL.

The index is built lazily (``ensure_indexed``, run before the desk reads): triage stays as
fast as before, and the first search after a batch indexes the batch's new posts (rjieba cuts
about ten million characters a second). Each indexed post also gets its model certainty, the
order of 待复核.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, column, func, select, text
from sqlalchemy.orm import Session

from classifiers.tokenize import Tokenizer
from pipeline.storage import store
from pipeline.storage.models import Classification, Post, PostIndex

INDEX_CHUNK = 2000
MAX_QUERY_TERMS = 12


def terms(tokens: list[str]) -> list[str]:
    """Index terms: words and numbers (punctuation and spaces dropped), case-folded, unique."""
    return list(dict.fromkeys(t.strip().lower() for t in tokens if any(c.isalnum() for c in t)))


def _certainties(session: Session, post_ids: list[int]) -> dict[int, float]:
    """The lower of the topic and grade models' top probability, per post."""
    found: dict[int, float] = {}
    stmt = select(Classification.post_id, Classification.scores).where(
        Classification.post_id.in_(post_ids), Classification.model.in_(("topic", "grade")))
    for row in session.execute(stmt):
        pid, scores = int(row[0]), dict(row[1] or {})
        top = max((float(v) for v in scores.values()), default=None)
        if top is not None:
            found[pid] = min(found.get(pid, 1.0), top)
    return found


def ensure_indexed(session: Session, tokenizer: Tokenizer) -> int:
    """Index every post not indexed yet; returns how many. Concurrent callers skip the posts
    another one indexed first."""
    done = 0
    while True:
        last = session.scalar(select(func.max(PostIndex.post_id))) or 0
        rows = session.execute(select(Post.id, Post.title, Post.text).where(Post.id > last)
                               .order_by(Post.id).limit(INDEX_CHUNK)).all()
        if not rows:
            return done
        sure = _certainties(session, [r.id for r in rows])
        records = [{"post_id": r.id, "certainty": sure.get(r.id),
                    "tokens": terms(tokenizer.search_terms(f"{r.title or ''} {r.text}"))} for r in rows]
        _write(session, records)
        done += len(records)


def _write(session: Session, records: list[dict[str, Any]]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("INSERT INTO post_index (post_id, certainty, tsv) VALUES "
                             "(:post_id, :certainty, array_to_tsvector(CAST(:tokens AS text[]))) "
                             "ON CONFLICT (post_id) DO NOTHING"), records)
        return
    stmt = store.insert_ignoring_conflicts(session, PostIndex.__table__, ["post_id"]).returning(
        PostIndex.__table__.c.post_id)
    added: set[int] = set(session.execute(stmt, [{"post_id": r["post_id"], "certainty": r["certainty"]} for r in records],
                                ).scalars().all())
    fts = [{"id": r["post_id"], "tokens": " ".join(r["tokens"])} for r in records if r["post_id"] in added]
    if fts:
        session.execute(text("INSERT INTO post_fts (rowid, tokens) VALUES (:id, :tokens)"), fts)


def matching_posts(session: Session, tokenizer: Tokenizer, query: str) -> Any | None:
    """A subquery of the ids of posts holding every word of ``query`` (None: nothing to match)."""
    words = terms(tokenizer.cut(query))[:MAX_QUERY_TERMS]
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        tsq = " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in words)
        return (text("SELECT post_id FROM post_index WHERE tsv @@ CAST(:tsq AS tsquery)")
                .bindparams(tsq=tsq).columns(column("post_id", Integer)))
    fts = " ".join('"' + w.replace('"', '""') + '"' for w in words)
    # The contentless index cannot forget a post's words without them (a retention purge removed
    # the text): posts whose text was purged are left out here instead (their tsv is cleared on
    # PostgreSQL).
    return (text("SELECT rowid FROM post_fts WHERE post_fts MATCH :fts AND NOT EXISTS "
                 "(SELECT 1 FROM posts WHERE posts.id = post_fts.rowid AND posts.purged = 'text')")
            .bindparams(fts=fts).columns(column("rowid", Integer)))
