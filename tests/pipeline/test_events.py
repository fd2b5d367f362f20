"""Near-duplicate grouping: reposts and rewrites join; different incidents do not."""

from __future__ import annotations

from pipeline.rules.events import EventIndex, MinHasher, dedup_text, similarity

BASE = "石塘镇一辆大巴在云景线侧翻，目前已造成3人死亡，多人受伤，救援正在进行中"


def test_repost_chain_and_noise_removed() -> None:
    assert dedup_text(f"{BASE}//@某网友:太惨了 http://t.cn/abc") == dedup_text(BASE)


def test_similar_posts_join_different_ones_do_not() -> None:
    texts = [BASE, f"转发微博 {BASE}！！#云和#", "石塘镇大巴在云景线侧翻，已造成3人死亡多人受伤，救援正在进行",
             "浮云街道中山社区明天停电一天，请居民提前准备", "好"]
    sigs = MinHasher(3, 64).signatures(texts)
    assert similarity(sigs[0], sigs[1]) > 0.7
    assert similarity(sigs[0], sigs[3]) < 0.2
    index = EventIndex(bands=16, min_similarity=0.5)
    events = []
    for i in range(len(texts)):
        found = index.find(sigs[i], str(i))
        event = found if found is not None else i
        index.add(sigs[i], str(i), event)
        events.append(event)
    assert events[:3] == [0, 0, 0]
    assert events[3] == 3 and events[4] == 4


def test_signatures_do_not_depend_on_the_batch() -> None:
    h = MinHasher(3, 64)
    assert (h.signatures([BASE])[0] == h.signatures(["别的内容", BASE, "x"])[1]).all()
