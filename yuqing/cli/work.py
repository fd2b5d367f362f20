"""Commands people use on the work itself: a unit's queue; an analyst's corrections (grade,
topic, relevance, rumour); the coordinators' assignments; a unit's 签收, 退回, response and
办结. Each action command runs its action of the catalog (``pipeline.catalog``) through its runner, with
its typed body — the same way the web page and the API do."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from pipeline.vocabulary import MILESTONE_NAMES
from yuqing.cli.common import By, EventId, Now, Reason, act_on_event, moment, out, runtime
from yuqing.cli.tables import print_queue

app = typer.Typer()

Unit = Annotated[str, typer.Option("--unit", "-u", help="单位名称，如 石塘镇、县交通运输局")]


def _changed(applied: object) -> str:
    parts = []
    for attr, label in (("assignments", "新分办"), ("deadlines", "时限"), ("cancelled", "取消时限"),
                        ("reopened", "重新打开"), ("withdrawn", "撤回"), ("alerts", "新预警")):
        n = getattr(applied, attr, 0)
        if n:
            parts.append(f"{label} {n}")
    return "；".join(parts)


@app.command()
def queue(
    unit: Unit,
    now: Annotated[str | None, typer.Option(help="计算剩余时间所用的当前时间（ISO）")] = None,
) -> None:
    """某单位待办事项，最紧急的在前，显示剩余时间。"""
    from pipeline.queries.work import unit_queue

    at = moment(now)
    with runtime() as rt:
        items = rt.read(unit_queue, unit, at)
    print_queue(unit, items, at)


@app.command()
def regrade(
    event_id: EventId,
    grade: Annotated[str, typer.Option(help="特别重大 | 重大 | 较大 | 一般")],
    reason: Reason,
    by: Annotated[str, typer.Option("--by", "--analyst", help="分析员姓名")],
    now: Now = None,
) -> None:
    """分析员人工定级（可升可降；升级即按新等级补设时限并发出预警，留痕审计）。"""
    applied = act_on_event("grade", event_id, by, now, grade=grade, reason=reason)
    out.print(f"事件 {event_id} 已人工定级为 {escape(grade)}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))

@app.command()
def topic(event_id: EventId, name: Annotated[str, typer.Option("--topic", help="领域，如 交通运输")], reason: Reason,
          by: By, now: Now = None) -> None:
    """更正事件领域（主管部门随之调整）。"""
    applied = act_on_event("topic", event_id, by, now, topic=name, reason=reason)
    out.print(f"事件 {event_id} 的领域已更正为 {escape(name)}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))

@app.command()
def relevance(
    event_id: EventId,
    relevant: Annotated[bool, typer.Option("--relevant/--irrelevant", help="相关（本县政务舆情）或无关")],
    reason: Reason,
    by: By,
    topic_name: Annotated[str | None, typer.Option("--topic", help="更正为相关时可同时指定领域")] = None,
    now: Now = None,
) -> None:
    """更正事件是否相关：无关则撤回分办、取消时限；相关则定级、分办、设时限。"""
    applied = act_on_event("relevance", event_id, by, now, relevant=relevant, topic=topic_name, reason=reason)
    word = "相关" if relevant else "无关"
    out.print(f"事件 {event_id} 已更正为{word}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))

@app.command()
def rumor(
    event_id: EventId,
    is_rumor: Annotated[bool, typer.Option("--rumor/--not-rumor", help="是否有害谣言")],
    reason: Reason,
    by: By,
    now: Now = None,
) -> None:
    """更正谣言标记（有害谣言移交县公安局、县委网信办）。"""
    act_on_event("rumor", event_id, by, now, rumor=is_rumor, reason=reason)
    out.print(f"事件 {event_id} 已标记为{'有害谣言' if is_rumor else '非谣言'}")

@app.command()
def assign(
    event_id: EventId, unit: Unit, reason: Reason, by: By,
    role: Annotated[str, typer.Option(help="cooperating（配合）| transfer（线索移交）| coordinator（协调）")] = "cooperating",
    now: Now = None,
) -> None:
    """为事件增加一个配合、移交或协调单位。"""
    act_on_event("assign", event_id, by, now, unit=unit, role=role, reason=reason)
    out.print(f"已将{escape(unit)}加入事件 {event_id}")

@app.command()
def unassign(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """从事件中撤回一个单位（牵头单位请用改派）。"""
    act_on_event("unassign", event_id, by, now, unit=unit, reason=reason)
    out.print(f"已从事件 {event_id} 撤回{escape(unit)}")

@app.command()
def reassign(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """改派牵头单位（原牵头单位的未满足时限随之移交，时钟不重置）。"""
    act_on_event("reassign", event_id, by, now, unit=unit, reason=reason)
    out.print(f"事件 {event_id} 已改派，牵头单位：{escape(unit)}")

@app.command()
def accept(event_id: EventId, unit: Unit, by: By, now: Now = None) -> None:
    """签收（同时确认本单位关于该事件的预警）。"""
    act_on_event("accept", event_id, by, now, of_unit=unit)
    out.print(f"{escape(unit)}已签收事件 {event_id}")

@app.command(name="return")
def return_cmd(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """退回（说明理由，由协调部门改派）。"""
    act_on_event("return", event_id, by, now, of_unit=unit, reason=reason)
    out.print(f"{escape(unit)}已退回事件 {event_id}，已通知协调部门改派")

@app.command()
def respond(
    event_id: EventId,
    unit: Annotated[str, typer.Option(help="回应单位")],
    kind: Annotated[str, typer.Option(help="发布权威信息 | 新闻发布会 | 吹风会 | 接受媒体采访 | 网络问政回复")],
    by: By,
    link: Annotated[str | None, typer.Option(help="回应链接（http/https）；除 --place 所列情形外必填")] = None,
    place: Annotated[str | None, typer.Option(
        help="无链接时的举行地点 （新闻发布会、吹风会、接受媒体采访）")] = None,
    at: Annotated[str | None, typer.Option(
        help="回应时间（ISO），默认当前时间； 须在事件最早发布之后、登记之前")] = None,
    now: Now = None,
) -> None:
    """登记单位回应（附链接，或发布会等的举行地点），满足相应时限节点。"""
    when = moment(at, "--at") if at is not None else None
    met = act_on_event("respond", event_id, by, now, of_unit=unit, kind=kind, link=link, place=place, at=when)
    names = "、".join(MILESTONE_NAMES.get(m, m) for m in met) or "无"
    out.print(f"已登记：{escape(unit)} {escape(kind)}；满足时限节点：{names}")

@app.command(name="close")
def close_cmd(event_id: EventId, unit: Unit, by: By, note: Annotated[str | None, typer.Option(help="办结说明")] = None,
              now: Now = None) -> None:
    """办结（牵头单位须先满足全部时限节点）。"""
    act_on_event("close", event_id, by, now, of_unit=unit, note=note)
    out.print(f"{escape(unit)}已办结事件 {event_id}")

@app.command()
def merge(
    event_id: Annotated[int, typer.Argument(help="保留的事件编号")],
    others: Annotated[list[int], typer.Option("--with", help="并入的事件编号（可重复，如 --with 13 --with 14）")],
    reason: Reason, by: By, now: Now = None,
) -> None:
    """合并事件：同一事件的多条报道并为一个（取最高等级，各时限取最早，只保留一条预警链，留痕审计）。"""
    applied = act_on_event("merge", event_id, by, now, with_events=others, reason=reason)
    merged = "、".join(str(o) for o in others)
    out.print(f"事件 {merged} 已并入事件 {event_id}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))

@app.command()
def split(
    event_id: EventId,
    posts: Annotated[list[int], typer.Option("--post", help="拆出的帖子编号（可重复）")],
    reason: Reason, by: By, now: Now = None,
) -> None:
    """拆分事件：所选帖子另立新事件，重新定级、分办并从现在起设时限；此后不会再被自动合并。"""
    new = act_on_event("split", event_id, by, now, posts=posts, reason=reason)
    out.print(f"已从事件 {event_id} 拆出 {len(posts)} 条帖子，新事件编号 {new}")
