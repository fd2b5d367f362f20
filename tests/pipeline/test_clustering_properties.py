"""Properties of placing posts in events, over generated batches (Hypothesis): posts naming
townships with none in common never share an event; the partition does not depend on the order of
a batch or on splitting it in two; a repost always joins what it reposts; the county's own
release never creates a task.

The batches mix what breaks clustering in practice: the same kind of incident and the same
template complaint in several townships, a long closing passage shared by every letter, villages
and scenic spots standing for their township, reposts with a comment of their own, quoting the whole original or only its start."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.normalize import PostInput, to_post
from pipeline.storage.db import make_engine, session_scope
from pipeline.storage.store import seed_units
from pipeline.triage import TriageContext, triage_posts
from tests.conftest import NOW, copy_template

# Places standing for townships, directly or through a village or a scenic spot.
PLACES = ["石塘镇", "崇头镇", "紧水滩镇", "赤石乡", "雾溪畲族乡", "浮云街道", "元和街道", "云和梯田", "古竹村",
          "中山社区", "坪垟岗村", "紧水滩水库", "小顺村"]
INCIDENTS = [
    "一处民房起火，火势很大，消防已经赶到",
    "发生一起车祸，一辆货车与电动车相撞，{n}人受伤送医",
    "山体滑坡，道路中断，{n}户村民紧急转移",
    "工地脚手架坍塌，{n}名工人被困",
]
COMPLAINTS = [
    "晚上施工噪音太大，吵得老人小孩都睡不着",
    "路灯坏了一个多月没人修，晚上出门很危险",
    "已经停水三天了，打电话也没人回复",
    "道路开挖以后一直没有恢复，车辆进出很困难",
]
CLOSING = ("恳请相关部门高度重视，尽快核实处理，切实解决群众的急难愁盼问题，给老百姓一个满意的答复，"
           "我们将持续关注此事的进展，谢谢领导百忙之中抽空阅读此信，祝工作顺利，身体健康。")
COMMENTS = ["太吓人了，大家注意安全", "希望有关部门尽快处理", "转发扩散，让更多人知道", "这事必须给个说法"]
ACCOUNTS = ["云和发布", "云和公安", "云和县应急管理局", "石塘镇人民政府", "浮云街道办事处"]
RELEASES = ["【情况通报】{place}{body}，相关部门已赶赴现场处置。", "【辟谣】网传“{place}{body}”系谣言，请勿信谣传谣。",
            "网友您好：您反映的{place}相关问题已收悉，经核实已安排处理。",
            "关于{place}冬季安全宣传活动的说明：请广大群众注意用火用电安全。"]


@st.composite
def batches(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A batch of originals (incidents and template letters at generated places) and reposts."""
    records: list[dict[str, Any]] = []
    originals = draw(st.integers(min_value=3, max_value=9))
    for i in range(originals):
        place = draw(st.sampled_from(PLACES))
        if draw(st.booleans()):
            body = draw(st.sampled_from(INCIDENTS)).format(n=draw(st.integers(min_value=1, max_value=5)))
            text = f"{place}{body}。"
        else:
            text = f"尊敬的领导：我是{place}的居民，{draw(st.sampled_from(COMPLAINTS))}。{CLOSING}"
        minute = draw(st.integers(min_value=0, max_value=600))
        records.append({"id": f"p{i}", "platform": draw(st.sampled_from(["weibo", "message_board", "forum"])),
                        "author": f"网友{i}", "text": text,
                        "published_at": (NOW - timedelta(hours=12) + timedelta(minutes=minute)).isoformat()})
    for j in range(draw(st.integers(min_value=0, max_value=3))):
        template, place = draw(st.sampled_from(RELEASES)), draw(st.sampled_from(PLACES))
        body = draw(st.sampled_from(INCIDENTS)).format(n=draw(st.integers(min_value=1, max_value=5)))
        minute = draw(st.integers(min_value=0, max_value=700))
        records.append({"id": f"o{j}", "platform": draw(st.sampled_from(["weibo", "wechat"])), "official": True,
                        "author": draw(st.sampled_from(ACCOUNTS)), "text": template.format(place=place, body=body),
                        "published_at": (NOW - timedelta(hours=12) + timedelta(minutes=minute)).isoformat()})
    for j in range(draw(st.integers(min_value=0, max_value=4))):
        original = draw(st.sampled_from(records[:originals]))
        comment = draw(st.sampled_from(COMMENTS))
        later = datetime.fromisoformat(original["published_at"]) + timedelta(minutes=5 + j)
        # Weibo passes a long post on cut short: the quote may be only its start
        cut = draw(st.integers(min_value=10, max_value=len(original["text"])))
        quote = original["text"] if cut == len(original["text"]) else original["text"][:cut] + "……"
        records.append({"id": f"r{j}", "platform": "weibo", "author": f"转发者{j}", "reposts_of": original["id"],
                        "text": f"{comment} //@{original['author']}:{quote}",
                        "published_at": later.isoformat()})
    return records


def _posts(records: list[dict[str, Any]]) -> list[PostInput]:
    return [to_post({k: v for k, v in r.items() if k not in ("reposts_of", "official")}, n + 1, NOW)
            for n, r in enumerate(records)]


