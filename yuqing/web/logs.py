"""Access logs without acknowledgement codes. uvicorn logs every request's path, and the path
of an acknowledgement link is the code: whoever reads the log (an operator, a log shipper)
could acknowledge an urgent alert in a duty officer's name. A filter on uvicorn's loggers
replaces the code with "***" before any handler or formatter sees the record. With
``YUQING_LOG_FILE`` the server's and access logs also go to the rotating JSON file."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from pipeline.logfile import BACKUPS, MAX_BYTES
from pipeline.settings import Settings

ACK_PATH = re.compile(r"(/ack/)[^?#\s\"]+")
LOGGERS = ("uvicorn.access", "uvicorn.error")


def mask(text: str) -> str:
    return ACK_PATH.sub(r"\1***", text)


class MaskAckCodes(logging.Filter):
    """Masks ``/ack/<code>`` in a record's message and arguments (uvicorn's access record
    carries the path as an argument, which its AccessFormatter reads directly)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/ack/" in record.msg:
            record.msg = mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) and "/ack/" in a else a for a in record.args)
        return True


def mask_ack_codes() -> None:
    """Put the filter on uvicorn's loggers once per process. uvicorn's own logging set-up
    (dictConfig when a server is configured) replaces handlers, never a logger's filters."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskAckCodes) for f in logger.filters):
            logger.addFilter(MaskAckCodes())


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's own logging set-up, plus the rotating JSON file of ``YUQING_LOG_FILE`` on its
    server and access loggers when it is set (uvicorn's loggers do not propagate to the root)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if settings.log_file is None:
        return config
    settings.log_file.parent.mkdir(parents=True, exist_ok=True)
    config["formatters"]["json"] = {"()": "pipeline.logfile.JsonLines"}
    config["handlers"]["file"] = {"class": "logging.handlers.RotatingFileHandler", "formatter": "json",
                                  "filename": str(settings.log_file), "maxBytes": MAX_BYTES,
                                  "backupCount": BACKUPS, "encoding": "utf-8"}
    for name in ("uvicorn", "uvicorn.access"):
        config["loggers"][name]["handlers"] = [*config["loggers"][name]["handlers"], "file"]
    return config
