"""Clustering: one incident, one event.

Quality: the labelled set ``data/eval/clustering.jsonl`` (the project's own writing: each
incident told by several outlets in their own words, follow-ups with updated figures, reposts
with commentary, and hard negatives — other incidents in the same township on the same day, the
same kind of incident elsewhere, routine matters that share a place) is triaged in the order it
was published, six hours at a time, and the events compared with the incidents: pairwise
precision and recall, and B-cubed F1.

Boilerplate: 3,000 complaints about a dozen matters in different townships, each ending in the
same standard passage, must not collapse into a few events.

Cost: the near-duplicate and incident look-up of 2,000 new posts against 10k, 50k and 100k
stored posts of a realistic stream (one post in five a repost with a comment, everyday phrases,
a viral post reposted thousands of times), per post, with the memory the look-up holds.

    python -m benchmarks.bench_clustering [--verbose] [--skip-cost]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine

from benchmarks.streams import repost, stream
from pipeline import clustering
from pipeline.batch import NewEvent
from pipeline.clustering import PROFILE_POSTS, Clusterer
from pipeline.config import load_config
from pipeline.normalize import PostInput, to_post
from pipeline.rules.casualties import extract_casualties
from pipeline.rules.clues import Clues, clues_of
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.store import seed_units
from pipeline.timeparse import SHANGHAI
from pipeline.triage import TriageContext, triage_posts

SET = PROJECT_ROOT / "data" / "eval" / "clustering.jsonl"
BASELINE = PROJECT_ROOT / "benchmarks" / "baseline_clustering.json"


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    posts: int
    incidents: int
    events: int


def read_set(path: Path = SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def scores(truth: dict[str, str], found: dict[str, int]) -> Scores:
    """Pairwise precision/recall over all pairs of posts, and B-cubed precision/recall/F1."""
    by_truth: dict[str, set[str]] = defaultdict(set)
    by_found: dict[int, set[str]] = defaultdict(set)
    for pid, label in truth.items():
        by_truth[label].add(pid)
        by_found[found[pid]].add(pid)
    same_both = sum(len(by_truth[truth[p]] & by_found[found[p]]) - 1 for p in truth)
    same_found = sum(len(by_found[found[p]]) - 1 for p in truth)
    same_truth = sum(len(by_truth[truth[p]]) - 1 for p in truth)
    bp = sum(len(by_truth[truth[p]] & by_found[found[p]]) / len(by_found[found[p]]) for p in truth) / len(truth)
    br = sum(len(by_truth[truth[p]] & by_found[found[p]]) / len(by_truth[truth[p]]) for p in truth) / len(truth)
    return Scores(same_both / same_found if same_found else 1.0, same_both / same_truth if same_truth else 1.0,
                  bp, br, 2 * bp * br / (bp + br), len(truth), len(by_truth), len(by_found))


def batches(records: list[dict[str, Any]], hours: int = 6) -> Iterator[tuple[datetime, list[dict[str, Any]]]]:
    """The records in publication order, ``hours`` at a time, each batch detected at its end."""
    ordered = sorted(records, key=lambda r: r["published_at"])
    start = datetime.fromisoformat(ordered[0]["published_at"]).replace(minute=0)

    def window(r: dict[str, Any]) -> int:
        return int((datetime.fromisoformat(r["published_at"]) - start).total_seconds() // (hours * 3600))

    for n, group in groupby(ordered, key=window):
        yield start + timedelta(hours=hours * (n + 1)), list(group)


def triage_in_batches(engine: Engine, ctx: TriageContext, records: list[dict[str, Any]],
                      hours: int = 6) -> dict[str, int]:
    """Each record's event after the whole set is triaged (events merged later followed)."""
    from sqlalchemy import select

    from pipeline.storage.models import Post

    line = 0
    for now, group in batches(records, hours):
        posts = []
        for r in group:
            line += 1
            posts.append(to_post({k: v for k, v in r.items() if k != "incident"}, line, now))
        with session_scope(engine) as session:
            triage_posts(session, posts, ctx, now)
    with session_scope(engine) as session:
        return {str(pid): eid for pid, eid in session.execute(select(Post.platform_id, Post.event_id))}


