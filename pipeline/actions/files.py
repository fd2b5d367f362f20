"""Recording the files a ``folder`` source has read (one state change): each file once, by its
size and modification time, and by its content (a file copied or renamed is not read again)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.imports import FileStamp
from pipeline.storage.models import ImportedFile


def known_files(session: Session, source: str) -> tuple[set[tuple[str, int, float]], set[str]]:
    """What ``source`` has read: (path, size, mtime) triples and content digests."""
    rows = session.execute(select(ImportedFile.path, ImportedFile.size, ImportedFile.mtime, ImportedFile.sha256)
                           .where(ImportedFile.source == source)).all()
    return {(p, s, m) for p, s, m, _ in rows}, {h for *_, h in rows}


def record_files(session: Session, source: str, files: list[tuple[FileStamp, tuple[int, int, int]]],
                 now: datetime) -> int:
    """Remember the files read, each with its posts, comments and rejected lines."""
    _, digests = known_files(session, source)
    added = 0
    for s, (posts, comments, rejected) in files:
        if s.sha256 in digests:
            continue
        digests.add(s.sha256)
        session.add(ImportedFile(source=source, path=s.path, size=s.size, mtime=s.mtime, sha256=s.sha256,
                                 processed_at=now, posts=posts, comments=comments, rejected=rejected))
        added += 1
    session.flush()
    return added
