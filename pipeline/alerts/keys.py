"""The keys of alerts and of the messages that carry them, each built by one function.

An alert's key (``alerts.key``, unique) is what makes writing it idempotent: re-running any step
that plans an alert finds the key and adds nothing. Whatever moves an alert must build its key
the same way the plan does, or the plan's next pass would not recognise it (a merge carrying an
alert over to the kept event, for one). A message group is what one channel message covers:
every due delivery on one channel about one event (a delivery about no event is a group of its
own); its send key lets a channel drop a repeated send of the same message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def event_alert(event_id: int, grade: str | None, recipient: str) -> str:
    """The first alert about an event at a grade, to one recipient (RULES.md §5)."""
    return f"event:{event_id}:{grade}:{recipient}"


def scheme_alert(event_id: int, scheme: str) -> str:
    """A monitoring scheme's instant alert: one per event and scheme."""
    return f"scheme:{event_id}:{scheme}"


def reminder(deadline_id: int, share: float) -> str:
    """A reminder at one share of a milestone's window."""
    return f"reminder:{deadline_id}:{share:g}"


def overdue(deadline_id: int, recipient: str) -> str:
    """The overdue notice of a milestone, to one recipient."""
    return f"overdue:{deadline_id}:{recipient}"


def repeat(alert_id: int, level: int, recipient: str) -> str:
    """An unacknowledged alert repeated at one step of the escalation ladder."""
    return f"escalation:{alert_id}:{level}:{recipient}"


def escalation_notice(event_id: int, grade: str | None, level: int, recipient: str) -> str:
    """Telling a coordinator or leadership, at one ladder step, who has not acknowledged."""
    return f"escalation:{event_id}:{grade}:{level}:{recipient}"


def rising(event_id: int, level: int, recipient: str) -> str:
    """快速升温 at one level, to one recipient."""
    return f"rising:{event_id}:{level}:{recipient}"


def release_gap(event_id: int, release_id: int, owner: str) -> str:
    """持续发布: once per gap, keyed by the release it follows."""
    return f"release_gap:{event_id}:{release_id}:{owner}"


def returned(assignment_id: int, at: str, recipient: str) -> str:
    """An assignment a unit handed back, told to one coordinator (``at``: when, ISO)."""
    return f"returned:{assignment_id}:{at}:{recipient}"


def source_health(source_id: int, health: str, at: str) -> str:
    """A source whose health changed (``at``: when, ISO)."""
    return f"source:{source_id}:{health}:{at}"


def report(record_key: str, recipient: str) -> str:
    """A generated report sent to one recipient."""
    return f"report:{record_key}:{recipient}"


def message_group(channel: str, event_id: int | None, delivery_id: int) -> str:
    """The message a delivery goes out in: one per channel and event; a delivery about no event
    is a message of its own."""
    return f"{channel}:{event_id if event_id is not None else f'd{delivery_id}'}"


def message_send_key(channel: str, alert_keys: Iterable[str]) -> str:
    """A channel's idempotency key for one message: the same alerts give the same key."""
    return f"{channel}:" + hashlib.sha256("+".join(sorted(alert_keys)).encode()).hexdigest()[:32]
