"""Settings read from the environment in one place: YUQING_WORKERS is one of them, refused with
a Chinese message when unusable, and it decides whether triage forks a second worker."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pipeline import triage
from pipeline.settings import Settings, SettingsError
from pipeline.triage import PARALLEL_MIN_POSTS, TriageContext, iter_analysed


def test_workers_come_from_the_environment_and_bad_values_are_refused_in_chinese() -> None:
    assert Settings.from_env({}).workers == 2
    assert Settings.from_env({"YUQING_WORKERS": "1"}).workers == 1
    for bad in ("abc", "0", "-1", ""):
        with pytest.raises(SettingsError, match="YUQING_WORKERS 应为正整数"):
            Settings.from_env({"YUQING_WORKERS": bad})


class Forked(Exception):
    """Raised instead of starting a worker process."""


def _no_fork(*_: Any, **__: Any) -> None:
    raise Forked


def test_one_worker_keeps_a_large_batch_in_this_process(ctx: TriageContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(triage, "analyse_chunk", lambda _ctx, part: ([None] * len(part), None, [None] * len(part)))
    monkeypatch.setattr(triage, "ProcessPoolExecutor", _no_fork)
    monkeypatch.setattr(triage.os, "cpu_count", lambda: 2)
    posts: list[Any] = [object()] * PARALLEL_MIN_POSTS
    assert sum(len(part) for part, *_ in iter_analysed(replace(ctx, workers=1), posts)) == len(posts)
    with pytest.raises(Forked):
        list(iter_analysed(replace(ctx, workers=2), posts))


class _InProcess:
    """An executor that runs each task when submitted and counts them."""

    submitted = 0

    def __init__(self, *_: Any, **__: Any) -> None:
        pass

    def __enter__(self) -> _InProcess:
        return self

    def __exit__(self, *_: Any) -> None:
        pass

    def submit(self, fn: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        _InProcess.submitted += 1
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done


def test_the_worker_is_never_asked_for_more_than_two_chunks_ahead(ctx: TriageContext,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Finished chunks wait in memory until they are stored: asking for every chunk at once kept
    the analyses of the whole batch (a 100,000-post batch peaked at 1.9 GB)."""
    monkeypatch.setattr(triage, "analyse_chunk", lambda _ctx, part: ([None] * len(part), None, [None] * len(part)))
    monkeypatch.setattr(triage, "ProcessPoolExecutor", _InProcess)
    monkeypatch.setattr(triage.os, "cpu_count", lambda: 2)
    posts: list[Any] = [object()] * (PARALLEL_MIN_POSTS * 3)
    taken = 0
    for part, *_ in iter_analysed(replace(ctx, workers=2), posts, chunk=500):
        taken += len(part)
        assert _InProcess.submitted * 500 <= taken + 2 * 500  # never more than two chunks waiting
    assert taken == len(posts) and _InProcess.submitted > 10
