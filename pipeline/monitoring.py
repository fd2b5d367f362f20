"""Health and metrics of a running installation, for ``/healthz`` and ``/metrics``.

``health_report`` probes the database (with a time limit: an unreachable server must not hang
the probe), reads the default models' sidecars (no model is loaded), the sources and the
outbox, and judges them (``pipeline.rules.vitals``). ``MetricsCollector`` is a
prometheus-client collector computing every figure from the database at scrape time.

Both answer without signing in, so both say only states, counts, times and model versions:
never a database address, a file path, an error text, an alert or a post."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from pipeline.queries.health import outbox_vitals, source_vitals
from pipeline.queries.metrics import metric_counts
from pipeline.rules.vitals import Limits, ModelVitals, judge
from pipeline.runtime import Runtime

MODEL_KINDS = ("topic", "grade", "rumor", "categories", "sentiment")  # classifiers.training.KINDS, without importing sklearn
PROBE_SECONDS = 5.0
_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="yuqing-probe")


def database_ok(engine: Engine, timeout: float = PROBE_SECONDS) -> bool:
    """Whether ``SELECT 1`` answers within ``timeout`` seconds."""

    def probe() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        _PROBES.submit(probe).result(timeout=timeout)
    except FutureTimeout:
        return False
    except Exception:  # any failure to connect or query: the database is not usable
        return False
    return True


def model_vitals(model_root: Path) -> list[ModelVitals]:
    """Each default model's kind, version and training time from its sidecar (nothing loaded)."""
    from classifiers.registry import ModelError, read_sidecar

    found = []
    for kind in MODEL_KINDS:
        try:
            meta = read_sidecar((model_root / kind).resolve())
        except ModelError:
            found.append(ModelVitals(kind, None, None, "缺失或无法读取"))
            continue
        created = meta.get("created_at")
        found.append(ModelVitals(kind, str(meta.get("version") or "") or None,
                                 datetime.fromisoformat(created) if isinstance(created, str) else None))
    return found


