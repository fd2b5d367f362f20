"""The triage inbox: post files (JSONL / CSV exports of other systems, analysts' uploads) that
the scheduled ``triage`` flow takes in. A file is claimed by an atomic rename, so two workers
polling the same inbox never take the same file; a claimed file moves to ``done/`` when its
posts are stored, and a crash leaves it in ``processing/`` where ``reclaim`` puts it back.
Ingest itself is idempotent, so a file triaged twice after a crash stores nothing twice.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

SUFFIXES = (".jsonl", ".csv")


def _host() -> str:
    return socket.gethostname().replace(".", "_")  # dots separate the parts of a claimed name


def _worker_tag() -> str:
    return f"{_host()}-{os.getpid()}"


def claim(inbox: Path) -> Path | None:
    """Take the oldest waiting file into ``processing/``; None when there is none."""
    processing = inbox / "processing"
    processing.mkdir(parents=True, exist_ok=True)
    for path in _waiting(inbox):
        target = processing / f"{path.stem}.{_worker_tag()}{path.suffix}"
        try:
            os.rename(path, target)  # atomic: exactly one claimant succeeds
        except FileNotFoundError:
            continue                 # another worker took it first
        return target
    return None


def _waiting(inbox: Path) -> list[Path]:
    """Post files in the inbox, oldest first; a file another worker takes meanwhile is skipped."""
    found: list[tuple[float, str, Path]] = []
    for path in inbox.iterdir():
        if path.suffix.lower() not in SUFFIXES:
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if path.is_file():
            found.append((stat.st_mtime, path.name, path))
    return [path for _, _, path in sorted(found)]


def finish(claimed: Path) -> Path:
    """Move a processed file to ``done/`` (keeping its original name where free)."""
    done = claimed.parent.parent / "done"
    done.mkdir(parents=True, exist_ok=True)
    original = claimed.name.rsplit(".", 2)[0] + claimed.suffix
    target = done / original
    if target.exists():
        target = done / claimed.name
    os.replace(claimed, target)
    return target


def reclaim(inbox: Path) -> int:
    """Put files left in ``processing/`` by a crashed run of this host back into the inbox."""
    processing = inbox / "processing"
    if not processing.is_dir():
        return 0
    count = 0
    host = _host()
    for path in processing.iterdir():
        parts = path.name.rsplit(".", 2)
        if len(parts) == 3 and parts[1].rsplit("-", 1)[0] == host and not _alive(parts[1].rsplit("-", 1)[-1]):
            os.replace(path, inbox / (parts[0] + path.suffix))
            count += 1
    return count


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
