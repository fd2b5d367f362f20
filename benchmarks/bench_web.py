"""Web app speed: with 100,000 posts and their events, the server time of the analyst desk's
first page, a filtered search and a unit's inbox (median of repeated requests, rendering
included), on SQLite and on PostgreSQL. Also: building the search index once (lazily, on the
first desk request after the posts arrive).

Posts, events, classifications, assignments and deadlines are inserted directly in bulk
(sentences of the project's corpus recombined with 云和 places, as in bench_triage.py).

    python benchmarks/bench_web.py [--posts 100000] [--postgres URL] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text

from classifiers.training import read_corpus
from pipeline.actions.users import add_user
from pipeline.config import load_config
from pipeline.settings import Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.models import Assignment, Classification, Deadline, Event, Post, Unit
from pipeline.storage.store import seed_units
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import GRADES
from yuqing.web import create_app

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
PLACES = ["浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇", "赤石乡", "雾溪畲族乡",
          "安溪畲族乡", "中山社区", "古竹村", "云和县"]
TOPICS = ["城乡建设", "交通运输", "教育文体", "卫生计生", "农村农业", "民政", "政法", "环境保护"]
PASSWORD = "bench-password-1"


def _texts(settings: Settings, n: int, rng: random.Random) -> list[str]:
    corpus = read_corpus(settings.training_corpus_dir)
    sentences = [s for t in corpus["text"] for s in re.split(r"(?<=[。！？!?])", str(t)) if len(s) >= 8]
    return ["".join([rng.choice(PLACES), *rng.sample(sentences, 3)])[:200] for _ in range(n)]


def _events(n_events: int, rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(n_events):
        seen = NOW - timedelta(minutes=(n_events - i) * 2)
        grade = rng.choices(GRADES, weights=[1, 4, 15, 80])[0]
        rows.append({"key": uuid.uuid4().hex, "title": f"事件{i}", "relevant": rng.random() > 0.2,
                     "topic": rng.choice(TOPICS), "grade": grade, "auto_grade": grade, "grade_reasons": [],
                     "categories": rng.choice([[], [], ["突发事件"], ["切身利益"]]), "rumor": rng.random() < 0.03,
                     "leadership": False, "features": {}, "post_count": 0, "engagement": None,
                     "first_seen_at": seen, "last_seen_at": seen, "clock_start_at": seen})
    return rows


def populate(engine: Engine, settings: Settings, n_posts: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    texts = _texts(settings, n_posts, rng)
    with session_scope(engine) as s:
        s.execute(insert(Event), _events(n_posts // 4, rng))
        events = list(s.execute(select(Event.id, Event.first_seen_at, Event.relevant, Event.grade)).all())
        units = list(s.scalars(select(Unit.id)))
        posts = []
        for i, body in enumerate(texts):
            ev = events[min(i // 4, len(events) - 1)]
            posts.append({"platform": rng.choice(["weibo", "wechat", "news", "forum"]), "text": body,
                          "title": body[:30], "fingerprint": uuid.uuid4().hex, "content_hash": uuid.uuid4().hex,
                          "first_seen_at": ev.first_seen_at, "raw": {}, "relevant": ev.relevant, "topic": None,
                          "categories": [], "rumor": False, "event_id": ev.id, "url": f"https://example.cn/p/{i}"})
        s.execute(insert(Post), posts)
        ids = list(s.scalars(select(Post.id).order_by(Post.id)))
        cls = [{"post_id": pid, "model": m, "version": "bench", "label": "x", "reasons": [],
                "scores": {"a": rng.uniform(0.3, 1.0)}} for pid in ids for m in ("topic", "grade")]
        s.execute(insert(Classification), cls)
        work = [{"key": f"{ev.id}:{rng.choice(units)}", "event_id": ev.id, "unit_id": units[ev.id % len(units)],
                 "role": "primary", "status": "dispatched", "reasons": ["bench"], "created_at": ev.first_seen_at}
                for ev in events if ev.relevant]
        s.execute(insert(Assignment), work)
        owners = list(s.execute(select(Assignment.id, Assignment.created_at)).all())
        s.execute(insert(Deadline), [{"assignment_id": aid, "milestone": "response", "grade": "一般", "started_at": at,
                                      "due_at": at + timedelta(hours=48)} for aid, at in owners])
        unit_name = s.scalar(select(Unit.name).where(Unit.id == units[0]))
        add_user(s, "analyst", "分析员", "analyst", PASSWORD, unit=None, actor="bench", now=NOW, must_change=False)
        add_user(s, "unit", "值班员", "unit", PASSWORD, unit=unit_name, actor="bench", now=NOW, must_change=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _signed_in(client: TestClient, user: str) -> None:
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    answer = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": csrf.group(1)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def _median_ms(client: TestClient, path: str, repeat: int) -> tuple[float, int]:
    """Median time of ``repeat`` requests, and how many items the page lists."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert answer.status_code == 200, answer.text[:500]
    return statistics.median(times), answer.text.count('href="/events/')


def measure(url: str, settings: Settings, n_posts: int, repeat: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        seed_units(s, load_config(settings.config_dir))
    t0 = time.perf_counter()
    populate(engine, settings, n_posts)
    fill_s = time.perf_counter() - t0
    engine.dispose()
    run = Settings.from_env({**os.environ, "YUQING_DATABASE_URL": url, "YUQING_STATE_DIR": str(settings.state_dir)})
    with TestClient(create_app(run, clock=lambda: NOW)) as analyst, TestClient(create_app(run, clock=lambda: NOW)) as unit:
        _signed_in(analyst, "analyst")
        _signed_in(unit, "unit")
        t0 = time.perf_counter()
        analyst.get("/desk")
        index_s = time.perf_counter() - t0
        figures = {"desk first page": _median_ms(analyst, "/desk", repeat),
                   "filtered search": _median_ms(analyst, "/desk?q=道路&grade=一般&topic=交通运输", repeat),
                   "least certain, 待复核": _median_ms(analyst, "/desk?order=uncertain&review=1", repeat),
                   "unit inbox": _median_ms(unit, "/inbox", repeat)}
    name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{name}: {n_posts:,} posts inserted in {fill_s:.1f} s; search index built lazily in {index_s:.1f} s")
    for what, (ms, rows) in figures.items():
        print(f"  {what:<22} median {ms:6.1f} ms  ({repeat} requests, {rows} items on the page)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--postgres", default=os.environ.get("YUQING_BENCH_POSTGRES_URL"),
                        help="an empty PostgreSQL database (skipped when not given)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({**os.environ, "YUQING_STATE_DIR": tmp})
        measure(f"sqlite:///{Path(tmp) / 'web.db'}", settings, args.posts, args.repeat)
        if args.postgres:
            measure(args.postgres, settings, args.posts, args.repeat)


if __name__ == "__main__":
    main()
