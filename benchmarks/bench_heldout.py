"""Blind held-out sets: what triage gets right on material written without seeing its code.

Each set under ``data/eval/heldout/<name>/posts.jsonl`` was written by someone who had not read
the clustering code, from the list of phenomena in the issue and RULES.md only (its README says
how). Each post carries gold labels: ``incident`` (posts of one incident or routine matter share
it), ``about_yunhe``, ``official_release`` and ``township``. Nothing here is tuned on the
individual cases: the figures are reported as they come.

For each set the posts are triaged twice, into fresh databases: in one run (one batch, detected
after the last post) and in two runs (the first half of the month, then the rest), and the events
compared with the incidents:

- pairwise precision / recall and B-cubed F1 over all posts (each post about something else is an
  incident of its own);
- relevance: posts about 云和 set aside as 无关 (the county's own releases counted apart), and posts
  not about 云和 kept;
- events whose posts the gold labels put in more than one township (different places merged);
- own releases that became a task (an assignment with a deadline of their own event), and those
  recorded as their unit's response.

    python -m benchmarks.bench_heldout [--verbose] [--set NAME]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from benchmarks.bench_clustering import Scores, scores
from pipeline.config import load_config
from pipeline.normalize import to_post
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import make_engine, migrate, session_scope
from pipeline.storage.models import Assignment, Deadline, Event, Post, Response
from pipeline.storage.store import seed_units
from pipeline.triage import TriageContext, triage_posts

HELDOUT = PROJECT_ROOT / "data" / "eval" / "heldout"
GOLD = ("incident", "about_yunhe", "official_release", "township")


@dataclass(frozen=True)
class Outcome:
    """What one run of one set gave."""

    scores: Scores
    yunhe_set_aside: list[str]       # posts about 云和 triaged as not relevant (the county's own releases aside)
    releases_recorded: list[str]     # gold official releases recorded as their unit's response
    elsewhere_kept: list[str]        # posts not about 云和 triaged as relevant
    mixed_townships: list[int]       # events holding posts of several gold townships
    releases_as_tasks: list[str]     # official releases whose event got a deadline of its own
    largest_event: int


def read_set(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def sets(only: str | None = None) -> list[Path]:
    found = sorted(p for p in HELDOUT.glob("*/posts.jsonl") if only is None or p.parent.name == only)
    return found


def _post(record: dict[str, Any], line: int, now: datetime) -> Any:
    return to_post({k: v for k, v in record.items() if k not in GOLD}, line, now)


def triage_runs(engine: Engine, ctx: TriageContext, records: list[dict[str, Any]], runs: int) -> None:
    """The records in publication order, cut into ``runs`` batches of equal time span, each
    detected just after its last post."""
    ordered = sorted(records, key=lambda r: r["published_at"])
    times = [datetime.fromisoformat(r["published_at"]) for r in ordered]
    start, end = times[0], times[-1]
    span = (end - start) / runs
    line = 0
    for n in range(runs):
        hi = end if n == runs - 1 else start + span * (n + 1)
        batch = [r for r, t in zip(ordered, times, strict=True)
                 if (n == 0 or t > start + span * n) and t <= hi]
        if not batch:
            continue
        now = hi + timedelta(minutes=5)
        posts = []
        for r in batch:
            line += 1
            posts.append(_post(r, line, now))
        with session_scope(engine) as session:
            triage_posts(session, posts, ctx, now)


def evaluate(engine: Engine, records: list[dict[str, Any]]) -> Outcome:
    gold = {r["id"]: r for r in records}
    with session_scope(engine) as session:
        rows = session.execute(select(Post.platform_id, Post.event_id, Post.relevant)).all()
        recorded = {str(pid) for (pid,) in session.execute(
            select(Post.platform_id).join(Response, Response.post_id == Post.id))}
        merged = dict(session.execute(select(Event.id, Event.merged_into)).all())
        tasked = {eid for (eid,) in session.execute(
            select(Assignment.event_id).join(Deadline, Deadline.assignment_id == Assignment.id)
            .where(Assignment.withdrawn_at.is_(None)))}

    def final(eid: int) -> int:
        while merged.get(eid):
            eid = merged[eid]  # type: ignore[assignment]
        return eid

    found = {str(pid): final(eid) for pid, eid, _ in rows}
    relevant = {str(pid): bool(rel) for pid, _, rel in rows}
    truth = {pid: str(gold[pid]["incident"]) for pid in found}
    members: dict[int, list[str]] = defaultdict(list)
    for pid, eid in found.items():
        members[eid].append(pid)
    mixed = [eid for eid, pids in members.items()
             if len({gold[p]["township"] for p in pids if gold[p].get("township")}) > 1]
    releases = [pid for pid in found if gold[pid].get("official_release")
                and found[pid] in tasked
                and all(gold[p].get("official_release") for p in members[found[pid]])]
    return Outcome(
        scores=scores(truth, found),
        yunhe_set_aside=[p for p in found if gold[p].get("about_yunhe") and not relevant[p] and p not in recorded
                         and not gold[p].get("official_release")],
        releases_recorded=[p for p in found if gold[p].get("official_release") and p in recorded],
        elsewhere_kept=[p for p in found if gold[p].get("about_yunhe") is False and relevant[p]],
        mixed_townships=mixed,
        releases_as_tasks=releases,
        largest_event=max(len(v) for v in members.values()),
    )


def run_set(path: Path, runs: int, ctx: TriageContext) -> Outcome:
    records = read_set(path)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/heldout.db")
        migrate(engine)
        with session_scope(engine) as session:
            seed_units(session, ctx.cfg)
        triage_runs(engine, ctx, records, runs)
        outcome = evaluate(engine, records)
        engine.dispose()
    return outcome


def context() -> TriageContext:
    settings = Settings.from_env()
    return TriageContext.load(settings, load_config(settings.config_dir))


def report(name: str, runs: int, o: Outcome, records: list[dict[str, Any]], verbose: bool) -> None:
    s = o.scores
    yunhe = sum(1 for r in records if r.get("about_yunhe") and not r.get("official_release"))
    releases = sum(1 for r in records if r.get("official_release"))
    elsewhere = sum(1 for r in records if r.get("about_yunhe") is False)
    print(f"{name}, {'one run' if runs == 1 else f'{runs} runs'}: {s.posts} posts, {s.incidents} incidents -> "
          f"{s.events} events; pairwise precision {s.precision:.3f} recall {s.recall:.3f} "
          f"(targets >= 0.92 / >= 0.90); B-cubed F1 {s.bcubed_f1:.3f}; largest event {o.largest_event} posts")
    print(f"  about 云和 set aside: {len(o.yunhe_set_aside)} of {yunhe}; not about 云和 kept: "
          f"{len(o.elsewhere_kept)} of {elsewhere}; events mixing townships: {len(o.mixed_townships)}; "
          f"own releases given a task: {len(o.releases_as_tasks)}; recorded as responses: "
          f"{len(o.releases_recorded)} of {releases}")
    if verbose:
        print("    set aside:", ", ".join(o.yunhe_set_aside))
        print("    kept:", ", ".join(o.elsewhere_kept))
        print("    releases as tasks:", ", ".join(o.releases_as_tasks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--set", default=None, help="only this set (a folder name under data/eval/heldout)")
    args = parser.parse_args()
    ctx = context()
    paths = sets(args.set)
    if not paths:
        print(f"no held-out set under {HELDOUT}")
        return
    for path in paths:
        records = read_set(path)
        for runs in (1, 2):
            report(path.parent.name, runs, run_set(path, runs, ctx), records, args.verbose)


if __name__ == "__main__":
    main()
