"""Crawler test helpers: the project's own fixture site, served on 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"


@dataclass
class SearchPost:
    """One status in the simulated Weibo keyword search."""

    id: str
    created_at: datetime
    text: str
    author: str = "云和网友"


class WeiboSearch:
    """m.weibo.cn's keyword search as it behaves: newest first, ``page_size`` statuses a page,
    ``cardlistInfo.total`` with the true count, and nothing past ``page_cap`` pages although it
    still says there is a next page (that is how a naive crawler loses posts silently).
    ``timescope=custom:YYYY-MM-DD-H:YYYY-MM-DD-H`` inside the containerid restricts to ``[start, end)``."""

    def __init__(self) -> None:
        self.posts: list[SearchPost] = []
        self.page_cap = 3
        self.page_size = 10
        self.blocked = False   # answer HTTP 432 (Weibo's anti-crawler answer)

    def answer(self, query: str) -> tuple[int, bytes]:
        from crawlers.search import parse_timescope

        if self.blocked:
            return 432, "<html><body>访问过于频繁</body></html>".encode()
        params = dict(parse_qsl(query, keep_blank_values=True))
        inner = dict(parse_qsl(params.get("containerid", ""), keep_blank_values=True))
        window = parse_timescope(inner.get("timescope", ""))
        keyword = inner.get("q", "")
        found = sorted((p for p in self.posts if keyword in p.text
                        and (window is None or window.start <= p.created_at < window.end)),
                       key=lambda p: p.created_at, reverse=True)
        page = int(params.get("page", "1"))
        shown = found[(page - 1) * self.page_size: page * self.page_size] if page <= self.page_cap else []
        info = {"total": len(found), "page": page + 1 if page * self.page_size < len(found) else None}
        return self._cards(shown, info)

    def timeline(self, query: str) -> tuple[int, bytes]:
        """A user's timeline in the newer API: paged by a ``since_id`` cursor, no page numbers."""
        since = dict(parse_qsl(query)).get("since_id")
        ordered = sorted(self.posts, key=lambda p: p.id, reverse=True)
        start = next((i for i, p in enumerate(ordered) if p.id == since), 0) if since else 0
        shown = ordered[start:start + self.page_size]
        rest = ordered[start + self.page_size:]
        return self._cards(shown, {"containerid": "1076037000000009", "since_id": rest[0].id if rest else None})

    @staticmethod
    def _cards(shown: list[SearchPost], info: dict[str, Any]) -> tuple[int, bytes]:
        if not shown:
            return 200, json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}).encode()
        group = [{"card_type": 9, "mblog": {
            "id": p.id, "idstr": p.id, "mid": p.id, "text": p.text, "isLongText": False,
            "created_at": p.created_at.strftime("%a %b %d %H:%M:%S +0800 %Y"),
            "reposts_count": 3, "comments_count": 5, "attitudes_count": 12, "region_name": "发布于 浙江",
            "user": {"id": 7000000000 + int(p.id[-4:]), "screen_name": p.author}}} for p in shown]
        body = {"ok": 1, "data": {"cardlistInfo": info, "cards": [{"card_type": 11, "card_group": group}]}}
        return 200, json.dumps(body, ensure_ascii=False).encode()


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files, plus Weibo's refusals that a file cannot express (HTTP 432, a login redirect)
    and Weibo's keyword search (``/api/search/getIndex``, see ``WeiboSearch``)."""

    hits: list[str] = []  # noqa: RUF012 - shared on purpose: tests read what was fetched
    search = WeiboSearch()

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path.startswith(("/api/search/getIndex", "/api/timeline/getIndex")):
            search, query = type(self).search, urlsplit(self.path).query
            status, body = search.answer(query) if "/search/" in self.path else search.timeline(query)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8" if status == 200 else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
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
