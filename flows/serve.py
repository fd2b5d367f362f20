"""``yuqing serve``: run the deployments on their schedules on one machine.

Prefect's temporary server never runs schedules, so unless ``PREFECT_API_URL`` points at a
server, a local ``prefect server`` (SQLite under the state directory) is started first and
stopped on exit. Prefect must be imported only after ``PREFECT_API_URL`` is set.

The Prefect side (server, runner, flow runs) runs in a child process (this module run as a
program, ``main``) in a session of its own. Ctrl-C in a terminal signals the whole foreground
process group: a Prefect server and flow runs interrupted at once beside the runner printed
client tracebacks (websocket closed, connection refused, KeyboardInterrupt in an import).
``serve_forever`` passes one interrupt to the child instead, which pauses the deployments,
stops its flow runs and then its server, in that order.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
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
from flows.deployments import local_deployments, planned, require_models
from pipeline.logfile import configure_file_logging
from pipeline.settings import Settings

STOP_GRACE = 120.0  # seconds the child has to pause, stop its flow runs (20 s) and its server (30 s)

# Prefect's own history, bounded: its database vacuum deletes flow runs (with their logs and
# artifacts) ended more than 3 days ago and events older than a day, hourly. Without it the
# server's SQLite grew about 0.9 GB a day under the default schedules. What yuqing must keep
# (posts, events, alerts, audit) is in yuqing's database, never in Prefect's. The environment
# may set any of these otherwise.
PREFECT_RETENTION = {
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "events,flow_runs",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_RETENTION_PERIOD": "P3D",
    "PREFECT_SERVER_EVENTS_RETENTION_PERIOD": "P1D",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_EVENT_RETENTION_OVERRIDES": '{"prefect.flow-run.heartbeat": "PT6H"}',
}


def server_environment(home: Path, environ: dict[str, str]) -> dict[str, str]:
    """The environment of the local ``prefect server``: its home under the state directory,
    telemetry off, the bounded history above (unless the environment says otherwise)."""
    env = {**PREFECT_RETENTION, **environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    return env


class QuietCapacity(logging.Filter):
    """Prefect's runner logs "N scheduled runs skipped (at capacity)" whenever it sees runs
    due soon while its slots are busy — 57 times in 23 minutes with the default schedules,
    although those runs only start a poll (10 s) later; nothing is dropped. The message is
    kept back unless runs have been held back without a break (no gap longer than ``gap``
    seconds between such messages) for ``patience`` seconds: runs are then really late, and
    it is said as a warning with how long, at most once per ``patience``."""

    def __init__(self, patience: float = 300.0, gap: float = 30.0) -> None:
        super().__init__()
        self.patience, self.gap = patience, gap
        self.since: float | None = None    # start of the current unbroken stretch
        self.last: float = 0.0             # the previous message
        self.said: float = 0.0             # the last warning

    def filter(self, record: logging.LogRecord) -> bool:
        if "scheduled runs skipped (at capacity)" not in str(record.msg):
            return True
        at = record.created
        if self.since is None or at - self.last > self.gap:
            self.since, self.said = at, at
        self.last = at
        if at - self.said < self.patience:
            return False
        self.said = at
        record.msg = f"{record.msg}; runs have waited for a free slot for {int(at - self.since)} s (serve --limit)"
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings, port: int | None, log: Callable[[str], None]) -> subprocess.Popen[bytes]:
    """Start ``prefect server`` on 127.0.0.1 and wait until it answers; sets PREFECT_API_URL."""
    port = port or _free_port()
    home = settings.state_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = server_environment(home, dict(os.environ))
    logfile = (home / "server.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=logfile, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_until_healthy(proc, url, home)
    except BaseException:  # not answering, or stopped while starting: never leave it behind
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    os.environ["PREFECT_API_URL"] = url
    log(f"Prefect 服务器已启动：{url[:-4]}（数据在 {home}）")
    return proc


def _wait_until_healthy(proc: subprocess.Popen[bytes], url: str, home: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Prefect 服务器启动失败（退出码 {proc.returncode}），详见 {home / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"Prefect 服务器 120 秒内未响应，详见 {home / 'server.log'}")


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


def run_schedules(settings: Settings, every: float | None, port: int | None, log: Callable[[str], None],
                  limit: int = 2, only: list[str] | None = None) -> None:
    """Serve the deployments in this process until SIGINT / SIGTERM; at most ``limit`` flow
    runs at once. The child process of ``serve_forever``: once stopping, it ignores further
    signals, so the deployments are paused, the flow runs and the server stopped in order."""
    quiet_prefect()
    server = None
    # SIGINT and SIGTERM both stop serving (Prefect's runner takes SIGTERM over once started).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.default_int_handler)
    try:
        server = None if os.environ.get("PREFECT_API_URL") else start_server(settings, port, log)
        from prefect import serve

        configure_file_logging(settings)  # after Prefect's own logging set-up, which replaces the root's handlers
        logging.getLogger("prefect.runner").addFilter(QuietCapacity())
        deployments = local_deployments(settings.config_dir, every, only)
        log("按计划运行：" + "、".join(d.name for d in deployments) + "（Ctrl-C 停止）")
        serve(*deployments, print_starting_message=False, limit=limit)
    except KeyboardInterrupt:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        _stop_flow_runs(server.pid if server is not None else None)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log("Prefect 服务器已停止")


# The child stops quietly when interrupted while it is still importing (nothing started yet);
# run_schedules installs the real handlers before it starts anything.
_CHILD = ("import signal, sys; signal.signal(signal.SIGINT, lambda *_: sys.exit(0)); "
          "import runpy; runpy.run_module('flows.serve', run_name='__main__')")


def serve_forever(settings: Settings, every: float | None, port: int | None, log: Callable[[str], None],
                  limit: int = 2, only: list[str] | None = None) -> int:
    """Serve the deployments until Ctrl-C / SIGTERM (see the module docstring); returns the
    child's exit code. Refused before anything starts (ModelError, ValueError, ConfigError)
    without usable models or with an unknown flow or a bad schedule."""
    require_models(settings)
    planned(settings.config_dir, every, only)
    args = [sys.executable, "-c", _CHILD, "--limit", str(limit)]
    args += ["--every", str(every)] if every is not None else []
    args += ["--port", str(port)] if port is not None else []
    args += [a for name in only or [] for a in ("--flow", name)]
    # Ctrl-C and SIGTERM both stop serving. SIGINT is (re)installed explicitly: a process started
    # from a background job of a non-interactive shell inherits it as ignored.
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    child = subprocess.Popen(args, start_new_session=True)
    try:
        try:
            return child.wait()
        except KeyboardInterrupt:
            log("正在停止：暂停各计划，结束运行中的流程……")
            child.send_signal(signal.SIGINT)
        try:
            return child.wait(timeout=STOP_GRACE)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):  # a second Ctrl-C, or stuck: no more waiting
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            log("已强制停止")
            return child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """The Prefect side of ``yuqing serve`` as a program (started by serve_forever)."""
    parser = argparse.ArgumentParser(prog="flows.serve")
    parser.add_argument("--every", type=float)
    parser.add_argument("--port", type=int)
    parser.add_argument("--limit", type=int, default=2)
    parser.add_argument("--flow", action="append")
    opts = parser.parse_args(argv)
    try:
        run_schedules(Settings.from_env(), opts.every, opts.port, lambda m: print(m, flush=True), opts.limit, opts.flow)
    except RuntimeError as exc:
        print(f"错误：{exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
