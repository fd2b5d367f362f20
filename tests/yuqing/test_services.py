"""``yuqing deploy --systemd DIR`` and the channel check of ``serve`` / ``deploy``: units that
systemd accepts, an environment file that keeps secrets private and round-trips, and a
refusal in Chinese naming every variable an alert channel lacks."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pipeline.alerts.channels import missing_channel_variables
from pipeline.config import load_config
from pipeline.settings import PROJECT_ROOT, Settings
from tests.yuqing.conftest import run
from yuqing.services import read_env_file

CHANNELS = {"YUQING_DINGTALK_COORDINATORS_URL": "https://oapi.dingtalk.com/robot/send?access_token=c",
            "YUQING_DINGTALK_COORDINATORS_SECRET": 'SEC"c$1', "YUQING_DINGTALK_LEADERSHIP_URL": "https://l.example/x",
            "YUQING_DINGTALK_LEADERSHIP_SECRET": "SECl", "YUQING_DINGTALK_UNITS_URL": "https://u.example/x",
            "YUQING_DINGTALK_UNITS_SECRET": "SECu", "YUQING_WECOM_ANALYSTS_URL": "https://w.example/x",
            "YUQING_SMTP_HOST": "mail.example"}
UNSET = dict.fromkeys(CHANNELS, "")


def test_every_routed_channel_needs_its_variables() -> None:
    alerts = load_config(PROJECT_ROOT / "data" / "config").alerts
    assert missing_channel_variables(alerts, CHANNELS) == {}
    only_dingtalk = {k: v for k, v in CHANNELS.items() if "DINGTALK" in k}
    missing = missing_channel_variables(alerts, only_dingtalk)
    assert missing == {"office-mail": (["YUQING_SMTP_HOST"], ["县政府办公室"]),
                       "analysts-wecom": (["YUQING_WECOM_ANALYSTS_URL"], ["舆情分析员"])}  # ops-webhook: routed to no one


def test_deploy_refuses_naming_the_missing_variables(sqlite_settings: Settings, tmp_path: Path) -> None:
    answer = run(["deploy", "--systemd", str(tmp_path / "units")], sqlite_settings, tmp_path,
                 **{**CHANNELS, "YUQING_WECOM_ANALYSTS_URL": ""})
    assert answer.returncode == 2
    assert "预警渠道 analysts-wecom（接收：舆情分析员）缺少环境变量 YUQING_WECOM_ANALYSTS_URL" in answer.stderr
    assert "--allow-missing-channels" in answer.stderr and "Traceback" not in answer.stderr
    assert not (tmp_path / "units").exists()


def test_serve_refuses_before_starting_anything(sqlite_settings: Settings, tmp_path: Path) -> None:
    answer = run(["serve", "--web-port", "0"], sqlite_settings, tmp_path, **UNSET)
    assert answer.returncode == 2 and "YUQING_SMTP_HOST" in answer.stderr and "YUQING_DINGTALK_UNITS_URL" in answer.stderr
    assert "Prefect" not in answer.stdout + answer.stderr  # nothing was started


def test_systemd_units_and_environment_file(sqlite_settings: Settings, tmp_path: Path) -> None:
    units = tmp_path / "units"
    first = run(["deploy", "--systemd", str(units), "--user", "yuqing", "--web-port", "8181"], sqlite_settings, tmp_path,
                **CHANNELS, YUQING_PUBLIC_URL="https://yq.example.cn")
    assert first.returncode == 0, first.stderr
    web, scheduler, env = (units / "yuqing-web.service", units / "yuqing-scheduler.service", units / "yuqing.env")
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    values = read_env_file(env)
    assert {k: values[k] for k in CHANNELS} == CHANNELS  # quoted for systemd, read back the same
    assert values["YUQING_PUBLIC_URL"] == "https://yq.example.cn" and values["DO_NOT_TRACK"] == "1"
    assert not any(k.startswith(("YUQING_TEST_", "YUQING_REQUIRE_")) for k in values)
    assert "-m yuqing.cli web --host 127.0.0.1 --port 8181" in web.read_text()
    text = scheduler.read_text()
    assert "-m yuqing.cli serve --web-port 0\n" in text and "RestartPreventExitStatus=2" in text
    assert "KillMode=mixed" in text and f"EnvironmentFile={env.resolve()}" in text
    # run again without the variables in the shell: the environment file keeps them
    again = run(["deploy", "--systemd", str(units)], sqlite_settings, tmp_path, **UNSET)
    assert again.returncode == 0, again.stderr
    assert {k: read_env_file(env)[k] for k in CHANNELS} == CHANNELS
    _verify(web, scheduler)


def test_allowed_missing_channels_are_carried_into_the_unit(sqlite_settings: Settings, tmp_path: Path) -> None:
    units = tmp_path / "units"
    answer = run(["deploy", "--systemd", str(units), "--allow-missing-channels"], sqlite_settings, tmp_path, **UNSET)
    assert answer.returncode == 0 and "已按 --allow-missing-channels 继续" in answer.stderr
    assert "  - analysts-wecom：YUQING_WECOM_ANALYSTS_URL\n" in answer.stderr
    assert "serve --web-port 0 --allow-missing-channels" in (units / "yuqing-scheduler.service").read_text()
    assert "#YUQING_WECOM_ANALYSTS_URL=    [analysts-wecom]" in (units / "yuqing.env").read_text()
    _verify(units / "yuqing-web.service", units / "yuqing-scheduler.service")


def _verify(*units: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here: the units' syntax is not verified")
    checked = subprocess.run([tool, "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    # verify exits 0 on unknown values too, and only says so: any output is a finding
    assert checked.returncode == 0 and checked.stderr.strip() == "" and checked.stdout.strip() == "", checked.stderr
