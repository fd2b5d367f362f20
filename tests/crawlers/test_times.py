"""The time forms collectors meet, as the ingest path parses them (pipeline.timeparse is reused)."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.articles import normalise_time
from pipeline.timeparse import SHANGHAI, parse_time

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("raw", "expected", "precision"), [
    ("刚刚", NOW, "minute"),
    ("5分钟前", datetime(2026, 11, 28, 9, 55, tzinfo=SHANGHAI), "minute"),
    ("2小时前", datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI), "minute"),
    ("昨天 21:30", datetime(2026, 11, 27, 21, 30, tzinfo=SHANGHAI), "minute"),
    ("11-27", datetime(2026, 11, 27, tzinfo=SHANGHAI), "day"),             # Weibo timeline, this year
    ("12-30", datetime(2025, 12, 30, tzinfo=SHANGHAI), "day"),             # later than today: last year
    ("11月27日", datetime(2026, 11, 27, tzinfo=SHANGHAI), "day"),
    ("2026年11月27日 16:30", datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI), "minute"),
    ("Fri Nov 27 19:42:10 +0800 2026", datetime(2026, 11, 27, 19, 42, 10, tzinfo=SHANGHAI), "second"),
    ("Fri, 27 Nov 2026 18:00:00 +0800", datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI), "second"),  # RSS
    ("2026-11-27", datetime(2026, 11, 27, tzinfo=SHANGHAI), "day"),
])
def test_collector_time_forms(raw: str, expected: datetime, precision: str) -> None:
    parsed, found = parse_time(raw, NOW)
    assert parsed == expected and found == precision and parsed.tzinfo is not None


@pytest.mark.parametrize(("raw", "expected"), [
    ("2019-09-07T13:43:45+08:00", "2019-09-07T13:43:45+08:00"),
    ("2016-11-22 09:53", "2016-11-22T09:53:00+08:00"),
    ("2007-08-20-23:59:59", "2007-08-20"),                  # gov.cn's firstpublishedtime: keep the day only
    ("2019-06-15", "2019-06-15"),
    ("2019年06月15日08:18", "2019-06-15T08:18:00+08:00"),
    ("1581517074", "2020-02-12T22:17:54+08:00"),            # WeChat's ct
    ("发布时间：2026年11月27日 09:05", "2026-11-27T09:05:00+08:00"),
    ("no date here", None),
    ("2026-02-30 10:00", None),
])
def test_page_times_are_normalised_for_ingest(raw: str, expected: str | None) -> None:
    assert normalise_time(raw) == expected
    if expected is not None:
        assert parse_time(expected, NOW)[1] == ("day" if len(expected) == 10 else "second" if expected[17:19] != "00" else "minute")
