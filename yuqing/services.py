"""``yuqing deploy --systemd DIR``: the installation as two systemd services that survive a
reboot — the web app (``yuqing web``) and the scheduler (``yuqing serve --web-port 0``: the
schedules with their own local Prefect server, without a second web app) — and the
environment file both read.

The environment file holds the settings and secrets (mode 0600): the ``YUQING_*`` and Prefect
variables set when the command runs, those of an environment file already in DIR, and a
commented line for each alert-channel variable still missing. The units run the project's
interpreter from its checkout; restart policies: the web app always (5 s), the scheduler on
any exit except a refusal (exit 2: the configuration needs a person), both give up after 10
starts in 10 minutes. Stopping the scheduler signals its main process only (KillMode=mixed),
which pauses the schedules and stops flow runs and the Prefect server in order."""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import AlertsConfig
from pipeline.settings import PROJECT_ROOT

WEB_UNIT = "yuqing-web.service"
SCHEDULER_UNIT = "yuqing-scheduler.service"
ENV_FILE = "yuqing.env"
KEPT_PREFIXES = ("YUQING_", "PREFECT_API_DATABASE", "PREFECT_SERVER_DATABASE", "PREFECT_SERVER_SERVICES_DB_VACUUM")
DEV_ONLY = ("YUQING_TEST_", "YUQING_REQUIRE_")  # the test suite's, never a service's
FIXED = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class ServicePlan:
    user: str
    env_file: Path
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    allow_missing_channels: bool = False
    python: str = sys.executable
    project: Path = PROJECT_ROOT


def _unit(description: str, plan: ServicePlan, command: str, service: list[str]) -> str:
    return "\n".join([
        "[Unit]", f"Description={description}", "After=network-online.target postgresql.service",
        "Wants=network-online.target", "StartLimitIntervalSec=600", "StartLimitBurst=10", "",
        "[Service]", "Type=simple", f"User={plan.user}", f"WorkingDirectory={plan.project}",
        f"EnvironmentFile={plan.env_file}", f"ExecStart={shlex.quote(plan.python)} -m yuqing.cli {command}",
        *service, "NoNewPrivileges=yes", "PrivateTmp=yes", "",
        "[Install]", "WantedBy=multi-user.target", ""])


def unit_files(plan: ServicePlan) -> dict[str, str]:
    """File name → content of the two units."""
    web = _unit("yuqing web app (desk, queues, acknowledgement links, /healthz, /metrics)", plan,
                f"web --host {plan.web_host} --port {plan.web_port}",
                ["Restart=always", "RestartSec=5", "TimeoutStopSec=30"])
    flag = " --allow-missing-channels" if plan.allow_missing_channels else ""
    scheduler = _unit("yuqing scheduler (collect, triage, dispatch, alerts, sweep, reports, retrain)", plan,
                      f"serve --web-port 0{flag}",
                      ["Restart=always", "RestartSec=30", "RestartPreventExitStatus=2", "KillMode=mixed",
                       "KillSignal=SIGTERM", "TimeoutStopSec=150"])
    return {WEB_UNIT: web, SCHEDULER_UNIT: scheduler}


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of an environment file (comments and blank lines skipped)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            values[key.strip()] = _unquoted(value.strip())
    return values


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(.)', r"\1", value[1:-1])
    return value


def environment(current: Mapping[str, str], existing: Mapping[str, str]) -> dict[str, str]:
    """The variables the services run with: the existing file's, then those set now."""
    chosen = {k: v for k, v in existing.items()}
    chosen.update({k: v for k, v in current.items()
                   if k.startswith(KEPT_PREFIXES) and not k.startswith(DEV_ONLY) and v.strip()})
    chosen.update(FIXED)
    return dict(sorted(chosen.items()))


def env_file_text(values: Mapping[str, str], alerts: AlertsConfig) -> str:
    """The environment file: every value quoted for systemd, then the channel variables the
    alert routing needs that are still unset, as comments to fill in."""
    lines = ["# yuqing services' environment (systemd EnvironmentFile). Holds secrets: keep it mode 0600.", ""]
    lines += [f'{key}="{_escaped(value)}"' for key, value in values.items()]
    wanted = {var: name for name, spec in alerts.channels.items()
              for var in [spec.url_env, spec.secret_env, spec.host_env, spec.port_env, spec.user_env, spec.password_env]
              if var}
    unset = [(var, name) for var, name in wanted.items() if var not in values]
    if unset:
        lines += ["", "# Alert channels of data/config/alerts.yaml still to set (channel in brackets):"]
        lines += [f"#{var}=    [{name}]" for var, name in unset]
    return "\n".join(lines) + "\n"


def _escaped(value: str) -> str:
    """Inside systemd's double quotes: backslash, quote, dollar and backquote escaped."""
    return re.sub(r'([\\"$`])', r"\\\1", value)


def write_services(folder: Path, plan: ServicePlan, values: Mapping[str, str], alerts: AlertsConfig) -> list[Path]:
    """Write the units and the environment file (0600, atomically); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in unit_files(plan).items():
        written.append(_write(folder / name, text, 0o644))
    written.append(_write(plan.env_file, env_file_text(values, alerts), 0o600))
    return written


def _write(path: Path, text: str, mode: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return path
