"""Parsers on the project's own fixtures (no network): feeds, Weibo JSON, article pages."""

from __future__ import annotations

import json
from datetime import datetime

from crawlers.articles import extract_article
from crawlers.feeds import parse_feed
from crawlers.pages import decode_html, list_page_links
from crawlers.weibo import apply_long_text, detect_block, parse_weibo, weibo_text
from pipeline.normalize import to_post
from pipeline.timeparse import SHANGHAI
from tests.crawlers.conftest import SITE

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
FIELDS = {"id", "platform", "source", "author", "title", "text", "url", "published_at", "reposts", "comments", "likes"}


def test_wechat_mirror_feed_marks_title_only_items() -> None:
    result = parse_feed((SITE / "feeds/yunhefabu.xml").read_bytes(), source="云和发布", platform="wechat",
                        url="http://127.0.0.1:9/feeds/yunhefabu.xml")
    assert result.problems == []
    assert [r["title"] for r in result.records] == ["紧水滩镇部分区域11月29日临时停水通知", "云和县2026年冬季征兵报名开始啦"]
    first = result.records[0]
    assert set(first) >= FIELDS
    assert first["url"] == "http://127.0.0.1:9/mp/s/yh001.html"  # relative link resolved against the feed
    assert first["published_at"] == "2026-11-27T18:00:00+08:00"
    assert first["needs_article"] is True and first["author"] == "云和发布"
    assert first["reposts"] is None and first["comments"] is None and first["likes"] is None


def test_feed_html_descriptions_become_text() -> None:
    result = parse_feed((SITE / "feeds/zwdt.xml").read_bytes(), source="云和县人民政府·政务动态")
    record = result.records[0]
    assert record["id"] == "yunhe-gov-100001" and record["platform"] == "news"
    assert "<" not in record["text"] and "track()" not in record["text"] and "冬季消防" in record["text"]
    assert record["needs_article"] is False
    post = to_post(record, 1, NOW)
    assert post.published_at == datetime(2026, 11, 27, 11, 20, tzinfo=SHANGHAI)


def test_broken_feed_is_reported_and_its_good_item_kept() -> None:
    result = parse_feed((SITE / "feeds/broken.xml").read_bytes(), source="镜像")
    assert result.problems[0].kind == "bozo_feed"
    assert "not well-formed" in result.problems[0].detail
    assert [r["title"] for r in result.records] == ["赤石乡农产品展销会本周末举行"]
    assert "&" in result.records[0]["text"]


def test_not_a_feed_is_malformed() -> None:
    result = parse_feed(b"<html><body>502 Bad Gateway</body></html>", source="x")
    assert result.records == [] and result.problems[0].kind == "malformed"


def test_weibo_timeline_counts_region_and_reposts() -> None:
    result = parse_weibo((SITE / "api/container/getIndex").read_bytes(), url="http://127.0.0.1:9/api/container/getIndex")
    assert result.problems == []
    by_id = {r["id"]: r for r in result.records}
    assert set(by_id) == {"5100000000000003", "5100000000000002", "5100000000000001", "5099999999999999"}
    alert = by_id["5100000000000003"]
    assert alert["author"] == "云和发布" and alert["source"] == "新浪微博" and alert["ip_region"] == "浙江"
    assert alert["text"].startswith("【紧急提醒】") and "[心]" in alert["text"] and "<" not in alert["text"]
    post = to_post(alert, 1, NOW)
    assert (post.reposts, post.comments, post.likes) == (36, 12, 12000)
    assert post.published_at == datetime(2026, 11, 27, 19, 42, 10, tzinfo=SHANGHAI)
    assert by_id["5100000000000001"]["retweeted_id"] == "5099999999999999"
    assert by_id["5099999999999999"]["author"] == "丽水应急"
    assert result.long_text_ids == ["5100000000000002"]
    assert result.since_id == "5100000000000001"


def test_weibo_long_text_is_merged() -> None:
    timeline = parse_weibo((SITE / "api/container/getIndex").read_bytes())
    record = next(r for r in timeline.records if r["id"] == "5100000000000002")
    extend = parse_weibo((SITE / "statuses/extend").read_bytes(), url="https://m.weibo.cn/statuses/extend?id=5100000000000002")
    merged = apply_long_text(record, extend.long_texts["5100000000000002"])
    assert "电动自行车不要在楼道" in merged["text"] and "\n" in merged["text"]
    assert (merged["reposts"], merged["comments"], merged["likes"]) == (215, 90, 541)
    assert "is_long_text" not in merged


