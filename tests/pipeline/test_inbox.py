"""The triage inbox: claims by atomic rename (never the same file twice, even racing), files
moved to done/, and files left by a crashed run put back."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from pipeline import inbox


def _claim_all(folder: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    taken = []
    while (claimed := inbox.claim(Path(folder))) is not None:
        taken.append(claimed.name)
    queue.put(taken)


def test_racing_workers_never_claim_the_same_file(tmp_path: Path) -> None:
    for k in range(200):
        (tmp_path / f"f{k:03d}.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a post file", encoding="utf-8")
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=_claim_all, args=(str(tmp_path), queue)) for _ in range(3)]
    for w in workers:
        w.start()
    taken = [name for _ in workers for name in queue.get(timeout=60)]
    for w in workers:
        w.join(timeout=30)
    stems = [name.split(".")[0] for name in taken]
    assert sorted(stems) == [f"f{k:03d}" for k in range(200)]           # each file exactly once
    assert (tmp_path / "notes.txt").exists()                             # only .jsonl / .csv are taken


def test_finish_moves_to_done_and_reclaim_returns_files_of_dead_runs(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,text\n", encoding="utf-8")
    first = inbox.claim(tmp_path)
    assert first is not None and first.parent.name == "processing"
    assert inbox.finish(first) == tmp_path / "done" / "a.jsonl"
    second = inbox.claim(tmp_path)
    assert second is not None and inbox.claim(tmp_path) is None
    assert inbox.reclaim(tmp_path) == 0                                   # its claimant (this process) is alive
    dead = second.with_name(second.name.replace(f"-{os.getpid()}.", "-999999999."))
    second.rename(dead)                                                  # as if a crashed run had claimed it
    assert inbox.reclaim(tmp_path) == 1 and (tmp_path / "b.csv").exists()
