"""Near-duplicate look-up: reposts and rewrites join; different incidents, everyday phrases and
boilerplate do not; the look-up stays bounded."""

from __future__ import annotations

import numpy as np

from pipeline.config import Config
from pipeline.rules.events import EventIndex, MinHasher, band_keys, copy_groups, dedup_text, similarity

BASE = "石塘镇一辆大巴在云景线侧翻，目前已造成3人死亡，多人受伤，救援正在进行中"


def test_repost_chain_and_noise_removed() -> None:
    assert dedup_text(f"{BASE}//@某网友:太惨了 http://t.cn/abc") == dedup_text(BASE)


def test_a_repost_with_its_own_comment_is_signed_by_the_original() -> None:
    comment = "这条路弯多坡陡，早就该装护栏了，希望这次能引起重视"
    assert dedup_text(f"{comment} //@丽水身边事:{BASE}") == dedup_text(BASE)
    assert dedup_text(f"转发 //@路人甲:{comment} //@丽水身边事:{BASE}") == dedup_text(BASE)


def _place(index: EventIndex, sigs: np.ndarray) -> list[object]:
    keys = band_keys(sigs, index.policy.bands)
    index.count(sigs[np.unique(copy_groups(sigs, keys, index.policy.copy_similarity), return_index=True)[1]])
    own = ~index.common(sigs)
    events: list[object] = []
    for i in range(len(sigs)):
        found = index.near(sigs[i], keys[i].tolist(), np.empty(0, dtype=np.int64), own[i])
        event = max(found, key=lambda n: n.similarity).event if found else i
        index.add(sigs[i], keys[i].tolist(), event)
        events.append(event)
    return events


def test_similar_posts_join_different_ones_do_not(cfg: Config) -> None:
    texts = [BASE, f"转发微博 {BASE}！！#云和#", "石塘镇大巴在云景线侧翻，已造成3人死亡多人受伤，救援正在进行",
             "浮云街道中山社区明天停电一天，请居民提前准备", "好"]
    sigs = MinHasher(3, 64).signatures(texts)
    assert similarity(sigs[0], sigs[1]) > 0.7
    assert similarity(sigs[0], sigs[3]) < 0.2
    events = _place(EventIndex(cfg.policy.events), sigs)
    assert events[:3] == [0, 0, 0]
    assert events[3] == 3 and events[4] == 4


def test_signatures_do_not_depend_on_the_batch() -> None:
    h = MinHasher(3, 64)
    assert (h.signatures([BASE])[0] == h.signatures(["别的内容", BASE, "x"])[1]).all()


def test_shared_boilerplate_does_not_make_different_matters_one(cfg: Config) -> None:
    footer = ("【办理须知】本工单由云和县12345政务服务便民热线受理转办，请承办单位在3个工作日内与来电人联系，"
              "10个工作日内办结并书面反馈办理结果；来电人对办理结果不满意的，热线将启动重办程序并纳入考核。")
    matters = ["石塘镇集镇往长汀方向的乡道挖开后一直没有恢复", "赤石乡集镇到卫生院那段路灯坏了快一个月",
               "古竹村半个月停了四次水，每次都没有提前通知", "红光村边养猪场夜里往溪里排粪水"]
    texts = [f"{opening}{matters[i % 4]}。{footer}" for i, opening in
             enumerate(["来电人称：", "群众反映：", "您好，我要反映：", "市民来电："] * 5)]
    events = _place(EventIndex(cfg.policy.events), MinHasher(3, 64).signatures(texts))
    for i, event in enumerate(events):
        assert isinstance(event, int) and event % 4 == i % 4  # only ever with its own matter


def test_an_event_keeps_a_bounded_number_of_representatives(cfg: Config) -> None:
    index = EventIndex(cfg.policy.events)
    sigs = MinHasher(3, 64).signatures([f"{BASE}，第{i}次转发，{'顶' * (i % 7)}" for i in range(200)])
    keys = band_keys(sigs, index.policy.bands)
    kept = sum(index.add(sigs[i], keys[i].tolist(), "viral") for i in range(200))
    assert kept == cfg.policy.events.representatives
    assert all(len(held or ()) <= 1 for held in index.recent.values())  # one entry per event in a bucket
