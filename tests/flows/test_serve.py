"""``yuqing serve`` on a fresh state directory: starts a local Prefect server, runs the
deployments on their schedules by itself, delivers an urgent alert to a local receiver, and
stops cleanly on Ctrl-C — pressed as in a terminal, which signals the whole process group —
in Chinese, with no traceback and no Prefect process left behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.settings import PROJECT_ROOT
from tests.pipeline.receivers import http_receiver

pytestmark = pytest.mark.slow
MAJOR = {"id": "s1", "platform": "weibo", "text": "崇头镇一辆旅游大巴在云景线坠崖，死亡人数已升至12人，救援仍在进行"}


def test_serve_runs_schedules_and_delivers(settings_for: Any, tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{(tmp_path / 'serve.db').as_posix()}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update({"YUQING_DATABASE_URL": settings.database_url, "YUQING_STATE_DIR": str(settings.state_dir),
                "YUQING_MODEL_DIR": str(settings.model_dir), "PREFECT_HOME": str(tmp_path / "prefect-client"),
                "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    config = tmp_path / "config"  # the project's configuration, minus external sources
    shutil.copytree(PROJECT_ROOT / "data" / "config", config)
    (config / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    env["YUQING_CONFIG_DIR"] = str(config)
    src = tmp_path / "major.jsonl"
    src.write_text(json.dumps(MAJOR, ensure_ascii=False) + "\n", encoding="utf-8")
    cli = [sys.executable, "-m", "yuqing.cli"]
    subprocess.run([*cli, "ingest", str(src)], env=env, check=True, capture_output=True, timeout=300)
    with http_receiver(secret="SECx") as (url, rec):
        env.update({f"YUQING_DINGTALK_{g}_{k}": v for g in ("UNITS", "COORDINATORS", "LEADERSHIP")
                    for k, v in (("URL", url), ("SECRET", "SECx"))})
        with socket.socket() as probe:  # a free port for the web app served beside the schedules
            probe.bind(("127.0.0.1", 0))
            web_port = probe.getsockname()[1]
        errors = (tmp_path / "serve.err").open("w+", encoding="utf-8")
        # A session of its own, like a terminal's foreground job: Ctrl-C goes to the whole group.
        # Only DingTalk is configured, as in many counties: the e-mail and WeCom channels are allowed missing.
        proc = subprocess.Popen([*cli, "serve", "--every", "10", "--flow", "alerts", "--web-port", str(web_port),
                                 "--allow-missing-channels"],
                                env=env, stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
        web_answers: list[int] = []
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and len(rec.messages) < 2 and proc.poll() is None:
                time.sleep(1)
                with contextlib.suppress(httpx.TransportError):
                    web_answers.append(httpx.get(f"http://127.0.0.1:{web_port}/login", timeout=5).status_code)
            texts = [m["body"]["markdown"]["text"] for m in rec.messages]
            _while_a_flow_runs(tmp_path / "serve.err", proc)   # the moment that printed client tracebacks
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                output, _ = proc.communicate(timeout=150)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
                pytest.fail(f"serve did not stop within 150 s of Ctrl-C:\n{output[-3000:]}")
    # the units' group and the coordinators' group: one message each (both coordinators asked in one)
    assert len(texts) >= 2, output[-3000:]
    assert any("县委宣传部：" in t and "县政府办公室：" in t for t in texts)
    assert 200 in web_answers and f"网页服务：http://127.0.0.1:{web_port}" in output  # the app beside the schedules
    assert any("崇头镇" in t and "重大" in t for t in texts)
    assert proc.returncode in (0, 130, -signal.SIGINT), output[-3000:]
    assert "Prefect 服务器已启动" in output and "Prefect 服务器已停止" in output and "已停止：各计划已暂停" in output
    errors.seek(0)
    stderr = errors.read()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert _left_behind(settings.state_dir / "prefect", tmp_path / "prefect-client") == []
    recipients = {t.split("责任单位：")[1][:10] for t in texts}
    assert recipients and rec.rejected == []


def _left_behind(*prefect_homes: Path) -> list[int]:
    """Processes still running with one of serve's Prefect homes (its server, runner, flow runs)."""
    wanted = {f"PREFECT_HOME={home}".encode() for home in prefect_homes}
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if wanted & set(environ.read_bytes().split(b"\0")):
                found.append(int(environ.parent.name))
    return found


def _while_a_flow_runs(log: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until a scheduled flow run has begun and not yet finished (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        text = log.read_text(encoding="utf-8")
        if text.rfind("Beginning flow run") > max(text.rfind("Finished in state"), text.rfind("Crashed")):
            return
        time.sleep(0.2)
