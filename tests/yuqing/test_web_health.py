"""``/healthz`` and ``/metrics`` of the web app as a monitoring system reads them: a real uvicorn
server, a database on each engine, alerts delivered to local receivers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, text

from pipeline.monitoring import database_ok
from pipeline.rules.vitals import ModelVitals, OutboxVitals, SourceVitals, judge
from pipeline.service import deliver_alerts
from pipeline.triage import TriageContext
from tests.conftest import NOW, PG_ADMIN_URL
from tests.pipeline.alerts.test_alerts import MAJOR, _closed_port, _env, _triage
from tests.pipeline.receivers import http_receiver, smtp_receiver
from tests.yuqing.test_web import running


def samples(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def test_metrics_parse_and_move_as_posts_are_triaged_and_alerts_sent(engine: Engine, db_url: str, ctx: TriageContext,
                                                                     settings_for: Any, runtime_for: Any) -> None:
    with running(settings_for(db_url), clock=lambda: NOW) as client:
        before = samples(client)
        assert before[("yuqing_posts_triaged_total", ())] == 0
        assert before[("yuqing_database_up", ())] == 1
        in_use = {dict(labels)["kind"]: v for (name, labels), v in before.items() if name == "yuqing_model_info"}
        assert in_use == dict.fromkeys(("topic", "grade", "rumor", "categories", "sentiment"), 1)
        _triage(engine, ctx, [MAJOR], NOW)
        triaged = samples(client)
        assert triaged[("yuqing_posts_triaged_total", ())] == 1
        assert triaged[("yuqing_events", (("grade", "重大"),))] == 1
        assert triaged[("yuqing_alert_deliveries_pending", (("channel", "units-dingtalk"),))] == 1
        rt = runtime_for(db_url)
        with smtp_receiver() as (smtp_port, _mails), http_receiver(secret="SECunits") as (url, _rec):
            deliver_alerts(rt, NOW, _env(_closed_port(), smtp_port, url))  # DingTalk down: failures, mail sent
            failed = samples(client)
            deliver_alerts(rt, NOW + timedelta(hours=1), _env(url, smtp_port, url))
            sent = samples(client)
    unit = (("channel", "units-dingtalk"),)
    assert failed[("yuqing_alert_delivery_failures_total", unit)] == 1
    assert failed[("yuqing_alert_deliveries_total", (("channel", "office-mail"),))] == 1
    assert sent[("yuqing_alert_deliveries_total", unit)] == 1
    assert sent[("yuqing_alert_deliveries_pending", unit)] == 0
    assert sent[("yuqing_urgent_alert_undelivered_seconds", ())] == 0


def test_healthz_fails_while_an_urgent_alert_is_stuck_in_the_outbox(engine: Engine, db_url: str, ctx: TriageContext,
                                                                     settings_for: Any, runtime_for: Any) -> None:
    now = {"at": NOW}
    settings = settings_for(db_url)
    with running(settings, clock=lambda: now["at"]) as client:
        _triage(engine, ctx, [MAJOR], NOW)
        fresh = client.get("/healthz")
        assert fresh.status_code == 200 and fresh.json()["outbox"]["pending"] >= 3
        now["at"] = NOW + timedelta(minutes=25)
        stuck = client.get("/healthz")
        assert stuck.status_code == 503 and stuck.json()["status"] == "failing"
        assert any("紧急预警已等待 25 分钟仍未送达" in p for p in stuck.json()["problems"])
        assert stuck.json()["outbox"]["oldest_undelivered_urgent_minutes"] == 25
        with smtp_receiver() as (smtp_port, _mails), http_receiver(secret="SECunits") as (url, _rec):
            deliver_alerts(runtime_for(db_url), now["at"], _env(url, smtp_port, url))
        healed = client.get("/healthz")
    assert healed.status_code == 200 and healed.json()["outbox"]["oldest_undelivered_urgent_at"] is None
    models = {m["kind"]: m for m in healed.json()["models"]}
    assert set(models) == {"topic", "grade", "rumor", "categories", "sentiment"}
    assert all(m["version"] and m["status"] == "ok" and m["age_days"] is not None for m in models.values())
    shown = stuck.text + healed.text
    assert str(settings.state_dir) not in shown and str(settings.model_dir) not in shown  # no paths
    assert settings.database_url not in shown and MAJOR["text"] not in shown       # no address, no post


def test_healthz_and_metrics_when_the_database_server_stops(db_url: str, settings_for: Any) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite is a file opened in-process: there is no database server to stop")
    name = db_url.rsplit("/", 1)[1]
    with running(settings_for(db_url), clock=lambda: NOW) as client:
        assert client.get("/healthz").status_code == 200
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:  # drops the connections too, as a stopped server does
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        down = client.get("/healthz")
        metrics = samples(client)
    assert down.status_code == 503 and down.json()["database"] == {"status": "unreachable"}
    assert "数据库无法连接" in down.json()["problems"]
    assert metrics[("yuqing_database_up", ())] == 0


def test_database_probe_answers_for_an_unreachable_server() -> None:
    engine = create_engine(_closed_port().replace("http://", "postgresql+psycopg://postgres@").split("/robot")[0] + "/x")
    assert database_ok(engine, timeout=10) is False
    engine.dispose()


def test_the_verdict_names_what_a_duty_officer_must_act_on() -> None:
    at = datetime(2026, 12, 1, 9, 0).astimezone()
    models = [ModelVitals("grade", "grade-r6-abc", at - timedelta(days=45)), ModelVitals("topic", None, None, "缺失或无法读取")]
    sources = [SourceVitals("云和发布", "wechat", "down", at, at - timedelta(hours=5)),
               SourceVitals("云和新闻网", "news", "degraded", at - timedelta(hours=3), None)]
    outbox = OutboxVitals(4, 2, at - timedelta(minutes=9), ("units-dingtalk",))
    verdict = judge(True, models, sources, outbox, at)
    assert verdict.problems == ["topic 模型不可用：缺失或无法读取", "信息源「云和发布」中断"]
    assert verdict.warnings == ["grade 模型已 45 天未更新", "信息源「云和新闻网」降级"]
    late = judge(False, [], [], OutboxVitals(1, 1, at - timedelta(minutes=11), ("office-mail",)), at)
    assert late.problems == ["数据库无法连接", "紧急预警已等待 11 分钟仍未送达（渠道：office-mail）"] and not late.ok
    silent = judge(True, [], [SourceVitals("a", "news", "ok", at - timedelta(hours=3), at - timedelta(hours=3))], None, at)
    assert silent.ok and silent.warnings == ["已 180 分钟没有采集运行（计划任务可能已停止）"]


def test_collection_runs_errors_and_a_down_source_are_seen(engine: Engine, db_url: str, cfg: Any,
                                                            settings_for: Any) -> None:
    from pipeline.actions.sources import record_run
    from pipeline.rules.health import RunFacts
    from pipeline.storage.db import session_scope

    good = RunFacts(name="云和发布", platform="wechat", fetched=4, new=2, duplicates=2, rejected=0)
    bad = RunFacts(name="云和新闻网", platform="news", fetched=0, new=0, duplicates=0, rejected=0,
                   problems=[("fetch_failed", "connection refused")])
    gone = RunFacts(name="已删除的源", platform="news", fetched=0, new=0, duplicates=0, rejected=0,
                    problems=[("fetch_failed", "connection refused")])  # no longer in sources.yaml
    for i in range(3):
        with session_scope(engine) as s:
            record_run(s, cfg, [good, bad, gone], NOW + timedelta(minutes=30 * i))
    with running(settings_for(db_url), clock=lambda: NOW + timedelta(hours=1, minutes=5)) as client:
        metrics = samples(client)
        health = client.get("/healthz")
    news, wechat = (("source", "云和新闻网"),), (("source", "云和发布"),)
    assert metrics[("yuqing_collection_runs_total", news)] == 3 and metrics[("yuqing_collection_errors_total", news)] == 3
    assert metrics[("yuqing_collection_errors_total", wechat)] == 0 and metrics[("yuqing_posts_collected_total", wechat)] == 12
    assert metrics[("yuqing_source_consecutive_failures", news)] == 3
    assert ("yuqing_source_last_success_timestamp_seconds", news) not in metrics
    assert metrics[("yuqing_source_last_success_timestamp_seconds", wechat)] == (NOW + timedelta(hours=1)).timestamp()
    assert health.status_code == 503 and "信息源「云和新闻网」中断" in health.json()["problems"]
    sources = {s["name"]: s for s in health.json()["sources"]}
    assert sources["云和新闻网"]["last_success_at"] is None and sources["云和新闻网"]["health"] == "down"
    assert "connection refused" not in health.text  # the error text stays on the status page for signed-in users
    assert "已删除的源" not in health.text and metrics[("yuqing_collection_errors_total", (("source", "已删除的源"),))] == 3
