"""Tables and lists for people, in Chinese, readable at 80 columns and in a pipe: names are never
cut (long ones fold onto the next line), long reasons go below the table as numbered notes
rather than into a squeezed column."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table

from pipeline.rules.deadlines import span_text, time_left
from pipeline.rules.headline import clipped
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import (
    HEALTH_NAMES,
    MILESTONE_NAMES,
    PLATFORM_NAMES,
    ROLE_NAMES,
    SOURCE_KIND_NAMES,
    STATUS_NAMES,
)
from yuqing.cli.common import GRADE_STYLE, out, styled

HEALTH_STYLE = {"ok": "green", "degraded": "yellow", "down": "bold red"}


def _table(title: str, *columns: str, flexible: tuple[str, ...] = ()) -> Table:
    """Columns named in ``flexible`` share the width left over (and fold); the others keep their
    content's width on one line, so short values (ids, grades, times) are never broken."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False, show_edge=False,
                  collapse_padding=True, expand=False)
    for col in columns:
        if col in flexible:
            table.add_column(col, overflow="fold", ratio=1, min_width=8)
        else:
            table.add_column(col, no_wrap=True)
    return table


def when(value: datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if value else "—"


def print_triage(items: list[dict[str, Any]]) -> None:
    table = _table(f"研判结果（{len(items)} 条）", "编号/事件", "等级/领域", "责任单位", "时限",
                   flexible=("编号/事件", "等级/领域", "责任单位"))
    for it in items:
        grade = it["grade"] or "—"
        lead = (it["primary_unit"] or "—") + ("（领导关注）" if it["leadership"] else "")
        helpers = [*it["cooperating_units"], *(f"移交{u}" for u in it["transfer_units"])]
        units = escape(lead) + (f"\n[dim]配合：{escape('、'.join(helpers))}[/dim]" if helpers else "")
        deadlines = "\n".join(f"{MILESTONE_NAMES[d['milestone']]} {d['due_at'][5:16].replace('T', ' ')}"
                              for d in it["deadlines"])
        topic = it["topic"] if it["relevant"] else f"无关（{it.get('irrelevant_reason') or it['topic'] or '—'}）"
        review = "\n[bold yellow]待复核[/]" if it.get("needs_review") else ""
        feeling = f"·{it['sentiment']}" if it.get("sentiment") else ""
        table.add_row(f"{escape(str(it['id']))}\n[dim]事件 {it['event_id']}[/dim]",
                      styled(grade, GRADE_STYLE.get(grade, "")) + review + f"\n{escape((topic or '—') + feeling)}", units,
                      deadlines or "—")
    out.print(table)


def print_queue(unit: str, items: list[Any], now: datetime) -> None:
    table = _table(f"{unit} 待办（{len(items)} 件）", "事件", "等级", "角色", "标题", "下一时限", "剩余时间",
                   flexible=("标题", "剩余时间"))
    for i in items:
        left = time_left(i.due_at, now) if i.due_at else STATUS_NAMES.get(i.status, i.status)
        due = f"{MILESTONE_NAMES.get(i.milestone or '', '—')}\n{when(i.due_at)}" if i.due_at else "—"
        role = ROLE_NAMES.get(i.role, i.role) + ("" if i.status in ("new", "dispatched") else
                                                 f"·{STATUS_NAMES.get(i.status, i.status)}")
        table.add_row(str(i.event_id), styled(i.grade or "—", GRADE_STYLE.get(i.grade or "", "")), role,
                      escape(clipped(i.title, 40)), due, styled(left, "bold red" if i.overdue else ""))
    out.print(table)


def print_notes(notes: list[str], title: str = "说明") -> None:
    if notes:
        out.print(f"{title}：")
        for k, note in enumerate(notes, start=1):
            out.print(f"  [{k}] {escape(note)}", soft_wrap=True)


def print_sources(rows: list[dict[str, Any]]) -> None:
    table = _table(f"信息源状态（{len(rows)} 个）", "信息源", "状态", "最近采集", "最近新增", "抓取/新增/拒收", "搜索覆盖至",
                   flexible=("信息源",))
    notes: list[str] = []
    for r in rows:
        health = HEALTH_NAMES.get(r["health"], r["health"] or "未运行")
        if r["reason"]:
            notes.append(f"{r['name']}：{r['reason']}")
            health += f" [{len(notes)}]"
        counts = "/".join("—" if r[k] is None else str(r[k]) for k in ("last_fetched", "last_new", "last_rejected"))
        kind = " · ".join(x for x in (PLATFORM_NAMES.get(r["platform"] or "", r["platform"]),
                                       SOURCE_KIND_NAMES.get(r.get("kind") or "")) if x)
        table.add_row(f"{escape(r['name'])}\n[dim]{escape(kind)}[/dim]",
                      styled(health, HEALTH_STYLE.get(r["health"], "")), when(r["last_run_at"]),
                      when(r["last_new_at"]), counts, when(r["search_covered_until"]))
    out.print(table)
    print_notes(notes, "原因")


def print_collect(facts: list[Any]) -> None:
    table = _table(f"采集结果（{len(facts)} 个信息源）", "信息源", "抓取", "新增", "重复", "拒收", "问题",
                   flexible=("信息源", "问题"))
    notes: list[str] = []
    for f in facts:
        marks = []
        for kind, detail in f.problems:
            notes.append(f"{f.name}：{kind}：{detail}")
            marks.append(f"[{len(notes)}]")
        table.add_row(escape(f.name), str(f.fetched), str(f.new), str(f.duplicates), str(f.rejected),
                      " ".join(marks) or "—")
    out.print(table)
    print_notes(notes, "问题")


def print_status(st: dict[str, Any], now: datetime) -> None:
    table = Table(title="云和县舆情系统运行概况", show_header=False, box=box.SIMPLE, title_justify="left")
    table.add_column("项目", no_wrap=True)
    table.add_column("数值", overflow="fold")
    grades = "、".join(f"{g} {n}" for g, n in st["relevant_events_by_grade"].items()) or "—"
    for label, value in (("帖子总数", st["posts"]), ("近24小时新增帖子", st["posts_last_24h"]),
                         ("相关事件（按等级）", grades), ("未办结分办", st["open_assignments"]),
                         ("已超时时限", st["overdue_deadlines"]), ("退回待改派", len(st["returned"])),
                         ("待发送预警", st["pending_deliveries"]),
                         ("未确认紧急预警", len(st["open_urgent_alerts"]))):
        table.add_row(label, escape(str(value)))
    out.print(table)
    lines = [f"事件 {e}：{u}退回，{r}" for e, u, r in st["returned"]]
    print_notes(lines, "退回待改派（yuqing reassign 事件 --unit 单位）")
    print_notes([f"事件 {a.event_id}〔{a.grade or '—'}〕{clipped(a.title, 20)}　接收：{a.recipient}　预警 {a.alert_id}"
                 f"　已过 {span_text((now - a.created_at).total_seconds())}" for a in st["open_urgent_alerts"]],
                "未确认的紧急预警（yuqing ack --alert 预警编号 --by 姓名）")
    print_notes([f"事件 {a.event_id}　接收：{a.recipient}　{when(a.at)} 由 {a.by} 确认，{a.how}"
                 for a in st.get("acknowledged_last_24h", [])], "近 24 小时确认的紧急预警（“自报”为确认人自己填写的姓名）")
    print_notes([f"{ch}：{info['pending']} 条待重试；{info['last_error']}" for ch, info in st["failing_channels"].items()],
                "发送失败的渠道")
    print_notes(st["sources_not_ok"], "信息源异常")
    print_notes(st["coverage_gaps_last_7d"], "采集覆盖不完整（近 7 天）")


def _day(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d")


def print_tokens(rows: list[Any]) -> None:
    """API tokens (``pipeline.queries.tokens.TokenRow``), newest first; 80 columns wide."""
    if not rows:
        out.print("没有接口令牌（yuqing users token 用户 --name 系统名称 --by 姓名 签发）")
        return
    table = _table(f"接口令牌（{len(rows)} 个）", "编号", "名称/用户", "签发", "到期", "最近使用", "状态",
                   flexible=("名称/用户",))
    for r in rows:
        used = r.last_used_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if r.last_used_at else "从未使用"
        state = styled(r.state, "green" if r.state == "有效" else "yellow")
        if r.revoked_at is not None:
            state += f"\n[dim]{_day(r.revoked_at)}[/dim]"
        table.add_row(str(r.id), f"{escape(r.name)}\n[dim]{escape(r.username)}[/dim]", _day(r.created_at),
                      _day(r.expires_at), used, state)
    out.print(table)


TABLE_NAMES = {"events": "事件", "posts": "帖子", "assignments": "分办", "deadlines": "时限节点", "audit_log": "审计记录",
               "users": "网页用户"}
PURGE_RULES = {"text": "无关信息：删除标题、正文与个人信息", "personal": "已办结事件：清除个人信息（保留正文）"}


def print_backup(manifest: dict[str, Any], head: str) -> None:
    """What a backup holds (its manifest): the main tables' rows and the models' versions."""
    out.print(escape(f"{head}（yuqing {manifest['app_version']}，数据库版本 {manifest['alembic_revision']}，"
                     f"备份时间 {manifest['created_at'][:19].replace('T', ' ')}）"))
    table = _table("内容", "项目", "数量/版本", flexible=("数量/版本",))
    for name, label in TABLE_NAMES.items():
        if name in manifest["tables"]:
            table.add_row(label, str(manifest["tables"][name]))
    for kind, version in manifest["models"].items():
        table.add_row(f"模型 {escape(kind)}", escape(version))
    out.print(table)


def print_purge(plan: list[Any], done: dict[str, int] | None) -> None:
    """Posts due under each retention rule (``done`` None: a preview) or purged by them."""
    title = "保存期限到期的帖子（预览，未改动）" if done is None else "已按保存期限处理的帖子"
    table = _table(title, "规则", "期限", "帖子", "涉及事件", flexible=("规则",))
    for line in plan:
        posts = line.posts if done is None else done[line.rule]
        table.add_row(PURGE_RULES[line.rule], f"{line.days} 天", str(posts), str(line.events))
    out.print(table)
