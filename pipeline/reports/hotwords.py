"""Hot words (热词) of a period: the nouns and verbs most posts use, cut and tagged by the
project's tokenizer (rjieba with the 云和 user dictionary). A word counts once per post, so one
long post cannot fill the list; single characters, numerals and measure words (一辆, 几个),
time and place words (早上, 路边), function words and the county's own name are left out.
Pure: the texts come from ``pipeline.queries.report_figures.period_texts``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from classifiers.tokenize import Tokenizer
from pipeline.queries.report_common import Count

TOP = 20
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Parts of speech that carry what posts are about: nouns (n, nr, ns, nt, nz …), verbs (v, vn),
# idioms and set phrases (i, l), abbreviations (j), Latin words (eng).
KEPT_TAGS = ("n", "v", "i", "l", "j", "eng")
_FUNCTION_WORDS = """
我们 你们 他们 她们 这个 那个 什么 一个 没有 就是 还是 已经 因为 所以 但是 如果 可以 现在 今天 昨天 明天 大家
自己 这样 怎么 这些 那些 而且 以及 进行 相关 有关 目前 表示 情况 问题 工作 要求 网友 记者 一些 时候 一下 不是
这里 那里 知道 觉得 真的 还有 然后 非常 比较 领导 您好 你好 尊敬 希望 请问 谢谢 反映 部门 我家 村里 县里 市民
居民 群众 小编 后台 粉丝 转发 微博 全文 网页 链接 展开 发现 出现 开始 通过 对于 关于 由于 之后 之前 以上 以下
左右 其中 正在 一直 为了 不能 不会 需要 应该 可能 这次 这种 每天 一天 两天 多少 近日 日前 近期 最近 一名 一位
一起 一下子 各位 其他 另外 同时 随后 此外 并且 或者 以后 以前 为什么 怎么办 能否 是否 不要 不用 一定
"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split())


def hot_words(texts: Iterable[str], tokenizer: Tokenizer, exclude: Iterable[str] = (), n: int = TOP) -> tuple[Count, ...]:
    """The ``n`` words found in the most texts, with how many texts use each (ties by word)."""
    skip = STOPWORDS | set(exclude)
    found: Counter[str] = Counter()
    for text in texts:
        found.update({w for w, tag in tokenizer.tag(text)
                      if len(w) >= 2 and tag.startswith(KEPT_TAGS) and w not in skip and _WORD.search(w)})
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Count(word, count) for word, count in ranked[:n])
