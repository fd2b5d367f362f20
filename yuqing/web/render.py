"""Server-rendered pages: Jinja2 templates with autoescape on (crawled text is hostile), the
filters they use (times in 北京时间, time left, Chinese names of codes) and the page response
(the app adds the security headers to every response)."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.catalog import ACTIONS
from pipeline.queries.alerts import ack_how
from pipeline.queries.events import ACTION_NAMES, audit_value
from pipeline.rules import links
from pipeline.rules.deadlines import DEADLINE_STATE_NAMES, time_left, time_since
from pipeline.rules.grading import reader_detail
from pipeline.rules.headline import clipped
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
ENV.globals["ACTIONS"] = ACTIONS  # the event actions' buttons and messages (pipeline.catalog)


def when(value: datetime | None, full: bool = False) -> str:
    if value is None:
        return "—"
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M" if full else "%m-%d %H:%M")


def left(due: datetime | None, now: datetime) -> str:
    """Time left to a deadline, or how long it is overdue (pipeline.rules.deadlines.time_left)."""
    return "—" if due is None else time_left(due, now)


def ago(at: datetime | None, now: datetime) -> str:
    """How long ago something happened: “3小时5分前”."""
    return "—" if at is None else time_since(at, now)


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
ENV.filters.update(clip=clipped, when=when, left=left, ago=ago, grade_class=grade_class, web_url=web_url, platform=platform_name,
                   audit_value=audit_filter, reason=lambda detail: reader_detail(str(detail or "")))
ENV.globals.update(ALERT_HEADINGS=ALERT_HEADINGS, ACTION_NAMES=ACTION_NAMES, GRADES=GRADES,
                   MILESTONE_NAMES=MILESTONE_NAMES, ROLE_NAMES=ROLE_NAMES, STATUS_NAMES=STATUS_NAMES,
                   STATE_NAMES=DEADLINE_STATE_NAMES, SENTIMENTS=SENTIMENTS, ack_how=ack_how)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page; a signed-in user's forms get the session's CSRF token."""
    who = context.pop("who", None)
    token = request.cookies.get(security.COOKIE)
    csrf = security.session_csrf(request, token) if who is not None and token else ""
    html = ENV.get_template(template).render(who=who, csrf=csrf, now=security.now(request), **context)
    return HTMLResponse(html, status_code=status)  # the app adds security.HEADERS to every response
