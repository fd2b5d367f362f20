"""The one web-link rule: what a page links and what a response may record."""

from __future__ import annotations

import re

import pytest

from pipeline.actions.base import ActionError
from pipeline.actions.work import check_link
from pipeline.rules.links import WEB_LINK, web_link
from yuqing.web.render import ENV


@pytest.mark.parametrize("url", ["https://www.yunhe.gov.cn/art/1.html", "HTTP://example.cn/a?b=1", " http://x.cn/ "])
def test_web_addresses_are_links(url: str) -> None:
    assert web_link(url) == url.strip()
    assert check_link(url) == url.strip()
    assert re.fullmatch(WEB_LINK, url.strip(), re.IGNORECASE)
    assert f'href="{url.strip()}"' in ENV.get_template("macros.html").module.source_link(url)  # type: ignore[attr-defined]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "http://", "//x.cn/a",
                                 "http://x.cn/a b", "http://x.cn/\x07", "https://[::1", "http://x.cn/" + "a" * 2000])
def test_anything_else_is_no_link_and_no_response_link(url: str) -> None:
    assert web_link(url) is None
    assert ENV.get_template("macros.html").module.source_link(url) == ""  # type: ignore[attr-defined]
    with pytest.raises(ActionError, match="http:// 或 https://"):
        check_link(url)


def test_no_link_at_all_is_allowed_for_a_response() -> None:
    assert check_link(None) is None and check_link("  ") is None and web_link(None) is None
