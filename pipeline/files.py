"""Files of the state directory are the owner's alone (mode 0600 from the moment they exist):
the database holds password and token hashes, reports and rejects hold what the county has not
published. ``open`` takes the mode from the umask (usually world-readable) and a later chmod
leaves a window, so the mode is given when the file is created."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600


def _opener(path: str, flags: int) -> int:
    return os.open(path, flags, PRIVATE)


def open_private(path: Path, mode: str, **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` whose file, when this creates it, is mode 0600 (the umask can only
    take bits away). An existing file keeps its mode."""
    handle: IO[Any] = open(path, mode, opener=_opener, **kwargs)  # noqa: SIM115 (the caller closes it)
    return handle


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists already (then it is left alone)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
