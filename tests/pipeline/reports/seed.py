"""A small county world for the report tests, written straight into the tables: events of every
grade with posts spread over the hours of 2026-11-27 (and the days around it), their owners in
every state of an assignment's life, deadlines met on time, late, overdue, pending and
cancelled, responses, a returned item, a rumour with its transfers, an irrelevant event, source
runs, a source that is down and the coverage gap it left."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.storage.models import (
    Assignment,
    CoverageGap,
    Deadline,
    Event,
    Post,
    Response,
    Source,
    SourceRun,
    Unit,
)
from pipeline.timeparse import SHANGHAI

DAY = datetime(2026, 11, 27, tzinfo=SHANGHAI)
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI)   # the 08:00 run that reports the 27th
_ids = count(1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _source(s: Session, name: str, platform: str, *, local: bool = False, health: str | None = None,
            reason: str | None = None) -> Source:
    src = Source(platform=platform, name=name, local=local, health=health, health_reason=reason)
    s.add(src)
    s.flush()
    return src


def _event(s: Session, title: str, grade: str | None, topic: str | None, seen: datetime, *, relevant: bool = True,
           categories: tuple[str, ...] = (), rumor: bool = False) -> Event:
    ev = Event(key=f"ev{next(_ids)}", title=title, relevant=relevant, topic=topic, grade=grade, auto_grade=grade,
               grade_reasons=[{"rule": "model", "grade": grade, "detail": f"文本模型判定为{grade}"}] if grade else [],
               categories=list(categories), rumor=rumor, leadership=grade == "特别重大", features={}, post_count=0,
               engagement=None, first_seen_at=seen, last_seen_at=seen, clock_start_at=seen if relevant else None)
    s.add(ev)
    s.flush()
    return ev


def _posts(s: Session, ev: Event, source: Source, times: list[datetime], text: str,
           counts: tuple[int | None, int | None, int | None] = (1, 2, 3)) -> None:
    for i, seen in enumerate(times):
        n = next(_ids)
        s.add(Post(platform=source.platform, platform_id=f"p{n}", source_id=source.id, fingerprint=f"fp{n}",
                   author=f"作者{i}", title=None, text=f"{text}（{n}）", published_at=seen - timedelta(minutes=30),
                   published_precision="minute", first_seen_at=seen, reposts=counts[0], comments=counts[1],
                   likes=counts[2], content_hash=f"h{n}", raw={}, relevant=ev.relevant,
                   topic=ev.topic if ev.relevant else "无关", categories=list(ev.categories), rumor=ev.rumor,
                   event_id=ev.id))
        ev.post_count += 1
        ev.last_seen_at = max(ev.last_seen_at, seen)
    s.flush()


def _assign(s: Session, ev: Event, unit: str, role: str, status: str, created: datetime, **extra: Any) -> Assignment:
    uid = s.scalar(select(Unit.id).where(Unit.name == unit))
    a = Assignment(key=f"{ev.id}:{uid}", event_id=ev.id, unit_id=uid, role=role, status=status, reasons=[f"测试：{role}"],
                   created_at=created, dispatched_at=created, **extra)
    s.add(a)
    s.flush()
    return a


def _deadline(s: Session, a: Assignment, milestone: str, started: datetime, hours: float, *,
              met: datetime | None = None, cancelled: datetime | None = None) -> None:
    s.add(Deadline(assignment_id=a.id, milestone=milestone, grade="重大", started_at=started,
                   due_at=started + timedelta(hours=hours), met_at=met, cancelled_at=cancelled,
                   cancel_reason="降级，不再要求" if cancelled else None))
    s.flush()


def _respond(s: Session, ev: Event, a: Assignment, kind: str, when: datetime) -> None:
    s.add(Response(event_id=ev.id, unit_id=a.unit_id, kind=kind, link="https://yunhe.example/r", responded_at=when,
                   recorded_at=when))
    s.flush()


def seed_world(s: Session) -> dict[str, Event]:
    """The world; returns its events by name."""
    weibo = _source(s, "新浪微博", "weibo")
    fabu = _source(s, "云和发布", "wechat", local=True)
    news = _source(s, "丽水网", "news", health="down", reason="连续3次抓取失败：HTTP 503")
    search = _source(s, "云和关键词搜索", "weibo", health="ok")
    board = _source(s, "县长信箱", "message_board")
    for hour, health in ((2, "ok"), (9, "down"), (15, "down")):
        s.add(SourceRun(source_id=news.id if health == "down" else search.id, started_at=at(27, hour), fetched=3,
                        new=1, duplicates=0, rejected=0, problems=[], health=health, reason=None))
    s.add(CoverageGap(source_id=news.id, kind="outage", start_at=at(27, 9), end_at=at(27, 15), reason="HTTP 503",
                      recorded_at=at(27, 15)))
    s.add(CoverageGap(source_id=search.id, kind="truncated", start_at=at(27, 1), end_at=at(27, 2), reason="已补齐",
                      recorded_at=at(27, 2), filled_at=at(27, 3)))
    ev = {
        "bus": _event(s, "崇头镇旅游大巴侧翻", "重大", "交通运输", at(27, 3, 10), categories=("突发事件",)),
        "road": _event(s, "浮云街道道路开挖未恢复", "较大", "城乡建设", at(27, 9)),
        "old": _event(s, "元和街道路灯损坏", "一般", "城乡建设", at(25, 10)),
        "rumor": _event(s, "紧水滩水库溃坝谣言", "一般", "政法", at(27, 20), categories=("谣言",), rumor=True),
        "before": _event(s, "赤石乡停水", "较大", "农村农业", at(26, 15), categories=("切身利益",)),
        "concert": _event(s, "杭州演唱会", None, "无关", at(27, 11), relevant=False),
        "later": _event(s, "石塘镇垃圾清运不及时", "一般", "城乡建设", at(28, 1)),
    }
    _posts(s, ev["bus"], weibo, [at(27, 3, 10), at(27, 3, 40), at(27, 4, 5), at(27, 10)], "崇头镇旅游大巴侧翻 伤者送医",
           (100, 50, None))
    _posts(s, ev["bus"], news, [at(27, 4, 30)], "丽水网：崇头镇大巴侧翻事故 伤者送医")
    _posts(s, ev["bus"], weibo, [at(27, 5)], "转发微博 //@丽水身边事:崇头镇旅游大巴侧翻")
    _posts(s, ev["road"], board, [at(27, 9), at(27, 13), at(27, 23, 59)], "浮云街道道路开挖一个月没恢复")
    _posts(s, ev["old"], board, [at(25, 10)], "元和街道路灯坏了")
    _posts(s, ev["old"], weibo, [at(27, 0, 0), at(27, 16)], "元和街道路灯还没修")
    _posts(s, ev["rumor"], weibo, [at(27, 20), at(27, 21)], "紧水滩水库要溃坝了 赶紧转移")
    _posts(s, ev["rumor"], fabu, [at(27, 22)], "【辟谣】紧水滩水库大坝安全")
    _posts(s, ev["before"], weibo, [at(26, 15), at(26, 18)], "赤石乡停水两天")
    _posts(s, ev["concert"], weibo, [at(27, 11), at(27, 12)], "杭州演唱会太好听了")
    _posts(s, ev["later"], weibo, [at(28, 1), at(28, 2)], "石塘镇垃圾没人清运")
    _work(s, ev)
    return ev


def _work(s: Session, ev: dict[str, Event]) -> None:
    bus = _assign(s, ev["bus"], "崇头镇", "primary", "accepted", at(27, 3, 10), accepted_at=at(27, 3, 30))
    _assign(s, ev["bus"], "县交通运输局", "cooperating", "dispatched", at(27, 3, 10))
    _assign(s, ev["bus"], "县政府办公室", "coordinator", "dispatched", at(27, 3, 10))
    _deadline(s, bus, "authoritative_info", at(27, 3, 10), 5, met=at(27, 7, 50))
    _deadline(s, bus, "press_conference", at(27, 3, 10), 24, met=at(28, 5))
    _respond(s, ev["bus"], bus, "发布权威信息", at(27, 7, 50))
    _respond(s, ev["bus"], bus, "新闻发布会", at(28, 5))
    road = _assign(s, ev["road"], "浮云街道", "primary", "dispatched", at(27, 9))
    _deadline(s, road, "response", at(27, 9), 48)
    old = _assign(s, ev["old"], "县住房和城乡建设局", "primary", "returned", at(25, 10), returned_at=at(27, 12),
                  return_reason="不属本单位职责")
    _deadline(s, old, "response", at(25, 10), 48)
    rumor = _assign(s, ev["rumor"], "元和街道", "primary", "responded", at(27, 20))
    _assign(s, ev["rumor"], "县公安局", "transfer", "dispatched", at(27, 20))
    _assign(s, ev["rumor"], "县委网信办", "transfer", "accepted", at(27, 20), accepted_at=at(27, 21))
    _deadline(s, rumor, "response", at(27, 20), 48, met=at(27, 22))
    _respond(s, ev["rumor"], rumor, "网络问政回复", at(27, 22))
    before = _assign(s, ev["before"], "赤石乡", "primary", "responded", at(26, 15))
    _deadline(s, before, "response", at(26, 15), 24, met=at(27, 16))
    _deadline(s, before, "authoritative_info", at(26, 15), 5, cancelled=at(26, 16))
    _respond(s, ev["before"], before, "网络问政回复", at(27, 16))
    later = _assign(s, ev["later"], "石塘镇", "primary", "dispatched", at(28, 1))
    _deadline(s, later, "response", at(28, 1), 48)
