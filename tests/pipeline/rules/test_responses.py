"""What a recorded response must carry (RULES.md §4, pipeline/rules/responses.py): a time between
the event's first known publication and its recording, a few minutes' clock difference aside;
its link, or for a press conference, a briefing or an interview, where it took place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pipeline.config import Config
from pipeline.rules.responses import evidence_refusal, time_refusal
from tests.conftest import NOW


def test_a_response_lies_between_the_first_publication_and_its_recording(cfg: Config) -> None:
    policy = cfg.policy.responses
    first, recorded = NOW, NOW + timedelta(hours=30)
    slack = timedelta(minutes=policy.clock_tolerance_minutes)
    for ok in (first, recorded, first - slack, recorded + slack, first + timedelta(hours=2)):
        assert time_refusal(ok, first, recorded, policy) is None
    assert "早于该事件最早的发布时间" in (time_refusal(first - slack - timedelta(seconds=1), first, recorded, policy) or "")
    assert "2026-11-28 10:00" in (time_refusal(datetime(2020, 1, 1, tzinfo=UTC), first, recorded, policy) or "")
    assert "晚于登记时间" in (time_refusal(recorded + slack + timedelta(seconds=1), first, recorded, policy) or "")
    far = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=12)))  # year 0 in UTC: still compared
    assert time_refusal(far, first, recorded, policy) is not None


def test_a_response_needs_its_link_or_for_a_press_conference_its_place(cfg: Config) -> None:
    policy = cfg.policy.responses
    assert evidence_refusal("网络问政回复", "https://wz.example/1", None, policy) is None
    assert "回应链接" in (evidence_refusal("网络问政回复", None, None, policy) or "")
    assert "回应链接" in (evidence_refusal("网络问政回复", None, "县政府", policy) or "")   # a place is no link
    assert "举行地点" in (evidence_refusal("新闻发布会", None, None, policy) or "")
    for kind in ("新闻发布会", "吹风会", "接受媒体采访"):
        assert evidence_refusal(kind, None, "县新闻中心发布厅", policy) is None
