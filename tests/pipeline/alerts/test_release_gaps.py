"""持续发布 (RULES.md §4, issue 19): the time since the owner's last release of an open 重大 /
特别重大 event, shown, and the owner reminded once per gap longer than the interval — with the
clock passed in, on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from pipeline.actions.work import record_response
from pipeline.alerts.outbox import sweep
from pipeline.alerts.plan import plan_release_gaps
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.releases import release_statuses
from pipeline.rules.releases import ReleaseGapView
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

MAJOR = {"id": "m1", "platform": "weibo", "author": "网友",
         "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，另有多人受伤，救援仍在进行"}
H = timedelta(hours=1)


def test_plan_reminds_once_per_gap_past_the_interval() -> None:
    gap = ReleaseGapView(3, "崇头镇", 7, NOW)
    assert plan_release_gaps([gap], 24, NOW + 23 * H) == []
    later = plan_release_gaps([gap], 24, NOW + 25 * H)
    assert [(d.key, d.recipient, d.payload["gap"]) for d in later] == [("release_gap:3:7:崇头镇", "崇头镇", "1天1小时")]
    assert [d.key for d in plan_release_gaps([gap], 24, NOW + 50 * H)] == ["release_gap:3:7:崇头镇"]  # same gap


def _release(engine: Engine, cfg: Config, eid: int, at: datetime) -> None:
    with session_scope(engine) as s:
        record_response(s, cfg, eid, "崇头镇", "发布权威信息", link=f"https://www.yunhe.gov.cn/r/{at:%H%M}", place=None,
                        at=at, actor="崇头镇值班员", now=at)


def _gap_alerts(engine: Engine) -> list[tuple[str, str]]:
    with session_scope(engine) as s:
        return [(a.recipient, a.payload["gap"]) for a in s.scalars(select(Alert).where(Alert.kind == "release_gap"))]


def test_gap_shown_and_reminded_once_per_gap(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    with session_scope(engine) as s:
        eid = int(triage_posts(s, [to_post(MAJOR, 1, NOW)], ctx, NOW).items[0]["event_id"])
        assert release_statuses(s, cfg.policy.release_gap, NOW)[eid].text(NOW) == "尚未发布"
    _release(engine, cfg, eid, NOW + 2 * H)
    with session_scope(engine) as s:
        status = release_statuses(s, cfg.policy.release_gap, NOW + 10 * H)[eid]
        assert status.owner == "崇头镇" and status.text(NOW + 10 * H) == "距上次发布 8小时0分" and not status.overdue
        assert sweep(s, cfg, NOW + 20 * H)["release_gaps"] == 0
        assert sweep(s, cfg, NOW + 27 * H)["release_gaps"] == 1  # 25 h since the release
        assert sweep(s, cfg, NOW + 28 * H)["release_gaps"] == 0  # re-running never duplicates
        assert sweep(s, cfg, NOW + 40 * H)["release_gaps"] == 0  # the same gap, however long
        late = release_statuses(s, cfg.policy.release_gap, NOW + 40 * H)[eid]
        assert late.overdue and late.text(NOW + 40 * H).startswith("距上次发布 1天14小时（已超过间隔")
    assert _gap_alerts(engine) == [("崇头镇", "1天1小时")]
    _release(engine, cfg, eid, NOW + 41 * H)  # a new release starts a new gap
    with session_scope(engine) as s:
        assert sweep(s, cfg, NOW + 60 * H)["release_gaps"] == 0
        assert sweep(s, cfg, NOW + 66 * H)["release_gaps"] == 1
    assert _gap_alerts(engine) == [("崇头镇", "1天1小时"), ("崇头镇", "1天1小时")]


def test_other_grades_and_other_units_releases_do_not_count(engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    ordinary = {"id": "o1", "platform": "message_board", "text": "尊敬的领导：石塘镇老街的路灯坏了两个月，晚上出行很不方便，请尽快修复"}
    with session_scope(engine) as s:
        eid = int(triage_posts(s, [to_post(ordinary, 1, NOW)], ctx, NOW).items[0]["event_id"])
        assert eid not in release_statuses(s, cfg.policy.release_gap, NOW)  # 一般: not tracked
        assert sweep(s, cfg, NOW + 30 * H)["release_gaps"] == 0
