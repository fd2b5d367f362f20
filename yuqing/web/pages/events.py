"""The event page and its buttons. Each button calls one action of ``pipeline.actions``
(never writing state itself), as the signed-in person, with their reason; the action audits
it and keeps the labelled example. A unit's user reaches only events its unit works, and only
the unit's own buttons (签收, 退回, 回应, 办结)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.actions import events as ev_actions
from pipeline.actions import merging
from pipeline.actions import units as unit_actions
from pipeline.actions import work as work_actions
from pipeline.actions.base import ActionError
from pipeline.auth import Principal
from pipeline.queries.events import EventView, event_view
from pipeline.queries.rising import event_signals
from pipeline.runtime import Runtime
from pipeline.timeparse import SHANGHAI
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()
Form = dict[str, str]
Act = Callable[[Runtime, Principal, int, Form, datetime], Any]


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


def _common(f: Form, who: Principal, now: datetime) -> dict[str, Any]:
    return {"reason": f.get("reason", ""), "actor": who.actor, "now": now}


# name -> (permission, what the button does). Unit work is always for the person's own unit.
ACTIONS: dict[str, tuple[str, Act]] = {
    "grade": ("correct", lambda rt, w, e, f, now: rt.act(ev_actions.regrade, rt.cfg, e, f.get("grade", ""),
                                                          **_common(f, w, now))),
    "topic": ("correct", lambda rt, w, e, f, now: rt.act(ev_actions.set_topic, rt.cfg, e, f.get("topic", ""),
                                                          **_common(f, w, now))),
    "relevance": ("correct", lambda rt, w, e, f, now: rt.act(ev_actions.set_relevance, rt.cfg, e,
                                                              _flag(f, "relevant"), **_common(f, w, now))),
    "rumor": ("correct", lambda rt, w, e, f, now: rt.act(ev_actions.set_rumor, rt.cfg, e, _flag(f, "rumor"),
                                                          **_common(f, w, now))),
    "sentiment": ("correct", lambda rt, w, e, f, now: rt.act(ev_actions.set_sentiment, rt.cfg, e,
                                                              f.get("sentiment", ""), **_common(f, w, now))),
    "merge": ("correct", lambda rt, w, e, f, now: rt.act(merging.merge_events, rt.cfg, e,
                                                          _ids(f.get("with", ""), "要并入的事件"), **_common(f, w, now))),
    "split": ("correct", lambda rt, w, e, f, now: rt.act(merging.split_event, rt.cfg, e,
                                                          _ids(f.get("posts", ""), "要拆出的帖子"), **_common(f, w, now))),
    "reassign": ("assign", lambda rt, w, e, f, now: rt.act(unit_actions.reassign, rt.cfg, e, f.get("unit", ""),
                                                            **_common(f, w, now))),
    "assign": ("assign", lambda rt, w, e, f, now: rt.act(unit_actions.assign_unit, rt.cfg, e, f.get("unit", ""),
                                                          f.get("role", ""), **_common(f, w, now))),
    "unassign": ("assign", lambda rt, w, e, f, now: rt.act(unit_actions.unassign_unit, rt.cfg, e, f.get("unit", ""),
                                                            **_common(f, w, now))),
    "accept": ("work", lambda rt, w, e, f, now: rt.act(work_actions.accept, rt.cfg, e, w.unit_name or "",
                                                        actor=w.actor, now=now)),
    "return": ("work", lambda rt, w, e, f, now: rt.act(work_actions.return_item, rt.cfg, e, w.unit_name or "",
                                                        **_common(f, w, now))),
    "respond": ("work", lambda rt, w, e, f, now: rt.act(work_actions.record_response, rt.cfg, e, w.unit_name or "",
                                                         f.get("kind", ""), link=f.get("link"), place=f.get("place"),
                                                         at=_moment(f.get("at", ""), now), actor=w.actor, now=now)),
    "close": ("work", lambda rt, w, e, f, now: rt.act(work_actions.close_item, rt.cfg, e, w.unit_name or "",
                                                       actor=w.actor, now=now)),
}
DONE = {"grade": "已保存定级", "topic": "已更正领域", "relevance": "已更正相关性", "rumor": "已更正谣言标记",
        "sentiment": "已更正情感倾向", "merge": "已合并事件", "split": "已拆分为新事件（见时间线）",
        "reassign": "已改派牵头单位", "assign": "已增加单位", "unassign": "已撤回单位", "accept": "已签收",
        "return": "已退回，协调单位将改派", "respond": "已登记回应", "close": "已办结"}


def visible(request: Request, who: Principal, event_id: int) -> EventView:
    """The event as this person may see it; 404 alike for a missing event and another unit's."""
    if not (who.can("events") or who.can("inbox")):
        raise security.PageError(403, "无权访问", f"您的角色（{who.role_name}）不能查看事件。")
    unit_id = None if who.can("events") else (who.unit_id or -1)
    view = None
    if security.known_id(event_id):  # a larger number names no event (and SQLite cannot bind it)
        view = security.runtime(request).read(event_view, event_id, security.now(request), unit_id)
    if view is None:
        raise security.PageError(404, "未找到事件", f"没有编号为 {event_id} 的事件，或您的单位没有该事件的待办。")
    return view


def render_event(request: Request, who: Principal, view: EventView, status: int = 200, error: str | None = None,
                 done: str | None = None) -> HTMLResponse:
    rt = security.runtime(request)
    signals = rt.read(event_signals, view.event.id, rt.cfg.policy, security.now(request))
    return page(request, "event.html", status, title=f"事件 {view.event.id}：{view.headline or view.event.title}",
                who=who, view=view, signals=signals, error=error, done=done, topics=rt.cfg.relevant_topic_names,
                units=rt.cfg.all_unit_names(), response_kinds=list(rt.cfg.policy.response_kinds),
                channel_types={name: spec.type for name, spec in rt.cfg.alerts.channels.items()})


@router.get("/events/{event_id}", response_class=HTMLResponse)
def show(event_id: int, request: Request, who: Annotated[Principal, Depends(security.signed_in)]) -> HTMLResponse:
    done = DONE.get(request.query_params.get("done", ""))
    error = security.flash(request, f"event:{event_id}")
    return render_event(request, who, visible(request, who, event_id), done=None if error else done, error=error)


def authorised(request: Request, who: Principal, event_id: int, name: str) -> Act:
    """The action behind a button, once the person may press it on this event."""
    permission, fn = ACTIONS.get(name, ("", None))
    if fn is None:
        raise security.PageError(404, "未找到操作", "没有这个操作。")
    view = visible(request, who, event_id)
    if not who.can(permission) or (permission == "work" and view.own is None):
        raise security.PageError(403, "无权操作", f"您的角色（{who.role_name}）不能进行此操作。")
    return fn


@router.post("/events/{event_id}/{name}", response_class=HTMLResponse)
def act(event_id: int, name: str, request: Request,
        signed: Annotated[tuple[Principal, Form], Depends(security.signed_form)]) -> Response:
    who, form = signed
    fn = authorised(request, who, event_id, name)
    back, where = ("/inbox", "inbox") if form.get("back") == "inbox" else (f"/events/{event_id}", f"event:{event_id}")
    try:
        fn(security.runtime(request), who, event_id, form, security.now(request))
    except ActionError as exc:  # back to the page, with the message (never left on the POST address)
        return RedirectResponse(f"{back}?{security.flash_query(request, where, str(exc))}", status_code=303)
    return RedirectResponse(f"{back}?done={name}", status_code=303)
