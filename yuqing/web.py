"""The web app (``yuqing web``): acknowledgement links for urgent alerts, a thin FastAPI shell
over ``pipeline.service``. Pages for people are in Chinese.

``GET /ack/{token}`` only shows the alert and a form: chat apps and mail scanners fetch links
ahead of people, so a GET must never acknowledge. ``POST /ack/{token}`` acknowledges. One
runtime per app (opened at startup, disposed at shutdown), one Session per request. Everything
that comes from the database, crawled event titles above all, is HTML-escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from html import escape
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from pipeline.queries.alerts import AckView, ack_view
from pipeline.runtime import Runtime, open_runtime
from pipeline.service import acknowledge_by_link
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI

NAME_MAX = 64  # alerts.acknowledged_by is VARCHAR(64)
FORM_MAX_BYTES = 4096
_TOKEN = re.compile(r"[0-9a-f]{1,32}")  # ack tokens are hex (secrets.token_hex)

# The pages have no scripts, no images and no outside links: forbid everything else, and
# framing, so that the confirm button cannot be overlaid by another site (clickjacking).
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token in the URL is the only credential
    "Cache-Control": "no-store",
}

_STYLE = ("body{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em;line-height:1.6}"
          "dt{color:#555}dd{margin:0 0 .6em 0}.error{color:#b00}.ok{color:#070}"
          "input,button{font-size:1em;padding:.4em}")


class PageError(Exception):
    """Answered with a Chinese HTML page instead of FastAPI's JSON error."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>")
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _time(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _state(view: AckView) -> str:
    if view.acknowledged_at is None:
        return "未确认"
    return f"已由 {escape(view.acknowledged_by or '—')} 于 {_time(view.acknowledged_at)} 确认收到"


def _details(view: AckView) -> str:
    rows = [("类型", view.heading + ("（紧急）" if view.urgent else "")),
            ("事件", view.event_title or "—"),
            ("事件编号", str(view.event_id) if view.event_id else "—"),
            ("等级", view.grade or "—"),
            ("接收单位", view.recipient)]
    if view.unacknowledged:
        rows.append(("督办", f"{view.unacknowledged}尚未确认收到预警"))
    rows.append(("发出时间", _time(view.created_at)))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return f"<dl>{items}<dt>状态</dt><dd>{_state(view)}</dd></dl>"


def _form(error: str | None = None, name: str = "") -> str:
    # No action attribute: the form posts back to the very URL it was shown at, which keeps
    # working behind a reverse proxy that mounts the app under a path.
    message = f'<p class="error">{escape(error)}</p>' if error else ""
    return (f'{message}<form method="post"><p><label>确认人姓名 '
            f'<input name="by" required maxlength="{NAME_MAX}" value="{escape(name)}" autocomplete="name"></label></p>'
            f"<p><button type=\"submit\">确认收到</button></p></form>")


def ack_page(view: AckView, error: str | None = None, name: str = "") -> str:
    """The body of the page behind an acknowledgement link."""
    if view.acknowledged_at is not None:
        return _details(view) + '<p class="ok">该预警已确认收到，不再重复提醒。</p>'
    return _details(view) + "<p>确认后，本预警及其重复提醒、升级督办都将停止。</p>" + _form(error, name)


def _not_found() -> PageError:
    return PageError(404, "未找到预警", "确认链接无效，请核对预警消息中的链接是否完整。")


def _known_token(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise _not_found()
    return token


def _validate_name(raw: str) -> tuple[str, str | None]:
    """(the name as stored, a Chinese error or None)."""
    name = raw.strip()
    if not name:
        return name, "请填写确认人姓名。"
    if len(name) > NAME_MAX:
        return name[:NAME_MAX], f"确认人姓名不能超过 {NAME_MAX} 个字。"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return "", "确认人姓名含有无效字符。"
    return name, None


async def form_name(request: Request) -> str:
    """The ``by`` field of a URL-encoded form. Parsed here rather than with ``fastapi.Form``:
    that needs the python-multipart package, and its errors would be English JSON."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            raise PageError(413, "提交内容过大", "请只填写确认人姓名。")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise PageError(400, "无法识别提交内容", "请通过确认页面的表单提交。") from None
    return fields.get("by", [""])[0]


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def create_app(settings: Settings) -> FastAPI:
    """The app for one database; nothing is opened until the server starts it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_runtime(settings) as rt:
            app.state.runtime = rt
            yield

    app = FastAPI(title="yuqing", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(PageError, _error_page)  # type: ignore[arg-type]

    # Plain ``def`` endpoints: the database calls are blocking, FastAPI runs them in its thread pool.
    @app.get("/ack/{token}", response_class=HTMLResponse)
    def show(token: Annotated[str, Depends(_known_token)], request: Request) -> HTMLResponse:
        view = _runtime(request).read(ack_view, token)
        if view is None:
            raise _not_found()
        return _page("确认收到预警", ack_page(view))

    @app.post("/ack/{token}", response_class=HTMLResponse)
    def confirm(token: Annotated[str, Depends(_known_token)], raw: Annotated[str, Depends(form_name)],
                request: Request) -> HTMLResponse:
        return _confirm(_runtime(request), token, raw)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _confirm(rt: Runtime, token: str, raw: str) -> HTMLResponse:
    name, error = _validate_name(raw)
    if error is not None:
        view = rt.read(ack_view, token)
        if view is None:
            raise _not_found()
        return _page("确认收到预警", ack_page(view, error, name), status=422)
    try:
        result = acknowledge_by_link(rt, token, name, datetime.now(SHANGHAI))
    except LookupError:
        raise _not_found() from None
    view = result.view
    if not result.newly:
        return _page("此前已确认", _details(view) + '<p class="ok">该预警此前已确认收到，无需重复确认。</p>')
    what = f"「{view.event_title}」的{view.heading}" if view.event_title else view.heading
    return _page("已确认收到", f'<p class="ok">已确认收到{escape(what)}，共 {view.chain_size} 条相关预警，不再重复提醒。</p>'
                 + _details(view))


async def _error_page(_request: Request, exc: PageError) -> HTMLResponse:
    return _page(exc.title, f"<p>{escape(exc.message)}</p>", status=exc.status)
