"""Report speed: a 舆情月报 (and the month's 考核通报) over 100,000 posts of one month.

The posts are generated reproducibly (seeded) from sentences of the project's own corpus with
云和 places, platforms, sources and engagement counts, grouped into events of every grade with
their owners, deadlines (met on time, late, unmet) and responses, and written straight into a
fresh SQLite database (or ``--url``). Timed: reading every figure, the hot words over all the
month's texts, composing (charts included), and rendering Word, Excel and HTML. Not timed:
generating and writing the data.

    python benchmarks/bench_reports.py [--posts 100000] [--seed 7] [--url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from classifiers.training import read_corpus
from pipeline.reports.service import RENDERERS, Spec, build
from pipeline.rules.periods import Period
from pipeline.runtime import open_runtime
from pipeline.settings import Settings
from pipeline.storage.models import Assignment, Deadline, Event, Post, Response, Source, Unit
from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import GRADES

MONTH = Period.containing("monthly", datetime(2026, 11, 1, tzinfo=SHANGHAI).date())
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
PLACES = ["浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇", "赤石乡", "雾溪畲族乡", "安溪畲族乡"]
PLATFORMS = ["weibo", "wechat", "news", "message_board", "forum"]
TOPICS = ["城乡建设", "交通运输", "教育文体", "卫生计生", "农村农业", "环境保护", "劳动和社会保障", "政法", "民政"]


def _sources(session: Any) -> list[int]:
    names = [("weibo", "新浪微博"), ("wechat", "云和发布"), ("news", "丽水网"), ("message_board", "县长信箱"), ("forum", "云和吧")]
    session.execute(insert(Source), [{"platform": p, "name": n, "local": n == "云和发布"} for p, n in names])
    return list(session.scalars(select(Source.id).order_by(Source.id)))


def _events(session: Any, rng: random.Random, n: int, sentences: list[str]) -> list[tuple[int, datetime, str | None]]:
    rows = []
    for i in range(n):
        seen = MONTH.start + timedelta(seconds=rng.randrange(int((MONTH.end - MONTH.start).total_seconds())))
        relevant = rng.random() > 0.1
        grade = rng.choices(GRADES, weights=(1, 4, 25, 70))[0] if relevant else None
        cats = rng.sample(["切身利益", "突发事件", "谣言", "政策误读"], k=rng.choice([0, 0, 0, 1, 2]))
        rows.append({"key": f"b{i}", "title": f"{rng.choice(PLACES)}{rng.choice(sentences)[:24]}", "relevant": relevant,
                     "topic": rng.choice(TOPICS) if relevant else "无关", "grade": grade, "auto_grade": grade,
                     "grade_reasons": [], "categories": cats if relevant else [], "rumor": "谣言" in cats,
                     "leadership": grade == "特别重大", "features": {}, "post_count": 0, "engagement": None,
                     "first_seen_at": seen, "last_seen_at": seen, "clock_start_at": seen})
    session.execute(insert(Event), rows)
    return [(e.id, e.first_seen_at, e.grade) for e in session.execute(
        select(Event.id, Event.first_seen_at, Event.grade).where(Event.relevant.is_(True)))] + \
        [(e.id, e.first_seen_at, None) for e in session.execute(select(Event.id, Event.first_seen_at)
                                                                 .where(Event.relevant.is_(False)))]


def _posts(session: Any, rng: random.Random, n: int, events: list[tuple[int, datetime, str | None]],
           sources: list[int], sentences: list[str]) -> None:
    batch: list[dict[str, Any]] = []
    for i in range(n):
        eid, start, grade = rng.choice(events)
        seen = min(MONTH.end - timedelta(seconds=1), start + timedelta(minutes=rng.expovariate(1 / 600)))
        text = rng.choice(PLACES) + "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        source = rng.randrange(len(sources))
        batch.append({"platform": PLATFORMS[source], "platform_id": f"g{i}", "source_id": sources[source],
                      "fingerprint": f"fp{i}", "author": f"用户{rng.randint(1, 5000)}", "text": text[:220],
                      "first_seen_at": seen, "published_at": seen, "content_hash": f"h{i}", "raw": {},
                      "relevant": grade is not None, "topic": rng.choice(TOPICS), "categories": [], "rumor": False,
                      "event_id": eid, "reposts": rng.choice([None, rng.randint(0, 500)]),
                      "comments": rng.randint(0, 200), "likes": rng.randint(0, 900)})
        if len(batch) == 5000:
            session.execute(insert(Post), batch)
            batch = []
    if batch:
        session.execute(insert(Post), batch)


def _work(session: Any, rng: random.Random, events: list[tuple[int, datetime, str | None]]) -> None:
    units = list(session.scalars(select(Unit.id)))
    graded = [(eid, seen, grade) for eid, seen, grade in events if grade]
    session.execute(insert(Assignment), [
        {"key": f"{eid}:{units[eid % len(units)]}", "event_id": eid, "unit_id": units[eid % len(units)], "role": "primary",
         "status": rng.choice(["dispatched", "accepted", "responded", "returned"]), "reasons": [], "created_at": seen,
         "returned_at": seen + timedelta(hours=2) if eid % 37 == 0 else None} for eid, seen, _ in graded])
    owners = dict(session.execute(select(Assignment.event_id, Assignment.id)).all())
    deadlines, responses = [], []
    for eid, seen, grade in graded:
        hours = 5 if grade in GRADES[:2] else 48
        met = seen + timedelta(hours=rng.uniform(0.5, hours * 1.5)) if rng.random() < 0.85 else None
        deadlines.append({"assignment_id": owners[eid], "milestone": "authoritative_info" if hours == 5 else "response",
                          "grade": grade, "started_at": seen, "due_at": seen + timedelta(hours=hours), "met_at": met})
        if met is not None:
            responses.append({"event_id": eid, "unit_id": units[eid % len(units)], "kind": "网络问政回复",
                              "responded_at": met, "recorded_at": met})
    session.execute(insert(Deadline), deadlines)
    session.execute(insert(Response), responses)


def populate(settings: Settings, posts: int, seed: int) -> None:
    rng = random.Random(seed)
    corpus = read_corpus(settings.training_corpus_dir)
    sentences = [s for t in corpus["text"] for s in re.split(r"(?<=[。！？!?])", str(t)) if len(s) >= 8]
    with open_runtime(settings) as rt, rt.session() as session:
        sources = _sources(session)
        events = _events(session, rng, posts // 6, sentences)
        _posts(session, rng, posts, events, sources, sentences)
        _work(session, rng, events)


def timed(settings: Settings, spec: Spec, out: Path) -> dict[str, float]:
    with open_runtime(settings) as rt:
        started = time.perf_counter()
        doc = build(rt, spec, NOW)
        figures = time.perf_counter() - started
        result = {"figures_and_compose": figures}
        for fmt, render in RENDERERS.items():
            t = time.perf_counter()
            (out / f"{spec.stem}.{fmt}").write_bytes(render(doc))
            result[fmt] = time.perf_counter() - t
        result["total"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings.from_env({**os.environ, "YUQING_DATABASE_URL": url, "YUQING_STATE_DIR": tmp})
        t = time.perf_counter()
        populate(settings, args.posts, args.seed)
        print(f"generated {args.posts:,} posts of {MONTH.label} in {time.perf_counter() - t:.1f} s (not timed)")
        for spec in (Spec("monthly", MONTH), Spec("assessment", MONTH)):
            r = timed(settings, spec, Path(tmp))
            print(f"{spec.key}: total {r['total']:.1f} s = figures, hot words and charts {r['figures_and_compose']:.1f} s"
                  f" + docx {r['docx']:.1f} s + xlsx {r['xlsx']:.1f} s + html {r['html']:.1f} s")


if __name__ == "__main__":
    main()
