"""The analyst's desk (研判台): the stream of triaged posts with filters and search."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pipeline.auth import Principal
from pipeline.queries.desk import REVIEW_BELOW, DeskFilter, desk_options, desk_page
from pipeline.rules.times import implausible
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import KEY_CATEGORIES, SENTIMENTS
from yuqing.web import security
from yuqing.web.render import page, platform_name

router = APIRouter()
FIELDS = ("q", "grade", "topic", "unit", "status", "platform", "source", "category", "rumor", "relevant", "since",
          "until", "review", "sentiment", "order")
OPTIONS_SECONDS = 300


def _day(raw: str) -> datetime | None:
    """A day typed in a filter; before 2000 or years ahead it is as malformed (a year-1 or
    year-9999 bound cannot even be compared with the stored times)."""
    try:
        day = datetime.combine(date.fromisoformat(raw), datetime.min.time(), SHANGHAI)
    except ValueError:
        return None
    return None if implausible(day, datetime.now(SHANGHAI)) else day


def day_range(since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """"From" and "to" days of a form (YYYY-MM-DD, 北京时间) as a span: the start of the first day
    and the end of the last (the next day's start); a malformed day is ignored, and so are the
    calendar's first and last days (they bound nothing, and moving them to UTC would overflow)."""
    first, last = _day(since), _day(until)
    return (first if first and first.date() > date.min else None,
            last + timedelta(days=1) if last and last.date() < date.max else None)


def _flag(raw: str) -> bool | None:
    return {"1": True, "0": False}.get(raw)


def parse_filter(raw: dict[str, str], page_no: int = 1) -> DeskFilter:
    """The desk's filter from query parameters; unknown or malformed values are ignored."""
    since, until = day_range(raw.get("since", ""), raw.get("until", ""))
    return DeskFilter(
        grade=raw.get("grade") or None, topic=raw.get("topic") or None, unit=raw.get("unit") or None,
        status=raw.get("status") or None, platform=raw.get("platform") or None, source=raw.get("source") or None,
        since=since, until=until,
        category=raw.get("category") if raw.get("category") in KEY_CATEGORIES else None,
        rumor=_flag(raw.get("rumor", "")), relevant=_flag(raw.get("relevant", "")), review=raw.get("review") == "1",
        sentiment=raw.get("sentiment") if raw.get("sentiment") in SENTIMENTS else None,
        q=raw.get("q", "")[:100], order=raw["order"] if raw.get("order") in ("uncertain", "newest") else "urgency",
        page=max(1, min(page_no, 10_000)))


def query_of(raw: dict[str, str]) -> Callable[[int], str]:
    """The URL query of another page of the same list."""
    kept = {k: v for k, v in raw.items() if v and k != "page"}
    return lambda n: urlencode({**kept, "page": n})


def options(request: Request) -> dict[str, list[str]]:
    """The filters' choices, read at most every five minutes (a scan of the posts' platforms)."""
    cache: dict[str, Any] = request.app.state.cache
    # Absent, not "read at time 0": the monotonic clock starts near zero on a freshly booted host.
    if "desk_options" not in cache or cache["desk_options_at"] < time.monotonic() - OPTIONS_SECONDS:
        cache["desk_options"] = security.runtime(request).read(desk_options)
        cache["desk_options_at"] = time.monotonic()
    found: dict[str, list[str]] = cache["desk_options"]
    return found


def raw_query(request: Request) -> dict[str, str]:
    """The filter's parameters; one holding a NUL is malformed, so ignored (PostgreSQL cannot
    even compare it)."""
    given = {k: request.query_params.get(k, "")[:200] for k in FIELDS}
    return {k: v for k, v in given.items() if v and "\x00" not in v}


@router.get("/desk", response_class=HTMLResponse)
def desk(request: Request, who: Annotated[Principal, Depends(security.require("desk"))], rt: security.Rt,
         session: security.Db, now: security.Now) -> HTMLResponse:
    raw = raw_query(request)
    f = parse_filter(raw, security.page_number(request))
    result = desk_page(session, request.app.state.tokenizer, f, now)
    return page(request, "desk.html", title="研判台", who=who, result=result, f=f, raw=raw, options=options(request),
                topics=rt.cfg.relevant_topic_names, categories=KEY_CATEGORIES,
                review_below=REVIEW_BELOW, query=query_of(raw),
                pairs=lambda xs: [(x, x) for x in xs],
                platform_pairs=lambda xs: [(x, platform_name(x)) for x in xs])