def test_weibo_anti_bot_answers_are_typed_problems() -> None:
    blocked = parse_weibo((SITE / "api/blocked/getIndex").read_bytes())
    assert blocked.records == [] and blocked.problems[0].kind == "login_required"
    assert "-100" in blocked.problems[0].detail
    assert parse_weibo(b"<html>...</html>", status=432).problems[0].kind == "anti_bot"
    assert parse_weibo(b"", status=418).problems[0].kind == "anti_bot"
    assert parse_weibo(b"", status=429).problems[0].kind == "rate_limited"
    redirect = detect_block(302, b"", "https://m.weibo.cn/api/container/getIndex",
                            "https://passport.weibo.cn/signin/welcome?entry=mweibo")
    assert redirect is not None and redirect.kind == "login_required"
    captcha = parse_weibo("<html><body>请输入验证码</body></html>".encode())
    assert captcha.problems[0].kind == "anti_bot"
    assert parse_weibo(b'{"ok": 0, "msg": "\\u8bf7\\u6c42\\u8fc7\\u4e8e\\u9891\\u7e41"}').problems[0].kind == "rate_limited"
    assert parse_weibo(b'{"ok": 0, "msg": "\\u8fd9\\u91cc\\u8fd8\\u6ca1\\u6709\\u5185\\u5bb9", "data": []}').problems == []
    assert parse_weibo(b"{not json").problems[0].kind == "malformed"


def test_weibo_text_keeps_emoticon_names() -> None:
    assert weibo_text('好<span class="url-icon"><img alt="[赞]" src="x.png"></span><br />第二行') == "好[赞]\n第二行"


def test_comment_answers_become_records() -> None:
    doc = {"ok": 1, "data": {"data": [{"id": 1, "created_at": "刚刚", "text": "路修好了点赞", "source": "来自浙江",
                                        "user": {"screen_name": "石塘人"}, "like_count": 3, "total_number": 0}]}}
    result = parse_weibo(json.dumps(doc).encode(), url="https://m.weibo.cn/comments/hotflow?id=5100000000000003")
    record = result.records[0]
    assert record["kind"] == "comment" and record["reply_to"] == "5100000000000003" and record["ip_region"] == "浙江"
    assert record["reposts"] is None and record["likes"] == 3


def test_news_article_utf8() -> None:
    article = extract_article((SITE / "news/2026-11/27/art_1.html").read_bytes(), "http://127.0.0.1/news/2026-11/27/art_1.html")
    assert article.problems == []
    assert article.title == "石塘镇集镇至长汀村道路修复工程今日完工"
    assert article.published_at == "2026-11-27T16:30:00+08:00"
    assert article.source == "云和新闻网"
    assert article.text.startswith("11月27日下午") and article.text.endswith("恢复一段”。")
    assert "分享到" not in article.text and "相关阅读" not in article.text


def test_byline_time_and_source() -> None:
    article = extract_article((SITE / "news/2026-11/27/art_2.html").read_bytes())
    assert article.title == "我县开展冬季森林防火专项检查"
    assert article.published_at == "2026-11-27T09:05:00+08:00"
    assert article.source == "云和县应急管理局"
    assert article.text.startswith("入冬以来") and "12119" in article.text


def test_gbk_page_is_decoded() -> None:
    data = (SITE / "news/2026-11/26/art_3.html").read_bytes()
    article = extract_article(data)
    assert article.encoding == "gb18030"
    assert article.title == "云和梯田景区冬季开放时间调整"
    assert article.published_at == "2026-11-26T10:20:00+08:00"
    assert article.source == "云和梯田景区管委会"
    assert "观云海、看雾凇" in article.text


def test_page_lying_about_its_charset() -> None:
    data = (SITE / "pages/lying_charset.html").read_bytes()
    text, codec = decode_html(data, declared="utf-8")  # header and meta both say UTF-8; the bytes are GBK
    assert codec == "gb18030" and "紧水滩镇自来水管网改造停水通知" in text
    # and the reverse: UTF-8 bytes labelled GB2312 (two of the real pages in shared/ do this)
    utf8 = '<meta charset="gb2312"><title>云和县</title><p>雾溪畲族乡</p>'.encode()
    assert decode_html(utf8, declared="gb2312") == ('<meta charset="gb2312"><title>云和县</title><p>雾溪畲族乡</p>', "utf-8")


def test_wechat_page() -> None:
    article = extract_article((SITE / "mp/s/yh001.html").read_bytes(), "https://mp.weixin.qq.com/s/yh001")
    assert article.is_wechat and article.problems == []
    assert article.title == "紧水滩镇部分区域11月29日临时停水通知"
    assert article.source == "云和发布"
    assert article.published_at == "2026-11-27T18:00:00+08:00"  # from var ct
    assert article.text.startswith("因紧水滩镇自来水管网改造施工需要") and "微信扫一扫" not in article.text


def test_not_html_is_reported() -> None:
    article = extract_article(b"   ")
    assert [p.kind for p in article.problems] == ["malformed"]


def test_list_page_links() -> None:
    base = "http://127.0.0.1:9/news/index.html"
    links = list_page_links((SITE / "news/index.html").read_bytes(), base)
    assert links == ["http://127.0.0.1:9/news/2026-11/27/art_1.html", "http://127.0.0.1:9/news/2026-11/27/art_2.html",
                     "http://127.0.0.1:9/news/2026-11/26/art_3.html"]
    only_27 = list_page_links((SITE / "news/index.html").read_bytes(), base, link_pattern=r"/2026-11/27/")
    assert len(only_27) == 2
