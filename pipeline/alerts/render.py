"""Alert messages in Chinese, rendered when sent (so the time left is current): what happened,
the grade and why, who owns it, the deadlines with time left, and how to acknowledge."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.rules.deadlines import time_left
from pipeline.storage.models import Alert, Assignment, Deadline, Event, Post, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import ALERT_HEADINGS, MILESTONE_NAMES, ROLE_NAMES


def ack_url(public_url: str, token: str) -> str:
    """The acknowledgement page of one alert under the web app's base URL."""
    return f"{public_url.rstrip('/')}/ack/{quote(token, safe='')}"


def render(session: Session, alert: Alert, now: datetime, *, public_url: str | None) -> tuple[str, str]:
    """(title, markdown text) in Chinese: what happened, the grade and why, who owns it, the
    deadlines with time left, and how to acknowledge: a link to the web app's page when its
    ``public_url`` is known, else the ``yuqing ack`` command."""
    event = session.get(Event, alert.event_id) if alert.event_id else None
    heading = ALERT_HEADINGS.get(alert.kind, "舆情通知")
    if event is None:
        title = f"【{heading}】{alert.payload.get('text', '')}"[:60]
        return title, f"### {title}\n\n{alert.payload.get('text', '')}"
    grade = event.grade or "—"
    level = f"·第{alert.level}次提醒" if alert.level else ""
    title = f"【{heading}·{grade}{level}】{event.title[:30]}"
    lines = [f"### {title}", "", f"- 事件编号：{event.id}（相关帖子 {_post_count(session, event.id)} 条）",
             f"- 概要：{_summary(session, event.id)}",
             f"- 等级：**{grade}**；依据：" + "；".join(r["detail"] for r in event.grade_reasons if r.get("grade")),
             f"- 责任单位：{_units(session, event.id)}"]
    if event.leadership:
        lines.append("- 县政府主要领导、分管领导：须关注（特别重大）")
    lines.append(f"- 回应时限：{_deadlines(session, event.id, now)}")
    if alert.kind == "reminder":
        lines.append(f"- 提醒：{MILESTONE_NAMES.get(alert.payload['milestone'], '')}时限已过"
                     f"{int(alert.payload['share'] * 100)}%，请抓紧回应")
    elif alert.kind == "overdue":
        lines.append(f"- 督办：{MILESTONE_NAMES.get(alert.payload['milestone'], '')}已超时，请立即处置并报告")
    elif alert.kind == "escalation":
        lines.append(f"- 督办：{alert.payload['unacknowledged']}尚未确认收到预警，现再次提醒并报协调部门")
    if alert.urgent:
        command = f"`yuqing ack {alert.ack_token} --by 姓名`"
        lines.append(f"- 请确认收到：[点击确认]({ack_url(public_url, alert.ack_token)})（或命令 {command}）"
                     if public_url else f"- 请确认收到：{command}")
    return title, "\n".join(lines)


def _post_count(session: Session, event_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Post).where(Post.event_id == event_id)) or 0


def _summary(session: Session, event_id: int) -> str:
    text = session.scalar(select(Post.text).where(Post.event_id == event_id).order_by(Post.id).limit(1)) or ""
    return text[:120] + ("…" if len(text) > 120 else "")


def _units(session: Session, event_id: int) -> str:
    stmt = (select(Assignment.role, Unit.name).join(Unit, Unit.id == Assignment.unit_id)
            .where(Assignment.event_id == event_id).order_by(Assignment.id))
    by_role: dict[str, list[str]] = {}
    for role, name in session.execute(stmt):
        by_role.setdefault(role, []).append(name)
    return "；".join(f"{ROLE_NAMES[r]}：{'、'.join(n)}" for r, n in by_role.items() if r in ROLE_NAMES)


def _deadlines(session: Session, event_id: int, now: datetime) -> str:
    stmt = (select(Deadline.milestone, Deadline.due_at, Deadline.met_at)
            .join(Assignment, Assignment.id == Deadline.assignment_id)
            .where(Assignment.event_id == event_id, Assignment.role == "primary").order_by(Deadline.due_at))
    parts = []
    for milestone, due, met in session.execute(stmt):
        state = "已回应" if met else time_left(due, now)
        parts.append(f"{MILESTONE_NAMES.get(milestone, milestone)} {due.astimezone(SHANGHAI):%m-%d %H:%M}（{state}）")
    return "；".join(parts) or "—"
