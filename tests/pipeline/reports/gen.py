"""A generated month of posts for the report tests: many distinct local matters of 云和县 (each
a place, a complaint and its details, posted one to four times, some reposted), accidents with
casualty counts (the urgent grades), rumours, and posts about elsewhere — spread over the days
of the month. Deterministic (a seeded random generator)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from pipeline.timeparse import SHANGHAI

PLACES = ["浮云街道中山社区", "浮云街道红光村", "浮云街道象山村", "浮云街道大徐村", "元和街道箬溪社区", "元和街道古竹村",
          "元和街道小徐村", "元和街道睦田村", "白龙山街道长田村", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇", "赤石乡",
          "雾溪畲族乡坪垟岗村", "安溪畲族乡"]
THINGS = ["路灯", "下水道", "垃圾桶", "公厕", "人行道", "小区电梯", "自来水管", "菜市场", "停车场", "桥梁护栏", "公交站台",
          "篮球场", "健身器材", "污水井盖", "消防通道", "农贸市场"]
TROUBLES = ["坏了两个月没人修", "堵了一直没人管", "噪音扰民半夜还在施工", "被占用好久了", "破损严重存在安全隐患",
            "臭气熏天影响居民生活", "乱收费群众意见很大", "拖欠工人工资三个月"]
ASKS = ["希望有关部门尽快处理", "请领导关注一下", "打了热线也没人回复", "老人小孩出行很不方便", "已经有人摔伤了",
        "向社区反映多次没有结果"]
RUMOURS = ["网传{p}水库要溃坝了，大家赶紧转移，转发扩散！", "听说{p}出现疫情要封村了，千万别去，消息可靠",
           "{p}自来水被投毒了，不要喝自来水，紧急扩散", "{p}有人贩子抢小孩，已经丢了好几个，家长注意转发"]
ACCIDENTS = ["{p}发生一起严重车祸，一辆货车与客车相撞，已造成{n}人死亡，多人受伤送医",
             "{p}一处民房突发火灾，火势很大，已有{n}人遇难",
             "{p}工地脚手架坍塌，事故造成{n}人死亡，救援仍在进行"]
ELSEWHERE = ["杭州今晚的演唱会太好听了，明星状态超级好{k}", "上海迪士尼排队三个小时，太累了{k}",
             "北京今天大风降温，出门注意保暖{k}", "广州早茶推荐，这家虾饺真不错{k}"]
PLATFORMS = ["weibo", "weibo", "message_board", "news", "wechat"]


def _matter(rng: random.Random, k: int) -> tuple[str, str]:
    place = rng.choice(PLACES)
    text = (f"{place}{rng.choice(THINGS)}{rng.choice(TROUBLES)}，{rng.choice(ASKS)}。"
            f"编号{k:05d}，具体位置在{place}第{rng.randint(1, 99)}号附近{rng.choice(['东侧', '西侧', '路口', '后面'])}。")
    return place, text


def _texts(rng: random.Random, k: int) -> list[str]:
    """One matter's posts: the first, then the same matter again or reposted."""
    roll = rng.random()
    if roll < 0.06:
        text = rng.choice(RUMOURS).format(p=rng.choice(PLACES)) + f"（第{k}条消息）"
    elif roll < 0.08:
        text = rng.choice(ACCIDENTS).format(p=rng.choice(PLACES), n=rng.choice([3, 4, 5, 11, 12])) + f"（现场{k}）"
    elif roll < 0.14:
        return [rng.choice(ELSEWHERE).format(k=k)]
    else:
        text = _matter(rng, k)[1]
    posts = [text]
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        posts.append(f"转发微博：{text} //@网友{rng.randint(1, 999)}:关注" if rng.random() < 0.5 else f"{text}还没解决吗")
    return posts


def month_records(year: int, month: int, matters: int, seed: int = 17) -> list[dict[str, Any]]:
    """``matters`` matters spread over the month: records for ``to_post``, each with ``_seen``
    (when it is detected: the triage batch's clock), sorted by it."""
    rng = random.Random(seed)
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    days = ((start.replace(day=28) + timedelta(days=4)).replace(day=1) - start).days
    records: list[dict[str, Any]] = []
    for k in range(matters):
        first = start + timedelta(days=rng.randrange(days), hours=rng.choice([1, 3, 5, 8, 10, 13, 15, 18, 20, 22]))
        for j, text in enumerate(_texts(rng, k)):
            seen = min(first + timedelta(hours=5 * j), start + timedelta(days=days) - timedelta(minutes=1))
            records.append({"id": f"g{k}-{j}", "platform": rng.choice(PLATFORMS), "author": f"网友{rng.randint(1, 5000)}",
                            "text": text, "reposts": rng.randint(0, 50), "comments": rng.randint(0, 20),
                            "likes": rng.randint(0, 100), "_seen": seen})
    return sorted(records, key=lambda r: r["_seen"])
