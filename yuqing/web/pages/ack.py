"""Acknowledgement of an alert by the link in its message, without signing in (as before),
now with a CSRF token bound to the alert and an Origin check. A signed-in user of the alert's
recipient unit is recorded by name and unit; anyone else types a name, which is never empty and
is recorded as self-declared, with the client's address and the channel of the message whose
code was used. A code whose event is closed or merged away shows why it no longer works.

``GET /ack/{token}`` only shows the alert and the form: chat apps and mail scanners fetch
links ahead of people, so a GET never acknowledges. ``POST`` acknowledges the whole chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pipeline.actions.alerts import AckSource, ExpiredToken
from pipeline.actions.base import ActionError, actor_name
from pipeline.alerts.acks import AckView, ack_view
from pipeline.alerts.codes import CODE_PATTERN
from pipeline.auth import Principal
from pipeline.service import acknowledge_by_link
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()
ACK_FORM_MAX_BYTES = 4096


def _not_found() -> security.PageError:
    return security.PageError(404, "未找到预警", "确认链接无效，请核对预警消息中的链接是否完整。")


def _expired(why: str) -> security.PageError:
    return security.PageError(410, "确认链接已失效", f"{why}，此预警无需再确认，确认链接已失效。如有疑问请联系县政府办公室。")


def known_token(token: str) -> str:
    if not CODE_PATTERN.fullmatch(token):
        raise _not_found()
    return token


def _current(request: Request, token: str) -> AckView:
    """The alert of a code that still works; a Chinese page for an unknown or expired one."""
    view: AckView | None = security.runtime(request).read(ack_view, token)
    if view is None:
        raise _not_found()
    if view.expired:
        raise _expired(view.expired)
    return view


def _known_person(who: Principal | None, view: AckView) -> str | None:
    """The signed-in user's name when they belong to the alert's recipient unit."""
    return who.actor if who is not None and who.unit_name == view.recipient else None


def _show(request: Request, view: AckView, status: int = 200, error: str | None = None, name: str = "",
          outcome: str | None = None, title: str = "确认收到预警") -> HTMLResponse:
    who = security.principal(request)
    return page(request, "ack.html", status, title=title, who=who, view=view, error=error, name=name,
                outcome=outcome, known=_known_person(who, view), form_csrf=security.form_token(request, f"ack:{view.token}"))


@router.get("/ack/{token}", response_class=HTMLResponse)
def show(token: Annotated[str, Depends(known_token)], request: Request) -> HTMLResponse:
    return _show(request, _current(request, token))


async def ack_form(request: Request) -> dict[str, str]:
    security.check_origin(request)
    return await security.read_form(request, ACK_FORM_MAX_BYTES)


@router.post("/ack/{token}", response_class=HTMLResponse)
def confirm(token: Annotated[str, Depends(known_token)], form: Annotated[dict[str, str], Depends(ack_form)],
            request: Request) -> HTMLResponse:
    view = _current(request, token)
    security.check_form_token(request, f"ack:{token}", form.get("csrf", ""))
    raw = form.get("by", "")
    known = _known_person(security.principal(request), view)
    try:
        name = actor_name(known or raw)
    except ActionError as exc:
        return _show(request, view, 422, str(exc).replace("操作人", "确认人"), raw.strip()[:64])
    source = AckSource(via="link", address=request.client.host if request.client else None, declared=known is None)
    try:
        result = acknowledge_by_link(security.runtime(request), token, name, security.now(request), source)
    except ExpiredToken as exc:  # closed between the page's read and this update
        raise _expired(str(exc).removeprefix("确认码已失效：")) from exc
    view = result.view
    if not result.newly:
        return _show(request, view, outcome="该预警此前已确认收到，无需重复确认。", title="此前已确认")
    what = f"「{view.event_title}」的{view.heading}" if view.event_title else view.heading
    return _show(request, view, outcome=f"已确认收到{what}，共 {view.chain_size} 条相关预警，不再重复提醒。", title="已确认收到")
