"""Message boards (issue 20), on both engines: RSSHub's 留言板 feed fetched over HTTP from
127.0.0.1 is collected and triaged; each message is a post of platform message_board with its
type, domain and status; an answered message records the answer as the answering unit's
网络问政回复 at the reply time and meets that unit's milestone; the board seen again a day later
(the 民宿 complaint answered) adds that reply and updates the status, never duplicates anything;
a bad item is rejected with its reason and counted in the source's run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from pipeline.runtime import Runtime
from pipeline.storage.models import Assignment, AuditLog, Deadline, Post, Response, SourceRun, Unit

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}
NOW = datetime.fromisoformat("2026-11-28T10:00:00+08:00")
LATER = datetime.fromisoformat("2026-11-29T10:00:00+08:00")
ROAD, HOMESTAY = "http://liuyan.people.com.cn/threads/content?tid=19000001", \
    "http://liuyan.people.com.cn/threads/content?tid=19000002"


class Board:
    """What the board serves now (a fixture file name)."""

    current = "liuyan.atom"


class BoardHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/exports/"):  # a plain export of the same fields
            name, kind = self.path.rsplit("/", 1)[-1], "text/csv" if self.path.endswith(".csv") else "application/json"
        elif self.path.startswith("/people/liuyan/"):
            name, kind = Board.current, "application/atom+xml"
        else:
            self.send_response(404)
            self.end_headers()
            return
        body = (FIXTURES / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def board_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BoardHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/people/liuyan/5678"
    finally:
        server.shutdown()
        server.server_close()


def _sources(tmp_path: Path, url: str, name: str = "领导留言板·云和县委书记") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [{"name": name, "kind": "message_board", "url": url}]},
                                   allow_unicode=True), encoding="utf-8")
    return path


def _replies(rt: Runtime) -> dict[str, tuple[str, str, datetime, int]]:
    with rt.session() as s:
        rows = s.execute(select(Post.url, Unit.name, Response.kind, Response.responded_at, Response.event_id)
                         .join(Post, Post.id == Response.post_id).join(Unit, Unit.id == Response.unit_id)).all()
    return {r.url: (r.name, r.kind, r.responded_at, r.event_id) for r in rows}


def test_board_messages_are_posts_and_replies_are_the_units_responses(
        db_url: str, runtime_for: Callable[[str], Runtime], board_url: str, tmp_path: Path) -> None:
    from pipeline.collect import collect_once

    rt = runtime_for(db_url)
    path = _sources(tmp_path, board_url)
    Board.current = "liuyan.atom"
    facts = collect_once(rt, path, None, NOW, scrapy_settings=FAST)[0]
    assert (facts.fetched, facts.new, facts.rejected) == (2, 2, 1)
    assert facts.reject_reasons == ["正文为空"]
    with rt.session() as s:
        posts = {p.url: p for p in s.scalars(select(Post))}
        road = posts[ROAD]
        assert road.platform == "message_board" and road.author == "云和山里人"
        assert "回复" not in road.text and road.text.startswith("尊敬的书记")
        assert {k: road.raw["board"][k] for k in ("forum", "type", "domain", "state")} == {
            "forum": "丽水市云和县委书记", "type": "投诉", "domain": "交通", "state": "已回复"}
        assert posts[HOMESTAY].raw["board"]["state"] == "办理中"
        run = s.scalar(select(SourceRun).order_by(SourceRun.id.desc()).limit(1))
        assert run is not None and run.rejected == 1
    replies = _replies(rt)
    assert set(replies) == {ROAD}
    unit, kind, at, event_id = replies[ROAD]
    assert (unit, kind, at) == ("县交通运输局", "网络问政回复", datetime.fromisoformat("2026-11-27T16:30:00+08:00"))
    with rt.session() as s:  # the replying unit owns or co-owns the event: its milestone is met by the reply
        met = s.execute(select(Unit.name, Deadline.milestone, Deadline.met_at).join(Assignment, Assignment.id == Deadline.assignment_id)
                        .join(Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id == event_id)).all()
        roles = {name: role for name, role in s.execute(select(Unit.name, Assignment.role).join(
            Unit, Unit.id == Assignment.unit_id).where(Assignment.event_id == event_id))}
        assert roles.get("县交通运输局") in ("primary", "cooperating"), roles
        assert met and all(m.met_at == at for m in met if m.milestone == "response"), met
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.entity_id == event_id, AuditLog.entity == "event")))
        assert {"board_reply", "met_by_board_reply"} <= actions
        from pipeline.queries.events import event_view

        view = event_view(s, event_id, NOW)  # what the event page shows: the reply by name, no codes
        assert view is not None
        shown = "\n".join(entry.text for entry in view.timeline())
        assert "留言板或热线答复（记为回应）" in shown and "留言板或热线答复满足时限" in shown and "board_reply" not in shown
        assert [r["recorded_by"] for r in view.responses] == ["丽水市云和县委书记（留言板回复）"]

    before = _counts(rt)
    collect_once(rt, path, None, NOW, scrapy_settings=FAST)
    assert _counts(rt) == before, "the same board collected again changes nothing"

    Board.current = "liuyan_later.atom"
    later = collect_once(rt, path, None, LATER, scrapy_settings=FAST)[0]
    assert (later.new, later.duplicates) == (0, 2)
    replies = _replies(rt)
    assert set(replies) == {ROAD, HOMESTAY}
    assert replies[HOMESTAY][:3] == ("县市场监督管理局", "网络问政回复", datetime.fromisoformat("2026-11-28T15:20:00+08:00"))
    with rt.session() as s:
        homestay = s.scalar(select(Post).where(Post.url == HOMESTAY))
        assert homestay is not None and homestay.raw["board"]["state"] == "已办理"
        assert s.scalar(select(func.count()).select_from(Post)) == before[0]
        assert s.scalar(select(func.count()).select_from(Response)) == 2
    collect_once(rt, path, None, LATER, scrapy_settings=FAST)
    assert len(_replies(rt)) == 2


def _counts(rt: Runtime) -> tuple[int, ...]:
    with rt.session() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Post, Response, Deadline, AuditLog))


def test_a_board_export_over_http_is_read_as_the_feed_is(
        db_url: str, runtime_for: Callable[[str], Runtime], board_url: str, tmp_path: Path) -> None:
    from pipeline.collect import collect_once

    rt = runtime_for(db_url)
    base = board_url.split("/people/")[0]
    for name in ("board_export.json", "board_export.csv"):
        facts = collect_once(rt, _sources(tmp_path, f"{base}/exports/{name}", "留言板导出"), None, NOW,
                             scrapy_settings=FAST)[0]
        assert (facts.fetched, facts.rejected) == (2, 1), name
    assert facts.new == 0 and facts.duplicates == 2, "the CSV export holds the JSON export's messages"
    replies = _replies(rt)
    assert [v[:3] for v in replies.values()] == [
        ("县住房和城乡建设局", "网络问政回复", datetime.fromisoformat("2026-11-27T17:45:00+08:00"))]
