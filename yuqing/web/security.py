"""What every request of the web app goes through: security headers (a strict CSP, no inline
script or style; HSTS under https), reading URL-encoded forms without extra packages, the Origin
check and the CSRF tokens of forms (compared as bytes), the session cookie, who is asking
(checked on every request, the session kept alive or ended for idleness), the forced password
change, and the audit of refused (401, 403) requests."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from pipeline.actions.signin import record_refusal, resume_session
from pipeline.auth import Principal, TokenCheck, check_api_token
from pipeline.catalog import MAX_ID
from pipeline.runtime import Runtime
from pipeline.settings import Settings

LOG = logging.getLogger(__name__)
COOKIE = "yuqing_session"
FORM_MAX_BYTES = 16384
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
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other county sites may share the domain


class PageError(Exception):
    """Answered with a Chinese HTML page (or JSON under /api) instead of FastAPI's English JSON."""

    def __init__(self, status: int, title: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.headers = status, title, message, headers or {}


class SignInNeeded(Exception):
    """The page needs a signed-in user: answered with a redirect to the sign-in page."""


class PasswordChangeNeeded(Exception):
    """The signed-in user must first choose their own password: answered with a redirect to
    the change-password page (a form post: a page saying so)."""


PASSWORD_PAGE = "/password"


def runtime(request: Request) -> Runtime:
    """The app's runtime (a dependency: ``Annotated[Runtime, Depends(runtime)]``)."""
    rt: Runtime = request.app.state.runtime
    return rt


def now(request: Request) -> datetime:
    """The time this request is judged at, read once per request (a dependency: ``Now``): the
    app's clock, or what a test puts in ``app.dependency_overrides[now]`` (a function of no
    arguments), also where the request's code reads it directly (signing in, the pages)."""
    if not hasattr(request.state, "now"):
        override = request.app.dependency_overrides.get(now)
        clock: Callable[[], datetime] = override or request.app.state.clock
        request.state.now = clock()
    at: datetime = request.state.now
    return at


def session(rt: Annotated[Runtime, Depends(runtime)]) -> Iterator[Session]:
    """The request's one unit of work (a dependency: ``Db``), opened when the request reaches
    its page and committed (or rolled back on an error) when the page returns, before the
    answer is sent. A page that catches an action's refusal rolls back itself."""
    with rt.session() as unit_of_work:
        yield unit_of_work


Rt = Annotated[Runtime, Depends(runtime)]
Now = Annotated[datetime, Depends(now)]
Db = Annotated[Session, Depends(session, scope="function")]


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
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:  # "http://[::1" and the like: refused, never a 500
        netloc = None
    if netloc not in allowed or origin == "null":
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


def flash_query(request: Request, where: str, message: str) -> str:
    """The query string that carries a refused action's message back to the page it came from
    (``where``: "event:12", "inbox"), signed so that a link cannot put words in the app's mouth."""
    text = message[:300]
    return urlencode({"failed": text, "sig": _sign(request, f"flash:{where}:{text}")})


def flash(request: Request, where: str) -> str | None:
    """The refused action's message carried back to ``where``, when its signature holds."""
    text, sig = request.query_params.get("failed", ""), request.query_params.get("sig", "")
    return text if text and same(sig, _sign(request, f"flash:{where}:{text}")) else None


def same(given: str, expected: str) -> bool:
    """A constant-time comparison of a submitted value with the expected one, as UTF-8 bytes:
    ``hmac.compare_digest`` refuses str with non-ASCII characters (a TypeError, a 500)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def check_form_token(request: Request, purpose: str, given: str) -> None:
    issued, _, mac = given.partition(".")
    fresh = issued.isascii() and issued.isdigit() and 0 <= time.time() - int(issued) <= FORM_TOKEN_SECONDS
    if not (fresh and same(mac, _sign(request, f"{purpose}:{issued}"))):
        raise PageError(403, "页面已过期", "表单已失效，请刷新页面后重新提交。")


def principal(request: Request) -> Principal | None:
    """Who is signed in, looked up once per request (a disabled user's session ends at once,
    an idle one too); the session's last use is recorded."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    token = request.cookies.get(COOKIE)
    found: Principal | None = None
    if token and len(token) <= 100:
        found = runtime(request).act(resume_session, token, now=now(request))
    request.state.principal = found
    return found


def signed_in_any(request: Request) -> Principal:
    """The signed-in user, even one who must still change their password."""
    found = principal(request)
    if found is None:
        raise SignInNeeded()
    return found


def signed_in(request: Request) -> Principal:
    """The signed-in user, who has chosen their own password."""
    found = signed_in_any(request)
    if found.must_change:
        raise PasswordChangeNeeded()
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
    return await _session_form(request, signed_in)


async def password_form(request: Request) -> tuple[Principal, dict[str, str]]:
    """The change-password form: as ``signed_form``, for a user who must change it too."""
    return await _session_form(request, signed_in_any)


async def _session_form(request: Request, who_of: Callable[[Request], Principal]) -> tuple[Principal, dict[str, str]]:
    check_origin(request)
    form = await read_form(request)
    who = await run_in_threadpool(who_of, request)
    token = request.cookies.get(COOKIE, "")
    if not same(form.get("csrf", ""), session_csrf(request, token)):
        raise PageError(403, "页面已过期", "表单已失效（安全校验未通过），请刷新页面后重新提交。")
    return who, form


def is_https(request: Request) -> bool:
    public = settings(request).public_url or ""
    return request.url.scheme == "https" or public.lower().startswith("https://")


def cookie_args(request: Request) -> dict[str, Any]:
    """The session cookie's attributes; no Max-Age or Expires: it ends with the browser (the
    server ends the session when idle or old, ``pipeline.rules.signin``)."""
    return {"httponly": True, "samesite": "lax", "secure": is_https(request), "path": "/"}


def response_headers(request: Request) -> dict[str, str]:
    """The headers every response carries (HSTS only when served over https)."""
    return {**HEADERS, "Strict-Transport-Security": HSTS} if is_https(request) else HEADERS


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def audit_refusal(request: Request, status: int) -> None:
    """Audit a 401 or 403 answer with the user (when known: the session's or the API token's)
    and the address. A failed sign-in is audited by the sign-in itself."""
    if request.url.path == "/login" and status == 401:
        return
    try:
        runtime(request).act(record_refusal, status, request.method, request.url.path, address(request),
                             _who_was_refused(request), now=now(request))
    except Exception:  # the refusal stands even when the audit cannot be written
        LOG.exception("could not audit a %s answer to %s", status, request.url.path)


def _who_was_refused(request: Request) -> Principal | None:
    """The API token's user under /api (cookies are not accepted there), else the session's."""
    if not request.url.path.startswith("/api/"):
        return principal(request)
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not 0 < len(credential.strip()) <= 100:
        return None
    check: TokenCheck = runtime(request).read(check_api_token, credential.strip(), now(request))
    return check.principal


def page_number(request: Request) -> int:
    """The ``page`` query parameter of a page's list; anything but plain digits (a sign, other
    scripts' digits, thousands of them) is the first page."""
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), PAGE_MAX)) if _PAGE.fullmatch(raw) else 1
