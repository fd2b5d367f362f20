"""Triage throughput: 20,000 generated posts (about 150 characters each) into a fresh SQLite
database, next to plain ``jieba.lcut`` over the same texts in the same run.

The posts are generated reproducibly (seeded) by recombining sentences of the project's own
corpus with 云和 places, platforms and engagement counts. Timed: reading the JSONL file,
validation, tokenisation, the four models, casualty/place extraction, clustering, grading,
routing, deadlines and the database writes with commit. Not timed: loading models.

    python benchmarks/bench_triage.py [--posts 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from classifiers.training import read_corpus
from pipeline.config import load_config
from pipeline.normalize import read_posts
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.store import seed_units
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext, triage_posts

PLACES = ["浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇", "赤石乡",
          "雾溪畲族乡", "安溪畲族乡", "中山社区", "古竹村", "云和县", ""]
PLATFORMS = ["weibo", "wechat", "news", "message_board", "forum"]


def generate(n: int, seed: int, settings: Settings) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    corpus = read_corpus(settings.training_corpus_dir)
    sentences = [s for t in corpus["text"] for s in re.split(r"(?<=[。！？!?])", str(t)) if len(s) >= 8]
    posts = []
    for i in range(n):
        parts = [rng.choice(PLACES)]
        while sum(len(p) for p in parts) < rng.randint(110, 190):
            parts.append(rng.choice(sentences))
        counts = [rng.choice([None, rng.randint(0, 50), rng.randint(0, 3000)]) for _ in range(3)]
        posts.append({"id": f"g{i}", "platform": rng.choice(PLATFORMS), "author": f"用户{rng.randint(1, 5000)}",
                      "text": "".join(parts)[:220], "published_at": "2026-11-28T08:00:00+08:00",
                      "reposts": counts[0], "comments": counts[1], "likes": counts[2]})
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    settings = Settings.from_env()
    ctx = TriageContext.load(settings, load_config(settings.config_dir))
    posts = generate(args.posts, args.seed, settings)
    texts = [str(p["text"]) for p in posts]
    chars = sum(len(t) for t in texts)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    t0 = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    jieba_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "posts.jsonl"
        src.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        with session_scope(engine) as session:
            seed_units(session, ctx.cfg)
        from datetime import datetime

        now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
        t0 = time.perf_counter()
        parsed = read_posts(src, now)
        with session_scope(engine) as session:
            report = triage_posts(session, parsed.posts, ctx, now)
        triage_s = time.perf_counter() - t0
        engine.dispose()

    print(f"posts: {len(posts)}  characters: {chars}  (mean {chars / len(posts):.0f} per post)")
    print(f"plain jieba.lcut:  {jieba_s:.2f} s  ({len(posts) / jieba_s:,.0f} posts/s)")
    print(f"full triage:       {triage_s:.2f} s  ({len(posts) / triage_s:,.0f} posts/s)  "
          f"events {report.events_created}, assignments {report.assignments_created}, deadlines {report.deadlines_set}")
    print(f"ratio triage / jieba: {triage_s / jieba_s:.2f}  (target <= 1.0)")


if __name__ == "__main__":
    main()
