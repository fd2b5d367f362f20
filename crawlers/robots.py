"""robots.txt kept for its lifetime across collection runs. Each scheduled collect run is a
process of its own, so Scrapy's in-memory parsers were lost and robots.txt was fetched again
on every poll of every source. Here each site's robots.txt is stored on disk
(``$YUQING_STATE_DIR/robots``) with its expiry: the answer's ``Cache-Control: max-age``, else
24 hours, never more than 24 hours (RFC 9309 §2.4); ``no-store`` / ``max-age=0`` is not kept.
Server errors are never kept: the next run asks again."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LIFETIME = 24 * 3600.0
MAX_LIFETIME = 24 * 3600.0
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def lifetime(status: int, cache_control: str | None) -> float:
    """Seconds a robots.txt answer may be reused (0: not at all)."""
    if status >= 500:
        return 0.0
    directives = (cache_control or "").lower()
    if "no-store" in directives or "no-cache" in directives:
        return 0.0
    found = _MAX_AGE.search(directives)
    return min(float(found.group(1)), MAX_LIFETIME) if found else DEFAULT_LIFETIME


@dataclass(frozen=True)
class RobotsCache:
    folder: Path

    def _path(self, origin: str) -> Path:
        return self.folder / f"{hashlib.sha256(origin.encode('utf-8')).hexdigest()[:32]}.json"

    def get(self, origin: str, now: float | None = None) -> bytes | None:
        """The stored robots.txt of ``origin`` (scheme://host:port) while still fresh."""
        try:
            entry = json.loads(self._path(origin).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.get("origin") != origin or float(entry.get("expires", 0)) <= (now or time.time()):
            return None
        return str(entry.get("body", "")).encode("latin-1")

    def put(self, origin: str, body: bytes, seconds: float, now: float | None = None) -> None:
        """Store ``body`` for ``seconds`` (nothing when 0); written whole or not at all."""
        if seconds <= 0:
            return
        at = now or time.time()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(origin)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"origin": origin, "fetched": at, "expires": at + seconds,
                                   "body": body.decode("latin-1")}), encoding="utf-8")
        os.replace(tmp, path)