def configured_sources(path: Path) -> set[str] | None:
    """The names of the enabled sources of ``sources.yaml`` (None when it cannot be read)."""
    from crawlers.sources import SourcesError, load_sources

    try:
        return {s.name for s in load_sources(path).sources if s.enabled}
    except (SourcesError, OSError):
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def health_report(rt: Runtime, now: datetime, limits: Limits | None = None) -> tuple[bool, dict[str, Any]]:
    """(healthy, the JSON body of ``/healthz``)."""
    up = database_ok(rt.engine)
    sources, outbox = [], None
    if up:
        try:
            with rt.session() as session:
                sources, outbox = source_vitals(session), outbox_vitals(session)
        except Exception:  # lost between the probe and the reading
            up = False
    configured = configured_sources(rt.settings.config_dir / "sources.yaml")
    if configured is not None:  # a source disabled or removed since keeps its last state: not judged
        sources = [v for v in sources if v.name in configured]
    models = model_vitals(rt.settings.model_dir)
    verdict = judge(up, models, sources, outbox, now, limits or Limits())
    body = {
        "status": "ok" if verdict.ok and not verdict.warnings else ("warning" if verdict.ok else "failing"),
        "problems": verdict.problems, "warnings": verdict.warnings, "checked_at": now.isoformat(),
        "database": {"status": "ok" if up else "unreachable"},
        "models": [{"kind": m.kind, "version": m.version, "trained_at": _iso(m.created_at),
                    "age_days": round((now - m.created_at).total_seconds() / 86400, 1) if m.created_at else None,
                    "status": "ok" if m.problem is None else "missing"} for m in models],
        "sources": [{"name": s.name, "platform": s.platform, "health": s.health, "last_run_at": _iso(s.last_run_at),
                     "last_success_at": _iso(s.last_success_at)} for s in sources],
        "outbox": None if outbox is None else {
            "pending": outbox.pending, "failing": outbox.failing,
            "oldest_undelivered_urgent_at": _iso(outbox.oldest_urgent_at),
            "oldest_undelivered_urgent_minutes": (int((now - outbox.oldest_urgent_at).total_seconds() // 60)
                                                  if outbox.oldest_urgent_at else None)},
    }
    return verdict.ok, body


def _seconds(value: datetime | None) -> float | None:
    return value.astimezone(UTC).timestamp() if value is not None else None


class MetricsCollector:
    """Every yuqing metric, computed from the database when Prometheus scrapes (registered on
    a registry of the web app's own)."""

    def __init__(self, rt: Runtime, clock: Any) -> None:
        self.rt, self.clock = rt, clock

    def describe(self) -> list[Any]:
        return []  # computed at scrape time; nothing to check at registration

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = database_ok(self.rt.engine)
        yield GaugeMetricFamily("yuqing_database_up", "1 when the database answers", value=1 if up else 0)
        yield from self._models()
        if up:
            try:
                yield from self._counts(self.clock())
            except Exception:  # the database went away mid-scrape: report what is known
                return

    def _models(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        info = GaugeMetricFamily("yuqing_model_info", "Default model in use (1) by kind and version",
                                 labels=["kind", "version"])
        trained = GaugeMetricFamily("yuqing_model_trained_timestamp_seconds", "When each default model was trained",
                                    labels=["kind"])
        for m in model_vitals(self.rt.settings.model_dir):
            info.add_metric([m.kind, m.version or ""], 1 if m.problem is None else 0)
            if m.created_at is not None:
                trained.add_metric([m.kind], _seconds(m.created_at) or 0)
        yield info
        yield trained

    def _counts(self, now: datetime) -> Iterator[Any]:
        with self.rt.session() as session:
            counts = metric_counts(session, now)
            sources = source_vitals(session)
            outbox = outbox_vitals(session)
        yield from _post_and_event_metrics(counts)
        yield from _alert_metrics(counts, outbox, now)
        yield from _source_metrics(counts, sources)


def _post_and_event_metrics(counts: Any) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    yield CounterMetricFamily("yuqing_posts_triaged", "Posts stored and triaged", value=counts.posts_triaged)
    yield CounterMetricFamily("yuqing_posts_relevant", "Triaged posts found to concern the county",
                              value=counts.posts_relevant)
    events = GaugeMetricFamily("yuqing_events", "Relevant events by grade", labels=["grade"])
    for grade, n in counts.events_by_grade.items():
        events.add_metric([grade], n)
    yield events
    yield GaugeMetricFamily("yuqing_milestones_open", "Milestones neither met nor cancelled", value=counts.open_milestones)
    yield GaugeMetricFamily("yuqing_milestones_overdue", "Open milestones past their deadline",
                            value=counts.overdue_milestones)


def _per_row(label: str, key: str, rows: list[Any], specs: list[tuple[Any, str, str, str]]) -> Iterator[Any]:
    """A metric family per spec (family class, name, help, attribute of a row), labelled
    ``label`` with each row's ``key`` attribute."""
    for family_class, name, doc, attribute in specs:
        family = family_class(name, doc, labels=[label])
        for row in rows:
            family.add_metric([getattr(row, key)], getattr(row, attribute))
        yield family


def _alert_metrics(counts: Any, outbox: Any, now: datetime) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    yield from _per_row("channel", "channel", counts.channels, [
        (CounterMetricFamily, "yuqing_alert_deliveries", "Alert messages delivered, by channel", "sent"),
        (CounterMetricFamily, "yuqing_alert_delivery_failures", "Failed delivery attempts, by channel", "failed_attempts"),
        (GaugeMetricFamily, "yuqing_alert_deliveries_pending", "Deliveries waiting, by channel", "pending")])
    age = (now - outbox.oldest_urgent_at).total_seconds() if outbox.oldest_urgent_at else 0.0
    yield GaugeMetricFamily("yuqing_urgent_alert_undelivered_seconds",
                            "Age of the oldest urgent alert with a delivery pending (0: none)", value=age)


def _source_metrics(counts: Any, sources: Any) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    yield from _per_row("source", "name", counts.sources, [
        (CounterMetricFamily, "yuqing_posts_collected", "Items fetched from each source", "collected"),
        (CounterMetricFamily, "yuqing_collection_runs", "Collection runs of each source", "runs"),
        (CounterMetricFamily, "yuqing_collection_errors", "Collection runs that ended degraded or down", "errors"),
        (GaugeMetricFamily, "yuqing_source_consecutive_failures", "Failed runs in a row", "consecutive_failures")])
    success = GaugeMetricFamily("yuqing_source_last_success_timestamp_seconds", "Last run that answered",
                                labels=["source"])
    for v in sources:
        if v.last_success_at is not None:
            success.add_metric([v.name], _seconds(v.last_success_at) or 0)
    yield success