def evaluate(ctx: TriageContext, records: list[dict[str, Any]], db_url: str) -> tuple[Scores, dict[str, int]]:
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as session:
        seed_units(session, ctx.cfg)
    try:
        found = triage_in_batches(engine, ctx, records)
    finally:
        engine.dispose()
    return scores({r["id"]: r["incident"] for r in records}, found), found


def report_errors(records: list[dict[str, Any]], found: dict[str, int]) -> None:
    """Incidents split over several events, and events holding several incidents."""
    by_incident: dict[str, Counter[int]] = defaultdict(Counter)
    by_event: dict[int, Counter[str]] = defaultdict(Counter)
    for r in records:
        by_incident[r["incident"]][found[r["id"]]] += 1
        by_event[found[r["id"]]][r["incident"]] += 1
    for incident, events in sorted(by_incident.items()):
        if len(events) > 1:
            print(f"  split  {incident}: events {dict(events)}")
    for event, incidents in sorted(by_event.items()):
        if len(incidents) > 1:
            print(f"  joined event {event}: {dict(incidents)}")


# --- boilerplate ------------------------------------------------------------------------------------

MATTERS = [
    ("石塘镇", "集镇往长汀方向的乡道挖开后一直没有恢复，路面坑洼，雨天全是泥浆"),
    ("赤石乡", "集镇到卫生院那段路灯坏了快一个月，晚上黑灯瞎火"),
    ("元和街道", "古竹村半个月停了四次水，每次都没有提前通知"),
    ("浮云街道", "中山社区菜场后门的垃圾分类亭几天没人清运，臭气熏天"),
    ("凤凰山街道", "小区北侧工地每天夜里施工到凌晨，打桩声吵得老人孩子睡不着"),
    ("紧水滩镇", "村边砂石场半夜开采，拉砂石的大车把村道压得坑坑洼洼"),
    ("白龙山街道", "安置小区交房一年就卫生间渗水，开发商电话打不通"),
    ("崇头镇", "到紧水滩的城乡公交中午班次取消了，老人看病只能包车"),
    ("雾溪畲族乡", "雾溪村自来水连续几天浑浊发黄，烧开后底下一层泥"),
    ("安溪畲族乡", "村里低保评定没有公示名单，困难老人没评上"),
    ("浮云街道", "红光村边养猪场夜里往溪里排粪水，整条溪沟又黑又臭"),
    ("元和街道", "菜市场周边早市摊贩把摊子摆到马路中间，早高峰堵成一团"),
]
OPENINGS = ["您好，我要反映：", "尊敬的领导：", "市民来电反映：", "来电人称：", "群众反映："]
CLOSINGS = ["请尽快处理。", "望相关部门重视。", "希望早日解决。", "盼复。", ""]
PASSAGE = ("【办理须知】本工单由云和县12345政务服务便民热线受理转办，请承办单位在3个工作日内与来电人联系，"
           "10个工作日内办结并书面反馈办理结果；来电人对办理结果不满意的，热线将启动重办程序并纳入考核。")


def boilerplate_complaints(n: int = 3000, seed: int = 11) -> list[dict[str, Any]]:
    """``n`` hotline complaints about a dozen matters, each in its caller's own words and each
    ending in the same standard passage (80–120 characters)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        m = rng.randrange(len(MATTERS))
        town, what = MATTERS[m]
        text = f"{rng.choice(OPENINGS)}{town}{what}，{rng.choice(CLOSINGS)}{PASSAGE}"
        out.append({"id": f"b{i}", "matter": m, "platform": "message_board", "source": "云和县12345热线",
                    "text": text, "published_at": "2026-11-28T08:00:00+08:00"})
    return out


@dataclass(frozen=True)
class Boilerplate:
    """The templated complaints triaged in one batch: their events, those holding more than one
    matter, pairwise precision and recall against the matters, and the batch's seconds."""

    events: int
    mixed: int
    precision: float
    recall: float
    seconds: float


