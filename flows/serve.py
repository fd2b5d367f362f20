"""``yuqing serve``: run the deployments on their schedules on one machine.

Prefect's temporary server never runs schedules, so unless ``PREFECT_API_URL`` points at a
server, a local ``prefect server`` (SQLite under the state directory) is started first and
stopped on exit. Prefect must be imported only after ``PREFECT_API_URL`` is set.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from flows import quiet_prefect
from flows.deployments import local_deployments
from pipeline.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings, port: int | None, log: Callable[[str], None]) -> subprocess.Popen[bytes]:
    """Start ``prefect server`` on 127.0.0.1 and wait until it answers; sets PREFECT_API_URL."""
    port = port or _free_port()
    home = settings.state_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    logfile = (home / "server.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=logfile, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prefect server exited with {proc.returncode}; see {home / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError(f"prefect server did not answer within 120 s; see {home / 'server.log'}")
    os.environ["PREFECT_API_URL"] = url
    log(f"Prefect 服务器已启动：{url[:-4]}（数据在 {home}）")
    return proc


def _children(pid: int) -> list[int]:
    """Direct child processes (Linux /proc), for a clean stop of flow-run subprocesses."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop_flow_runs(server_pid: int | None, grace: float = 20.0) -> None:
    runs = [p for p in _children(os.getpid()) if p != server_pid]
    for pid in runs:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while runs and time.monotonic() < deadline:
        runs = [p for p in runs if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
        time.sleep(0.2)
    for pid in runs:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def serve_forever(settings: Settings, every: float | None, port: int | None, log: Callable[[str], None],
                  limit: int = 2, only: list[str] | None = None) -> None:
    """Serve the deployments until Ctrl-C / SIGTERM; at most ``limit`` flow runs at once."""
    quiet_prefect()
    server = None if os.environ.get("PREFECT_API_URL") else start_server(settings, port, log)
    # Ctrl-C and SIGTERM both stop serving. SIGINT is (re)installed explicitly: a process started
    # from a background job of a non-interactive shell inherits it as ignored.
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        from prefect import serve

        planned = local_deployments(settings.config_dir, every, only)
        log("按计划运行：" + "、".join(d.name for d in planned) + "（Ctrl-C 停止）")
        serve(*planned, print_starting_message=False, limit=limit)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_flow_runs(server.pid if server is not None else None)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log("Prefect 服务器已停止")
