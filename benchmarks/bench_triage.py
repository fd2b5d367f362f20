"""Triage throughput: 20,000 posts of a realistic stream into a fresh SQLite database, next to
plain ``jieba.lcut`` over the same texts in the same run.

The stream (``benchmarks/streams.py``, seeded): originals recombine sentences of the project's
own corpus around 云和 places and share everyday phrases ("已经反映过好几次", "希望尽快处理");
one post in five is a repost with its own comment (``评论 //@原作者:原文``), popular posts far
more reposted than others. Timed: reading the JSONL file, validation, tokenisation, the four
models, casualty/place extraction, clustering (near duplicates and incidents), grading,
routing, deadlines and the database writes with commit. Not timed: loading models.

    python -m benchmarks.bench_triage [--posts 20000] [--seed 7] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.streams import stream
from pipeline.config import load_config
from pipeline.normalize import read_posts
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.store import seed_units
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext, TriageReport, triage_posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    ctx = TriageContext.load(settings, load_config(settings.config_dir))
    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    posts = stream(args.posts, args.seed, settings, start=now - timedelta(days=13), every=timedelta(days=13) / args.posts)
    texts = [str(p["text"]) for p in posts]
    chars = sum(len(t) for t in texts)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    # Rounds alternate the two measurements: this machine's speed drifts over minutes (shared
    # host), and timing all of one before all of the other would put the drift in the ratio.
    rounds = []
    for _ in range(args.rounds):
        jieba_s = _time_jieba(jieba, texts)
        triage_s, report = _time_triage(posts, ctx, now)
        rounds.append((jieba_s, triage_s))
        print(f"round {len(rounds)}: jieba {jieba_s:.2f} s, triage {triage_s:.2f} s, ratio {triage_s / jieba_s:.2f}",
              flush=True)

    reposts = sum("//@" in t for t in texts)
    jieba_s = statistics.median(j for j, _ in rounds)
    triage_s = statistics.median(t for _, t in rounds)
    print(f"posts: {len(posts)}  characters: {chars}  (mean {chars / len(posts):.0f} per post), "
          f"reposts with a comment {reposts}")
    print(f"plain jieba.lcut:  {jieba_s:.2f} s  ({len(posts) / jieba_s:,.0f} posts/s; median of {len(rounds)})")
    print(f"full triage:       {triage_s:.2f} s  ({len(posts) / triage_s:,.0f} posts/s; median of {len(rounds)})  "
          f"events {report.events_created}, assignments {report.assignments_created}, deadlines {report.deadlines_set}")
    print(f"ratio triage / jieba: {triage_s / jieba_s:.2f}  "
          f"(per round {min(t / j for j, t in rounds):.2f}-{max(t / j for j, t in rounds):.2f}; target <= 1.0)")


def _time_jieba(jieba: Any, texts: list[str]) -> float:
    t0 = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return time.perf_counter() - t0


def _time_triage(posts: list[dict[str, Any]], ctx: TriageContext, now: datetime) -> tuple[float, TriageReport]:
    """Write the stream as JSONL, then time reading it and triaging it into a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "posts.jsonl"
        src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        with session_scope(engine) as session:
            seed_units(session, ctx.cfg)
        t0 = time.perf_counter()
        parsed = read_posts(src, now)
        with session_scope(engine) as session:
            report = triage_posts(session, parsed.posts, ctx, now)
        triage_s = time.perf_counter() - t0
        engine.dispose()
    return triage_s, report


if __name__ == "__main__":
    main()
