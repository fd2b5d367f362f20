"""The web app behind a reverse proxy: X-Forwarded-Proto believed only from the proxies in
``YUQING_TRUSTED_PROXIES``; and its structured, rotated log file (``YUQING_LOG_FILE``)."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.logfile import JsonLines, configure_file_logging
from pipeline.settings import Settings
from tests.yuqing.test_web import running


def test_trusted_proxies_come_from_the_environment_and_default_to_the_local_proxy() -> None:
    assert Settings.from_env({}).trusted_proxies == "127.0.0.1"
    assert Settings.from_env({"YUQING_TRUSTED_PROXIES": " 10.0.0.2,10.0.0.3 "}).trusted_proxies == "10.0.0.2,10.0.0.3"


def test_forwarded_https_is_believed_only_from_a_trusted_proxy(
        migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Path) -> None:
    url = migrated_sqlite("proxy.db")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with running(settings_for(url)) as client:  # the test client is 127.0.0.1, the default trusted proxy
        trusted = client.get("/login", headers=forwarded)
    with running(dataclasses.replace(settings_for(url), trusted_proxies="10.9.9.9")) as client:
        untrusted = client.get("/login", headers=forwarded)
    assert trusted.headers.get("strict-transport-security") == "max-age=31536000"
    assert "strict-transport-security" not in untrusted.headers


def test_the_log_file_holds_json_lines_without_acknowledgement_codes(
        migrated_sqlite: Callable[[str], str], settings_for: Any, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "yuqing.log"
    settings = dataclasses.replace(settings_for(migrated_sqlite("log.db")), log_file=log)
    with running(settings) as client:
        client.get("/healthz")
        client.get("/ack/Zq3-secret_code_22chX")
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    access = [e["message"] for e in lines if e["logger"] == "uvicorn.access"]
    assert any("GET /healthz" in m for m in access) and any("GET /ack/***" in m for m in access)
    assert "Zq3-secret_code_22chX" not in log.read_text(encoding="utf-8")
    assert all({"time", "level", "logger", "message"} <= set(e) for e in lines)


def test_the_root_handler_rotates_and_is_added_once(tmp_path: Path) -> None:
    settings = dataclasses.replace(Settings.from_env({"YUQING_STATE_DIR": str(tmp_path)}), log_file=tmp_path / "y.log")
    root = logging.getLogger()
    try:
        handler = configure_file_logging(settings)
        assert handler is not None and configure_file_logging(settings) is handler
        assert isinstance(handler.formatter, JsonLines) and handler.maxBytes > 0 and handler.backupCount > 0  # type: ignore[attr-defined]
        logging.getLogger("yuqing.test").warning("舆情 %s", "测试")
        handler.flush()
        assert json.loads((tmp_path / "y.log").read_text(encoding="utf-8").splitlines()[-1])["message"] == "舆情 测试"
    finally:
        root.removeHandler(handler)  # type: ignore[arg-type]
        if handler is not None:
            handler.close()
