"""Navigation at the edges of an article body is dropped; real sentences never are."""

from __future__ import annotations

import pytest

from crawlers.articles import extract_article
from crawlers.boilerplate import strip_navigation
from tests.crawlers.conftest import SITE

NAV_WORDS = ("返回首页", "返回列表", "返回顶部", "关闭窗口", "打印本页", "上一篇", "下一篇", "当前位置")


def test_article_page_ending_in_navigation_links() -> None:
    article = extract_article((SITE / "pages/nav_links.html").read_bytes(), "http://127.0.0.1/xz/2026-11/28/1.html")
    assert article.problems == [] and article.title == "紧水滩镇开展冬季水库安全巡查"
    lines = article.text.split("\n")
    assert lines[0].startswith("11月27日，紧水滩镇组织水利站")  # the 【打印本页】【关闭窗口】 line above it is gone
    assert lines[-1] == "下一步，该镇将落实水库巡查责任人制度，确保安全度汛、安全过冬。"  # links after it are gone
    assert len(lines) == 4
    # a sentence that names a link is a sentence: kept whole
    assert "系统会提示“打印本页”，请妥善保存回执；如需返回首页查询进度，可拨打服务电话。" in lines[2]
    assert not any(word in line for word in NAV_WORDS for line in (lines[0], lines[1], lines[3]))


@pytest.mark.parametrize(("text", "expected"), [
    ("正文。\n返回首页>>", "正文。"),
    ("正文。\n【关闭窗口】", "正文。"),
    ("正文。\n打印本页 | 关闭", "正文。"),
    ("正文。\n[返回顶部]\n\n", "正文。"),
    ("正文。\n【字体：大 中 小】", "正文。"),
    ("正文。\n上一篇：云和县召开冬季森林防火工作会议\n下一篇：没有了", "正文。"),
    ("正文。\n【上一篇】：石塘镇开展安全生产大检查", "正文。"),
    ("正文最后一句。 <<返回 【打印】 【关闭】", "正文最后一句。"),
    ("当前位置：首页 > 政务动态 > 正文\n正文。", "正文。"),
    ("首页 > 新闻中心 > 云和要闻\n【打印本页】【关闭窗口】\n正文。", "正文。"),
])
def test_navigation_at_the_edges_is_dropped(text: str, expected: str) -> None:
    assert strip_navigation(text) == expected


@pytest.mark.parametrize("text", [
    "办理完成后系统会提示“打印本页”，请妥善保存回执。",
    "市民办理后可自行打印",
    "我们要返回首页看看。",
    "首页是县政府网站的门户，市民可在首页查询办事指南。",
    "关闭窗口前请先保存填写的内容，否则需要重新填写。",
    "第一段。\n返回列表\n第二段。",  # in the middle it is not the page's navigation: left alone
])
def test_real_sentences_are_kept(text: str) -> None:
    assert strip_navigation(text) == text
