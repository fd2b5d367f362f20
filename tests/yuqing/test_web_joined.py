"""The event page says why each post is in its event (``posts.joined``: the first report, a near
copy, the same incident told otherwise), so an analyst can judge a merge; on both engines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.actions.users import add_user
from pipeline.runtime import Runtime
from pipeline.service import ingest_file
from pipeline.storage.models import Post
from pipeline.timeparse import SHANGHAI
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import PASSWORD, sign_in

REPORT = "石塘镇仙宫湖小顺码头附近一艘游船翻覆，船上8人落水，目前已救起6人，2人失联，搜救仍在进行<script>alert(1)</script>"


def _event_page(rows: list[dict[str, str]], db_url: str, runtime_for: Callable[[str], Runtime], settings_for: Any,
                tmp_path: Path) -> str:
    """Ingest ``rows`` as one file, check they make one event, and return its page as an analyst
    sees it."""
    now = datetime.now(SHANGHAI)
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rt = runtime_for(db_url)
    ingest_file(rt, path, now, None)
    with rt.session() as s:
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=now, must_change=False)
        events = set(s.scalars(select(Post.event_id)))
    assert len(events) == 1
    with running(settings_for(db_url)) as client:
        assert sign_in(client, "ana").status_code == 303
        return client.get(f"/events/{events.pop()}").text


def test_the_event_page_says_why_each_post_joined(db_url: str, runtime_for: Callable[[str], Runtime], settings_for: Any,
                                                 tmp_path: Path) -> None:
    rows = [{"id": "j1", "platform": "weibo", "author": "湖边人", "text": REPORT},
            {"id": "j2", "platform": "weibo", "author": "转发的人", "text": "太揪心了 //@湖边人:" + REPORT}]
    page = _event_page(rows, db_url, runtime_for, settings_for, tmp_path)
    assert page.count("归并依据：") == 2
    assert "归并依据：首条报道" in page and "与已有帖子文字几乎相同" in page
    assert "<script>alert(1)</script>" not in page  # crawled text never becomes markup


def test_the_countys_own_release_is_shown_as_its_statement_not_as_unrelated(db_url: str,
                                                                           runtime_for: Callable[[str], Runtime],
                                                                           settings_for: Any, tmp_path: Path) -> None:
    """A 云和发布 通报 answering no event already known is stored as the county's statement with no
    task: its page says so, not "无关（非本县政务）"; the release named by its date days later joins it."""
    rows = [{"id": "o1", "platform": "wechat", "author": "云和发布", "title": "关于“11·24”客车坠坡事故的情况通报",
             "text": "11月24日7时20分许，一辆中型客车在赤石乡赤石岭路段驶出路外坠坡，造成2人死亡、9人受伤。"},
            {"id": "o2", "platform": "wechat", "author": "云和县交通运输局", "title": "我县开展农村客运安全专项整治",
             "text": "“11·24”事故发生后，县交通运输局立即开展客运包车和农村客运安全专项整治。"}]
    page = _event_page(rows, db_url, runtime_for, settings_for, tmp_path)
    assert "本县官方发布（记为回应，不另行分办）" in page and "非本县政务" not in page
    assert "事件名称相同（“11·24”）" in page
