"""快速升温 (issue 19): the pure rule on hourly counts, and a stream through triage, the sweep and
a DingTalk-like receiver on both engines — one event growing from a few posts an hour to dozens
gets exactly one alert, at the first sweep after it grew and before any grade threshold, while
steady events of the same size get none."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.headlines import headlines
from pipeline.queries.rising import heat_indices, rising_event_ids, rising_figures
from pipeline.rules.heat import HeatCounts, heat_index
from pipeline.rules.rising import Sighting, county_level, detect, hourly
from pipeline.service import deliver_alerts, sweep_deadlines
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, AuditLog, Event
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW
from tests.pipeline.receivers import http_receiver

H = timedelta(hours=1)


def _stream(per_hour: list[int], end: datetime, engagement: int = 3) -> list[Sighting]:
    """Sightings spread evenly over each hour before ``end`` (oldest hour first)."""
    out = []
    for i, n in enumerate(per_hour):
        start = end - (len(per_hour) - i) * H
        out += [Sighting(start + H * (k + 0.5) / n, engagement) for k in range(n)]
    return out


def test_rule_flags_a_rise_against_own_history_not_a_steady_stream(cfg: Config) -> None:
    policy = cfg.policy.rising
    rise = detect(_stream([3, 3, 3, 3, 3, 3, 48], NOW), 3.0, policy, NOW)
    assert rise is not None and rise.level == 1
    assert rise.figures.startswith("近1小时 48 条，前6小时平均 3 条/小时")
    assert detect(_stream([48] * 7, NOW), 3.0, policy, NOW) is None  # steady at the same size
    assert detect(_stream([10] * 7, NOW), 3.0, policy, NOW) is None
    assert detect(_stream([0, 0, 0, 0, 0, 1, 4], NOW), 1.0, policy, NOW) is None  # small: under the level
    assert detect(_stream([3, 3, 3, 3, 3, 3, 120], NOW), 3.0, policy, NOW).level == 2  # type: ignore[union-attr]
    # a new event measured against the county's usual level: 14 posts where 10 an hour is usual is no burst
    assert detect(_stream([0, 0, 0, 0, 0, 0, 14], NOW), 10.0, policy, NOW) is None
    assert detect(_stream([0, 0, 0, 0, 0, 0, 40], NOW), 2.0, policy, NOW) is not None


def test_engagement_alone_raises_the_first_level(cfg: Config) -> None:
    quiet = _stream([2] * 6, NOW - H, engagement=10) + _stream([8], NOW, engagement=800)
    rise = detect(quiet, 2.0, cfg.policy.rising, NOW)
    assert rise is not None and rise.level == 1 and "互动 6400 次" in rise.figures
    viral = _stream([1], NOW, engagement=8000)  # a new event's one viral post: the reach floors' matter
    assert detect(viral, 2.0, cfg.policy.rising, NOW) is None


def test_hours_count_publication_times_and_ignore_the_future() -> None:
    posts, eng = hourly([Sighting(NOW - timedelta(minutes=5), 7), Sighting(NOW - timedelta(minutes=65), 1),
                         Sighting(NOW + timedelta(minutes=5), 100)], NOW, 3)
    assert posts == [0, 1, 1] and eng == [0, 1, 7]
    assert county_level([0, 24, 48, 240], 24) == 2.0  # the median event, per hour
    assert county_level([], 24) == 0.0


def test_heat_index_follows_the_configured_weights(cfg: Config) -> None:
    small = heat_index(HeatCounts(1, 0, 0, 0, 0), cfg.policy.heat)
    big = heat_index(HeatCounts(50, 1000, 300, 2000, 3), cfg.policy.heat)
    assert 0 < small < big
    only_posts = cfg.policy.heat.model_copy(update={"weights": cfg.policy.heat.weights.model_copy(
        update={"posts": 1.0, "reposts": 0.0, "comments": 0.0, "likes": 0.0, "media": 0.0})})
    assert heat_index(HeatCounts(50, 10**6, 0, 0, 0), only_posts) == heat_index(HeatCounts(50, 0, 0, 0, 0), only_posts)


# --- the stream, end to end -------------------------------------------------------------------

RISING = "云和县石塘镇老街的路灯坏了两个月，晚上出行很不方便，请尽快修复"
STEADY = "云和县浮云街道中山社区小区门口停车难，车辆乱停乱放，希望有关部门管一管"
BUSY = "云和县元和街道白洋墩村村道坑洼不平，下雨天积水严重，希望尽快修路"
START = NOW - 6 * H  # six hours of history before the rise


def _posts(text: str, tag: str, start: datetime, end: datetime, per_hour: int) -> list[tuple[datetime, dict[str, Any]]]:
    step = H / per_hour
    out, at, k = [], start + step / 2, 0
    while at < end:
        out.append((at, {"id": f"{tag}{k}", "platform": "weibo", "author": f"网友{tag}{k}", "text": text,
                         "published_at": at.isoformat(timespec="minutes"), "likes": 2}))
        at, k = at + step, k + 1
    return out


def _arrivals() -> list[tuple[datetime, dict[str, Any]]]:
    rising = _posts(RISING, "r", START, NOW, 3) + _posts(RISING, "R", NOW, NOW + H, 48)
    steady = _posts(STEADY, "s", START, NOW + 2 * H, 10)  # about the rising event's size
    busy = _posts(BUSY, "b", START, NOW + 2 * H, 48)  # steady at the rising event's new rate
    return sorted(rising + steady + busy, key=lambda x: x[0])


def _triage_until(engine: Engine, ctx: TriageContext, arrivals: list[tuple[datetime, dict[str, Any]]], done: int,
                  now: datetime) -> int:
    batch = [r for at, r in arrivals[done:] if at <= now]
    if batch:
        with session_scope(engine) as s:
            triage_posts(s, [to_post(r, i + 1, now) for i, r in enumerate(batch)], ctx, now)
    return done + len(batch)


def _env(url: str, wecom_url: str) -> dict[str, str]:
    return {"YUQING_DINGTALK_UNITS_URL": url, "YUQING_DINGTALK_UNITS_SECRET": "SECunits",
            "YUQING_DINGTALK_COORDINATORS_URL": url, "YUQING_DINGTALK_COORDINATORS_SECRET": "SECunits",
            "YUQING_DINGTALK_LEADERSHIP_URL": url, "YUQING_DINGTALK_LEADERSHIP_SECRET": "SECunits",
            "YUQING_WECOM_ANALYSTS_URL": wecom_url}


def _event_of(engine: Engine, text: str) -> Event:
    with session_scope(engine) as s:
        events = list(s.scalars(select(Event).where(Event.title.contains(text[:12]))))
        assert len(events) == 1, [e.title for e in events]
        s.expunge(events[0])
        return events[0]


def test_a_rising_event_gets_one_alert_in_one_sweep_steady_ones_none(engine: Engine, db_url: str,
                                                                      ctx: TriageContext, runtime_for: Any) -> None:
    rt = runtime_for(db_url)
    arrivals = _arrivals()
    done = 0
    for hour in range(1, 7):  # the history, as collected hour by hour (no sweep yet)
        done = _triage_until(engine, ctx, arrivals, done, START + hour * H)
    before = {t: _event_of(engine, t) for t in (RISING, STEADY, BUSY)}
    assert all(e.grade == "一般" for e in before.values())
    first_rise = None
    with http_receiver(secret="SECunits") as (url, rec), http_receiver() as (wecom_url, wecom):
        for minutes in range(10, 121, 10):  # collection and a sweep every 10 minutes for two hours
            now = NOW + timedelta(minutes=minutes)
            done = _triage_until(engine, ctx, arrivals, done, now)
            counts = sweep_deadlines(rt, now)
            if counts["rising"] and first_rise is None:
                first_rise = minutes
            deliver_alerts(rt, now, _env(url, wecom_url))
        # DingTalk carries a title; WeCom the text, whose first line is the title
        titles = [m["body"]["markdown"].get("title") or m["body"]["markdown"]["content"].splitlines()[0]
                  for m in rec.messages + wecom.messages]
    rising = _event_of(engine, RISING)
    with session_scope(engine) as s:
        alerts = [(a.event_id, a.recipient, a.level) for a in s.scalars(select(Alert).where(Alert.kind == "rising"))]
        audits = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "rising"))
        marked = rising_event_ids(s, NOW + 2 * H)
        figures = rising_figures(s, [rising.id], NOW + 2 * H)
        heat = heat_indices(s, [e.id for e in before.values()], rt.cfg.policy.heat)
        name = headlines(s, [rising.id])[rising.id]   # how alerts name the event
    owner = "石塘镇"
    assert sorted(alerts) == sorted([(rising.id, owner, 1), (rising.id, "舆情分析员", 1)])  # one, to owner + analysts
    assert first_rise is not None and first_rise <= 20  # within the first sweeps of the rise, not hours later
    assert rising.grade == before[RISING].grade == "一般" and rising.rising_level == 1  # before any threshold
    assert marked == {rising.id} and audits == 1
    shown = re.match(r"近1小时 (\d+) 条，前6小时平均 ([\d.]+) 条/小时", figures[rising.id])
    assert shown and int(shown[1]) >= 12 and float(shown[2]) <= 3  # the figures of the alert
    sent = [t for t in titles if "快速升温" in t]
    assert len(sent) == 2 and all(name in t for t in sent)  # the units' group once, the analysts once
    assert heat[before[BUSY].id] > heat[before[STEADY].id] > 0
