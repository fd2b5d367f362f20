"""Crawler test helpers: the project's own fixture site, served on 127.0.0.1 only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files, plus Weibo's refusals that a file cannot express (HTTP 432, a login redirect)."""

    hits: list[str] = []  # noqa: RUF012 - shared on purpose: tests read what was fetched

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path.startswith("/api/antibot432"):
            body = "<html><body>访问过于频繁</body></html>".encode()
            self.send_response(432)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path.startswith("/api/login-redirect"):
            self.send_response(302)
            self.send_header("Location", "https://passport.weibo.cn/signin/welcome?entry=mweibo")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def guess_type(self, path: Any) -> str:
        name = str(path)
        if name.endswith(("getIndex", "extend")):
            return "application/json; charset=utf-8"
        return super().guess_type(path)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """Base URL of the fixture site on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
