"""What every action shares: its error (a Chinese message for the person who acted), the
audit entry (who, when, what, before → after, why), the labelled example a correction of a
model's decision leaves for retraining, and looking up what an action is about."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import AuditLog, Classification, Event, LabelledExample, Post, Unit
from pipeline.storage.store import unit_hint, unit_named, upsert

NAME_MAX = 64        # actor and unit name columns
EXAMPLES_PER_EVENT = 20  # distinct posts of one event kept as examples of one correction


class ActionError(ValueError):
    """An action that cannot be taken; the message, in Chinese, says why."""


def actor_name(raw: str | None) -> str:
    """Who acts, as recorded: never empty, never control characters, at most 64 characters."""
    name = (raw or "").strip()
    if not name:
        raise ActionError("请填写操作人姓名")
    if len(name) > NAME_MAX:
        raise ActionError(f"操作人姓名不能超过 {NAME_MAX} 个字")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise ActionError("操作人姓名含有无效字符")
    return name


def reason_text(raw: str | None, what: str = "理由") -> str:
    text = (raw or "").strip()
    if not text:
        raise ActionError(f"请填写{what}")
    if len(text) > 2000:
        raise ActionError(f"{what}不能超过 2000 个字")
    return text


def event_or_fail(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise ActionError(f"没有编号为 {event_id} 的事件")
    return event


def unit_or_fail(session: Session, name: str) -> Unit:
    if not name.strip():
        raise ActionError("请选择单位")
    unit = unit_named(session, name)
    if unit is None:
        raise ActionError(f"没有名为“{name}”的单位{unit_hint(session, name)}")
    return unit


def audit(session: Session, at: datetime, actor: str, action: str, entity: str, entity_id: int | None, *,
          before: Any = None, after: Any = None, reason: str | None = None, **extra: Any) -> None:
    """One audit entry: who, when, what, before → after, why."""
    detail = {"before": before, "after": after, "reason": reason, **extra}
    session.add(AuditLog(at=at, actor=actor, action=action, entity=entity, entity_id=entity_id, detail=detail))


def record_examples(session: Session, event_id: int, kind: str, label: str, actor: str, reason: str,
                    at: datetime) -> int:
    """Keep the event's posts (one per distinct text, at most ``EXAMPLES_PER_EVENT``) with the
    label a person gave them; the model's own label and version are kept beside it. A later
    correction of the same post and kind replaces the earlier one. Returns how many were kept."""
    model = {"topic": "topic", "grade": "grade", "rumor": "rumor", "relevance": "topic", "sentiment": "sentiment"}.get(kind)
    stmt = select(Post.id, Post.text, Post.content_hash).where(Post.event_id == event_id).order_by(Post.id)
    chosen: dict[str, tuple[int, str]] = {}
    for pid, text, digest in session.execute(stmt):
        if digest not in chosen and len(chosen) < EXAMPLES_PER_EVENT:
            chosen[digest] = (pid, text)
    if not chosen:
        return 0
    said = _model_labels(session, [pid for pid, _ in chosen.values()], model)
    rows = [{"post_id": pid, "event_id": event_id, "kind": kind, "label": label,
             "previous": said.get(pid, (None, None))[0], "model_version": said.get(pid, (None, None))[1],
             "text": text, "actor": actor, "reason": reason, "at": at} for pid, text in chosen.values()]
    upsert(session, LabelledExample.__table__, rows, ["post_id", "kind"],
           ["event_id", "label", "actor", "reason", "at"])
    return len(rows)


def _model_labels(session: Session, post_ids: list[int], model: str | None) -> dict[int, tuple[str | None, str]]:
    if model is None:
        return {}
    stmt = select(Classification.post_id, Classification.label, Classification.version).where(
        Classification.post_id.in_(post_ids), Classification.model == model)
    return {pid: (label, version) for pid, label, version in session.execute(stmt)}
