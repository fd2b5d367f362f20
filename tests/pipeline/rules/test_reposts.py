"""Reading which post a repost passes on from its ``//@`` chain."""

from __future__ import annotations

from pipeline.rules.reposts import MIN_QUOTE, OPENING, opening, opens, quoted


def test_an_opening_keeps_letters_and_digits_only() -> None:
    assert opening("【辟谣】网传“大坝裂缝”系谣言！ https://t.cn/abc") == "辟谣网传大坝裂缝系谣言"
    assert len(opening("一" * 100)) == OPENING
    assert opening(None) == ""


def test_the_chain_is_read_nearest_first() -> None:
    text = "转了 //@乙:说得对 //@甲:古竹村又停电了，第四次了……"
    assert quoted(text) == [("乙", "说得对"), ("甲", "古竹村又停电了第四次了")]


def test_a_cut_quote_opens_its_post_and_a_quote_from_the_middle_does_not() -> None:
    head = opening("第四次了 我真的会谢😅 冰箱里的肉都要臭了 出来说句话啊")
    assert opens(opening("第四次了 我真的会谢……"), head)
    assert not opens(opening("冰箱里的肉都要臭了……"), head)
    assert not opens(opening("第四次"), head)  # too short to be sure
    assert len(opening("第四次")) < MIN_QUOTE

