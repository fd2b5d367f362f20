"""Conformance on the real material in ../shared/fixtures (read in place, never copied).

Located through the corpus setting: ``Settings.from_env().corpus_dir.parent / "fixtures"``;
skipped with a reason when absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawlers.articles import extract_article
from crawlers.feeds import parse_feed
from crawlers.weibo import parse_weibo
from pipeline.normalize import to_post
from pipeline.settings import Settings
from tests.crawlers.test_parsers import NOW


def _fixtures() -> Path:
    corpus = Settings.from_env().corpus_dir
    if corpus is None:
        pytest.skip("YUQING_CORPUS_DIR is not set and ../shared/corpus is absent: no real fixtures to read")
    root = corpus.parent / "fixtures"
    if not root.is_dir():
        pytest.skip(f"{root} is absent (real fixtures live beside the corpus in ../shared)")
    return root


def _files(sub: str, pattern: str) -> list[Path]:
    corpus = Settings.from_env().corpus_dir
    root = corpus.parent / "fixtures" / sub if corpus else None
    return sorted(root.glob(pattern)) if root and root.is_dir() else []


WEIBO = _files("weibo_api", "*.json")
FEEDS = _files("wechat_rss", "*.xml")
PAGES = _files("pages", "*/*.html")


def test_real_fixtures_are_present() -> None:
    _fixtures()
    assert len(WEIBO) == 6 and len(FEEDS) == 17 and len(PAGES) >= 20


@pytest.mark.parametrize("path", WEIBO, ids=[p.name for p in WEIBO])
def test_every_weibo_answer_parses(path: Path) -> None:
    m = re.search(r"id-(\d+)", path.name)
    result = parse_weibo(path.read_bytes(), status_id=m.group(1) if m else None)
    assert result.problems == []
    assert result.records or result.long_texts or result.user
    for record in result.records:
        post = to_post(record, 1, NOW)  # every record passes the ingest validation
        assert post.platform == "weibo" and post.text and post.platform_id


def test_weibo_samples_in_detail() -> None:
    root = _fixtures() / "weibo_api"
    timeline = parse_weibo((root / "getIndex_containerid-1076031669879400.json").read_bytes())
    first = timeline.records[0]
    assert first["id"] == "4383183661430868" and first["author"] == "Dear-迪丽热巴"
    assert (first["reposts"], first["comments"], first["likes"]) == (240492, 95535, 348872)
    assert first["published_at"] == "06-14" and to_post(first, 1, NOW).published_precision == "day"
    assert timeline.next_page == 2
    show = parse_weibo((root / "statuses_show_id-HyZVegYAP.json").read_bytes())
    assert [r["id"] for r in show.records] == ["4383411844046171", "4383404751066167"]
    assert show.records[0]["retweeted_id"] == "4383404751066167"
    assert len(show.records[1]["text"]) > 1000  # the retweeted status's longText is used
    extend = parse_weibo((root / "statuses_extend_id-4383487819465288.json").read_bytes(),
                         url="https://m.weibo.cn/statuses/extend?id=4383487819465288")
    assert len(extend.long_texts["4383487819465288"]["text"]) > 200


@pytest.mark.parametrize("path", FEEDS, ids=[p.stem for p in FEEDS])
def test_every_wechat_feed_yields_records(path: Path) -> None:
    result = parse_feed(path.read_bytes(), source=path.stem, platform="wechat")
    assert result.problems == []
    assert len(result.records) >= 10
    for record in result.records:
        assert record["url"].startswith("https://mp.weixin.qq.com/s")
        assert record["author"] == path.stem  # "杭州发布 | wechat-feeds" → 杭州发布
        assert record["needs_article"] is True  # the mirror only has titles
        post = to_post(record, 1, NOW)
        assert post.published_at is not None and post.published_at.year == 2021


@pytest.mark.parametrize("path", PAGES, ids=[f"{p.parent.name}/{p.name}" for p in PAGES])
def test_every_real_page_yields_title_body_and_time(path: Path) -> None:
    article = extract_article(path.read_bytes())
    assert article.problems == []
    assert article.title and 4 <= len(article.title) <= 80
    assert len(article.text) >= 150
    assert article.published_at is not None and to_post(article.to_record(platform="news", default_source="x"), 1, NOW)


PINNED = {
    "people/1.html": ("女儿出嫁，郑板桥画了几笔兰花当嫁妆", "2019-06-15T08:18:00+08:00", "人民网-文化频道", "父亲的教诲像一盏灯"),
    "xinhuanet/1.html": ("法国全国大罢工再次严重影响交通", "2019-12-10T07:57:40+08:00", "新华网", None),
    "wechat/1.html": ("三星 Galaxy S20 系列手机正式发布", "2020-02-12T22:17:54+08:00", "爱否科技", "今天凌晨，三星在美国旧金山"),
    "gzggw/1.html": ("1-10月德清县固定资产投资结构趋稳趋优", "2016-11-22T09:53:00+08:00", "省发改委", "1-10月，全县固定资产投资"),
    "shanxi/1.html": ("山西品牌丝路行（南美站）正式启动", "2019-09-18T06:23:00+08:00", "山西日报", None),
    "163/1.html": ('多地项目连环爆雷 狂奔的龙湖集团"暗伤"曝露？', "2019-09-07T13:43:45+08:00", None, "（原标题："),
    "163/9.html": ("5月20日至31日，京沪高速无锡至江阴大桥至广陵枢纽段封闭！", "2019-05-17", None, "下周一，"),
    "sina/2.html": ('60万"12306账号"外泄? 中铁总辟谣称消息不实', "2018-12-28T19:56:29+08:00", None, "新京报快讯（记者 裴剑飞）"),
    "thepaper/5.html": ("柳叶刀：味觉嗅觉丧失是新冠感染最强预测指标，优于发烧咳嗽", "2020-06-06T10:08:00+08:00",
                        "澎湃新闻", "此前，发烧、咳嗽"),
    "other/1.html": ("全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007 年末国债余额限额的决议",
                     "2007-08-20", None, None),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_pages(name: str) -> None:
    title, published, source, opening = PINNED[name]
    article = extract_article((_fixtures() / "pages" / name).read_bytes())
    assert article.title == title
    assert article.published_at == published
    if source is not None:
        assert article.source == source
    if opening is not None:
        assert article.text.startswith(opening)


def test_pages_that_lie_about_their_charset() -> None:
    for name in ("people/1.html", "163/9.html"):  # both declare GB2312, both are UTF-8 bytes
        data = (_fixtures() / "pages" / name).read_bytes()
        assert b"charset=gb2312" in data.lower().replace(b'"', b"")
        assert extract_article(data).encoding == "utf-8"
