"""The county's own releases as responses (RULES.md §4): one state change, recording that an
official account's post answers its event.

An official account's post (``pipeline.rules.releases``) placed in an event is recorded once as
its unit's response, dated when it was published. It meets the event's fitting milestones
(发布权威信息, 予以回应 …) when its unit owns or co-owns the event — or always, for an account that
speaks for the county (云和发布) — and a 辟谣 thereby answers the rumour. It never creates a task:
triage sets the post aside as the county's own statement, so an event made only of releases has
no owner and no deadline. Milestones set later (a citizen's post joins the statement, the event
is regraded) are met by the releases already recorded, whenever triage touches the event again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.actions.base import audit
from pipeline.config import Config
from pipeline.rules.releases import Release
from pipeline.storage.models import Assignment, Deadline, Post, Response, Unit
from pipeline.vocabulary import MILESTONE_NAMES, SYSTEM_ACTOR

OWNING_ROLES = ("primary", "cooperating")
# Posts whose response is a reply found with them (pipeline.actions.board_replies), not a release.
BOARD_PLATFORMS = ("message_board", "hotline")


@dataclass(frozen=True)
class PlacedRelease:
    """A release triage placed in an event: the stored post, its event, when it was published."""

    post_id: int
    event_id: int
    release: Release
    published_at: datetime


def record_releases(session: Session, placed: list[PlacedRelease], now: datetime) -> None:
    """Record each release as its unit's response (once per post: a re-run records nothing new);
    ``meet_by_releases`` then meets what they answer."""
    if placed:
        units = {name: uid for name, uid in session.execute(select(Unit.name, Unit.id))}
        known = set(session.scalars(select(Response.post_id).where(
            Response.post_id.in_([p.post_id for p in placed]))))
        for p in placed:
            if p.post_id in known or p.release.unit not in units:
                continue
            session.add(Response(event_id=p.event_id, unit_id=units[p.release.unit], kind=p.release.response_kind,
                                 link=None, responded_at=p.published_at, recorded_at=now,
                                 recorded_by=f"{p.release.account}（官方发布）"[:64], post_id=p.post_id))
            audit(session, now, SYSTEM_ACTOR, "own_release", "event", p.event_id, after=p.release.kind,
                  unit=p.release.unit, account=p.release.account, post_id=p.post_id)
        session.flush()


def meet_by_releases(session: Session, cfg: Config, event_ids: list[int], now: datetime) -> int:
    """Meet the open milestones of these events that their recorded releases answer: a release of
    a unit owning or co-owning the event, or of an account speaking for the county, meets the
    milestones its kind fits, at its publication time."""
    if not event_ids:
        return 0
    releases = list(session.execute(
        select(Response, Post.author, Post.platform).join(Post, Post.id == Response.post_id)
        .where(Response.event_id.in_(event_ids)).order_by(Response.responded_at)))
    if not releases:
        return 0
    owners = _owners(session, event_ids)
    open_deadlines = _open_deadlines(session, event_ids)
    met = 0
    for response, author, platform in releases:
        county = (author or "").strip() in cfg.units.county_voice
        if not county and response.unit_id not in owners.get(response.event_id, set()):
            continue
        fits = cfg.policy.response_kinds.get(response.kind, [])
        for d in open_deadlines.get(response.event_id, []):
            if d.met_at is None and d.milestone in fits:
                d.met_at, d.response_id = response.responded_at, response.id
                met += 1
                action = "met_by_board_reply" if platform in BOARD_PLATFORMS else "met_by_own_release"
                audit(session, now, SYSTEM_ACTOR, action, "event", response.event_id,
                      after=MILESTONE_NAMES.get(d.milestone, d.milestone), post_id=response.post_id)
    return met


def _owners(session: Session, event_ids: list[int]) -> dict[int, set[int]]:
    rows = session.execute(select(Assignment.event_id, Assignment.unit_id).where(
        Assignment.event_id.in_(event_ids), Assignment.role.in_(OWNING_ROLES), Assignment.withdrawn_at.is_(None)))
    found: dict[int, set[int]] = {}
    for event_id, unit_id in rows:
        found.setdefault(event_id, set()).add(unit_id)
    return found


def _open_deadlines(session: Session, event_ids: list[int]) -> dict[int, list[Deadline]]:
    rows = session.execute(select(Assignment.event_id, Deadline).join(Assignment, Assignment.id == Deadline.assignment_id)
                           .where(Assignment.event_id.in_(event_ids), Deadline.met_at.is_(None),
                                  Deadline.cancelled_at.is_(None)))
    found: dict[int, list[Deadline]] = {}
    for event_id, deadline in rows:
        found.setdefault(event_id, []).append(deadline)
    return found
