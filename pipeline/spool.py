"""The validated posts of one triage batch, held so that memory does not grow with the batch.

A batch is placed in publication order, never in file order, so triage must know every post's
order and identity before it places the first one. ``PostBatch`` gives that: a small ``Digest``
per post (its placing order, identity keys, line and input id — about a kilobyte), and the
posts themselves loaded back by index, a chunk at a time. ``ListBatch`` wraps posts already in
memory (tests, imports of small files); ``SpooledBatch`` writes each validated post to an
unnamed temporary file as it is read (a pickle of our own ``PostInput``, read back only by this
process and the worker it forks) and keeps only the digests — a 100,000-post file no longer sits
in memory as 100,000 parsed posts while it is triaged. Triage lets the digests go too once it has
sorted the batch (``forget_digests``); asked for again (a retried batch), they are read back.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import NamedTuple, Protocol

from pipeline.normalize import PostInput, Reject, identity_keys, iter_posts


class Digest(NamedTuple):
    """What triage needs of a post before reading it again."""

    order: tuple[datetime, str, str, str, str]  # ``placing_order``
    keys: tuple[tuple[str, ...], ...]          # ``PostInput.identity``
    platform_id: str | None
    canonical_url: str | None
    fingerprint: str
    published_at: datetime | None
    line: int
    input_id: str
    notes: tuple[str, ...]                     # details of what validation changed

    def identity(self) -> list[tuple[str, ...]]:
        return list(self.keys)


def placing_order(post: PostInput, now: datetime) -> tuple[datetime, str, str, str, str]:
    """When a post was published to the minute (its detection time when unknown, date-only or
    later: the same time clustering reads), then what it says and who said it — never where the
    file happened to list it."""
    return post.known_time(now), post.content_hash, post.platform, post.author or "", post.platform_id or ""


def digest_of(post: PostInput, now: datetime) -> Digest:
    fingerprint = post.fingerprint  # a digest of its own: computed once, held once
    keys = identity_keys(post.platform, post.platform_id, post.source, post.canonical_url, post.content_hash, fingerprint)
    return Digest(placing_order(post, now), tuple(keys), post.platform_id, post.canonical_url, fingerprint,
                  post.published_at, post.line, post.input_id, tuple(n["detail"] for n in post.notes))


class PostBatch(Protocol):
    """A batch's posts: every digest at once, the posts themselves by index."""

    @property
    def digests(self) -> list[Digest]: ...

    def load(self, indices: Sequence[int]) -> list[PostInput]: ...

    def forget_digests(self) -> None:
        """Let the digests go once triage has read what it needs of them (the posts stay)."""


class ListBatch:
    """Posts already in memory."""

    def __init__(self, posts: Sequence[PostInput], now: datetime | None = None) -> None:
        self.posts, self.now = posts, now

    @cached_property
    def digests(self) -> list[Digest]:
        if self.now is None:
            raise ValueError("a ListBatch needs the detection time for its digests")
        return [digest_of(p, self.now) for p in self.posts]

    def load(self, indices: Sequence[int]) -> list[PostInput]:
        return [self.posts[i] for i in indices]

    def forget_digests(self) -> None:
        self.__dict__.pop("digests", None)  # worked out again if asked for


class SpooledBatch:
    """Posts written to an unnamed temporary file as they are added; only digests in memory.

    Reads use ``os.pread`` (no shared file offset), so a forked worker can read the same file
    while this process does. ``close`` (or leaving a ``with`` block) removes the file.
    """

    def __init__(self, now: datetime, directory: Path | None = None) -> None:
        self.now = now
        self._digests: list[Digest] | None = []
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 — closed by close()
        self._starts = array("q")
        self._ends = array("q")
        self._size = 0
        self._unwritten = False

    def add(self, post: PostInput) -> None:
        data = pickle.dumps(post, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(data)
        self._starts.append(self._size)
        self._size += len(data)
        self._ends.append(self._size)
        self._unwritten = True
        if self._digests is not None:  # once let go, worked out again with this post among them
            self._digests.append(digest_of(post, self.now))

    @property
    def digests(self) -> list[Digest]:
        """Every post's digest; worked out again from the file once let go (a retried batch)."""
        if self._digests is None:
            self._digests = [digest_of(p, self.now) for start in range(0, len(self), 1000)
                             for p in self.load(range(start, min(start + 1000, len(self))))]
        return self._digests

    def load(self, indices: Sequence[int]) -> list[PostInput]:
        if self._unwritten:  # flushed here, before any fork: a child must not inherit a full buffer
            self._file.flush()
            self._unwritten = False
        fd = self._file.fileno()
        return [pickle.loads(os.pread(fd, self._ends[i] - self._starts[i], self._starts[i])) for i in indices]

    def forget_digests(self) -> None:
        self._digests = None

    def __len__(self) -> int:
        return len(self._starts)  # the posts spooled, whether or not their digests are still held

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SpooledBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class SpooledFile:
    batch: SpooledBatch
    rejects: list[Reject]
    truncated: int = 0  # posts whose text was cut to ``MAX_TEXT``


PROGRESS_EVERY = 10_000


def spool_posts(path: Path, now: datetime, directory: Path | None = None,
                progress: Callable[[str], None] = lambda _: None) -> SpooledFile:
    """Read and validate a post file (as ``read_posts``) into a ``SpooledBatch``; bad lines
    become rejects. The caller closes the batch."""
    batch = SpooledBatch(now, directory)
    rejects: list[Reject] = []
    truncated = 0
    try:
        for item in iter_posts(path, now):
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            truncated += item.truncated
            batch.add(item)
            if len(batch) % PROGRESS_EVERY == 0:
                progress(f"已读取并校验 {len(batch)} 条帖子")
        batch.load([])  # everything on disk before a worker is forked
    except BaseException:
        batch.close()
        raise
    return SpooledFile(batch, rejects, truncated)
