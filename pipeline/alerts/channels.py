"""Alert channels: DingTalk robot (浙政钉 groups, 加签), WeCom robot, e-mail over SMTP and a
generic JSON webhook, behind one small interface. URLs and secrets come only from the
environment variables that ``data/config/alerts.yaml`` names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import re
import smtplib
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

import httpx

from pipeline.config import AlertsConfig, ChannelSpec

TIMEOUT = 10.0


class ChannelError(RuntimeError):
    """A delivery that did not go through; it will be retried."""


class Channel(Protocol):
    """One delivery target. ``key`` identifies the message (a receiver may drop a repeat);
    ``attachments`` are files to attach where the channel can (e-mail), named in the text."""

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None: ...


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk robot 加签: base64(HmacSHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        raise ChannelError(f"无法连接（{type(exc).__name__}：{str(exc)[:200]}）") from exc
    if response.status_code >= 300:
        raise ChannelError(f"对方返回 HTTP {response.status_code}：{response.text[:200]}")
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class DingTalkChannel:
    url: str
    secret: str | None

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        url = self.url
        if self.secret:
            ts = int(time.time() * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(self.secret, ts)}"
        data = _post_json(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}})
        if data.get("errcode", 0) != 0:
            raise ChannelError(f"钉钉机器人返回错误 {data.get('errcode')}：{data.get('errmsg')}")


@dataclass(frozen=True)
class WeComChannel:
    url: str

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        data = _post_json(self.url, {"msgtype": "markdown", "markdown": {"content": text}})
        if data.get("errcode", 0) != 0:
            raise ChannelError(f"企业微信机器人返回错误 {data.get('errcode')}：{data.get('errmsg')}")


@dataclass(frozen=True)
class WebhookChannel:
    url: str

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        # The key lets a receiver drop a repeat after a crash between sending and recording.
        _post_json(self.url, {"title": title, "text": text, "key": key}, {"Idempotency-Key": key})


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    to: tuple[str, ...]

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = title, self.sender, ", ".join(self.to)
        msg["Message-ID"] = f"<{hashlib.sha1(key.encode()).hexdigest()}@yuqing>"
        msg.set_content(as_plain_text(text))
        for path in attachments:
            data = Path(path).read_bytes() if Path(path).is_file() else None
            if data is not None:
                kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                maintype, subtype = kind.split("/", 1)
                msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=Path(path).name)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT) as smtp:
                if self.user and self.password:
                    smtp.starttls()
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"邮件发送失败（{type(exc).__name__}：{str(exc)[:200]}）") from exc


@dataclass(frozen=True)
class MisconfiguredChannel:
    reason: str

    def send(self, title: str, text: str, key: str, attachments: Sequence[str] = ()) -> None:
        raise ChannelError(self.reason)


_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def as_plain_text(markdown: str) -> str:
    """The message for a mail reader: no markdown headings or emphasis; our own links (the only
    links a message has) written as "text：URL"."""
    text = _LINK.sub(lambda m: f"{m.group(1)}：{m.group(2)}", markdown)
    return re.sub(r"(?m)^#+\s*", "", text).replace("**", "").replace("`", "")


def _build(name: str, spec: ChannelSpec, env: Mapping[str, str]) -> Channel:
    def need(var: str | None) -> str:
        if not var or not env.get(var):
            raise ChannelError(f"渠道 {name}：未设置环境变量 {var}")
        return env[var]

    try:
        if spec.type == "dingtalk":
            return DingTalkChannel(need(spec.url_env), env.get(spec.secret_env or "") or None)
        if spec.type == "wecom":
            return WeComChannel(need(spec.url_env))
        if spec.type == "webhook":
            return WebhookChannel(need(spec.url_env))
        port = int(env.get(spec.port_env or "", "") or 25)
        assert spec.sender is not None
        return EmailChannel(need(spec.host_env), port, env.get(spec.user_env or "") or None,
                            env.get(spec.password_env or "") or None, spec.sender, tuple(spec.to))
    except ChannelError as exc:
        return MisconfiguredChannel(str(exc))


def build_channels(cfg: AlertsConfig, env: Mapping[str, str]) -> dict[str, Channel]:
    """Live channels from configuration and the environment; a channel missing its variables
    fails each delivery with the reason (and is retried), it does not stop the others."""
    return {name: _build(name, spec, env) for name, spec in cfg.channels.items()}


def required_variables(spec: ChannelSpec) -> list[str]:
    """The environment variables a channel cannot deliver without: its address (webhook URL or
    mail server) and the robot's signing secret when the configuration names one."""
    names = [spec.host_env] if spec.type == "email" else [spec.url_env, spec.secret_env]
    return [n for n in names if n]


def missing_channel_variables(cfg: AlertsConfig, env: Mapping[str, str]) -> dict[str, tuple[list[str], list[str]]]:
    """Channel → (its missing variables, who receives alerts through it) for every channel
    the recipients (or the default) are routed to; an alert to a channel left out waits in the
    outbox and is retried forever."""
    routed: dict[str, list[str]] = {}
    for recipient, names in [*cfg.recipients.items(), ("其他各单位", cfg.default)]:
        for name in names:
            routed.setdefault(name, []).append(recipient)
    missing = {}
    for name, recipients in routed.items():
        lacking = [var for var in required_variables(cfg.channels[name]) if not env.get(var, "").strip()]
        if lacking:
            missing[name] = (lacking, recipients)
    return missing


def describe_missing(missing: dict[str, tuple[list[str], list[str]]]) -> str:
    """The refusal in Chinese, naming each channel, whom it serves and the variables to set."""
    lines = [f"预警渠道 {name}（接收：{'、'.join(who)}）缺少环境变量 {'、'.join(variables)}"
             for name, (variables, who) in missing.items()]
    return ("以下预警渠道未配置，发往它们的预警将无法送达、一直排队重试：\n" + "\n".join(f"  - {line}" for line in lines)
            + "\n请在环境文件中设置这些变量，或在 data/config/alerts.yaml 的 recipients 中改用已配置的渠道；"
              "确需先行启动，请加 --allow-missing-channels。")
