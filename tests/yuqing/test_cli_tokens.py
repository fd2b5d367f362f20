"""``yuqing users token`` / ``tokens``: tokens issued with an expiry, listed in a Chinese table
that fits 80 columns, revoked one by one by number."""

from __future__ import annotations

import re
from pathlib import Path

from rich.cells import cell_len

from pipeline.settings import Settings
from tests.yuqing.conftest import run


def test_tokens_are_issued_with_an_expiry_listed_and_revoked_one_by_one(sqlite_settings: Settings,
                                                                         tmp_path: Path) -> None:
    added = run(["users", "add", "hotline", "--name", "热线系统", "--role", "analyst", "--by", "管理员",
                 "--password-env", "YUQING_TEST_PW"], sqlite_settings, tmp_path, YUQING_TEST_PW="a-long-password")
    assert added.returncode == 0, added.stderr
    month = run(["users", "token", "hotline", "--name", "12345热线", "--days", "30", "--by", "管理员"],
                sqlite_settings, tmp_path)
    assert month.returncode == 0, month.stderr
    assert re.search(r"接口令牌（12345热线，有效期至 \d{4}-\d\d-\d\d \d\d:\d\d）", month.stdout)
    assert month.stdout.strip().splitlines()[-1].startswith("yq_")
    default = run(["users", "token", "hotline", "--name", "浙政钉工作流", "--by", "管理员"], sqlite_settings, tmp_path)
    assert default.returncode == 0 and "有效期至" in default.stdout

    listed = run(["users", "tokens"], sqlite_settings, tmp_path)
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout
    assert "接口令牌（2 个）" in text and "12345热线" in text and "浙政钉工作流" in text and "hotline" in text
    assert text.count("有效") >= 2 and "从未使用" in text and "yq_" not in text  # never the token itself
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    for header in ("编号", "签发", "到期", "最近使用", "状态"):
        assert header in text

    revoked = run(["users", "token", "--revoke", "1", "--by", "管理员"], sqlite_settings, tmp_path)
    assert revoked.returncode == 0 and "已撤销接口令牌 1（12345热线）" in revoked.stdout, revoked.stderr
    mine = run(["users", "tokens", "hotline"], sqlite_settings, tmp_path).stdout
    assert "已撤销" in mine and "有效" in mine
    assert "没有接口令牌" in run(["users", "tokens", "nobody"], sqlite_settings, tmp_path).stdout

    again = run(["users", "token", "--revoke", "1", "--by", "管理员"], sqlite_settings, tmp_path)
    assert again.returncode == 2 and "已于此前撤销" in again.stderr
    unknown = run(["users", "token", "--revoke", "999", "--by", "管理员"], sqlite_settings, tmp_path)
    assert unknown.returncode == 2 and "没有编号为 999 的接口令牌" in unknown.stderr
    mixed = run(["users", "token", "hotline", "--revoke", "2", "--by", "管理员"], sqlite_settings, tmp_path)
    assert mixed.returncode == 2 and "撤销令牌只需 --revoke 编号" in mixed.stderr
    unnamed = run(["users", "token", "hotline", "--by", "管理员"], sqlite_settings, tmp_path)
    assert unnamed.returncode == 2 and "须指定用户与 --name 名称" in unnamed.stderr
    too_long = run(["users", "token", "hotline", "--name", "x", "--days", "1000", "--by", "管理员"],
                   sqlite_settings, tmp_path)
    assert too_long.returncode == 2 and "有效期须为 1 至 730 天" in too_long.stderr
