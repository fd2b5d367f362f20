"""The one order in which open events need attention (issue 19): the desk, the board, a unit's
inbox and the first screen all sort by it; their other orders stay as choices.

An event's place in the order, most urgent first:

1. its grade (特别重大 before 重大 before 较大 before 一般; no grade last);
2. within a grade, an overdue milestone first (the longest overdue first);
3. then an event no unit owns (returned, waiting for 改派);
4. then an event rising fast (快速升温);
5. then a rumour nobody has answered yet;
6. then the time left to its next milestone (least first; none last).

Pure: the facts and the clock are passed in; ``now`` must be timezone-aware."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from pipeline.rules.deadlines import past_due
from pipeline.vocabulary import GRADES


@dataclass(frozen=True)
class Urgency:
    """What the order reads of one open event."""

    grade: str | None
    due_at: datetime | None = None   # the owner's next unmet milestone, if any
    unowned: bool = False            # returned, or no unit holds it as 牵头
    rising: bool = False             # 快速升温 (pipeline.queries.rising)
    unanswered_rumour: bool = False  # a rumour without any recorded response


UrgencyKey = tuple[int, bool, bool, bool, bool, float]


def _aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _overdue(u: Urgency, now: datetime) -> bool:
    return u.due_at is not None and past_due(u.due_at, now)


def urgency_key(u: Urgency, now: datetime) -> UrgencyKey:
    """A sort key: ``sorted(events, key=lambda e: urgency_key(e, now))`` puts the most urgent first."""
    _aware(now)
    rank = GRADES.index(u.grade) if u.grade in GRADES else len(GRADES)
    left = (u.due_at - now).total_seconds() if u.due_at is not None else math.inf
    return rank, not _overdue(u, now), not u.unowned, not u.rising, not u.unanswered_rumour, left


def urgency_reasons(u: Urgency, now: datetime) -> list[str]:
    """Why the event stands high, in the order's own words (Chinese, for pages and reports)."""
    _aware(now)
    reasons = ["时限已超"] if _overdue(u, now) else []
    flags = ((u.unowned, "无牵头单位（待改派）"), (u.rising, "快速升温"), (u.unanswered_rumour, "谣言未回应"))
    return reasons + [text for flag, text in flags if flag]