def boilerplate_purity(ctx: TriageContext, records: list[dict[str, Any]], db_url: str) -> Boilerplate:
    items, seconds = _one_batch(ctx, records, db_url)
    matters: dict[int, set[int]] = defaultdict(set)
    for r, item in zip(records, items, strict=True):
        matters[item["event_id"]].add(r["matter"])
    found = {r["id"]: i["event_id"] for r, i in zip(records, items, strict=True)}
    s = scores({r["id"]: str(r["matter"]) for r in records}, found)
    return Boilerplate(len(matters), sum(1 for m in matters.values() if len(m) > 1), s.precision, s.recall, seconds)


def _one_batch(ctx: TriageContext, records: list[dict[str, Any]], db_url: str) -> tuple[list[dict[str, Any]], float]:
    """Triage the records as one batch into a fresh database: the items and the seconds taken."""
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as session:
        seed_units(session, ctx.cfg)
    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    posts = [to_post({k: v for k, v in r.items() if k != "matter"}, i + 1, now) for i, r in enumerate(records)]
    t0 = time.perf_counter()
    with session_scope(engine) as session:
        items = triage_posts(session, posts, ctx, now).items
    seconds = time.perf_counter() - t0
    engine.dispose()
    return items, seconds


def varied_seconds(ctx: TriageContext, settings: Settings, n: int, db_url: str) -> float:
    """Seconds for a varied batch of ``n`` posts (the realistic stream: reposts, everyday
    phrases, a viral post), the yardstick the templated batch's time is compared with."""
    start = datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI)
    return _one_batch(ctx, stream(n, 5, settings, start=start, every=timedelta(seconds=1)), db_url)[1]


# --- cost per added post ---------------------------------------------------------------------------

def light_analysis(ctx: TriageContext, posts: list[PostInput]) -> tuple[np.ndarray, list[Clues | None]]:
    """Signatures and incident facts as triage computes them, without the four models (what is
    measured here is the look-up, not classification)."""
    docs = ctx.tokenizer.docs([p.text for p in posts])
    clues: list[Clues | None] = [
        clues_of(p, d, ctx.gazetteer.match(d, p.source, p.author).townships, extract_casualties(d.text), False,
                 ctx.vocab, ctx.tokenizer) for p, d in zip(posts, docs, strict=True)]
    return ctx.hasher.signatures([p.text for p in posts]), clues


@dataclass
class History:
    """Posts placed as if stored: each one's event, whether it is a representative, its clues."""

    events: list[int]
    indexed: list[bool]
    clues: list[dict[str, Any] | None]


def place_all(clusterer: Clusterer, posts: list[PostInput], sigs: np.ndarray, clues: list[Clues | None],
              chunk: int = 2000) -> History:
    """Place posts chunk by chunk, giving new events ids as the writer would."""
    out = History([], [], [])
    next_id = 1 + max((e for e in clusterer.index.events if isinstance(e, int)), default=0)
    for start in range(0, len(posts), chunk):
        placement = clusterer.place(posts[start:start + chunk], sigs[start:start + chunk], clues[start:start + chunk])
        for event in placement.placed:
            if isinstance(event, NewEvent) and event.id is None:
                event.id, next_id = next_id, next_id + 1
        clusterer.settle(placement.placed)
        for ids in placement.merges:
            clusterer.merged(min(ids), ids)
        out.events += [int(e.id if isinstance(e, NewEvent) else e) for e in placement.placed]  # type: ignore[arg-type]
        out.indexed += [bool(r["indexed"]) for r in placement.rows]
        out.clues += [r["clues"] for r in placement.rows]
    out.events = [int(clusterer.find(e)) for e in out.events]  # type: ignore[call-overload]
    return out


