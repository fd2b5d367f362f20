"""Replies on message boards as responses (RULES.md §4): one state change, recording that the
unit a board names answered a message, as its 网络问政回复 at the reply time.

A message stored as a post (platform ``message_board``, or ``hotline`` for 12345 work orders)
whose board fields carry a reply by one of the county's units gets one response, tied to the
post: a later collection that finds the status changed (办理中 → 已办理, a reply added or
amended) updates that response and the post's board fields, never adds a second one. The reply
meets the event's fitting milestones when its unit owns or co-owns the event
(``pipeline.actions.releases.meet_by_releases``, as for the county's own releases).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.actions.releases import meet_by_releases
from pipeline.config import Config
from pipeline.normalize import PostInput
from pipeline.rules.boards import BOARD_RESPONSE_KIND, BoardReply, board_reply
from pipeline.storage.models import Post, Response, Unit
from pipeline.vocabulary import SYSTEM_ACTOR

BOARD_FIELDS = ("forum", "type", "domain", "state", "reply_unit", "reply", "reply_at")


def stored_post(session: Session, post: PostInput) -> Post | None:
    """The stored post a validated input is (by platform id and text, else by fingerprint)."""
    if post.platform_id is not None:
        found = session.scalar(select(Post).where(Post.platform == post.platform, Post.platform_id == post.platform_id,
                                                  Post.content_hash == post.content_hash).order_by(Post.id).limit(1))
        if found is not None:
            return found
    return session.scalar(select(Post).where(Post.fingerprint == post.fingerprint))


def _refresh_board(session: Session, stored: Post, board: dict[str, Any], now: Any) -> None:
    """Keep the board's latest fields on the post (its status above all), audited when it changes."""
    before = (stored.raw or {}).get("board") or {}
    after = {k: board.get(k) for k in BOARD_FIELDS}
    if {k: before.get(k) for k in BOARD_FIELDS} != after:
        stored.raw = {**(stored.raw or {}), "board": after}  # reassigned: JSON is not mutated in place
        if before:
            audit(session, now, SYSTEM_ACTOR, "board_state", "event", stored.event_id, before=before.get("state"),
                  after=after.get("state"), post_id=stored.id)


def _record(session: Session, stored: Post, reply: BoardReply, unit_id: int, label: str, now: Any) -> bool:
    """Add or update the post's response; True when anything changed."""
    at = reply.at or now
    existing = session.scalar(select(Response).where(Response.post_id == stored.id))
    if existing is None:
        session.add(Response(event_id=stored.event_id, unit_id=unit_id, kind=BOARD_RESPONSE_KIND, link=stored.url,
                             responded_at=at, recorded_at=now, recorded_by=label[:64], post_id=stored.id))
        audit(session, now, SYSTEM_ACTOR, "board_reply", "event", stored.event_id, after=BOARD_RESPONSE_KIND,
              unit=reply.unit, post_id=stored.id)
        return True
    if (existing.unit_id, existing.responded_at, existing.event_id) == (unit_id, at, stored.event_id):
        return False
    audit(session, now, SYSTEM_ACTOR, "board_reply_updated", "event", stored.event_id,
          before=existing.responded_at.isoformat(), after=at.isoformat(), unit=reply.unit, post_id=stored.id)
    existing.unit_id, existing.responded_at, existing.event_id = unit_id, at, stored.event_id
    return True


def record_board_replies(session: Session, cfg: Config, posts: list[PostInput], now: Any) -> int:
    """Record (or update) the reply each board message carries as its unit's response, then
    meet what those replies answer. Posts without board fields are left alone; returns how
    many responses were added or changed."""
    units = {name: uid for name, uid in session.execute(select(Unit.name, Unit.id))}
    events: set[int] = set()
    for post in posts:
        board = post.raw.get("board")
        if not isinstance(board, dict):
            continue
        stored = stored_post(session, post)
        if stored is None:
            continue
        _refresh_board(session, stored, board, now)
        reply = board_reply(board, cfg, now)
        if reply is None or reply.unit not in units:
            continue
        label = f"{board.get('forum') or post.source or '留言板'}（{'热线答复' if post.platform == 'hotline' else '留言板回复'}）"
        if _record(session, stored, reply, units[reply.unit], label, now):
            events.add(stored.event_id)
    session.flush()
    meet_by_releases(session, cfg, sorted(events), now)
    return len(events)
