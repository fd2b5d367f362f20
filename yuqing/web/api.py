"""The JSON API for the county's other systems (12345 hotline, 浙政钉 workflows): the same
reads and the same actions as the pages, each system with its own token (``Authorization:
Bearer …``), acting with the permissions of the user the token belongs to, checked on every
call. Cookies are never accepted here, so no CSRF token is needed.

What the OpenAPI document says is what the app does: every parameter and body field with its
type and bounds, every status an operation answers, and one error shape for all of them
(``{"detail": "<中文说明>"}``). An action's body is read only after the token is checked, and
never past ``BODY_MAX_BYTES``."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from pipeline.actions.base import ActionError
from pipeline.actions.users import TOKEN_USE_EVERY, note_token_use
from pipeline.auth import Principal, TokenCheck, check_api_token
from pipeline.catalog import ACTIONS, MAX_ID, NO_NUL, NOT_BLANK, EventAction, Grade, Sentiment, ShortText
from pipeline.queries.assessment import assessment_figures, span
from pipeline.queries.desk import DeskFilter, desk_page
from pipeline.queries.work import open_work
from pipeline.rules.links import WEB_LINK
from pipeline.vocabulary import KEY_CATEGORIES, MILESTONES, REPORT_NAMES, STATUS_NAMES
from yuqing.web import schemas, security
from yuqing.web.pages import events as event_pages
from yuqing.web.pages import reports as report_pages
from yuqing.web.pages.desk import day_range

BODY_MAX_BYTES = 32768  # a 2,000-character reason and 200 ids fit many times over
PATTERN_PROBLEMS = {NO_NUL: "不能含有空字符", NOT_BLANK: "不能为空白，也不能含有空字符",
                    WEB_LINK: "应为以 http:// 或 https:// 开头、不含空白和控制字符的网址"}


class ErrorBody(BaseModel):
    """Every refusal of the API, whatever its status (401, 403, 404, 409, 413, 422)."""

    detail: str = Field(description="出错原因（中文，可直接展示给用户）")


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    words = {401: "缺少接口令牌，或令牌无效、已撤销、其用户已停用", 403: "令牌所属用户的角色不能进行此操作",
             404: "没有这个对象，或令牌所属单位看不到它", 409: "操作未执行：与事件的当前状态或业务规则不符（见 detail）",
             413: f"请求体超过 {BODY_MAX_BYTES // 1024} KB", 422: "参数或请求体格式有误（见 detail：哪一项、为什么）"}
    return {status: {"model": ErrorBody, "description": words[status]} for status in statuses}


router = APIRouter(prefix="/api", tags=["api"], responses=_errors(401))
bearer = HTTPBearer(auto_error=False, description="接口令牌（yuqing users token 签发）")

EventId = Annotated[int, Path(ge=1, le=MAX_ID, description="事件编号")]
Page = Annotated[int, Query(ge=1, le=security.PAGE_MAX, description="页码（每页 50 条）")]


def _query_flag(value: Any) -> Any:
    """A boolean query parameter is ``true`` or ``false``, as the document says (not 0, yes, on)."""
    if isinstance(value, str):
        if value not in ("true", "false"):
            raise PydanticCustomError("bool_parsing", "not true or false")
        return value == "true"
    return value


def _query_day(value: Any) -> Any:
    """A day is written YYYY-MM-DD (not a number of seconds, not a time), in the years the
    document allows (2000–2099: a year-1 bound cannot even be compared with the stored times)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "not YYYY-MM-DD")
    if isinstance(value, str) and not value.startswith("20"):
        raise PydanticCustomError("time_window", "{reason}", {"reason": "日期须在 2000—2099 年之间"})
    return value


if TYPE_CHECKING:  # the choices come from the vocabulary; to mypy each is a str
    Category: TypeAlias = str
    AssignmentStatus: TypeAlias = str
    ReportKind: TypeAlias = str
    ReportFormat: TypeAlias = str
else:
    Category = Literal[KEY_CATEGORIES]
    AssignmentStatus, ReportKind = Literal[tuple(STATUS_NAMES)], Literal[tuple(REPORT_NAMES)]
    ReportFormat = Literal[tuple(report_pages.MEDIA_TYPES)]
Flag = Annotated[bool, BeforeValidator(_query_flag)]
Day = Annotated[date, BeforeValidator(_query_day), Field(json_schema_extra={"pattern": "^20[0-9]{2}-"})]


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


