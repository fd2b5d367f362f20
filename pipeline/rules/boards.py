"""Replies found on a message board (or in a 12345 work order export): which configured unit
answered, what, and when — the facts ``pipeline.actions.board_replies`` records as that unit's
网络问政回复. Pure functions of the board's fields, the configuration and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.config import Config
from pipeline.rules.releases import account_unit
from pipeline.timeparse import TimeParseError, parse_time

BOARD_RESPONSE_KIND = "网络问政回复"


@dataclass(frozen=True)
class BoardReply:
    """A reply on a board: the configured unit that gave it, its text, and its time when known
    to the minute and not after ``now`` (None: unknown, recorded at the moment it was seen)."""

    unit: str
    text: str
    at: datetime | None


def answering_unit(name: Any, cfg: Config) -> str | None:
    """The configured unit a board names as the replier (县交通运输局, 云和县交通运输局,
    石塘镇人民政府 …), or None when it is none of ours."""
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    if name in cfg.units.departments or name in {t.name for t in cfg.units.townships}:
        return name
    found = account_unit(name, cfg)
    return found[0] if found else None


def reply_time(value: Any, now: datetime) -> datetime | None:
    """The reply's time when it is known to the minute and not later than ``now``."""
    if value in (None, "") or isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        at, precision = parse_time(value, now)
    except TimeParseError:
        return None
    return at if precision in ("minute", "second") and at <= now else None


def board_reply(board: dict[str, Any], cfg: Config, now: datetime) -> BoardReply | None:
    """The reply a board's fields record, or None (no reply yet, or a unit that is not ours)."""
    text = board.get("reply")
    unit = answering_unit(board.get("reply_unit"), cfg)
    if not isinstance(text, str) or not text.strip() or unit is None:
        return None
    return BoardReply(unit, text.strip(), reply_time(board.get("reply_at"), now))
