"""The web app (``yuqing web``): the analyst's desk, event pages, each unit's inbox, the
coordinators' board, the overview, the alert acknowledgement links and the JSON API — a thin
FastAPI shell over ``pipeline.queries`` (reads) and ``pipeline.actions`` (every button).

One runtime per app (opened at startup, disposed at shutdown); a page gets it, the clock and its
one Session (opened when the page is reached, committed when it returns) as FastAPI
dependencies (``security.runtime``, ``security.Now``, ``security.Db``).
Every page is server-rendered with autoescaping and served under a strict CSP (no script at
all); every request looks up who is asking."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn import Config, Server

from classifiers.tokenize import Tokenizer
from pipeline.runtime import open_runtime
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI
from yuqing.web import api, security
from yuqing.web.logs import mask_ack_codes, uvicorn_log_config
from yuqing.web.pages import ack, auth, desk, events, lists, reports
from yuqing.web.render import page


def _now() -> datetime:
    return datetime.now(SHANGHAI)


def create_app(settings: Settings, clock: Callable[[], datetime] = _now) -> FastAPI:
    """The app for one database; nothing is opened until the server starts it. ``clock`` gives
    the time actions and deadlines are judged at (tests pass a fixed one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_runtime(settings) as rt:
            app.state.runtime = rt
            app.state.tokenizer = Tokenizer(settings.userdict_path).load()
            yield

    mask_ack_codes()  # however the app is served, its access log never holds an acknowledgement code
    app = FastAPI(title="yuqing 云和县政务舆情接口", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", description="研判台、事件、待办、督办与考核的读取和操作；见 /docs。")
    app.state.settings, app.state.clock, app.state.cache = settings, clock, {}
    app.add_exception_handler(security.PageError, _error)  # type: ignore[arg-type]
    app.add_exception_handler(security.SignInNeeded, _sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(security.PasswordChangeNeeded, to_password_change)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.middleware("http")(_headers)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=str(files("yuqing.web") / "static")), name="static")
    # The OpenAPI document describes the JSON API for other systems; the pages are for browsers.
    for module in (auth, ack, desk, events, lists, reports):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(api.router)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        operations = [(method.upper(), path, op.get("summary", ""))
                      for path, item in app.openapi()["paths"].items() for method, op in item.items()]
        return page(request, "docs.html", title="接口说明（OpenAPI）", who=security.principal(request),
                    operations=operations)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    _monitoring(app)
    return app


def _monitoring(app: FastAPI) -> None:
    """``/healthz`` (503 when a duty officer must act) and ``/metrics`` (Prometheus text),
    both without signing in and both without secrets (see ``pipeline.monitoring``)."""

    @app.get("/healthz", include_in_schema=False)
    def healthz(request: Request) -> JSONResponse:
        from pipeline.monitoring import health_report

        healthy, body = health_report(request.app.state.runtime, request.app.state.clock())
        return JSONResponse(body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"})

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        from pipeline.monitoring import MetricsCollector

        registry = request.app.state.cache.get("metrics")
        if registry is None:
            registry = CollectorRegistry(auto_describe=False)
            registry.register(MetricsCollector(request.app.state.runtime, request.app.state.clock))
            request.app.state.cache["metrics"] = registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})


async def _headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    for name, value in security.response_headers(request).items():
        response.headers.setdefault(name, value)
    if response.status_code in (401, 403):
        await run_in_threadpool(security.audit_refusal, request, response.status_code)
    return response


