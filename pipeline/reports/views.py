"""What people say about an event (网民观点), from any list of texts — its posts' own words, the
comments added along repost chains, and comments when they are collected — grouped into a few
views with their share and one representative sentence each. No model, nothing downloaded:

1. every text is cut into sentences, and each sentence into the project's tokens (rjieba with
   the 云和 dictionary; stop words and the county's names left out) plus its character pairs,
   so that short sentences (愿伤者平安) still compare;
2. the sentences are ranked TextRank-style: PageRank (networkx) over the graph of sentences
   linked by their cosine similarity, so a sentence many others echo ranks high;
3. in rank order, a sentence joins the first view whose representative (its highest-ranked
   sentence) it resembles (cosine ≥ ``SIMILAR``), else it opens a view of its own;
4. views said by exactly the same texts are one view (the sentences of one account); a view's
   share is the share of texts that say it (a text may say several, so shares can add to more
   than 100%). Views said by one text only are dropped when there are many texts.

Pure: ``Tokenizer`` is passed in, the texts come from the queries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

SIMILAR = 0.28
MOST_VIEWS = 5
MANY_TEXTS = 10            # from this many texts on, a view needs two texts saying it
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOISE = re.compile(r"#[^#]{1,30}#|【[^】]{0,12}】|https?://\S+|@[^\s:：@]{1,30}")

METHOD = ("网民观点的归纳方法：将事件相关信息（含转发时附加的评论与采集到的网民评论）逐句切分并分词，按词语与相邻字的相似度构建句子关系图，"
          "用 TextRank（PageRank）算法为句子排序；按排序依次归并相似的句子，形成若干观点，每个观点取排序最高的一句作为代表性表述。"
          "占比为表达该观点的信息条数占参与归纳的信息条数的比例，一条信息可表达多个观点，故占比之和可超过100%。")


@dataclass(frozen=True)
class View:
    sentence: str              # the representative sentence, whole
    keywords: tuple[str, ...]  # its most frequent words across the view
    texts: int                 # how many texts say it
    share: float               # texts / all texts


def sentences(text: str) -> list[str]:
    """A text's sentences, hashtags, 【labels】, links and @names removed; those with fewer than
    four Chinese characters left out."""
    clean = _NOISE.sub("", text)
    return [s.strip() for s in _SENTENCE.findall(clean) if len(_HAN.findall(s)) >= 4]


def _vector(sentence: str, cut: Callable[[str], list[str]], stop: frozenset[str]) -> Counter[str]:
    words = [w for w in cut(sentence) if len(w) >= 2 and w not in stop and _HAN.search(w)]
    han = "".join(_HAN.findall(sentence))
    return Counter(words) + Counter(han[i: i + 2] for i in range(len(han) - 1))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def views(texts: Iterable[str], cut: Callable[[str], list[str]], stop: Iterable[str] = (),
          most: int = MOST_VIEWS) -> tuple[tuple[View, ...], int]:
    """The views of ``texts`` (see the module doc), most widely said first, and how many texts
    took part (texts without a sentence of their own do not)."""
    skip = frozenset(stop)
    unique = list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))
    said = [(i, s) for i, t in enumerate(unique) for s in dict.fromkeys(sentences(t))]
    if not said:
        return (), 0
    total = len({i for i, _ in said})
    vectors = [_vector(s, cut, skip) for _, s in said]
    rank = _textrank(vectors)
    groups: list[list[int]] = []
    for k in sorted(range(len(said)), key=lambda k: (-rank[k], k)):
        home = next((g for g in groups if _cosine(vectors[g[0]], vectors[k]) >= SIMILAR), None)
        if home is None:
            groups.append([k])
        else:
            home.append(k)
    merged: dict[frozenset[int], list[int]] = {}
    for g in groups:
        merged.setdefault(frozenset(said[k][0] for k in g), []).extend(g)
    found = [_view(members, said, rank, len(owners), total, cut, skip) for owners, members in merged.items()]
    if total >= MANY_TEXTS:
        found = [v for v in found if v.texts >= 2]
    found.sort(key=lambda v: (-v.texts, v.sentence))
    return tuple(found[:most]), total


def _textrank(vectors: Sequence[Counter[str]]) -> list[float]:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(vectors)))
    for a in range(len(vectors)):
        for b in range(a + 1, len(vectors)):
            weight = _cosine(vectors[a], vectors[b])
            if weight > 0.05:
                graph.add_edge(a, b, weight=weight)
    scores = nx.pagerank(graph, weight="weight") if graph.number_of_edges() else {}
    return [scores.get(k, 1 / len(vectors)) for k in range(len(vectors))]


def _view(members: list[int], said: list[tuple[int, str]], rank: list[float], owners: int, total: int,
          cut: Callable[[str], list[str]], stop: frozenset[str]) -> View:
    best = max(members, key=lambda k: (rank[k], -k))
    words: Counter[str] = Counter()
    for k in members:
        words.update({w for w in cut(said[k][1]) if len(w) >= 2 and w not in stop and _HAN.search(w)})
    top = tuple(w for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return View(said[best][1], top, owners, owners / total)
