"""The JSON API for the county's other systems (12345 hotline, 浙政钉 workflows): the same
reads and the same actions as the pages, each system with its own token (``Authorization:
Bearer …``), acting with the permissions of the user the token belongs to, checked on every
call. Cookies are never accepted here, so no CSRF token is needed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from pipeline.actions.base import ActionError
from pipeline.actions.users import TOKEN_USE_EVERY, note_token_use
from pipeline.auth import Principal, TokenCheck, check_api_token
from pipeline.queries.assessment import assessment_figures, span
from pipeline.queries.desk import desk_page
from pipeline.queries.work import open_work
from pipeline.vocabulary import MILESTONES
from yuqing.web import security
from yuqing.web.pages import events as event_pages
from yuqing.web.pages import reports as report_pages
from yuqing.web.pages.desk import FIELDS, parse_filter

router = APIRouter(prefix="/api", tags=["api"])
bearer = HTTPBearer(auto_error=False, description="接口令牌（yuqing users token 签发）")


def caller(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    if creds is None or len(creds.credentials) > 100:
        raise security.PageError(401, "未授权", "缺少或无效的接口令牌")
    rt, at = security.runtime(request), security.now(request)
    check: TokenCheck = rt.read(check_api_token, creds.credentials, at)
    if check.principal is None or check.token_id is None:
        raise security.PageError(401, "未授权", check.problem or "接口令牌无效")
    if check.last_used_at is None or at - check.last_used_at >= TOKEN_USE_EVERY:
        rt.act(note_token_use, check.token_id, at)  # read first: most calls of a busy system write nothing
    return check.principal


def allowed(permission: str) -> Any:
    def check(who: Annotated[Principal, Depends(caller)]) -> Principal:
        if not who.can(permission):
            raise security.PageError(403, "无权访问", f"令牌所属用户的角色（{who.role_name}）不能进行此操作")
        return who

    return check


@router.get("/events", summary="研判台：信息流（与网页相同的筛选参数，分页）")
def events(request: Request, who: Annotated[Principal, Depends(allowed("desk"))]) -> dict[str, Any]:
    raw = {k: request.query_params.get(k, "")[:200] for k in FIELDS if request.query_params.get(k)}
    result = security.runtime(request).read(desk_page, request.app.state.tokenizer,
                                            parse_filter(raw, security.page_number(request)))
    return {"page": result.page, "has_next": result.has_next, "items": [r.__dict__ for r in result.rows]}


@router.get("/events/{event_id}", summary="事件详情（责任单位只能读取本单位有待办的事件）")
def event(event_id: int, request: Request, who: Annotated[Principal, Depends(caller)]) -> dict[str, Any]:
    view = event_pages.visible(request, who, event_id)
    e = view.event
    facts = {k: getattr(e, k) for k in ("id", "key", "title", "relevant", "topic", "grade", "auto_grade",
                                        "override_grade", "rumor", "leadership", "categories", "grade_reasons",
                                        "post_count", "engagement", "first_seen_at", "last_seen_at", "clock_start_at")}
    return {"event": facts, "posts": view.posts, "assignments": view.assignments, "deadlines": view.deadlines,
            "alerts": view.alerts, "responses": view.responses, "audit": view.audit}


@router.get("/inbox", summary="本单位待办（最紧急在前，分页）")
def inbox(request: Request, who: Annotated[Principal, Depends(allowed("inbox"))]) -> dict[str, Any]:
    result = security.runtime(request).read(open_work, security.now(request), who.unit_id or -1,
                                            security.page_number(request))
    return {"page": result.page, "has_next": result.has_next, "items": [i.__dict__ for i in result.items]}


@router.get("/board", summary="全部在办（超时在前，分页）")
def board(request: Request, who: Annotated[Principal, Depends(allowed("board"))]) -> dict[str, Any]:
    result = security.runtime(request).read(open_work, security.now(request), None, security.page_number(request))
    return {"page": result.page, "has_next": result.has_next, "items": [i.__dict__ for i in result.items]}


@router.get("/assessment", summary="考核：各单位收到、各节点按时率、超时、首次回应用时中位数、退回")
def figures(request: Request, who: Annotated[Principal, Depends(allowed("board"))]) -> list[dict[str, Any]]:
    now = security.now(request)
    figures = security.runtime(request).read(assessment_figures, span(None, None, now), now)
    return [{"unit": f.unit, "received": f.received, "returned": f.returned, "overdue": f.overdue,
             "on_time_rate": {m: f.rate(m) for m in MILESTONES}, "median_first_response_hours":
             f.median_first_response_hours} for f in figures.units]


@router.get("/reports", summary="已生成的报告（最新在前；kind：daily | weekly | monthly | event | assessment）")
def reports(request: Request, who: Annotated[Principal, Depends(allowed("reports"))]) -> list[dict[str, Any]]:
    return [{"id": r.id, "kind": r.kind, "title": r.title, "summary": r.summary, "created_at": r.created_at,
             "event_id": r.event_id, "grade": r.grade,
             "files": {fmt: f"/api/reports/{r.id}/{fmt}" for fmt in r.files if fmt in report_pages.MEDIA_TYPES}}
            for r in report_pages.report_list(request, request.query_params.get("kind"))]


@router.get("/reports/{report_id}/{fmt}", summary="下载报告文件（docx | xlsx | html）", response_class=FileResponse)
def report_file(report_id: int, fmt: str, request: Request,
                who: Annotated[Principal, Depends(allowed("reports"))]) -> FileResponse:
    return report_pages.report_response(request, report_id, fmt)


Action = Enum("Action", {name: name for name in event_pages.ACTIONS}, type=str)  # type: ignore[misc]


class ActionBody(BaseModel):
    """The fields an action takes (as its form on the event page)."""

    reason: str | None = Field(None, description="理由（更正、改派、退回必填）")
    grade: str | None = Field(None, description="grade：特别重大 | 重大 | 较大 | 一般")
    topic: str | None = None
    relevant: bool | None = Field(None, description="relevance：是否本县政务")
    rumor: bool | None = None
    sentiment: str | None = Field(None, description="sentiment：负面 | 中性 | 正面")
    with_events: list[int] | None = Field(None, alias="with", description="merge：并入本事件的其他事件编号")
    posts: list[int] | None = Field(None, description="split：拆出为新事件的帖子编号")
    unit: str | None = Field(None, description="reassign / assign / unassign：单位名称")
    role: str | None = Field(None, description="assign：cooperating | transfer | coordinator")
    kind: str | None = Field(None, description="respond：回应方式，如 网络问政回复")
    link: str | None = Field(None, description="respond：回应链接（http/https）；新闻发布会、吹风会、接受媒体采访可改填 place")
    place: str | None = Field(None, description="respond：无链接时的举行地点（仅新闻发布会、吹风会、接受媒体采访）")
    at: datetime | None = Field(None, description="respond：回应时间（ISO 8601，须在事件最早发布之后、登记之前），默认当前时间")


def _as_form(body: ActionBody) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in body.model_dump(by_alias=True).items():
        if isinstance(value, bool):
            out[key] = "1" if value else "0"
        elif isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, list):
            out[key] = ",".join(str(v) for v in value)
        elif value is not None:
            out[key] = str(value)
    return out


@router.post("/events/{event_id}/{action}", summary="对事件执行操作（与网页按钮相同；全部留痕审计）")
def act(event_id: int, action: Action, body: ActionBody, request: Request,
        who: Annotated[Principal, Depends(caller)]) -> dict[str, Any]:
    fn = event_pages.authorised(request, who, event_id, action.value)
    try:
        result = fn(security.runtime(request), who, event_id, _as_form(body), security.now(request))
    except ActionError as exc:
        raise security.PageError(422, "操作未执行", str(exc)) from exc
    return {"ok": True, "event_id": event_id, "action": action.value,
            "met": result if isinstance(result, list) else None}
