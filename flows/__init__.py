"""Prefect 3 flows: thin schedules over plain functions of ``pipeline`` and ``classifiers``."""

import os

PREFECT_QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                 "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90"}


def quiet_prefect() -> None:
    """Telemetry off and a generous start-up time for a temporary server, unless the
    environment says otherwise. Call before importing Prefect (it reads them on import)."""
    for key, value in PREFECT_QUIET.items():
        os.environ.setdefault(key, value)
