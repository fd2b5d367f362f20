"""The event page shows the comments MediaCrawler brought with an event's posts (issue 20), and
the JSON API hands them on; on both engines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.actions.users import add_user
from pipeline.runtime import Runtime
from pipeline.service import import_files
from pipeline.storage.models import Post
from pipeline.timeparse import SHANGHAI
from tests.yuqing.test_web import running
from tests.yuqing.web_helpers import PASSWORD, sign_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mediacrawler"


def test_the_event_page_shows_its_comments(db_url: str, runtime_for: Callable[[str], Runtime], settings_for: Any) -> None:
    now = datetime.now(SHANGHAI)
    rt = runtime_for(db_url)
    import_files(rt, [FIXTURES], "mediacrawler", None, now)
    with rt.session() as s:
        add_user(s, "ana", "张分析", "analyst", PASSWORD, unit=None, actor="管理员", now=now, must_change=False)
        event_id = s.scalar(select(Post.event_id).where(Post.platform_id == "7440000000000000001"))
    with running(settings_for(db_url)) as client:
        assert sign_in(client, "ana").status_code == 303
        page = client.get(f"/events/{event_id}").text
        assert "网民评论（5）" in page
        assert "支持曝光，市场监管部门该好好查一查" in page and "景区应该统一管理价格" in page
        assert "抖音 · 路人甲 · 上海" in page and "小红书 · 阿木" in page and "· douyin" not in page
        assert page.index("支持曝光") < page.index("去年国庆也遇到过"), "most liked first"


def test_the_special_reports_views_read_the_collected_comments(db_url: str,
                                                              runtime_for: Callable[[str], Runtime]) -> None:
    """网民观点 of the 专报 is drawn from the comments people left as well as the posts."""
    from pipeline.queries.event_report import event_figures

    now = datetime.now(SHANGHAI)
    rt = runtime_for(db_url)
    import_files(rt, [FIXTURES], "mediacrawler", None, now)
    with rt.session() as s:
        event_id = s.scalar(select(Post.event_id).where(Post.platform_id == "7440000000000000001"))
        assert event_id is not None
        said = rt.read(event_figures, event_id, now).opinions
    assert any("支持曝光，市场监管部门该好好查一查" in text for text in said)
    assert any("景区应该统一管理价格" in text for text in said)
