"""Signing in and out, and the home page (each role's starting page)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.actions.users import SESSION_HOURS, sign_in, sign_out
from pipeline.auth import Principal
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()
START = {"unit": "/inbox", "leader": "/overview", "coordinator": "/board"}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(raw: str) -> str:
    """Only a path of this app (never another site) to go to after signing in."""
    parts = urlsplit(raw)
    return raw if raw.startswith("/") and not raw.startswith("//") and not parts.netloc and "\\" not in raw else "/"


def login_page(request: Request, error: str | None = None, username: str = "", next_url: str = "/",
               status: int = 200) -> HTMLResponse:
    return page(request, "login.html", status, title="登录", error=error, username=username, next=_safe_next(next_url),
                form_csrf=security.form_token(request, "login"))


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    who = security.principal(request)
    if who is None:
        return _redirect("/login")
    return _redirect(START.get(who.role, "/desk"))


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return login_page(request, next_url=next)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    security.check_origin(request)
    form = await security.read_form(request)
    security.check_form_token(request, "login", form.get("csrf", ""))
    username, password = form.get("username", ""), form.get("password", "")
    address = request.client.host if request.client else "unknown"
    result = await run_in_threadpool(security.runtime(request).act, sign_in, username, password, address,
                                     now=security.now(request))
    if result.token is None:
        return login_page(request, result.error, username.strip()[:64], form.get("next", "/"), status=401)
    response = _redirect(_safe_next(form.get("next", "/")))
    response.set_cookie(security.COOKIE, result.token, max_age=SESSION_HOURS * 3600, **security.cookie_args(request))
    return response


@router.post("/logout")
def logout(request: Request, signed: Annotated[tuple[Principal, dict[str, str]], Depends(security.signed_form)]) -> Response:
    security.runtime(request).act(sign_out, request.cookies.get(security.COOKIE, ""), now=security.now(request))
    response = _redirect("/login")
    response.delete_cookie(security.COOKIE, **security.cookie_args(request))
    return response
