"""Alert messages in Chinese, rendered when sent (so the time left is current): one message for
everything a channel is owed about one event at that moment — the first alert, reminders,
overdue notices, repeats — saying what happened, the grade and why, who owns it, the deadlines
with time left, and who still has to acknowledge and how.

Crawled text is hostile: titles, excerpts, reasons and anything else that came from outside go
through ``plain`` first, so that a post cannot bring its own links, images, headings or list
items into an official 【舆情预警】. The only links in a message are the app's own, when its
public URL is set: the event page (where the original is shown safely), the acknowledgement links
and report download links; the source address itself is never a link. A heading names its event
by its headline (``pipeline.rules.headline``) and a report by its title, never cut in the middle
of a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.alerts import codes
from pipeline.queries.alerts import awaiting_acknowledgement
from pipeline.queries.headlines import headlines
from pipeline.rules.deadlines import time_left
from pipeline.rules.grading import reader_detail
from pipeline.rules.headline import clipped
from pipeline.storage.models import Alert, Assignment, Deadline, Event, Post, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import ALERT_HEADINGS, MILESTONE_NAMES, PLATFORM_NAMES, ROLE_NAMES

# Markdown (DingTalk, WeCom) and HTML syntax characters, replaced by their full-width forms:
# the text reads the same to a person and means nothing to a renderer.
_MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", "_": "＿",
                         "`": "｀", "#": "＃", "!": "！", "|": "｜", "~": "～", "\\": "＼", "{": "｛", "}": "｝"})
_SPACE = re.compile(r"\s+")
_SCHEME = re.compile(r"(?i)\b(https?|ftp|javascript|data|file|mailto|tel|dingtalk|weixin)\s*:")
# Which kind a combined message is headed by, most pressing first.
_ORDER = ("event", "escalation", "rising", "release_gap", "overdue", "reminder", "returned", "scheme", "report", "source")


def plain(text: object, limit: int | None = None) -> str:
    """Outside text made inert for a markdown message: one line, no markup characters, no
    scheme a client would turn into a link (``https://`` becomes ``https：//``)."""
    value = _SPACE.sub(" ", str(text or "")).strip()
    if limit is not None and len(value) > limit:
        value = value[:limit] + "…"
    return _SCHEME.sub(lambda m: m.group(1) + "：", value.translate(_MARKUP))


def chain_root(session: Session, alert: Alert) -> Alert:
    """The first alert of an acknowledgement chain: a repeat points at the alert it repeats."""
    original = alert.payload.get("original_alert") if alert.kind == "escalation" else None
    root = session.get(Alert, original) if original else alert
    return root if root is not None else alert


def ack_url(public_url: str, token: str) -> str:
    """The acknowledgement page of one alert under the web app's base URL."""
    return f"{public_url.rstrip('/')}/ack/{quote(token, safe='')}"


def event_url(public_url: str, event_id: int) -> str:
    """The app's page of one event under the web app's base URL."""
    return f"{public_url.rstrip('/')}/events/{int(event_id)}"


def render_message(session: Session, alerts: Sequence[Alert], now: datetime, *,
                   public_url: str | None, channel: str | None = None) -> tuple[str, str]:
    """(title, markdown text) of one message covering ``alerts`` (same channel, same event).
    Rendering mints the message's acknowledgement codes (``pipeline.alerts.codes``), recorded
    as this ``channel``'s: render only what is sent."""
    lead = min(alerts, key=lambda a: (_ORDER.index(a.kind) if a.kind in _ORDER else 99, not a.urgent))
    heading = ALERT_HEADINGS.get(lead.kind, "舆情通知")
    event = session.get(Event, lead.event_id) if lead.event_id else None
    if event is None:
        texts = list(dict.fromkeys(plain(a.payload.get("text", ""), 1000) for a in alerts))
        named = lead.payload.get("title") if lead.kind == "report" else None
        title = f"【{heading}】{plain(named) if named else plain(clipped(texts[0], 40))}"
        return title, "\n".join([f"### {title}", "", *(f"- {t}" for t in texts),
                                 *_report_lines(alerts, public_url)])
    grade = event.grade or "—"
    level = max((a.level for a in alerts if a.kind == "escalation"), default=0)
    name = plain(headlines(session, [event.id]).get(event.id, event.title))
    title = f"【{heading}·{grade}{f'·第{level}次提醒' if level else ''}】{name}"
    lines = [f"### {title}", "", *_event_lines(session, event, now)]
    if public_url:
        lines.append(f"- 事件页面（原文与处置情况）：[打开事件 {event.id}]({event_url(public_url, event.id)})")
    lines += _kind_lines(session, alerts)
    lines += _report_lines(alerts, public_url)
    lines += _ack_lines(session, alerts, public_url, channel, now)
    return title, "\n".join(lines)


REPORT_FORMATS = {"docx": "Word版", "html": "网页版", "xlsx": "Excel版"}


def _report_lines(alerts: Sequence[Alert], public_url: str | None) -> list[str]:
    """Where to read each report announced: links to the web app's download page of each of its
    files when the app's address is configured, else where to find it there (never a server path)."""
    lines: list[str] = []
    for a in sorted(alerts, key=lambda a: a.id):
        report_id, files = a.payload.get("report_id"), a.payload.get("files") or {}
        if a.kind != "report" or not isinstance(report_id, int):
            continue
        if public_url:
            base = public_url.rstrip("/")
            links = "、".join(f"[{REPORT_FORMATS[f]}]({base}/reports/{report_id}/{f})" for f in REPORT_FORMATS if f in files)
            line = f"- 报告下载（需登录）：{links}"
        else:
            line = "- 报告下载：请登录舆情系统，在“报告”页查看"
        if line not in lines:
            lines.append(line)
    return lines


def _event_lines(session: Session, event: Event, now: datetime) -> list[str]:
    first = session.execute(select(Post.text, Post.url, Post.platform, Post.author).where(Post.event_id == event.id)
                            .order_by(Post.id).limit(1)).first()
    count = session.scalar(select(func.count()).select_from(Post).where(Post.event_id == event.id)) or 0
    # the reasons that decided the grade (one giving a lower grade beside it reads as a contradiction)
    deciding = [r for r in event.grade_reasons or [] if r.get("grade") and r.get("grade") == event.grade]
    reasons = "；".join(plain(reader_detail(str(r["detail"])), 200)
                       for r in deciding or [r for r in event.grade_reasons or [] if r.get("grade")])
    lines = [f"- 事件编号：{event.id}（相关帖子 {count} 条）",
             f"- 概要：「{plain(first.text if first else '', 120)}」"]
    if first is not None:
        platform = PLATFORM_NAMES.get(first.platform or "", "其他平台")
        who = "，".join([platform, *(plain(x, 40) for x in (first.author,) if x)])
        lines.append(f"- 来源：{who}" + (f"，原文地址（文本，请复制后核实）：{plain(first.url, 300)}" if first.url else ""))
    lines += [f"- 等级：**{event.grade or '—'}**；依据：{reasons or '—'}", f"- 责任单位：{_units(session, event.id)}"]
    if event.leadership:
        lines.append("- 县政府主要领导、分管领导：须关注（特别重大）")
    lines.append(f"- 回应时限：{_deadlines(session, event.id, now)}")
    return lines


def _kind_lines(session: Session, alerts: Sequence[Alert]) -> list[str]:
    lines: list[str] = []
    for a in sorted(alerts, key=lambda a: a.id):
        milestone = MILESTONE_NAMES.get(str(a.payload.get("milestone", "")), "")
        line = ""
        if a.kind == "reminder":
            line = f"- 提醒：{milestone}时限已过{int(a.payload['share'] * 100)}%，请抓紧回应"
        elif a.kind == "overdue":
            line = f"- 督办：{milestone}已超时，请立即处置并报告"
        elif a.kind == "rising":
            line = f"- 快速升温：{plain(a.payload.get('figures'), 200)}，请关注并研判是否需要及时回应"
        elif a.kind == "release_gap":
            line = f"- 持续发布：距上次发布已 {plain(a.payload.get('gap'), 40)}，请及时发布最新进展"
        elif a.kind == "returned":
            line = f"- 退回：{plain(a.payload.get('unit'), 40)}退回本事件（{plain(a.payload.get('reason'), 200)}），请协调改派"
        elif a.kind not in ("event", "escalation") and a.payload.get("text"):
            line = f"- {plain(a.payload['text'], 500)}"  # any other kind (a scheme hit, a report) says its text
        if line and line not in lines:
            lines.append(line)
    waiting = _still_waiting(session, [a for a in alerts if a.kind == "escalation"])
    if waiting:
        top = max((a for a in alerts if a.kind == "escalation"), key=lambda a: a.level)
        told = [plain(n, 40) for n in top.payload.get("told", ["协调部门"])]  # older alerts: as they were sent
        lines.append(f"- 督办：{'、'.join(waiting)}尚未确认收到预警（第{top.level}次提醒），现再次提醒"
                     + (f"并报{'、'.join(told)}" if told else ""))
    return lines


def _still_waiting(session: Session, escalations: Sequence[Alert]) -> list[str]:
    """Who an escalation names that has still not acknowledged (an answer since then counts)."""
    names = list(dict.fromkeys(n for a in escalations for n in a.payload.get("unacknowledged", [])))
    if not names:
        return []
    event_id = escalations[0].event_id
    open_ = set(session.scalars(select(Alert.recipient).where(Alert.event_id == event_id, awaiting_acknowledgement())))
    return [n for n in names if n in open_]


def _ack_lines(session: Session, alerts: Sequence[Alert], public_url: str | None, channel: str | None,
               now: datetime) -> list[str]:
    """How each recipient of an urgent alert in this message acknowledges — for those whose
    alert is still unacknowledged when the message goes out — with a code of its own."""
    asks: dict[str, str] = {}
    for a in sorted(alerts, key=lambda a: a.id):
        root = chain_root(session, a)
        if not a.urgent or a.recipient in asks or root.acknowledged_at is not None:
            continue
        # a code of the first alert's chain, whichever repeat carries it: it acknowledges them all
        code = codes.mint(session, root, channel, now)
        command = f"`yuqing ack {code} --by 姓名`"
        asks[a.recipient] = (f"[点击确认]({ack_url(public_url, code)})（或命令 {command}）" if public_url
                             else f"命令 {command}")
    if not asks:
        return []
    if len(asks) == 1:
        (who, how), = asks.items()
        return [f"- 请{who}确认收到：{how}"]
    return ["- 请确认收到：", *(f"  - {who}：{how}" for who, how in asks.items())]


def _units(session: Session, event_id: int) -> str:
    stmt = (select(Assignment.role, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id == event_id, Assignment.status != "withdrawn").order_by(Assignment.id))
    by_role: dict[str, list[str]] = {}
    for role, name in session.execute(stmt):
        by_role.setdefault(role, []).append(name)
    return "；".join(f"{ROLE_NAMES[r]}：{'、'.join(n)}" for r, n in by_role.items() if r in ROLE_NAMES)


def _deadlines(session: Session, event_id: int, now: datetime) -> str:
    stmt = (select(Deadline.milestone, Deadline.due_at, Deadline.met_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id)
            .where(Assignment.event_id == event_id, Assignment.role == "primary", Assignment.status != "withdrawn",
                   Deadline.cancelled_at.is_(None))
            .order_by(Deadline.due_at))
    parts = []
    for milestone, due, met in session.execute(stmt):
        state = "已回应" if met else time_left(due, now)
        parts.append(f"{MILESTONE_NAMES.get(milestone, milestone)} {due.astimezone(SHANGHAI):%m-%d %H:%M}（{state}）")
    return "；".join(parts) or "—"