class EventFilter(BaseModel):
    """The desk's filters, as on the page (all optional; together they narrow the list)."""

    q: str = Field("", max_length=100, pattern=NO_NUL, description="全文检索词")
    grade: Grade | None = Field(None, description="等级")
    topic: ShortText | None = Field(None, description="领域（名称）")
    unit: ShortText | None = Field(None, description="责任单位（名称）：该单位参与办理的事件")
    status: AssignmentStatus | None = Field(None, description="牵头单位待办的状态")
    platform: ShortText | None = Field(None, description="平台代码（weibo、message_board …）")
    source: ShortText | None = Field(None, description="信息源名称")
    category: Category | None = Field(None, description="重点类别")
    rumor: Flag | None = Field(None, description="是否疑似谣言")
    relevant: Flag | None = Field(None, description="是否本县政务")
    review: Flag = Field(False, description="只看待复核")
    sentiment: Sentiment | None = Field(None, description="情感倾向")
    since: Day | None = Field(None, description="首次发现不早于该日（北京时间）")
    until: Day | None = Field(None, description="首次发现不晚于该日（北京时间，含当日）")
    order: Literal["urgency", "newest", "uncertain"] = Field(
        "urgency", description="urgency：最紧急在前（等级、超时、无牵头单位、快速升温、谣言未回应、剩余时间）；"
                               "newest：最新在前；uncertain：模型最不确定在前")
    page: int = Field(1, ge=1, le=security.PAGE_MAX, description="页码（每页 50 条）")


def _desk_filter(f: EventFilter) -> DeskFilter:
    since, until = day_range(f.since.isoformat() if f.since else "", f.until.isoformat() if f.until else "")
    return DeskFilter(grade=f.grade, topic=f.topic, unit=f.unit, status=f.status, platform=f.platform, source=f.source,
                      since=since, until=until, category=f.category,
                      rumor=f.rumor, relevant=f.relevant, review=f.review, sentiment=f.sentiment, q=f.q, order=f.order,
                      page=f.page)


@router.get("/events", summary="研判台：信息流（与网页相同的筛选参数，分页）", responses=_errors(403, 422))
def events(request: Request, who: Annotated[Principal, Depends(allowed("desk"))],
           f: Annotated[EventFilter, Query()], session: security.Db, now: security.Now) -> schemas.EventsPage:
    result = desk_page(session, request.app.state.tokenizer, _desk_filter(f), now)
    return schemas.EventsPage(page=result.page, has_next=result.has_next, items=result.rows)


@router.get("/events/{event_id}", summary="事件详情（责任单位只能读取本单位有待办的事件）", responses=_errors(403, 404, 422))
def event(event_id: EventId, who: Annotated[Principal, Depends(caller)], session: security.Db,
          now: security.Now) -> schemas.EventDetail:
    view = event_pages.visible(session, who, event_id, now)
    return schemas.EventDetail(event=schemas.EventFacts.model_validate(view.event), posts=view.posts,
                               assignments=view.assignments, deadlines=view.deadlines, alerts=view.alerts,
                               responses=view.responses, audit=view.audit, comments=view.comments)


@router.get("/inbox", summary="本单位待办（最紧急在前，分页）", responses=_errors(403, 422))
def inbox(who: Annotated[Principal, Depends(allowed("inbox"))], session: security.Db, now: security.Now,
          page: Page = 1) -> schemas.WorkPage:
    result = open_work(session, now, who.unit_id or -1, page)
    return schemas.WorkPage(page=result.page, has_next=result.has_next, items=result.items)


@router.get("/board", summary="全部在办（超时在前，分页）", responses=_errors(403, 422))
def board(who: Annotated[Principal, Depends(allowed("board"))], session: security.Db, now: security.Now,
          page: Page = 1) -> schemas.WorkPage:
    result = open_work(session, now, None, page)
    return schemas.WorkPage(page=result.page, has_next=result.has_next, items=result.items)


@router.get("/assessment", summary="考核：各单位收到、各节点按时率、超时、首次回应用时中位数、退回", responses=_errors(403))
def figures(who: Annotated[Principal, Depends(allowed("board"))], session: security.Db,
            now: security.Now) -> list[schemas.UnitFigures]:
    found = assessment_figures(session, span(None, None, now), now)
    return [schemas.UnitFigures(unit=f.unit, received=f.received, returned=f.returned, overdue=f.overdue,
                                on_time_rate={m: f.rate(m) for m in MILESTONES},
                                median_first_response_hours=f.median_first_response_hours) for f in found.units]


