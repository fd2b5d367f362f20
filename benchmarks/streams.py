"""Generated post streams for the benchmarks, like what a county's monitoring really sees.

* Originals recombine sentences of the project's own corpus around a 云和 place, so posts
  share whole sentences, everyday phrases ("已经反映过好几次", "希望尽快处理" …) and a letter's
  polite opening and closing.
* One post in five is a repost with its own comment (``评论 //@原作者:原文``, sometimes a
  chain of two), and a few originals are reposted far more than others (a long tail).
* Optionally every complaint ends in the same standard passage (a hotline export's footer).

Everything is seeded, so a benchmark compares like with like.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

from classifiers.training import read_corpus
from pipeline.settings import Settings

PLACES = ["浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇", "赤石乡",
          "雾溪畲族乡", "安溪畲族乡", "中山社区", "古竹村", "云和县", ""]
PLATFORMS = ["weibo", "wechat", "news", "message_board", "forum"]
OPENINGS = ["尊敬的领导：您好！", "领导您好，", "您好，我要反映一个问题：", "各位领导好，我是本地居民，",
            "尊敬的县长：您好！我想反映一个情况，"]
CLOSINGS = ["希望相关部门尽快处理，谢谢！", "恳请领导重视，尽快解决，谢谢！", "已经反映过好几次了，希望尽快处理。",
            "盼复，谢谢！", "希望有关部门重视一下，给老百姓一个说法。"]
EVERYDAY = ["已经反映过好几次了", "希望尽快处理", "希望有关部门重视一下", "请相关部门管一管", "麻烦领导关注一下",
            "到现在都没有人管", "谢谢！", "盼复。", "大家都很着急", "这个问题拖了很久了"]
COMMENTS = ["转发微博", "支持", "同问", "太过分了", "希望尽快处理", "已经反映过好几次了，一直没人管",
            "我们村也是这样", "顶一下，让更多人看到", "这事得有人管管", "关注", "@云和发布 请关注",
            "说得对，我家那边也一样，打了好几次电话都说在处理", "早该整治了", "希望有关部门重视一下"]
FOOTER = ("【温馨提示】本工单由12345政务服务便民热线受理，请承办单位在规定时限内办结并反馈；"
          "如对办理结果不满意，可再次拨打12345热线反映，我们将跟踪督办直至问题解决。")


def corpus_sentences(settings: Settings) -> list[str]:
    corpus = read_corpus(settings.training_corpus_dir)
    return [s for t in corpus["text"] for s in re.split(r"(?<=[。！？!?])", str(t)) if len(s) >= 8]


def original(rng: random.Random, sentences: list[str]) -> str:
    """A letter or post: often a polite opening and closing, an everyday phrase, a place."""
    parts = [rng.choice(OPENINGS) if rng.random() < 0.4 else "", rng.choice(PLACES)]
    while sum(len(p) for p in parts) < rng.randint(110, 190):
        parts.append(rng.choice(sentences))
    if rng.random() < 0.5:
        parts.append(rng.choice(EVERYDAY))
    if rng.random() < 0.4:
        parts.append(rng.choice(CLOSINGS))
    return "".join(parts)[:240]


def repost(rng: random.Random, of: dict[str, Any]) -> str:
    comment = rng.choice(COMMENTS)
    if rng.random() < 0.3:
        comment += "，" + rng.choice(EVERYDAY)
    text = f"{comment} //@{of['author']}:{of['text']}"
    if rng.random() < 0.25:  # a repost of a repost
        text = f"{rng.choice(COMMENTS)} //@用户{rng.randint(1, 5000)}:{text}"
    return text


def stream(n: int, seed: int, settings: Settings, *, start: datetime, footer: bool = False,
           prefix: str = "g", every: timedelta = timedelta(minutes=1)) -> list[dict[str, Any]]:
    """``n`` posts as input records, one ``every`` (a minute) from ``start``."""
    rng = random.Random(seed)
    sentences = corpus_sentences(settings)
    posts: list[dict[str, Any]] = []
    originals: list[dict[str, Any]] = []
    for i in range(n):
        if originals and rng.random() < 0.2:
            # Popular posts are reposted far more: pick among the first ones with a long tail.
            of = originals[min(int(rng.paretovariate(1.2)) - 1, len(originals) - 1)] if rng.random() < 0.5 \
                else rng.choice(originals)
            text = repost(rng, of)
        else:
            text = original(rng, sentences) + (FOOTER if footer else "")
        counts = [rng.choice([None, rng.randint(0, 50), rng.randint(0, 3000)]) for _ in range(3)]
        post = {"id": f"{prefix}{i}", "platform": rng.choice(PLATFORMS), "author": f"用户{rng.randint(1, 5000)}",
                "text": text, "published_at": (start + every * i).isoformat(),
                "reposts": counts[0], "comments": counts[1], "likes": counts[2]}
        if "//@" not in text:
            originals.append(post)
        posts.append(post)
    return posts
