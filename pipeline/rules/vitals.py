"""Whether the installation is well (pure): from what ``/healthz`` gathered — the database, the
models, the sources, the alert outbox — the problems a duty officer must act on (the answer is
then not 200) and the warnings worth a look (still 200).

Failing: the database cannot be reached; a default model is missing or unreadable; an urgent
alert has waited longer than ``urgent_undelivered`` for a delivery; a source is down (中断,
nothing collected from it). Warnings: a source degraded; a model older than ``model_age``
(retraining should replace it weekly); no collection run for ``collection_silence`` while
sources exist (the scheduler may be stopped)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SourceVitals:
    name: str
    platform: str
    health: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None  # the last run that answered (items fetched, or health ok)


@dataclass(frozen=True)
class OutboxVitals:
    pending: int                     # deliveries waiting (first attempt or retry)
    failing: int                     # of which have failed at least once
    oldest_urgent_at: datetime | None  # creation of the oldest urgent alert with a delivery pending
    oldest_urgent_channels: tuple[str, ...]  # the channels it waits for


@dataclass(frozen=True)
class ModelVitals:
    kind: str
    version: str | None
    created_at: datetime | None
    problem: str | None = None  # missing or unreadable, in Chinese


@dataclass(frozen=True)
class Limits:
    urgent_undelivered: timedelta = timedelta(minutes=10)
    model_age: timedelta = timedelta(days=30)
    collection_silence: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class Verdict:
    problems: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def judge(database_ok: bool, models: list[ModelVitals], sources: list[SourceVitals], outbox: OutboxVitals | None,
          now: datetime, limits: Limits = Limits()) -> Verdict:
    problems: list[str] = [] if database_ok else ["数据库无法连接"]
    warnings: list[str] = []
    for m in models:
        if m.problem:
            problems.append(f"{m.kind} 模型不可用：{m.problem}")
        elif m.created_at is not None and now - m.created_at > limits.model_age:
            warnings.append(f"{m.kind} 模型已 {(now - m.created_at).days} 天未更新")
    if outbox is not None and outbox.oldest_urgent_at is not None:
        waited = now - outbox.oldest_urgent_at
        if waited > limits.urgent_undelivered:
            problems.append(f"紧急预警已等待 {_minutes(waited)} 分钟仍未送达（渠道：{'、'.join(outbox.oldest_urgent_channels)}）")
    problems += [f"信息源「{s.name}」中断" for s in sources if s.health == "down"]
    warnings += [f"信息源「{s.name}」降级" for s in sources if s.health == "degraded"]
    runs = [s.last_run_at for s in sources if s.last_run_at is not None]
    if runs and now - max(runs) > limits.collection_silence:
        warnings.append(f"已 {_minutes(now - max(runs))} 分钟没有采集运行（计划任务可能已停止）")
    return Verdict(problems, warnings)


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
