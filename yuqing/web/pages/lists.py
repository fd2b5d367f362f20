"""A unit's inbox (待办), the coordinators' board (督办) with the 考核 figures, and the
overview (概览) with its charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pipeline.auth import Principal
from pipeline.queries.assessment import assessment_figures, span
from pipeline.queries.overview import overview
from pipeline.queries.releases import release_board
from pipeline.queries.work import open_work
from pipeline.vocabulary import GRADES, HEALTH_NAMES, MILESTONES
from yuqing.web import security
from yuqing.web.charts import GRADE_COLOURS, horizontal_bars, stacked_days
from yuqing.web.pages.desk import day_range, query_of
from yuqing.web.render import page

router = APIRouter()


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: Annotated[Principal, Depends(security.require("inbox"))]) -> HTMLResponse:
    result = security.runtime(request).read(open_work, security.now(request), who.unit_id or -1,
                                            security.page_number(request))
    return page(request, "inbox.html", title=f"{who.unit_name or ''}待办", who=who, result=result, query=query_of({}))


@router.get("/board", response_class=HTMLResponse)
def board(request: Request, who: Annotated[Principal, Depends(security.require("board"))]) -> HTMLResponse:
    rt, now = security.runtime(request), security.now(request)
    since_raw, until_raw = request.query_params.get("since", ""), request.query_params.get("until", "")
    result = rt.read(open_work, now, None, security.page_number(request))
    figures = rt.read(assessment_figures, span(*day_range(since_raw, until_raw), now), now).units
    releases = rt.read(release_board, rt.cfg.policy.release_gap, now)
    kept = {k: v for k, v in (("since", since_raw), ("until", until_raw)) if v}
    return page(request, "board.html", title="督办", who=who, result=result, figures=figures, milestones=MILESTONES,
                releases=releases, release_hours=rt.cfg.policy.release_gap.hours,
                since=since_raw[:10], until=until_raw[:10], query=query_of(kept))


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, who: Annotated[Principal, Depends(security.require("overview"))]) -> HTMLResponse:
    data = security.runtime(request).read(overview, security.now(request))
    grades = {g: data.events_by_grade[g] for g in GRADES if g in data.events_by_grade}
    charts = {"topics": stacked_days(data.days, data.posts_by_topic),
              "grades": stacked_days(data.days, grades, GRADE_COLOURS),
              "units": horizontal_bars(data.open_by_unit)}
    return page(request, "overview.html", title="概览", who=who, data=data, charts=charts, health_names=HEALTH_NAMES)
