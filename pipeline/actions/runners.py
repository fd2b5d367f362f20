"""Running the actions of the catalog (``pipeline.catalog``): for each action's name, the
function of ``pipeline.actions`` that carries it out with the typed body as it came, who acts
and when. The catalog defines the actions; this module is where they touch the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipeline.actions.events import regrade, set_relevance, set_rumor, set_sentiment, set_topic
from pipeline.actions.merging import merge_events, split_event
from pipeline.actions.units import assign_unit, reassign, unassign_unit
from pipeline.actions.work import accept, close_item, record_response, return_item
from pipeline.catalog import (
    Actor,
    AssignBody,
    CloseBody,
    GradeBody,
    MergeBody,
    Reasoned,
    RelevanceBody,
    RespondBody,
    RumorBody,
    SentimentBody,
    SplitBody,
    TopicBody,
    UnitBody,
)
from pipeline.config import Config

Run = Callable[["Session", "Config", int, Any, Actor, datetime], Any]


def _grade(s: Session, cfg: Config, event_id: int, body: GradeBody, who: Actor, now: datetime) -> Any:
    return regrade(s, cfg, event_id, body.grade, reason=body.reason, actor=who.name, now=now)


def _topic(s: Session, cfg: Config, event_id: int, body: TopicBody, who: Actor, now: datetime) -> Any:
    return set_topic(s, cfg, event_id, body.topic, reason=body.reason, actor=who.name, now=now)


def _relevance(s: Session, cfg: Config, event_id: int, body: RelevanceBody, who: Actor, now: datetime) -> Any:
    return set_relevance(s, cfg, event_id, body.relevant, reason=body.reason, actor=who.name, now=now,
                         topic=body.topic or None)


def _rumor(s: Session, cfg: Config, event_id: int, body: RumorBody, who: Actor, now: datetime) -> Any:
    return set_rumor(s, cfg, event_id, body.rumor, reason=body.reason, actor=who.name, now=now)


def _sentiment(s: Session, cfg: Config, event_id: int, body: SentimentBody, who: Actor, now: datetime) -> Any:
    return set_sentiment(s, cfg, event_id, body.sentiment, reason=body.reason, actor=who.name, now=now)


def _merge(s: Session, cfg: Config, event_id: int, body: MergeBody, who: Actor, now: datetime) -> Any:
    return merge_events(s, cfg, event_id, list(body.with_events), reason=body.reason, actor=who.name, now=now)


def _split(s: Session, cfg: Config, event_id: int, body: SplitBody, who: Actor, now: datetime) -> Any:
    return split_event(s, cfg, event_id, list(body.posts), reason=body.reason, actor=who.name, now=now)


def _reassign(s: Session, cfg: Config, event_id: int, body: UnitBody, who: Actor, now: datetime) -> Any:
    return reassign(s, cfg, event_id, body.unit, reason=body.reason, actor=who.name, now=now)


def _assign(s: Session, cfg: Config, event_id: int, body: AssignBody, who: Actor, now: datetime) -> Any:
    return assign_unit(s, cfg, event_id, body.unit, body.role, reason=body.reason, actor=who.name, now=now)


def _unassign(s: Session, cfg: Config, event_id: int, body: UnitBody, who: Actor, now: datetime) -> Any:
    return unassign_unit(s, cfg, event_id, body.unit, reason=body.reason, actor=who.name, now=now)


def _accept(s: Session, cfg: Config, event_id: int, body: None, who: Actor, now: datetime) -> Any:
    return accept(s, cfg, event_id, who.unit or "", actor=who.name, now=now)


def _return(s: Session, cfg: Config, event_id: int, body: Reasoned, who: Actor, now: datetime) -> Any:
    return return_item(s, cfg, event_id, who.unit or "", reason=body.reason, actor=who.name, now=now)


def _respond(s: Session, cfg: Config, event_id: int, body: RespondBody, who: Actor, now: datetime) -> Any:
    return record_response(s, cfg, event_id, who.unit or "", body.kind, link=body.link, place=body.place,
                           at=body.at or now, actor=who.name, now=now)


def _close(s: Session, cfg: Config, event_id: int, body: CloseBody, who: Actor, now: datetime) -> Any:
    return close_item(s, cfg, event_id, who.unit or "", actor=who.name, now=now, note=body.note or None)


RUNNERS: dict[str, Run] = {
    "grade": _grade,
    "topic": _topic,
    "relevance": _relevance,
    "rumor": _rumor,
    "sentiment": _sentiment,
    "merge": _merge,
    "split": _split,
    "reassign": _reassign,
    "assign": _assign,
    "unassign": _unassign,
    "accept": _accept,
    "return": _return,
    "respond": _respond,
    "close": _close,
}


def run_action(session: Session, name: str, cfg: Config, event_id: int, body: Any, who: Actor, now: datetime) -> Any:
    """Carry out the catalog's action ``name`` on an event (the page's, the API's and the command
    line's way alike)."""
    return RUNNERS[name](session, cfg, event_id, body, who, now)
