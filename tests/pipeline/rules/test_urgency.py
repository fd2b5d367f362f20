"""The urgency order (pipeline/rules/urgency.py), pure with the clock passed in: grade first;
within a grade overdue first, then no owner, then rising, then an unanswered rumour, then the
least time left; its reasons in Chinese; a naive clock refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pipeline.rules.urgency import Urgency, urgency_key, urgency_reasons
from pipeline.timeparse import SHANGHAI

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)


def _order(items: dict[str, Urgency], now: datetime = NOW) -> list[str]:
    return sorted(items, key=lambda k: urgency_key(items[k], now))


def test_grade_comes_first_then_overdue_then_unowned_rising_rumour_then_time_left() -> None:
    items = {
        "一般超时": Urgency("一般", NOW - 5 * H),
        "重大剩5小时": Urgency("重大", NOW + 5 * H),
        "特别重大剩20小时": Urgency("特别重大", NOW + 20 * H),
        "较大剩1小时": Urgency("较大", NOW + H),
        "较大剩40小时": Urgency("较大", NOW + 40 * H),
        "较大超时1小时": Urgency("较大", NOW - H),
        "较大超时9小时": Urgency("较大", NOW - 9 * H),
        "较大退回": Urgency("较大", NOW + 30 * H, unowned=True),
        "较大升温": Urgency("较大", NOW + 30 * H, rising=True),
        "较大谣言": Urgency("较大", NOW + 30 * H, unanswered_rumour=True),
        "较大无时限": Urgency("较大", None),
        "无等级": Urgency(None, NOW - 99 * H),
    }
    assert _order(items) == ["特别重大剩20小时", "重大剩5小时", "较大超时9小时", "较大超时1小时", "较大退回", "较大升温",
                             "较大谣言", "较大剩1小时", "较大剩40小时", "较大无时限", "一般超时", "无等级"]


def test_the_clock_decides_what_is_overdue() -> None:
    a, b = Urgency("重大", NOW + 2 * H), Urgency("重大", NOW + 3 * H, unowned=True)
    assert _order({"a": a, "b": b}) == ["b", "a"]                   # neither overdue: the unowned one first
    assert _order({"a": a, "b": b}, NOW + 150 * timedelta(minutes=1)) == ["a", "b"]  # a overdue now
    assert urgency_key(Urgency("一般", NOW), NOW)[1] is False          # due this very minute counts as overdue


def test_reasons_read_in_chinese() -> None:
    u = Urgency("重大", NOW - H, unowned=True, rising=True, unanswered_rumour=True)
    assert urgency_reasons(u, NOW) == ["时限已超", "无牵头单位（待改派）", "快速升温", "谣言未回应"]
    assert urgency_reasons(Urgency("一般", NOW + H), NOW) == []


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError):
        urgency_key(Urgency("一般"), datetime(2026, 12, 6, 10, 0))
