"""Retention of personal data (``data/config/retention.yaml``): from the periods and the clock,
the moments before which posts are purged, and what a purge writes over a post's fields. Pure:
the clock is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipeline.config import RetentionConfig

# What a purged text reads (the column keeps a value: every reader expects a text).
REMOVED_TEXT = "〔已按保存期限删除〕"
# Purge levels, as county readers name them; ``text`` includes ``personal``.
PURGE_NAMES = {"personal": "已清除个人信息", "text": "已删除正文与个人信息"}


@dataclass(frozen=True)
class Cutoffs:
    """Posts set aside as 无关 collected before ``irrelevant``, and posts of events closed by
    every unit before ``closed``, are due."""

    irrelevant: datetime
    closed: datetime


def cutoffs(cfg: RetentionConfig, now: datetime) -> Cutoffs:
    if now.tzinfo is None:
        raise ValueError("naive datetime given as the clock")
    return Cutoffs(now - timedelta(days=cfg.irrelevant_post_days), now - timedelta(days=cfg.closed_event_days))


def cleared(level: str) -> dict[str, Any]:
    """The post's fields a purge of ``level`` writes: personal fields (author or nickname, the
    links that name an account, the raw record with user ids and IP属地) always; title and
    text too at ``text``. Hashes that recognise a repost as a copy stay."""
    values: dict[str, Any] = {"author": None, "url": None, "canonical_url": None, "raw": {}, "purged": level}
    if level == "text":
        values.update(title=None, text=REMOVED_TEXT)
    elif level != "personal":
        raise ValueError(f"unknown purge level {level!r}")
    return values