class HeadAsGet:
    """``HEAD`` is answered as ``GET`` (RFC 9110: the same status and headers, no body) for every
    page and API address; FastAPI's routes only take the methods they name."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] in ("http.response.body", "http.response.pathsend"):  # a file sent by path too
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _printable(text: str) -> str:
    """Text that can be encoded to UTF-8 whatever it echoes (a lone surrogate from a JSON body
    becomes "?"), so that an error answer never fails itself."""
    return text.encode("utf-8", "replace").decode("utf-8")


async def _error(request: Request, exc: security.PageError) -> Response:
    title, message = _printable(exc.title), _printable(exc.message)
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        headers.update(exc.headers)
        return JSONResponse({"detail": message}, status_code=exc.status, headers=headers)
    shown = page(request, "message.html", exc.status, title=title, message=message,
                 who=None if exc.status in (401, 404, 410) and request.url.path.startswith("/ack/") else _who(request))
    shown.headers.update(exc.headers)
    return shown


# Starlette's own answers (no such address, a method the address does not take), in Chinese.
HTTP_MESSAGES = {404: ("未找到", "没有这个页面或对象。"), 405: ("不支持的请求", "这个地址不接受这种请求方法。")}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    title, message = HTTP_MESSAGES.get(exc.status_code, ("请求无法处理", f"请求无法处理（{exc.status_code}）。"))
    headers = dict(exc.headers or {})
    allowed = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
    if "GET" in allowed and "HEAD" not in allowed:  # HeadAsGet answers HEAD wherever GET is answered
        headers["Allow"] = ", ".join([*allowed, "HEAD"])
    return await _error(request, security.PageError(exc.status_code, title, message, headers))


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    """A malformed API body or parameter: which field and why, in Chinese."""
    problems = "；".join(dict.fromkeys(  # once each (an address parameter is checked by the body's reader too)
        f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or '请求'}：{_problem(err)}" for err in exc.errors()))
    return await _error(request, security.PageError(422, "请求格式有误", problems or "请求格式有误"))


_RANGES = {"greater_than_equal": ("ge", "应不小于"), "less_than_equal": ("le", "应不大于"),
           "greater_than": ("gt", "应大于"), "less_than": ("lt", "应小于")}


def _problem(err: Any) -> str:
    kind, ctx = str(err.get("type")), err.get("ctx") or {}
    kinds = {"missing": "缺少此项", "json_invalid": "不是有效的 JSON", "int_parsing": "应为整数", "int_type": "应为整数",
             "int_from_float": "应为整数", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
             "datetime_from_date_parsing": "应为 ISO 8601 时间", "datetime_parsing": "应为 ISO 8601 时间",
             "datetime_type": "应为 ISO 8601 时间", "date_parsing": "应为日期（YYYY-MM-DD）",
             "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "date_type": "应为日期（YYYY-MM-DD）",
             "string_type": "应为字符串", "string_unicode": "含有无效字符（不成对的代理码）", "list_type": "应为列表",
             "enum": "不是可用的取值", "model_attributes_type": "应为 JSON 对象", "dict_type": "应为 JSON 对象",
             "model_type": "应为 JSON 对象", "string_too_short": "不能为空", "too_short": "不能为空",
             "string_pattern_mismatch": api.PATTERN_PROBLEMS.get(str(ctx.get("pattern")), "格式不正确")}
    if kind == "time_window":  # a time no one can mean, with the rule's own reason
        return str(ctx.get("reason", "时间无效"))
    if kind in _RANGES:
        key, words = _RANGES[kind]
        return f"{words} {ctx.get(key, '')}"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项"
    if kind == "literal_error":  # pydantic lists the choices in English ("'a', 'b' or 'c'")
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"不是可用的取值（可选：{'、'.join(choices)}）"
    return kinds.get(kind, "取值无效")


def _who(request: Request) -> Any:
    try:
        return security.principal(request)
    except Exception:  # an error page never fails for want of the user's name
        return None


async def _sign_in(request: Request, _exc: security.SignInNeeded) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": "未授权"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        return page(request, "message.html", 401, title="请先登录", message="登录已失效，请重新登录后再提交。")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options every way of serving the app shares: which proxies' X-Forwarded-For
    and X-Forwarded-Proto are believed (``YUQING_TRUSTED_PROXIES``) and the log set-up."""
    return {"proxy_headers": True, "forwarded_allow_ips": settings.trusted_proxies,
            "log_config": uvicorn_log_config(settings)}


@contextmanager
def served(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread until the block ends (``yuqing serve``
    runs the app beside the schedules this way; tests too). Port 0 takes a free port. Yields
    the base URL once the server answers."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    settings = app.state.settings  # quiet beside the schedules' output, unless a log file keeps the access log
    server = Server(Config(app, log_level="info" if settings.log_file else "warning", **server_options(settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="yuqing-web")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def to_password_change(request: Request, _exc: security.PasswordChangeNeeded) -> Response:
    """Before anything else, a user whose password an administrator chose chooses their own."""
    if request.method == "GET":
        return RedirectResponse(security.PASSWORD_PAGE, status_code=303)
    return page(request, "message.html", 403, title="请先修改密码",
                message="管理员设置或重设了您的密码，请先在“修改密码”页面设置自己的密码。", who=None)
