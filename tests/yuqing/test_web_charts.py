"""The overview's charts are readable: text at FONT_PX (≥ 12 px) at their natural size, and a
count axis only ever shows whole numbers (1, 2 or 5 times a power of ten), reaching the top."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise

from yuqing.web.charts import FONT_PX, count_ticks, horizontal_bars, stacked_days


def test_count_ticks_are_whole_numbers_that_cover_the_top() -> None:
    for top in (0, 1, 3, 5, 6, 7, 11, 23, 48, 99, 101, 1234, 98765):
        ticks = count_ticks(top)
        steps = {b - a for a, b in pairwise(ticks)}
        assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6, (top, ticks)
        assert len(steps) == 1 and str(steps.pop()).strip("0") in ("1", "2", "5"), (top, ticks)
    assert count_ticks(3) == [0, 1, 2, 3] and count_ticks(48) == [0, 10, 20, 30, 40, 50]


def test_charts_have_their_natural_size_and_readable_text() -> None:
    days = [date(2026, 12, 1) + timedelta(days=i) for i in range(14)]
    svg = str(stacked_days(days, {"交通运输": [3] * 14, "民政": [1] * 14}))
    assert FONT_PX >= 12 and f'font-size="{FONT_PX}"' in svg and 'width="600"' in svg
    axis = re.findall(r'text-anchor="end" fill="#5f6b7a">([^<]+)</text>', svg)
    assert axis == ["0", "1", "2", "3", "4"]
    bars = str(horizontal_bars([("石塘镇", 3, 1)]))
    assert f'font-size="{FONT_PX}"' in bars and ">3</text>" in bars
