"""Commands of trust in the automatic decisions: the 待复核 list, an analyst's sentiment
correction, and retraining the models on the corrections (kept only if not worse)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from pipeline.rules.headline import clipped
from yuqing.cli.common import GRADE_STYLE, By, EventId, Now, Reason, act_on_event, moment, out, progress, runtime, styled
from yuqing.cli.tables import print_notes, when

app = typer.Typer()


@app.command()
def review(
    limit: Annotated[int, typer.Option(help="最多列出多少件")] = 50,
    all_events: Annotated[bool, typer.Option("--all", help="列出全部相关事件（待复核的在前）")] = False,
) -> None:
    """待复核事件：自动定级或领域不可靠、需要分析员确认的，最严重、最新的在前。"""
    from pipeline.queries.review import review_list

    with runtime() as rt:
        items = rt.read(review_list, limit, not all_events)
    if not items:
        out.print("没有待复核的事件")
        return
    notes: list[str] = []
    for it in items:
        mark = "[bold yellow]待复核[/]" if it.needs_review else "　　　"
        out.print(f"{mark} 事件 {it.event_id}　{styled(it.grade or '—', GRADE_STYLE.get(it.grade or '', ''))}　"
                  f"{escape(it.topic or '—')}　{escape(it.sentiment or '—')}　{when(it.last_seen_at)}　{escape(clipped(it.title, 30))}",
                  soft_wrap=True)
        notes += [f"事件 {it.event_id}：{r}" for r in it.reasons]
    print_notes(notes, "复核原因（yuqing regrade / topic 更正后即解除）")


@app.command()
def sentiment(
    event_id: EventId,
    value: Annotated[str, typer.Option("--sentiment", help="负面 | 中性 | 正面")],
    reason: Reason,
    by: By,
    now: Now = None,
) -> None:
    """更正事件的情感倾向（留作情感模型的训练样本）。"""
    act_on_event("sentiment", event_id, by, now, sentiment=value, reason=reason)
    out.print(f"事件 {event_id} 的情感倾向已更正为 {escape(value)}")


@app.command()
def retrain(now: Annotated[str | None, typer.Option(help="记录的时间（ISO），默认当前时间")] = None) -> None:
    """用语料与分析员的全部更正重新训练模型；新模型在同一留出集上不差于原模型才采用，决定记入 retrain.jsonl。"""
    from classifiers.retraining import describe_decision
    from pipeline.service import RETRAIN_LOG, retrain_models

    at = moment(now)
    with runtime() as rt:
        decisions = retrain_models(rt, at, progress)
        log = rt.settings.state_dir / RETRAIN_LOG
    for d in decisions:
        out.print(escape(describe_decision(d)), soft_wrap=True)
    out.print(f"决定已记录到 {escape(str(log))}")
