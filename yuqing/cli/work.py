"""Commands people use on the work itself: a unit's queue; an analyst's corrections (grade,
topic, relevance, rumour); the coordinators' assignments; a unit's 签收, 退回, response and
办结. Each calls one action of ``pipeline.actions``, the same function the web app calls."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from pipeline.vocabulary import MILESTONE_NAMES
from yuqing.cli.common import By, EventId, Now, Reason, moment, out, runtime
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
    from pipeline.actions.events import regrade as regrade_event

    at = moment(now)
    with runtime() as rt:
        applied = rt.act(regrade_event, rt.cfg, event_id, grade, reason=reason, actor=by, now=at)
    out.print(f"事件 {event_id} 已人工定级为 {escape(grade)}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))


@app.command()
def topic(event_id: EventId, name: Annotated[str, typer.Option("--topic", help="领域，如 交通运输")], reason: Reason,
          by: By, now: Now = None) -> None:
    """更正事件领域（主管部门随之调整）。"""
    from pipeline.actions.events import set_topic

    at = moment(now)
    with runtime() as rt:
        applied = rt.act(set_topic, rt.cfg, event_id, name, reason=reason, actor=by, now=at)
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
    from pipeline.actions.events import set_relevance

    at = moment(now)
    with runtime() as rt:
        applied = rt.act(set_relevance, rt.cfg, event_id, relevant, reason=reason, actor=by, now=at, topic=topic_name)
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
    from pipeline.actions.events import set_rumor

    at = moment(now)
    with runtime() as rt:
        rt.act(set_rumor, rt.cfg, event_id, is_rumor, reason=reason, actor=by, now=at)
    out.print(f"事件 {event_id} 已标记为{'有害谣言' if is_rumor else '非谣言'}")


@app.command()
def assign(
    event_id: EventId, unit: Unit, reason: Reason, by: By,
    role: Annotated[str, typer.Option(help="cooperating（配合）| transfer（线索移交）| coordinator（协调）")] = "cooperating",
    now: Now = None,
) -> None:
    """为事件增加一个配合、移交或协调单位。"""
    from pipeline.actions.units import assign_unit

    at = moment(now)
    with runtime() as rt:
        rt.act(assign_unit, rt.cfg, event_id, unit, role, reason=reason, actor=by, now=at)
    out.print(f"已将{escape(unit)}加入事件 {event_id}")


@app.command()
def unassign(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """从事件中撤回一个单位（牵头单位请用改派）。"""
    from pipeline.actions.units import unassign_unit

    at = moment(now)
    with runtime() as rt:
        rt.act(unassign_unit, rt.cfg, event_id, unit, reason=reason, actor=by, now=at)
    out.print(f"已从事件 {event_id} 撤回{escape(unit)}")


@app.command()
def reassign(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """改派牵头单位（原牵头单位的未满足时限随之移交，时钟不重置）。"""
    from pipeline.actions.units import reassign as reassign_primary

    at = moment(now)
    with runtime() as rt:
        rt.act(reassign_primary, rt.cfg, event_id, unit, reason=reason, actor=by, now=at)
    out.print(f"事件 {event_id} 已改派，牵头单位：{escape(unit)}")


@app.command()
def accept(event_id: EventId, unit: Unit, by: By, now: Now = None) -> None:
    """签收（同时确认本单位关于该事件的预警）。"""
    from pipeline.actions.work import accept as accept_item

    at = moment(now)
    with runtime() as rt:
        rt.act(accept_item, rt.cfg, event_id, unit, actor=by, now=at)
    out.print(f"{escape(unit)}已签收事件 {event_id}")


@app.command(name="return")
def return_cmd(event_id: EventId, unit: Unit, reason: Reason, by: By, now: Now = None) -> None:
    """退回（说明理由，由协调部门改派）。"""
    from pipeline.actions.work import return_item

    at = moment(now)
    with runtime() as rt:
        rt.act(return_item, rt.cfg, event_id, unit, reason=reason, actor=by, now=at)
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
    from pipeline.actions.work import record_response

    recorded, when = moment(now), moment(at, "--at")
    with runtime() as rt:
        met = rt.act(record_response, rt.cfg, event_id, unit, kind, link=link, place=place, at=when, actor=by,
                     now=recorded)
    names = "、".join(MILESTONE_NAMES.get(m, m) for m in met) or "无"
    out.print(f"已登记：{escape(unit)} {escape(kind)}；满足时限节点：{names}")


@app.command(name="close")
def close_cmd(event_id: EventId, unit: Unit, by: By, note: Annotated[str | None, typer.Option(help="办结说明")] = None,
              now: Now = None) -> None:
    """办结（牵头单位须先满足全部时限节点）。"""
    from pipeline.actions.work import close_item

    at = moment(now)
    with runtime() as rt:
        rt.act(close_item, rt.cfg, event_id, unit, actor=by, now=at, note=note)
    out.print(f"{escape(unit)}已办结事件 {event_id}")


@app.command()
def merge(
    event_id: Annotated[int, typer.Argument(help="保留的事件编号")],
    others: Annotated[list[int], typer.Option("--with", help="并入的事件编号（可重复，如 --with 13 --with 14）")],
    reason: Reason, by: By, now: Now = None,
) -> None:
    """合并事件：同一事件的多条报道并为一个（取最高等级，各时限取最早，只保留一条预警链，留痕审计）。"""
    from pipeline.actions.merging import merge_events

    at = moment(now)
    with runtime() as rt:
        applied = rt.act(merge_events, rt.cfg, event_id, others, reason=reason, actor=by, now=at)
    merged = "、".join(str(o) for o in others)
    out.print(f"事件 {merged} 已并入事件 {event_id}" + (f"（{_changed(applied)}）" if _changed(applied) else ""))


@app.command()
def split(
    event_id: EventId,
    posts: Annotated[list[int], typer.Option("--post", help="拆出的帖子编号（可重复）")],
    reason: Reason, by: By, now: Now = None,
) -> None:
    """拆分事件：所选帖子另立新事件，重新定级、分办并从现在起设时限；此后不会再被自动合并。"""
    from pipeline.actions.merging import split_event

    at = moment(now)
    with runtime() as rt:
        new = rt.act(split_event, rt.cfg, event_id, posts, reason=reason, actor=by, now=at)
    out.print(f"已从事件 {event_id} 拆出 {len(posts)} 条帖子，新事件编号 {new}")
