"""Server-rendered pages: Jinja2 templates with autoescape on (crawled text is hostile), the
filters they use (times in 北京时间, time left, Chinese names of codes) and the page response
(the app adds the security headers to every response)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.actions.catalog import ACTIONS
from pipeline.queries.alerts import ack_how
from pipeline.queries.clock import STATE_NAMES
from pipeline.queries.events import ACTION_NAMES, audit_value
from pipeline.rules import links
from pipeline.rules.grading import reader_detail
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import ALERT_HEADINGS, GRADES, MILESTONE_NAMES, PLATFORM_NAMES, ROLE_NAMES, SENTIMENTS, STATUS_NAMES
from yuqing.web import security


def _escape(value: Any) -> Any:
    """Every string printed is escaped (quotes too: it may stand in an attribute), the way the
    standard library writes it; markup the app built itself (charts) passes as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value, quote=True))
    return value


ENV = Environment(loader=PackageLoader("yuqing.web", "templates"), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True, finalize=_escape)
ENV.globals["ACTIONS"] = ACTIONS  # the event actions' buttons and messages (pipeline.actions.catalog)


def when(value: datetime | None, full: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M" if full else "%m-%d %H:%M")


def duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return (f"{days}天" if days else "") + (f"{hours}小时" if hours or days else "") + f"{mins}分"


def left(due: datetime | None, now: datetime) -> str:
    """Time left to a deadline, or how long it is overdue."""
    if due is None:
        return "—"
    return f"剩余 {duration(due - now)}" if due > now else f"超时 {duration(now - due)}"


def ago(at: datetime | None, now: datetime) -> str:
    """How long ago something happened: “3小时5分前”."""
    return "—" if at is None else f"{duration(now - at)}前"


def grade_class(grade: str | None) -> str:
    return f"g{GRADES.index(grade)}" if grade in GRADES else "g-none"


# ``{{ url|web_url }}``: a link only to a web address (pipeline.rules.links)
web_url = links.web_link


def platform_name(code: str | None) -> str:
    """A platform as county readers name it (微博, 网络问政 …); an unknown code as stored."""
    return PLATFORM_NAMES.get(code or "", code or "—")


def audit_filter(value: Any, action: str) -> str:
    """``{{ before|audit_value(action) }}``: an audit value in Chinese (pipeline.queries.events)."""
    return audit_value(action, value)


# ``{{ r.detail|reason }}``: a grade reason as people read it (the desk's note left to the review queue)
ENV.filters.update(when=when, left=left, ago=ago, grade_class=grade_class, web_url=web_url, platform=platform_name,
                   audit_value=audit_filter, reason=lambda detail: reader_detail(str(detail or "")))
ENV.globals.update(ALERT_HEADINGS=ALERT_HEADINGS, ACTION_NAMES=ACTION_NAMES, GRADES=GRADES,
                   MILESTONE_NAMES=MILESTONE_NAMES, ROLE_NAMES=ROLE_NAMES, STATUS_NAMES=STATUS_NAMES,
                   STATE_NAMES=STATE_NAMES, SENTIMENTS=SENTIMENTS, ack_how=ack_how)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page; a signed-in user's forms get the session's CSRF token."""
    who = context.pop("who", None)
    token = request.cookies.get(security.COOKIE)
    csrf = security.session_csrf(request, token) if who is not None and token else ""
    html = ENV.get_template(template).render(who=who, csrf=csrf, now=security.now(request), **context)
    return HTMLResponse(html, status_code=status)  # the app adds security.HEADERS to every response
