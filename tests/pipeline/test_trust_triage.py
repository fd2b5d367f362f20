"""Trust through the whole triage path, on both engines: noise set aside with its reason,
monitoring schemes matched, explained and alerting, the statutory cap marking 待复核 (listed
first, cleared by a regrade), sentiment in the output, export and queues, and the model versions
behind each decision."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, select

from classifiers.bundle import Classified
from classifiers.tokenize import Doc
from pipeline.actions.events import regrade, set_sentiment
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.queries.export import export_events
from pipeline.queries.review import review_list
from pipeline.queries.work import unit_queue
from pipeline.storage.db import session_scope
from pipeline.storage.models import Alert, Event, LabelledExample, Post
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW

AD = "【云和梯田·山居民宿】国庆特价房还剩最后5间，双人间298元/晚，预订请加微信 yh2024"
POEM = "今天读岳飞的满江红，三十功名尘与土，八千里路云和月，莫等闲白了少年头"
DAM = "紧水滩水库大坝出现渗水险情，下游村民正在转移，请大家注意安全"
BLAST = "石塘镇一家工厂发生爆炸，目前已造成3人死亡，另有多人受伤，救援正在进行"
LAMP = "尊敬的领导：元和街道古竹村的路灯坏了两个月，晚上黑灯瞎火，老人摔了好几次，打电话也没人管，太气人了"


@dataclass
class Overreaching:
    """The bundled models, except that the grade model calls every accident 重大 with confidence."""

    real: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def classify(self, docs: list[Doc]) -> list[Classified]:
        out = self.real.classify(docs)
        return [replace(c, grade="重大", grade_scores={"特别重大": 0.05, "重大": 0.9, "较大": 0.03, "一般": 0.02})
                if "爆炸" in d.text else c for c, d in zip(out, docs, strict=True)]


def _triage(engine: Engine, ctx: TriageContext, texts: list[str]) -> dict[str, dict[str, Any]]:
    records = [{"id": f"p{i}", "platform": "weibo", "text": t} for i, t in enumerate(texts)]
    with session_scope(engine) as s:
        report = triage_posts(s, [to_post(r, i + 1, NOW) for i, r in enumerate(records)], ctx, NOW)
    return {t: item for t, item in zip(texts, report.items, strict=True)}


def test_noise_is_set_aside_stored_and_exported_with_its_reason(engine: Engine, ctx: TriageContext) -> None:
    items = _triage(engine, ctx, [AD, POEM])
    ad, poem = items[AD], items[POEM]
    assert not ad["relevant"] and ad["grade"] is None and ad["primary_unit"] is None and ad["deadlines"] == []
    assert ad["irrelevant_reason"].startswith("广告营销：")
    assert not poem["relevant"] and poem["irrelevant_reason"].startswith("地名歧义：")
    with session_scope(engine) as s:
        stored = {p.text: p.irrelevant_reason for p in s.scalars(select(Post))}
        assert stored[AD] == ad["irrelevant_reason"]
        exported = {e["event_id"]: e for e in export_events(s)}
    assert exported[ad["event_id"]]["irrelevant_reason"] == ad["irrelevant_reason"]
    assert exported[ad["event_id"]]["posts"][0]["irrelevant_reason"] == ad["irrelevant_reason"]
    assert exported[ad["event_id"]]["assignments"] == []


def test_a_scheme_hit_is_explained_pins_topic_and_category_and_alerts_the_analysts(
        engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    item = _triage(engine, ctx, [DAM])[DAM]
    assert item["schemes"] == [{"scheme": "紧水滩水库安全", "words": ["紧水滩", "大坝", "渗水", "险情"]}]
    assert item["relevant"] and item["topic"] == "农村农业" and "突发事件" in item["categories"]
    with session_scope(engine) as s:
        alerts = s.scalars(select(Alert).where(Alert.kind == "scheme")).all()
        assert [(a.recipient, a.event_id) for a in alerts] == [(cfg.alerts.analyst_recipient, item["event_id"])]
        assert "紧水滩水库安全" in alerts[0].payload["text"] and "渗水" in alerts[0].payload["text"]
    _triage(engine, ctx, [DAM + "！"])  # the same event again: still one alert per event and scheme
    with session_scope(engine) as s:
        assert len(s.scalars(select(Alert).where(Alert.kind == "scheme")).all()) == 1


def test_an_overreaching_model_is_capped_marked_for_review_listed_first_and_cleared_by_a_regrade(
        engine: Engine, ctx: TriageContext, cfg: Config) -> None:
    capped_ctx = replace(ctx, models=Overreaching(ctx.models))  # type: ignore[arg-type]
    items = _triage(engine, capped_ctx, [LAMP, BLAST])
    blast = items[BLAST]
    assert blast["grade"] == "较大" and blast["needs_review"]
    assert any(r["rule"] == "statutory_cap" and "重大" in r["detail"] for r in blast["grade_reasons"])
    assert any("国务院令第493号" in r for r in blast["review_reasons"])
    with session_scope(engine) as s:
        listed = review_list(s, only_flagged=False)
        assert listed[0].event_id == blast["event_id"] and listed[0].needs_review
        regrade(s, cfg, blast["event_id"], "较大", reason="核实：死亡3人", actor="张三", now=NOW)
    with session_scope(engine) as s:
        ev = s.get(Event, blast["event_id"])
        assert ev is not None and not ev.needs_review and ev.grade == "较大"
        assert review_list(s) == [] or all(i.event_id != ev.id for i in review_list(s))


def test_sentiment_in_output_export_and_queue_and_its_correction(engine: Engine, ctx: TriageContext,
                                                                  cfg: Config) -> None:
    item = _triage(engine, ctx, [LAMP])[LAMP]
    assert item["sentiment"] == "负面" and item["event_sentiment"] == "负面"
    assert item["model_versions"] == ctx.models.versions()
    with session_scope(engine) as s:
        queue = unit_queue(s, "元和街道", NOW)
        assert [(q.event_id, q.sentiment) for q in queue] == [(item["event_id"], "负面")]
        set_sentiment(s, cfg, item["event_id"], "中性", reason="只是反映情况", actor="李四", now=NOW)
    with session_scope(engine) as s:
        exported = next(e for e in export_events(s) if e["event_id"] == item["event_id"])
        assert exported["sentiment"] == "中性" and exported["overrides"]["sentiment"] == "中性"
        assert exported["posts"][0]["sentiment"] == "中性"
        assert exported["model_versions"]["sentiment"] == ctx.models.sentiment.version
        example = s.scalar(select(LabelledExample).where(LabelledExample.kind == "sentiment"))
        assert example is not None and (example.label, example.previous) == ("中性", "负面")
