"""What every request of the web app goes through: security headers (a strict CSP, no inline
script or style), reading URL-encoded forms without extra packages, the Origin check and the
CSRF tokens of forms, the session cookie, and who is asking (checked on every request)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from pipeline.auth import Principal, session_principal
from pipeline.runtime import Runtime
from pipeline.settings import Settings

COOKIE = "yuqing_session"
FORM_MAX_BYTES = 16384
# The largest id a database row can have (ids are INTEGER: 32-bit on PostgreSQL): a larger one
# names nothing, and neither engine can even compare it (PostgreSQL: out of range, SQLite past 2**63).
MAX_ID = 2**31 - 1
PAGE_MAX = 10_000
_PAGE = re.compile(r"[0-9]{1,5}")
FORM_TOKEN_SECONDS = 12 * 3600  # a sign-in or acknowledgement page left open half a day still works

# No scripts at all, styles only from the app's own file, no outside resources, no framing
# (the confirm buttons cannot be overlaid by another site). same-origin referrers: browsers
# then send a real Origin on form posts, which the Origin check needs.
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class PageError(Exception):
    """Answered with a Chinese HTML page (or JSON under /api) instead of FastAPI's English JSON."""

    def __init__(self, status: int, title: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.headers = status, title, message, headers or {}


class SignInNeeded(Exception):
    """The page needs a signed-in user: answered with a redirect to the sign-in page."""


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def settings(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused with 413 once it exceeds ``max_bytes``: a declared length is
    refused before anything is read, a streamed body as soon as it grows past the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise PageError(413, "提交内容过大", f"提交的内容超过了允许的长度（最多 {max_bytes // 1024} KB）。")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise PageError(413, "提交内容过大", f"提交的内容超过了允许的长度（最多 {max_bytes // 1024} KB）。")
    return bytes(body)


async def read_form(request: Request, max_bytes: int = FORM_MAX_BYTES) -> dict[str, str]:
    """The fields of a URL-encoded form (the first value of each). Parsed here rather than with
    ``fastapi.Form``: that needs python-multipart, and its errors would be English JSON."""
    body = await read_body(request, max_bytes)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise PageError(400, "无法识别提交内容", "请通过页面上的表单提交。") from None
    return {k: v[0] for k, v in fields.items()}


def known_id(value: int) -> bool:
    """Whether ``value`` can be the id of a stored row (a positive 64-bit integer)."""
    return 1 <= value <= MAX_ID


def check_origin(request: Request) -> None:
    """A form post must come from a page of this app: its Origin (or, failing that, Referer)
    names this host or the configured public address. ``Origin: null`` is refused. Clients that
    send neither (not browsers) still need the form's CSRF token."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return
    allowed = {request.headers.get("host", "")}
    public = settings(request).public_url
    if public:
        allowed.add(urlsplit(public).netloc)
    if urlsplit(origin).netloc not in allowed or origin == "null":
        raise PageError(403, "请求来源无效", "请从本系统的页面提交（请求来源与本站不符）。")


def _sign(request: Request, message: str) -> str:
    return hmac.new(settings(request).secret(), message.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def session_csrf(request: Request, session_token: str) -> str:
    """The CSRF token of a signed-in session's forms: bound to that session, so a token taken
    from another session (or from one that has ended) is refused."""
    return _sign(request, f"session:{session_token}")


def form_token(request: Request, purpose: str) -> str:
    """The CSRF token of a form shown without a session (sign-in, an alert's acknowledgement):
    bound to its purpose (the alert's token) and to the time it was issued."""
    issued = str(int(time.time()))
    return f"{issued}.{_sign(request, f'{purpose}:{issued}')}"


def check_form_token(request: Request, purpose: str, given: str) -> None:
    issued, _, mac = given.partition(".")
    fresh = issued.isdigit() and 0 <= time.time() - int(issued) <= FORM_TOKEN_SECONDS
    if not (fresh and hmac.compare_digest(mac, _sign(request, f"{purpose}:{issued}"))):
        raise PageError(403, "页面已过期", "表单已失效，请刷新页面后重新提交。")


def principal(request: Request) -> Principal | None:
    """Who is signed in, looked up on every request (a disabled user's session ends at once)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > 100:
        return None
    found: Principal | None = runtime(request).read(session_principal, token, now(request))
    return found


def signed_in(request: Request) -> Principal:
    found = principal(request)
    if found is None:
        raise SignInNeeded()
    return found


def require(permission: str) -> Callable[[Request], Principal]:
    """A dependency: the signed-in user, who must hold ``permission``."""

    def check(request: Request) -> Principal:
        who = signed_in(request)
        if not who.can(permission):
            raise PageError(403, "无权访问", f"您的角色（{who.role_name}）不能使用此页面。")
        return who

    return check


async def signed_form(request: Request) -> tuple[Principal, dict[str, str]]:
    """A form post of a signed-in user: Origin checked, session valid, CSRF token matching."""
    check_origin(request)
    form = await read_form(request)
    who = await run_in_threadpool(signed_in, request)
    token = request.cookies.get(COOKIE, "")
    if not hmac.compare_digest(form.get("csrf", ""), session_csrf(request, token)):
        raise PageError(403, "页面已过期", "表单已失效（安全校验未通过），请刷新页面后重新提交。")
    return who, form


def cookie_args(request: Request) -> dict[str, Any]:
    public = settings(request).public_url or ""
    secure = request.url.scheme == "https" or public.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def page_number(request: Request) -> int:
    """The ``page`` query parameter of a page's list; anything but plain digits (a sign, other
    scripts' digits, thousands of them) is the first page."""
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), PAGE_MAX)) if _PAGE.fullmatch(raw) else 1
