"""``yuqing users``: the web app's people and systems — add, disable, reset a password, unlock,
issue an API token for another system (with an expiry), revoke one, list them. Each calls one
action of ``pipeline.actions.users`` (unlock: ``pipeline.actions.signin``)."""

from __future__ import annotations

import getpass
import os
from datetime import timedelta
from typing import Annotated

import typer
from rich.markup import escape

from pipeline.timeparse import SHANGHAI
from pipeline.vocabulary import USER_ROLES
from yuqing.cli.common import EXIT_USAGE, By, fail, moment, out, runtime
from yuqing.cli.tables import print_tokens

app = typer.Typer(no_args_is_help=True, help="网页用户与接口令牌：add、disable、reset、unlock、token、tokens")

# Separated by spaces: the help folds only at spaces, and cut the list at 80 columns without them.
ROLES = "、 ".join(f"{k}（{v}）" for k, v in USER_ROLES.items())


def _password(given: str | None) -> str:
    """The password from --password-env's variable, or typed twice at the terminal."""
    if given is not None:
        value = os.environ.get(given)
        if value is None:
            raise fail(f"环境变量 {given} 未设置", EXIT_USAGE)
        return value
    first = getpass.getpass("密码：")
    if first != getpass.getpass("再次输入密码："):
        raise fail("两次输入的密码不一致", EXIT_USAGE)
    return first


PasswordEnv = Annotated[str | None, typer.Option("--password-env", help="从该环境变量读取密码 （不在命令行明文出现）")]


@app.command()
def add(
    username: Annotated[str, typer.Argument(help="登录名")],
    name: Annotated[str, typer.Option("--name", help="姓名（页面与审计中显示）")],
    role: Annotated[str, typer.Option(help=f"角色：{ROLES}")],
    by: By,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="责任单位用户所属单位")] = None,
    password_env: PasswordEnv = None,
) -> None:
    """添加网页用户（密码以 Argon2id 散列保存；首次登录须改密码）。"""
    from pipeline.actions.users import add_user

    password = _password(password_env)
    with runtime() as rt:
        rt.act(add_user, username, name, role, password, unit=unit, actor=by, now=moment(None))
    out.print(f"已添加用户 {escape(username)}（{escape(USER_ROLES.get(role, role))}{'，' + escape(unit) if unit else ''}）")


@app.command()
def disable(username: Annotated[str, typer.Argument(help="登录名")], by: By) -> None:
    """停用用户：其登录立即失效，其接口令牌一并撤销。"""
    from pipeline.actions.users import disable_user

    with runtime() as rt:
        rt.act(disable_user, username, actor=by, now=moment(None))
    out.print(f"已停用 {escape(username)}")


@app.command()
def reset(username: Annotated[str, typer.Argument(help="登录名")], by: By, password_env: PasswordEnv = None) -> None:
    """重设密码并重新启用（其登录均失效，下次登录须改密码）。"""
    from pipeline.actions.users import reset_password

    password = _password(password_env)
    with runtime() as rt:
        rt.act(reset_password, username, password, actor=by, now=moment(None))
    out.print(f"已重设 {escape(username)} 的密码")


@app.command()
def token(
    by: By,
    username: Annotated[str | None, typer.Argument(help="令牌所属用户（令牌权限与之相同）")] = None,
    name: Annotated[str | None, typer.Option("--name", help="调用系统名称，如 12345热线")] = None,
    days: Annotated[int, typer.Option("--days", help="有效天数")] = 90,
    revoke: Annotated[int | None, typer.Option("--revoke", help="撤销编号为此的令牌（编号见 yuqing users tokens）")] = None,
) -> None:
    """签发接口令牌（只显示这一次，请妥善保存；默认 90 天后过期），或以 --revoke 编号 撤销一个令牌。"""
    from pipeline.actions.users import issue_token, revoke_token

    at = moment(None)
    if revoke is not None:
        if username is not None or name is not None:
            raise fail("撤销令牌只需 --revoke 编号，不能同时指定用户或名称", EXIT_USAGE)
        with runtime() as rt:
            revoked = rt.act(revoke_token, revoke, actor=by, now=at)
        out.print(f"已撤销接口令牌 {revoke}（{escape(revoked)}）")
        return
    if username is None or name is None:
        raise fail("签发令牌须指定用户与 --name 名称，例如：yuqing users token zhangsan --name 12345热线 --by 管理员",
                   EXIT_USAGE)
    with runtime() as rt:
        value = rt.act(issue_token, username, name, actor=by, now=at, days=days)
    expires = (at + timedelta(days=days)).astimezone(SHANGHAI)
    out.print(f"接口令牌（{escape(name)}，有效期至 {expires:%Y-%m-%d %H:%M}）：")
    print(value)


@app.command()
def tokens(username: Annotated[str | None, typer.Argument(help="只列出该用户的令牌")] = None) -> None:
    """列出接口令牌：名称、所属用户、签发、到期、最近使用与状态（不显示令牌本身）。"""
    from pipeline.queries.tokens import api_tokens

    with runtime() as rt:
        rows = rt.read(api_tokens, moment(None), username)
    print_tokens(rows)


@app.command()
def unlock(username: Annotated[str, typer.Argument(help="登录名")], by: By) -> None:
    """解除用户因登录失败次数过多而被锁定的状态（所有来源地址）。"""
    from pipeline.actions.signin import unlock_user

    with runtime() as rt:
        locked = rt.act(unlock_user, username, actor=by, now=moment(None))
    if locked:
        out.print(f"已解锁 {escape(username)}（此前在 {locked} 个地址被锁定）")
    else:
        out.print(f"{escape(username)} 当前未被锁定；已清除其登录失败记录")
