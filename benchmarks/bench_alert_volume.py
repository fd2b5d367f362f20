"""Alert volume over a simulated day: the demo's posts replayed over 24 hours (one every half
hour), a sweep and a delivery run every 10 minutes, and nobody acknowledging or answering (the
worst case). From hour 12 the first demo post (a 一般 road complaint) is reposted once a minute
for two hours, so the 快速升温 sweep fires while it keeps rising (it must alert once per level,
not once per sweep). Prints the messages each group received per event next to the thresholds that
passed for it (first alert, each reminder share, each overdue milestone, each repeat level).

Target: at most one message per group per event per threshold.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from pipeline.actions.rising import mark_rising
from pipeline.alerts.outbox import deliver_one, sweep
from pipeline.normalize import to_post
from pipeline.runtime import open_runtime
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.models import Alert
from pipeline.triage import triage_posts
from yuqing.demo import DEMO_NOW

STEP = timedelta(minutes=10)
DAY = timedelta(hours=24)


class Recorder:
    """A channel that counts what each group would see: one entry per message, with its event."""

    def __init__(self) -> None:
        self.events: list[int | None] = []
        self.rising = 0

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        self.rising += "快速升温" in title or "快速升温：" in text
        found = re.search(r"事件编号：(\d+)", text)
        self.events.append(int(found.group(1)) if found else None)


def thresholds(session: object, channels_for: object) -> Counter[tuple[str, int]]:
    """Per (channel, event): the distinct moments that called for a message to that channel."""
    moments: dict[tuple[str, int], set[tuple[object, ...]]] = {}
    for a in session.scalars(select(Alert).where(Alert.event_id.is_not(None))):  # type: ignore[attr-defined]
        moment = (a.kind, a.level, a.payload.get("milestone"), a.payload.get("share"), a.grade)
        for channel in channels_for(a.recipient):  # type: ignore[operator]
            moments.setdefault((channel, a.event_id), set()).add(moment)
    return Counter({k: len(v) for k, v in moments.items()})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "YUQING_DATABASE_URL": f"sqlite:///{tmp}/volume.db", "YUQING_STATE_DIR": tmp,
               "YUQING_MODEL_DIR": os.environ.get("YUQING_MODEL_DIR", str(PROJECT_ROOT / "var" / "models"))}
        settings = Settings.from_env(env)
        lines = (settings.data_dir / "sample" / "demo_posts.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(x) for x in lines if x.strip()]
        start = DEMO_NOW - DAY
        arrivals = [(start + timedelta(minutes=30 * i), r) for i, r in enumerate(records)]
        arrivals = sorted(arrivals + burst(records[0], start + DAY / 2), key=lambda a: a[0])
        with open_runtime(settings) as rt:
            ctx, cfg = rt.triage_context(), rt.cfg
            channels = {name: Recorder() for name in cfg.alerts.channels}
            t0 = time.perf_counter()
            now, k = start, 0
            while now <= start + DAY:
                batch = []
                while k < len(arrivals) and arrivals[k][0] <= now:
                    batch.append(to_post(arrivals[k][1], k + 1, now))
                    k += 1
                with rt.session() as s:
                    if batch:
                        triage_posts(s, batch, ctx, now)
                    sweep(s, cfg, now)
                    mark_rising(s, cfg, now)
                    while deliver_one(s, channels, cfg.alerts, now, public_url=None) is not None:
                        pass
                now += STEP
            elapsed = time.perf_counter() - t0
            with rt.session() as s:
                allowed = thresholds(s, cfg.alerts.channels_for)
                alerts = len(list(s.scalars(select(Alert.id))))
        report(channels, allowed, alerts, elapsed)


def burst(record: dict[str, Any], at: datetime) -> list[tuple[datetime, dict[str, Any]]]:
    """One repost a minute of ``record`` for two hours from ``at`` (each by another account)."""
    out = []
    for i in range(120):
        when = at + timedelta(minutes=i)
        out.append((when, {**record, "id": f"burst-{i}", "author": f"网友{i}", "url": None, "reposts": 0,
                           "comments": 1, "likes": 2, "published_at": when.isoformat(timespec="minutes")}))
    return out


def report(channels: dict[str, Recorder], allowed: Counter[tuple[str, int]], alerts: int, elapsed: float) -> None:
    rising = sum(rec.rising for rec in channels.values())
    received: Counter[tuple[str, int]] = Counter()
    for name, rec in channels.items():
        received.update((name, e) for e in rec.events if e is not None)
    over = {k: (n, allowed[k]) for k, n in received.items() if n > allowed[k]}
    messages = sum(received.values())
    print(f"simulated 24 h: {len(received)} (group, event) pairs, {alerts} alerts written, {messages} messages sent "
          f"({elapsed:.1f} s)")
    for name in channels:
        pairs = [(n, allowed[(c, e)]) for (c, e), n in received.items() if c == name]
        if pairs:
            worst = max(pairs)
            print(f"  {name:22s} events {len(pairs):3d}  messages {sum(n for n, _ in pairs):4d}  "
                  f"most for one event {worst[0]} (thresholds passed {worst[1]})")
    ratio = max((n / allowed[k] for k, n in received.items()), default=0.0)
    print(f"快速升温 messages: {rising} (one per group, event and level)")
    print(f"most messages per threshold for one group and event: {ratio:.2f}  (target <= 1.00); "
          f"pairs over target: {len(over)}")


if __name__ == "__main__":
    main()
