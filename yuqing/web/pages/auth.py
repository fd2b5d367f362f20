"""Signing in and out, changing one's own password, and the home page (each role's starting
page)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pipeline.actions.signin import change_password, sign_in, sign_out
from pipeline.auth import Principal
from pipeline.rules.signin import PASSWORD_MIN
from yuqing.web import security
from yuqing.web.render import page

router = APIRouter()
START = {"unit": "/inbox", "leader": "/overview", "coordinator": "/overview"}  # the first screen (概览)


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
    if who.must_change:
        return _redirect(security.PASSWORD_PAGE)
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
    result = await run_in_threadpool(security.runtime(request).act, sign_in, username, password,
                                     security.address(request), now=security.now(request))
    if result.token is None:
        # Refused unchecked (locked or slowed down): 429 with how long to wait.
        status = 429 if result.retry_after else 401
        answer = login_page(request, result.error, username.strip()[:64], form.get("next", "/"), status=status)
        if result.retry_after:
            answer.headers["Retry-After"] = str(result.retry_after)
        return answer
    target = security.PASSWORD_PAGE if result.must_change else _safe_next(form.get("next", "/"))
    response = _redirect(target)
    response.set_cookie(security.COOKIE, result.token, **security.cookie_args(request))  # a session cookie
    return response


@router.post("/logout")
def logout(request: Request, signed: Annotated[tuple[Principal, dict[str, str]], Depends(security.password_form)]) -> Response:
    security.runtime(request).act(sign_out, request.cookies.get(security.COOKIE, ""), now=security.now(request))
    response = _redirect("/login")
    response.delete_cookie(security.COOKIE, **security.cookie_args(request))
    return response


def _password_page(request: Request, who: Principal, status: int = 200, error: str | None = None,
                   done: str | None = None) -> HTMLResponse:
    return page(request, "password.html", status, title="修改密码", who=who, error=error, done=done,
                minimum=PASSWORD_MIN)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: Annotated[Principal, Depends(security.signed_in_any)]) -> HTMLResponse:
    done = "密码已修改。" if request.query_params.get("done") == "1" and not who.must_change else None
    return _password_page(request, who, done=done)


@router.post("/password", response_class=HTMLResponse)
def password_change(request: Request,
                    signed: Annotated[tuple[Principal, dict[str, str]], Depends(security.password_form)]) -> Response:
    who, form = signed
    result = security.runtime(request).act(
        change_password, request.cookies.get(security.COOKIE, ""), form.get("current", ""), form.get("new", ""),
        form.get("repeat", ""), security.address(request), now=security.now(request))
    if result.token is None:
        answer = _password_page(request, who, 429 if result.retry_after else 422, error=result.error)
        if result.retry_after:
            answer.headers["Retry-After"] = str(result.retry_after)
        return answer
    response = _redirect(f"{security.PASSWORD_PAGE}?done=1")
    response.set_cookie(security.COOKIE, result.token, **security.cookie_args(request))
    return response
