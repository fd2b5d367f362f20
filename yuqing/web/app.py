"""The web app (``yuqing web``): the analyst's desk, event pages, each unit's inbox, the
coordinators' board, the overview, the alert acknowledgement links and the JSON API — a thin
FastAPI shell over ``pipeline.queries`` (reads) and ``pipeline.actions`` (every button).

One runtime per app (opened at startup, disposed at shutdown), one Session per read or action.
Every page is server-rendered with autoescaping and served under a strict CSP (no script at
all); every request looks up who is asking."""

from __future__ import annotations

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
from uvicorn import Config, Server

from classifiers.tokenize import Tokenizer
from pipeline.runtime import open_runtime
from pipeline.settings import Settings
from pipeline.timeparse import SHANGHAI
from yuqing.web import api, security
from yuqing.web.logs import mask_ack_codes
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
    app.add_exception_handler(security.PasswordChangeNeeded, security.to_password_change)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.middleware("http")(_headers)
    app.mount("/static", StaticFiles(directory=str(files("yuqing.web") / "static")), name="static")
    for module in (auth, ack, desk, events, lists, reports, api):
        app.include_router(module.router)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        operations = [(method.upper(), path, op.get("summary", ""))
                      for path, item in app.openapi()["paths"].items() for method, op in item.items()]
        return page(request, "docs.html", title="接口说明（OpenAPI）", who=security.principal(request),
                    operations=operations)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    for name, value in security.response_headers(request).items():
        response.headers.setdefault(name, value)
    if response.status_code in (401, 403):
        await run_in_threadpool(security.audit_refusal, request, response.status_code)
    return response


async def _error(request: Request, exc: security.PageError) -> Response:
    if request.url.path.startswith("/api/"):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)
    return page(request, "message.html", exc.status, title=exc.title, message=exc.message,
                who=None if exc.status in (401, 404, 410) and request.url.path.startswith("/ack/") else _who(request))


# Starlette's own answers (no such address, a method the address does not take), in Chinese.
HTTP_MESSAGES = {404: ("未找到", "没有这个页面或对象。"), 405: ("不支持的请求", "这个地址不接受这种请求方法。")}


async def _http_error(request: Request, exc: HTTPException) -> Response:
    title, message = HTTP_MESSAGES.get(exc.status_code, ("请求无法处理", f"请求无法处理（{exc.status_code}）。"))
    return await _error(request, security.PageError(exc.status_code, title, message))


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    """A malformed API body or parameter: which field and why, in Chinese."""
    problems = "；".join(f"{'.'.join(str(p) for p in err.get('loc', ())[1:]) or '请求'}：{_problem(err)}"
                        for err in exc.errors())
    return await _error(request, security.PageError(422, "请求格式有误", problems or "请求格式有误"))


def _problem(err: Any) -> str:
    kinds = {"missing": "缺少此项", "json_invalid": "不是有效的 JSON", "int_parsing": "应为整数",
             "bool_parsing": "应为 true 或 false", "datetime_from_date_parsing": "应为 ISO 8601 时间",
             "datetime_parsing": "应为 ISO 8601 时间", "string_type": "应为字符串", "list_type": "应为列表",
             "enum": "不是可用的取值", "model_attributes_type": "应为 JSON 对象", "dict_type": "应为 JSON 对象"}
    return kinds.get(str(err.get("type")), "取值无效")


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


@contextmanager
def served(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread until the block ends (``yuqing serve``
    runs the app beside the schedules this way; tests too). Port 0 takes a free port. Yields
    the base URL once the server answers."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = Server(Config(app, log_level="warning"))
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
