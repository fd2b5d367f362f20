"""A unit's inbox (待办) and its finished items (已办结), the coordinators' board (督办) with the
考核 figures, and the first screen (概览): what needs attention now, then the charts. The lists
default to the urgency order; earliest deadline first is the other choice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pipeline.auth import Principal
from pipeline.catalog import ACTIONS
from pipeline.queries.assessment import assessment_figures, span
from pipeline.queries.attention import attention
from pipeline.queries.overview import overview
from pipeline.queries.releases import release_board
from pipeline.queries.work import ORDERS, closed_work, open_work
from pipeline.vocabulary import GRADES, HEALTH_NAMES, MILESTONES
from yuqing.web import security
from yuqing.web.charts import GRADE_COLOURS, horizontal_bars, stacked_days
from yuqing.web.pages.desk import day_range, query_of
from yuqing.web.render import page

router = APIRouter()
CARD_ACTIONS = ("accept", "respond", "return")  # the inbox cards' buttons (pipeline.catalog)


def _order(request: Request) -> dict[str, str]:
    """The list's order as chosen (kept in the pager's links); the urgency order when none."""
    chosen = request.query_params.get("order", "")
    return {"order": chosen} if chosen in ORDERS and chosen != "urgency" else {}


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: Annotated[Principal, Depends(security.require("inbox"))], rt: security.Rt,
          session: security.Db, now: security.Now) -> HTMLResponse:
    kept = _order(request)
    result = open_work(session, now, who.unit_id or -1, security.page_number(request), kept.get("order", "urgency"))
    done = request.query_params.get("done", "")
    return page(request, "inbox.html", title=f"{who.unit_name or ''}待办", who=who, result=result, query=query_of(kept),
                order=kept.get("order", ""), orders=ORDERS, response_kinds=list(rt.cfg.policy.response_kinds),
                done=ACTIONS[done].done if done in CARD_ACTIONS else None, error=security.flash(request, "inbox"))


@router.get("/inbox/closed", response_class=HTMLResponse)
def inbox_closed(request: Request, who: Annotated[Principal, Depends(security.require("inbox"))],
                 session: security.Db) -> HTMLResponse:
    result = closed_work(session, who.unit_id or -1, security.page_number(request))
    return page(request, "closed.html", title=f"{who.unit_name or ''}已办结", who=who, result=result,
                query=query_of({}))


@router.get("/board", response_class=HTMLResponse)
def board(request: Request, who: Annotated[Principal, Depends(security.require("board"))], rt: security.Rt,
          session: security.Db, now: security.Now) -> HTMLResponse:
    """Open work, the 考核 figures and the release board, read in the request's one transaction."""
    policy = rt.cfg.policy
    since_raw, until_raw = request.query_params.get("since", ""), request.query_params.get("until", "")
    result = open_work(session, now, None, security.page_number(request), _order(request).get("order", "urgency"))
    figures = assessment_figures(session, span(*day_range(since_raw, until_raw), now), now).units
    releases = release_board(session, policy.release_gap, now)
    kept = {**{k: v for k, v in (("since", since_raw), ("until", until_raw)) if v}, **_order(request)}
    return page(request, "board.html", title="督办", who=who, result=result, figures=figures, milestones=MILESTONES,
                releases=releases, release_hours=policy.release_gap.hours,
                since=since_raw[:10], until=until_raw[:10], query=query_of(kept), order=kept.get("order", ""),
                orders=ORDERS)


@router.get("/overview", response_class=HTMLResponse)
def overview_page(request: Request, who: Annotated[Principal, Depends(security.require("overview"))],
                  rt: security.Rt, session: security.Db, now: security.Now) -> HTMLResponse:
    policy = rt.cfg.policy
    data, first = overview(session, now), attention(session, now)
    grades = {g: data.events_by_grade[g] for g in GRADES if g in data.events_by_grade}
    charts = {"topics": stacked_days(data.days, data.posts_by_topic),
              "grades": stacked_days(data.days, grades, GRADE_COLOURS),
              "units": horizontal_bars(data.open_by_unit)}
    releases = release_board(session, policy.release_gap, now)
    return page(request, "overview.html", title="概览", who=who, data=data, first=first, charts=charts,
                health_names=HEALTH_NAMES, releases=releases, release_hours=policy.release_gap.hours)
