"""The structured log file of a long-running process (``yuqing web``, ``yuqing serve``): one
JSON object a line (time, level, logger, message, and the exception when there is one),
rotated by size so that years of running never fill the disk.

Only when ``YUQING_LOG_FILE`` is set; otherwise the processes log to standard error as before,
which journald keeps (and rotates) under systemd. The acknowledgement codes are masked in the
web app's access log before any handler sees a record (``yuqing.web.logs``)."""

from __future__ import annotations

import json
import logging
import logging.handlers
from datetime import UTC, datetime

from pipeline.settings import Settings

MAX_BYTES = 20 * 1024 * 1024
BACKUPS = 10  # at most 11 files of 20 MB


class JsonLines(logging.Formatter):
    """A record as one JSON line; Chinese kept readable."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                 "process": record.process}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_file_logging(settings: Settings, level: int = logging.INFO) -> logging.Handler | None:
    """Attach the rotating JSON handler to the root logger (once per process); uvicorn's and
    Prefect's loggers reach it by propagation. Returns the handler, or None without a file."""
    if settings.log_file is None:
        return None
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) and handler.baseFilename == str(
                settings.log_file.resolve()):
            return handler
    settings.log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(settings.log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                   encoding="utf-8")
    handler.setFormatter(JsonLines())
    handler.setLevel(level)
    root.addHandler(handler)  # the root's own level is left alone: Prefect's loggers pass INFO up to it
    return handler
