"""传播分析 (pipeline.rules.spread): the repost chain rebuilt as a tree from ``//@account:``
segments and from the platform's repost links, the key spreaders by the reach they carried,
a cycle or a second parent never breaking the tree."""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.rules.spread import SpreadPost, chain, own_comment, spread
from pipeline.timeparse import SHANGHAI

T = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
ORIGINAL = "【突发】崇头镇盘山公路旅游大巴侧翻，死亡人数升至12人。"


def _post(key: str, author: str, text: str, minutes: int, reach: int, reposted: str | None = None) -> SpreadPost:
    return SpreadPost(key, "weibo", author, text, T + timedelta(minutes=minutes), reach, reposted)


def test_a_chain_reads_nearest_first_and_the_comment_before_it() -> None:
    text = f"转发微博 //@云和同城:太揪心了，愿伤者平安 //@丽水身边事:{ORIGINAL}"
    assert chain(text) == [("云和同城", "太揪心了，愿伤者平安"), ("丽水身边事", ORIGINAL)]
    assert own_comment(text) == "" and own_comment(f"路太滑了//@丽水身边事:{ORIGINAL}") == "路太滑了"
    assert chain(ORIGINAL) == []


def test_the_tree_and_the_key_spreaders_follow_the_reach_through_each_account() -> None:
    posts = [
        _post("1", "丽水身边事", ORIGINAL, 0, 8000),
        _post("2", "浙南生活观察", f"转发微博 //@云和同城:太揪心了 //@丽水身边事:{ORIGINAL}", 20, 500),
        _post("3", "云和宝妈", f"心疼//@浙南生活观察:转发微博 //@云和同城:太揪心了 //@丽水身边事:{ORIGINAL}", 30, 40),
        _post("4", "山里人", "路太滑了，大家开车小心", 40, 7, reposted="1"),      # a repost the platform links
        _post("5", "梯田守望者", "旅游大巴侧翻，愿伤者平安", 50, 100),            # no chain: a root of its own
    ]
    sp = spread(posts)
    tree = [(line.depth, line.account) for line in sp.tree]
    assert tree == [(0, "丽水身边事"), (1, "云和同城"), (2, "浙南生活观察"), (3, "云和宝妈"), (1, "山里人"),
                    (0, "梯田守望者")]
    assert sp.accounts == 6 and sp.reposts == 4 and sp.depth == 3
    top = sp.spreaders[0]
    assert (top.account, top.own_reach, top.carried_reach) == ("丽水身边事", 8000, 8547)
    relay = next(s for s in sp.spreaders if s.account == "云和同城")
    assert (relay.posts, relay.own_reach, relay.carried_reach) == (0, 0, 540)   # only passed it on
    comments = {line.account: line.comment for line in sp.tree}
    assert comments["云和同城"] == "太揪心了" and comments["丽水身边事"] == "" and comments["云和宝妈"] == "心疼"


def test_a_cycle_or_a_second_parent_keeps_a_tree() -> None:
    posts = [_post("1", "甲", "转发微博 //@乙:原文", 0, 1), _post("2", "乙", "转发微博 //@甲:原文", 5, 1),
             _post("3", "丙", "转发微博 //@乙:原文", 6, 1), _post("4", "丙", "转发微博 //@甲:原文", 7, 1)]
    sp = spread(posts)
    assert sp.reposts == 2 and sp.accounts == 3      # 乙→甲 and 乙→丙; 甲→乙 would close a cycle, 甲→丙 a second parent
    assert [line.depth for line in sp.tree] == [0, 1, 1]