@router.get("/reports", summary="已生成的报告（最新在前；kind：daily | weekly | monthly | event | assessment）",
            responses=_errors(403, 422))
def reports(request: Request, who: Annotated[Principal, Depends(allowed("reports"))],
            kind: Annotated[ReportKind | None, Query(description="报告种类；不填为全部")] = None) -> list[schemas.ReportEntry]:
    return [schemas.ReportEntry(id=r.id, kind=r.kind, title=r.title, summary=r.summary, created_at=r.created_at,
                                event_id=r.event_id, grade=r.grade,
                                files={fmt: f"/api/reports/{r.id}/{fmt}" for fmt in r.files
                                       if fmt in report_pages.MEDIA_TYPES})
            for r in report_pages.report_list(request, kind)]


_FILE_TYPES = {media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
               for media in report_pages.MEDIA_TYPES.values()}


@router.get("/reports/{report_id}/{fmt}", summary="下载报告文件（docx | xlsx | html）", response_class=FileResponse,
            responses={200: {"content": _FILE_TYPES, "description": "报告文件"}, **_errors(403, 404, 422)})
def report_file(report_id: Annotated[int, Path(ge=1, le=MAX_ID, description="报告编号")], fmt: ReportFormat,
                request: Request, who: Annotated[Principal, Depends(allowed("reports"))]) -> FileResponse:
    return report_pages.report_response(request, report_id, fmt)


# --- Actions: one operation per button of the event page (pipeline.catalog), each with
# its own typed body, passed as it is to the action.


def _invalid_body(errors: list[dict[str, Any]]) -> RequestValidationError:
    return RequestValidationError([{**e, "loc": ("body", *e.get("loc", ()))} for e in errors])


def _action(request: Request) -> EventAction:
    return ACTIONS[request.scope["route"].path.rsplit("/", 1)[1]]


async def action_body(request: Request, who: Annotated[Principal, Depends(caller)], event_id: EventId) -> BaseModel | None:
    """The action's body, read only once the token is known and may take this action at all
    (so an unauthenticated upload is refused unread), never past ``BODY_MAX_BYTES``. The event
    id is checked first too (FastAPI calls this only when it is valid), so a malformed address is
    reported as such whatever the body."""
    action = _action(request)
    if not who.can(action.permission):
        raise security.PageError(403, "无权操作", f"令牌所属用户的角色（{who.role_name}）不能进行此操作")
    if action.body is None:
        return None
    raw = await security.read_body(request, BODY_MAX_BYTES)
    if not raw.strip() and not _requires_body(action.body):  # every field optional: a body may be left out
        return action.body()
    try:
        json.loads(raw)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested beyond the parser
        raise _invalid_body([{"type": "json_invalid"}]) from None
    try:  # strict: a field is of the document's JSON type (no 0 for false, no number for a time)
        return action.body.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        errors: list[dict[str, Any]] = [dict(e) for e in exc.errors(include_input=False, include_url=False)]
    if any(e["type"] == "json_invalid" for e in errors):  # valid to Python's parser: a lone surrogate
        errors = [{"type": "string_unicode"}]
    raise _invalid_body(errors)


def act(event_id: EventId, request: Request, who: Annotated[Principal, Depends(caller)],
        body: Annotated[BaseModel | None, Depends(action_body)], rt: security.Rt, session: security.Db,
        now: security.Now) -> schemas.ActionDone:
    action = event_pages.authorised(session, who, event_id, _action(request).name)
    try:
        result = event_pages.perform(rt, session, who, event_id, action, body, now)
    except ActionError as exc:
        raise security.PageError(409, "操作未执行", str(exc)) from exc
    return schemas.ActionDone(event_id=event_id, action=action.name, met=result if isinstance(result, list) else None)


def _requires_body(model: type[BaseModel]) -> bool:
    return any(f.is_required() for f in model.model_fields.values())


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True)
    assert "$defs" not in schema, "action bodies are flat, so their schema is written inline"
    return {"requestBody": {"required": _requires_body(model), "content": {"application/json": {"schema": schema}}}}


for _action_of in ACTIONS.values():
    router.add_api_route(
        f"/events/{{event_id}}/{_action_of.name}", act, methods=["POST"], name=f"act_{_action_of.name}",
        summary=f"{_action_of.summary}（全部留痕审计）",
        responses=_errors(403, 404, 409, *((413,) if _action_of.body else ()), 422),
        openapi_extra=_body_doc(_action_of.body) if _action_of.body else None)