def loaded(ctx: TriageContext, now: datetime, history: History, sigs: np.ndarray) -> Clusterer:
    """What ``Clusterer.open`` loads from a store holding ``history``: each event's first
    representatives, and the clues of the last 72 hours (the first of each event)."""
    c = Clusterer(ctx.cfg, ctx.vocab, now)
    per_event: Counter[int] = Counter()
    reps = []
    for i, (event, indexed) in enumerate(zip(history.events, history.indexed, strict=True)):
        if indexed and per_event[event] < c.policy.representatives:
            per_event[event] += 1
            reps.append((event, i, sigs[i].tobytes()))
    c.index.load(reps)
    since = (now - timedelta(hours=c.policy.incidents.window_hours)).timestamp()
    kept: Counter[int] = Counter()
    for event, data in zip(history.events, history.clues, strict=True):
        if data is not None and data["at"] >= since and kept[event] < PROFILE_POSTS:
            kept[event] += 1
            c._remember(event, Clues.from_json(data))
    return c


def comparisons(clusterer: Clusterer, posts: list[PostInput], sigs: np.ndarray, clues: list[Clues | None]
                ) -> tuple[float, float]:
    """(stored signatures compared, event incident profiles matched) per placed post: what the
    look-up costs in work, whatever the machine's speed."""
    counts: Counter[str] = Counter()
    index, match = clusterer.index, clustering.match
    near = index.near

    def counting_near(sig: np.ndarray, keys: list[int], stored: np.ndarray, own: np.ndarray) -> list[Any]:
        recent = {j for key in keys for j in (index.recent.get(key) or ())}
        counts["signatures"] += len(set(stored.tolist()) | recent)
        return near(sig, keys, stored, own)

    def counting_match(*args: Any, **kwargs: Any) -> Any:
        counts["incidents"] += 1
        return match(*args, **kwargs)

    index.near = counting_near  # type: ignore[method-assign]
    clustering.match = counting_match
    try:
        place_all(clusterer, posts, sigs, clues)
    finally:
        clustering.match = match
    return counts["signatures"] / len(posts), counts["incidents"] / len(posts)


def cost(ctx: TriageContext, settings: Settings, sizes: tuple[int, ...] = (10_000, 50_000, 100_000),
         new: int = 2_000) -> list[tuple[int, float, float, float, tuple[float, float]]]:
    """(stored posts, µs per added post, seconds to load, MB held, comparisons per post) for each
    store size: the last ``size`` posts of a realistic stream spread over 13 days, then ``new``
    more."""
    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    total = max(sizes) + new
    records = stream(total, 7, settings, start=now - timedelta(days=13), every=timedelta(days=13) / total)
    posts = [to_post(r, i + 1, now) for i, r in enumerate(records)]
    sigs, clues = light_analysis(ctx, posts)
    history = place_all(Clusterer(ctx.cfg, ctx.vocab, now), posts[:-new], sigs[:-new], clues[:-new])
    out = []
    for size in sizes:
        part = History(history.events[-size:], history.indexed[-size:], history.clues[-size:])
        t0 = time.perf_counter()
        clusterer = loaded(ctx, now, part, sigs[-new - size:-new])
        t1 = time.perf_counter()
        place_all(clusterer, posts[-new:], sigs[-new:], clues[-new:])
        t2 = time.perf_counter()
        del clusterer
        gc.collect()
        tracemalloc.start()  # again, measured: tracing slows what it measures
        clusterer = loaded(ctx, now, part, sigs[-new - size:-new])
        place_all(clusterer, posts[-new:], sigs[-new:], clues[-new:])
        held = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        del clusterer
        compared = comparisons(loaded(ctx, now, part, sigs[-new - size:-new]), posts[-new:], sigs[-new:], clues[-new:])
        out.append((size, (t2 - t1) / new * 1e6, t1 - t0, held, compared))
    return out