def partition(ctx: TriageContext, cfg: Config, template: Path, runs: list[list[dict[str, Any]]]) -> dict[str, int]:
    """Each record's final event after triaging ``runs`` one after the other in a fresh database
    (a copy of the migrated ``template``)."""
    from sqlalchemy import select

    from pipeline.storage.models import Event, Post

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(copy_template(template, Path(tmp) / "p.db"))
        with session_scope(engine) as s:
            seed_units(s, cfg)
        for run in runs:
            with session_scope(engine) as s:
                triage_posts(s, _posts(run), ctx, NOW)
        with session_scope(engine) as s:
            merged = dict(s.execute(select(Event.id, Event.merged_into)).all())
            rows = s.execute(select(Post.platform_id, Post.event_id)).all()
        engine.dispose()

    def final(eid: int) -> int:
        while merged.get(eid):
            eid = merged[eid]
        return eid

    return {str(pid): final(eid) for pid, eid in rows}


def groups(found: dict[str, int]) -> set[frozenset[str]]:
    by_event: dict[int, set[str]] = defaultdict(set)
    for pid, eid in found.items():
        by_event[eid].add(pid)
    return {frozenset(g) for g in by_event.values()}


# Each example triages whole batches with the real models; shrinking a failure would take many
# minutes, so a failing batch is reported as generated (its records are in the assertion). In CI
# the examples are derandomised (the same every run, so a landing never depends on luck); a
# developer explores further with YUQING_PROPERTY_EXAMPLES=200 and fresh random examples.
PROPERTY = settings(max_examples=int(os.environ.get("YUQING_PROPERTY_EXAMPLES", "20")), deadline=None,
                    phases=[Phase.explicit, Phase.generate], derandomize=os.environ.get("CI") == "true",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(records=batches())
def test_posts_naming_different_townships_never_share_an_event(ctx: TriageContext, cfg: Config, sqlite_template: Path,
                                                               records: list[dict[str, Any]]) -> None:
    found = partition(ctx, cfg, sqlite_template, [records])
    posts = {p.input_id: p for p in _posts(records)}
    towns = {pid: set(ctx.gazetteer.match(ctx.tokenizer.doc(p.text), p.source, p.author).townships)
             for pid, p in posts.items()}
    for a in found:
        for b in found:
            if a < b and found[a] == found[b] and towns[a] and towns[b]:
                assert towns[a] & towns[b], (a, b, towns[a], towns[b], posts[a].text, posts[b].text)


@PROPERTY
@given(records=batches(), seed=st.randoms(use_true_random=False))
def test_the_partition_does_not_depend_on_batch_order_or_on_splitting(ctx: TriageContext, cfg: Config, sqlite_template: Path,
                                                                      records: list[dict[str, Any]],
                                                                      seed: Any) -> None:
    whole = groups(partition(ctx, cfg, sqlite_template, [records]))
    shuffled = list(records)
    seed.shuffle(shuffled)
    reordered = groups(partition(ctx, cfg, sqlite_template, [shuffled]))
    assert reordered == whole, _differing(records, whole, reordered)
    ordered = sorted(records, key=lambda r: r["published_at"])
    half = len(ordered) // 2
    split = groups(partition(ctx, cfg, sqlite_template, [ordered[:half], ordered[half:]]))
    assert split == whole, _differing(records, whole, split)


def _differing(records: list[dict[str, Any]], a: set[frozenset[str]], b: set[frozenset[str]]) -> str:
    """The records of the groups that differ, for the failure message (no shrinking here)."""
    ids = set().union(*(a ^ b))
    return "\n".join(f"{r['id']} {r['published_at']} {r['text']}" for r in records if r["id"] in ids) + \
        f"\none batch: {sorted(map(sorted, a - b))}\nother: {sorted(map(sorted, b - a))}"


@PROPERTY
@given(records=batches())
def test_a_repost_always_joins_what_it_reposts(ctx: TriageContext, cfg: Config, sqlite_template: Path,
                                               records: list[dict[str, Any]]) -> None:
    found = partition(ctx, cfg, sqlite_template, [records])
    for r in records:
        if "reposts_of" in r:
            assert found[r["id"]] == found[r["reposts_of"]], (r["text"],)


@PROPERTY
@given(records=batches())
def test_an_own_release_never_creates_a_task(ctx: TriageContext, cfg: Config, sqlite_template: Path,
                                             records: list[dict[str, Any]]) -> None:
    """Whatever it joins, an official account's post is never an item of its own, and an event
    made only of releases has no owner and no deadline (RULES.md §4)."""
    from sqlalchemy import func, select

    from pipeline.storage.models import Assignment, Post

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(copy_template(sqlite_template, Path(tmp) / "r.db"))
        with session_scope(engine) as s:
            seed_units(s, cfg)
        with session_scope(engine) as s:
            triage_posts(s, _posts(records), ctx, NOW)
        official = {r["id"] for r in records if r.get("official")}
        with session_scope(engine) as s:
            rows = s.execute(select(Post.platform_id, Post.event_id, Post.relevant)).all()
            by_event: dict[int, set[str]] = defaultdict(set)
            for pid, eid, relevant in rows:
                by_event[eid].add(str(pid))
                assert not (str(pid) in official and relevant), pid
            for eid, members in by_event.items():
                if members <= official:
                    held = s.scalar(select(func.count()).select_from(Assignment).where(Assignment.event_id == eid))
                    assert held == 0, (eid, sorted(members))
        engine.dispose()
