"""The event page and its buttons. Each button calls one action of ``pipeline.actions``
(never writing state itself), as the signed-in person, with their reason; the action audits
it and keeps the labelled example. A unit's user reaches only events its unit works, and only
the unit's own buttons (签收, 退回, 回应, 办结)."""

from __future__ import annotations

import re
import types
from datetime import datetime
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from pipeline.actions.base import ActionError
from pipeline.actions.runners import run_action
from pipeline.auth import Principal
from pipeline.catalog import ACTIONS, Actor, EventAction
from pipeline.queries.access import may_see
from pipeline.queries.events import EventView, event_view
from pipeline.queries.rising import event_signals
from pipeline.runtime import Runtime
from pipeline.timeparse import SHANGHAI
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()
Form = dict[str, str]


def _flag(form: Form, name: str) -> bool:
    value = form.get(name)
    if value not in ("0", "1"):
        raise ActionError("请选择“是”或“否”")
    return value == "1"


def _moment(raw: str, now: datetime) -> datetime:
    """A time typed in a form (北京时间, minutes), or now when left empty."""
    if not raw.strip():
        return now
    try:
        at = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ActionError("回应时间格式不正确") from None
    return at if at.tzinfo is not None else at.replace(tzinfo=SHANGHAI)


def _ids(raw: str, what: str) -> list[int]:
    """Numbers typed in a field ("12, 13；14"); none, a sign, a number no row can have or more
    than 200 of them is an error the person reads (never a number read without its sign)."""
    found = [x for x in re.split(r"[\s,，、;；]+", raw or "") if x]
    if not found:
        raise ActionError(f"请填写{what}编号")
    if len(found) > 200:
        raise ActionError(f"{what}编号最多 200 个")
    bad = next((x for x in found if not re.fullmatch(r"[0-9]{1,10}", x) or not security.known_id(int(x))), None)
    if bad is not None:
        raise ActionError(f"{what}编号“{bad[:20]}”无效：应为正整数")
    return [int(x) for x in found]


def _kinds(annotation: Any) -> tuple[Any, ...]:
    """The types a field's annotation allows (``X | None`` allows X and None)."""
    return get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)


def form_body(action: EventAction, form: Form, now: datetime) -> BaseModel | None:
    """The action's typed fields from the page's form: yes/no, lists of numbers and times read
    as people type them (a Chinese message when they cannot be); text is left to the action,
    which checks it with its own Chinese messages, so the body is built unvalidated."""
    if action.body is None:
        return None
    values: dict[str, Any] = {}
    for name, field in action.body.model_fields.items():
        key, kinds = field.alias or name, _kinds(field.annotation)
        if bool in kinds:
            values[name] = _flag(form, key)
        elif any(get_origin(k) is list for k in kinds):
            values[name] = _ids(form.get(key, ""), field.title or key)
        elif datetime in kinds:
            values[name] = _moment(form.get(key, ""), now)
        else:
            values[name] = form.get(key, "" if field.is_required() else None)
    return action.body.model_construct(**values)


def visible(session: Session, who: Principal, event_id: int, now: datetime) -> EventView:
    """The event as this person may see it; 404 alike for a missing event and another unit's."""
    unit_id = _unit_scope(who)
    # a larger number names no event (and SQLite cannot bind it)
    view = event_view(session, event_id, now, unit_id) if security.known_id(event_id) else None
    if view is None:
        raise _not_found(event_id)
    return view


def _unit_scope(who: Principal) -> int | None:
    """The unit whose events this person sees, or None for a reader of every event."""
    if not (who.can("events") or who.can("inbox")):
        raise security.PageError(403, "无权访问", f"您的角色（{who.role_name}）不能查看事件。")
    return None if who.can("events") else (who.unit_id or -1)


def _may_see(session: Session, who: Principal, event_id: int) -> bool:
    return security.known_id(event_id) and may_see(session, event_id, _unit_scope(who))


def _not_found(event_id: int) -> security.PageError:
    return security.PageError(404, "未找到事件", f"没有编号为 {event_id} 的事件，或您的单位没有该事件的待办。")


def render_event(request: Request, rt: Runtime, session: Session, who: Principal, view: EventView, now: datetime,
                 status: int = 200, error: str | None = None, done: str | None = None) -> HTMLResponse:
    cfg = rt.cfg
    signals = event_signals(session, view.event.id, cfg.policy, now)
    return page(request, "event.html", status, title=f"事件 {view.event.id}：{view.headline or view.event.title}",
                who=who, view=view, signals=signals, error=error, done=done, topics=cfg.relevant_topic_names,
                units=cfg.all_unit_names(), response_kinds=list(cfg.policy.response_kinds),
                channel_types={name: spec.type for name, spec in cfg.alerts.channels.items()})


@router.get("/events/{event_id}", response_class=HTMLResponse)
def show(event_id: int, request: Request, who: Annotated[Principal, Depends(security.signed_in)], rt: security.Rt,
         session: security.Db, now: security.Now) -> HTMLResponse:
    action = ACTIONS.get(request.query_params.get("done", ""))
    error = security.flash(request, f"event:{event_id}")
    view = visible(session, who, event_id, now)
    return render_event(request, rt, session, who, view, now, done=None if error or action is None else action.done,
                        error=error)


def authorised(session: Session, who: Principal, event_id: int, name: str) -> EventAction:
    """The action behind a button, once the person may press it on this event: one small
    query (is the event there for them), never the event's whole page."""
    action = ACTIONS.get(name)
    if action is None:
        raise security.PageError(404, "未找到操作", "没有这个操作。")
    if not _may_see(session, who, event_id):
        raise _not_found(event_id)
    # a unit's own work is done by a unit's reader, who sees only the events the unit works
    if not who.can(action.permission) or (action.permission == "work" and _unit_scope(who) is None):
        raise security.PageError(403, "无权操作", f"您的角色（{who.role_name}）不能进行此操作。")
    return action


def perform(rt: Runtime, session: Session, who: Principal, event_id: int, action: EventAction,
            body: BaseModel | None, now: datetime) -> Any:
    """Run the action in the request's unit of work; a refusal leaves nothing of it behind."""
    try:
        return run_action(session, action.name, rt.cfg, event_id, body, Actor(who.actor, who.unit_name), now)
    except ActionError:
        session.rollback()
        raise


@router.post("/events/{event_id}/{name}", response_class=HTMLResponse)
def act(event_id: int, name: str, request: Request,
        signed: Annotated[tuple[Principal, Form], Depends(security.signed_form)], rt: security.Rt,
        session: security.Db, now: security.Now) -> Response:
    who, form = signed
    action = authorised(session, who, event_id, name)
    back, where = ("/inbox", "inbox") if form.get("back") == "inbox" else (f"/events/{event_id}", f"event:{event_id}")
    try:
        perform(rt, session, who, event_id, action, form_body(action, form, now), now)
    except ActionError as exc:  # back to the page, with the message (never left on the POST address)
        return RedirectResponse(f"{back}?{security.flash_query(request, where, str(exc))}", status_code=303)
    return RedirectResponse(f"{back}?done={name}", status_code=303)