def viral(ctx: TriageContext, settings: Settings) -> tuple[float, float, int]:
    """(µs per post joining a 10,000-post event, µs per post joining a 10-post one, the big
    event's representatives): a viral incident costs no more per post than a small one."""
    now = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    rng = random.Random(5)
    base = [r for r in stream(400, 3, settings, start=now - timedelta(hours=20)) if "//@" not in r["text"]][:201]
    big, small = base[0], base[1:]
    history = [repost(rng, big) for _ in range(10_000)] + [repost(rng, s) for s in small for _ in range(9)]
    later = [[repost(rng, big) for _ in range(1_000)], [repost(rng, s) for s in small for _ in range(5)][:1_000]]

    def as_posts(texts: list[str], tag: str) -> list[PostInput]:
        return [to_post({"id": f"{tag}{i}", "platform": "weibo", "author": f"用户{i}", "text": t}, i + 1, now)
                for i, t in enumerate(texts)]

    clusterer = Clusterer(ctx.cfg, ctx.vocab, now)
    posts = as_posts([r["text"] for r in base] + history, "v")
    place_all(clusterer, posts, *light_analysis(ctx, posts))
    took = []
    for n, group in enumerate(later):
        more = as_posts(group, f"w{n}-")
        sigs, clues = light_analysis(ctx, more)
        t0 = time.perf_counter()
        place_all(clusterer, more, sigs, clues)
        took.append((time.perf_counter() - t0) / len(more) * 1e6)
    return took[0], took[1], clusterer.index.per_event[clusterer.find(1)]


# --- the report ----------------------------------------------------------------------------------

def heldout(ctx: TriageContext) -> None:
    """The blind held-out sets (``benchmarks.bench_heldout``), one run and two runs each: the
    yardstick not written by us (the labelled set above is our own writing)."""
    from benchmarks.bench_heldout import run_set, sets

    for path in sets():
        for runs in (1, 2):
            h = run_set(path, runs, ctx).scores
            print(f"held-out {path.parent.name}, {'one run' if runs == 1 else 'two runs'}: {h.posts} posts, "
                  f"{h.incidents} incidents -> {h.events} events; pairwise precision {h.precision:.3f} "
                  f"recall {h.recall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--verbose", action="store_true", help="list split incidents and mixed events")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-heldout", action="store_true", help="not the blind held-out sets")
    args = parser.parse_args()
    settings = Settings.from_env()
    ctx = TriageContext.load(settings, load_config(settings.config_dir))
    records = read_set()
    complaints = boilerplate_complaints()
    with tempfile.TemporaryDirectory() as tmp:
        s, found = evaluate(ctx, records, f"sqlite:///{tmp}/set.db")
        b = boilerplate_purity(ctx, complaints, f"sqlite:///{tmp}/boiler.db")
        varied = varied_seconds(ctx, settings, len(complaints), f"sqlite:///{tmp}/varied.db")
    print(f"labelled set (our own writing): {s.posts} posts, {s.incidents} incidents -> {s.events} events")
    print(f"pairwise precision {s.precision:.3f}  recall {s.recall:.3f}  (target >= 0.92 / >= 0.90)")
    print(f"B-cubed precision {s.bcubed_precision:.3f}  recall {s.bcubed_recall:.3f}  F1 {s.bcubed_f1:.3f}")
    if args.verbose:
        report_errors(records, found)
    print(f"boilerplate: {len(complaints)} complaints, 12 matters in 12 places, one 110-character passage -> "
          f"{b.events} events, {b.mixed} holding more than one matter; pairwise precision {b.precision:.3f} "
          f"recall {b.recall:.3f} (target >= 0.90); {b.seconds:.1f} s against {varied:.1f} s for a varied batch "
          f"of the same size: {b.seconds / varied:.2f}x (target <= 1.5)")
    if not args.skip_heldout:
        heldout(ctx)
    if args.skip_cost:
        return
    gc.disable()  # as during a triage batch; timings are of the look-up alone
    for size, micros, load, held, (signatures, incidents) in cost(ctx, settings):
        print(f"stored {size:>7,} posts: {micros:6.0f} µs per added post, compared {signatures:5.1f} signatures "
              f"and {incidents:4.1f} incidents per post, index loaded in {load:5.2f} s, {held:6.1f} MB held")
    big, small, reps = viral(ctx, settings)
    print(f"joining a 10,000-post event: {big:.0f} µs per post ({reps} representatives); a 10-post event: {small:.0f} µs")
    gc.enable()


if __name__ == "__main__":
    main()
