"""Weibo keyword search in time windows, so that the search page cap never silently loses posts.

m.weibo.cn's search (``container/getIndex?containerid=100103type=…&q=…``) serves a limited
number of pages per query (about 50; ``Source.max_pages`` here). A busy keyword over a day has
more results than that, and what lies past the cap is simply not served. So a search source is
collected window by window: each run covers ``[start, end)`` from where the previous run's
complete coverage ended (with an overlap, because posts reach the search index late). A window
whose results do not fit in the page cap is split in two, down to one hour (the resolution of
Weibo's ``timescope=custom:YYYY-MM-DD-H:YYYY-MM-DD-H`` parameter); a one-hour window that still
does not fit is collected up to the cap and reported as *truncated* — a coverage gap that triage
output shows, never a silent loss.

All functions are pure; times are timezone-aware and windows are aligned to whole hours in
Asia/Shanghai, as Weibo's parameter is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pipeline.timeparse import SHANGHAI, span_label

SEARCH_CONTAINER_PREFIX = "100103"
HOUR = timedelta(hours=1)


@dataclass(frozen=True, order=True)
class Window:
    """A half-open search window ``[start, end)`` on whole hours (Asia/Shanghai)."""

    start: datetime
    end: datetime

    @property
    def splittable(self) -> bool:
        return self.end - self.start > HOUR

    def halves(self) -> tuple[Window, Window]:
        """Two windows on an hour boundary near the middle (only for a splittable window)."""
        hours = int((self.end - self.start) / HOUR)
        middle = self.start + HOUR * (hours // 2)
        return Window(self.start, middle), Window(middle, self.end)

    def label(self) -> str:
        """``11-28 08:00–11-28 12:00`` for messages."""
        return span_label(self.start, self.end)


def floor_hour(moment: datetime) -> datetime:
    local = moment.astimezone(SHANGHAI)
    return local.replace(minute=0, second=0, microsecond=0)


def ceil_hour(moment: datetime) -> datetime:
    floor = floor_hour(moment)
    return floor if floor == moment.astimezone(SHANGHAI) else floor + HOUR


def plan_window(now: datetime, covered_until: datetime | None, *, lookback_hours: float,
                overlap_hours: float) -> Window:
    """The window a run should search: from the end of the last complete coverage (less the
    overlap), or ``lookback_hours`` back on a first run, to ``now`` rounded up to the hour.
    An outage longer than the look-back is not searched further back than ``lookback_hours``:
    what lies before is reported as a gap by source health, not fetched forever."""
    end = ceil_hour(now)
    earliest = floor_hour(now - timedelta(hours=lookback_hours))
    start = earliest if covered_until is None else floor_hour(covered_until - timedelta(hours=overlap_hours))
    start = max(start, earliest)
    return Window(start, max(end, start + HOUR))


def is_search_url(url: str) -> bool:
    """An m.weibo.cn ``getIndex`` URL whose ``containerid`` is a keyword search."""
    containerid = dict(parse_qsl(urlsplit(url).query)).get("containerid", "")
    return containerid.startswith(SEARCH_CONTAINER_PREFIX)


def _timescope(window: Window) -> str:
    start, end = window.start.astimezone(SHANGHAI), window.end.astimezone(SHANGHAI)
    return f"custom:{start:%Y-%m-%d}-{start.hour}:{end:%Y-%m-%d}-{end.hour}"


def parse_timescope(value: str) -> Window | None:
    """The window of a ``custom:YYYY-MM-DD-H:YYYY-MM-DD-H`` value (None if it is not one)."""
    if not value.startswith("custom:"):
        return None
    try:
        bounds = [datetime.strptime(part, "%Y-%m-%d-%H").replace(tzinfo=SHANGHAI)
                  for part in value.removeprefix("custom:").split(":")]
    except ValueError:
        return None
    return Window(bounds[0], bounds[1]) if len(bounds) == 2 and bounds[0] < bounds[1] else None


def _nested(value: str) -> str:
    return value.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


def window_url(url: str, window: Window, page: int = 1) -> str:
    """The search URL restricted to ``window`` (inside the containerid, as Weibo's search reads
    it) at ``page``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    container = dict(parse_qsl(query.get("containerid", ""), keep_blank_values=True))
    container["timescope"] = _timescope(window)
    # Weibo nests the search query unencoded inside containerid (``100103type=1&q=云和``); only
    # the characters that would break that nesting are escaped.
    query["containerid"] = "&".join(f"{k}={_nested(v)}" for k, v in container.items())
    if page > 1:
        query["page"] = str(page)
    else:
        query.pop("page", None)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def fits(total: int | None, per_page: int, page_cap: int) -> bool | None:
    """Whether a window's ``total`` results can all be paged through under the cap (None when
    Weibo did not say how many there are)."""
    if total is None or per_page <= 0:
        return None
    return total <= per_page * page_cap
