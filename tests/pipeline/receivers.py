"""Real local receivers for alert tests: an HTTP server on 127.0.0.1 that checks DingTalk's
加签 signature and records every message, and an SMTP server (aiosmtpd) that records mail."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pipeline.alerts.channels import dingtalk_sign


@dataclass
class Recorder:
    secret: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with HTTP 503 first


def _handler(rec: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if rec.fail_next > 0:
                rec.fail_next -= 1
                self._answer(503, {"errcode": 503})
                return
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            if rec.secret is not None:
                ts = int(query.get("timestamp", "0"))
                expected = urllib.parse.unquote_plus(dingtalk_sign(rec.secret, ts))
                fresh = abs(time.time() * 1000 - ts) < 3_600_000
                if query.get("sign") != expected or not fresh:
                    rec.rejected.append(self.path)
                    self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                    return
            rec.messages.append({"path": self.path, "body": body, "key": self.headers.get("Idempotency-Key")})
            self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _answer(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def http_receiver(secret: str | None = None) -> Iterator[tuple[str, Recorder]]:
    rec = Recorder(secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token=test", rec
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_receiver() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))  # aiosmtpd connects to its own port to check it is up: pick one
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()
