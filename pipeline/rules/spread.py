"""How an event spread (传播分析), computed from its posts alone: who published first and when,
when each platform joined, and the repost chain rebuilt as a tree (networkx) from the
``//@account:`` segments of reposts and from their links to the reposted post
(``raw.retweeted_id``); the key spreaders are the accounts whose own posts and the reposts made
through them carried the most reach (转发+评论+点赞). Pure: the posts come from
``pipeline.queries.event_report``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by the functions that build the tree: triage reads only ``chain``
    import networkx as nx

_REPOST_HEAD = re.compile(r"^\s*(?:转发微博|轉發微博|Repost)[:：]?\s*")
_SEGMENT = re.compile(r"//@([^:：/\s]{1,30})[:：]")
KEY_SPREADERS = 5
TREE_ROWS = 30


@dataclass(frozen=True)
class SpreadPost:
    """One post as the spread analysis needs it."""

    key: str                      # the post's own id on its platform (or a stand-in)
    platform: str
    author: str | None
    text: str
    at: datetime                  # its publication time when known, else when it was detected
    engagement: int               # known reposts + comments + likes (unknown counts as 0)
    reposted: str | None = None   # the platform id of the post it reposts, when the platform says


@dataclass(frozen=True)
class Spreader:
    account: str
    platform: str
    posts: int                    # its own posts and reposts in the event
    own_reach: int                # the engagement of those posts
    carried_reach: int            # ... plus that of the reposts made through it (its subtree)


@dataclass(frozen=True)
class TreeLine:
    depth: int                    # 0: a root (an original post or the head of a chain)
    account: str
    platform: str
    at: datetime | None           # when its post appeared (None: seen only inside a repost chain)
    reach: int                    # the engagement carried by it and its subtree
    comment: str                  # what it added when reposting (may be empty)


@dataclass(frozen=True)
class Spread:
    accounts: int                 # accounts in the tree
    reposts: int                  # edges (one account passing on another's post)
    depth: int                    # the longest chain, in hops
    tree: tuple[TreeLine, ...]    # pre-order, the widest-reaching branches first
    spreaders: tuple[Spreader, ...]


def chain(text: str) -> list[tuple[str, str]]:
    """The ``//@account:comment`` segments of a repost, nearest first: ``[(account, its words)]``;
    the last one is the text that was passed on."""
    body = _REPOST_HEAD.sub("", text)
    marks = list(_SEGMENT.finditer(body))
    return [(m.group(1), body[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(body)].strip())
            for i, m in enumerate(marks)]


def own_comment(text: str) -> str:
    """What the poster of a repost wrote before the chain (empty for a bare 转发微博)."""
    body = _REPOST_HEAD.sub("", text)
    cut = body.find("//@")
    return (body if cut < 0 else body[:cut]).strip()


def repost_graph(posts: Sequence[SpreadPost]) -> nx.DiGraph:
    """Accounts as nodes (``platform:name``), an edge from the account passed on to the one who
    passed it on; every node carries its posts, their reach and its first moment."""
    import networkx as nx  # here: 0.15 s and 11 MB every triage command would load for nothing
    graph = nx.DiGraph()
    by_id = {p.key: p for p in posts}
    for p in sorted(posts, key=lambda q: q.at):
        me = _node(graph, p.platform, p.author or "匿名用户")
        data = graph.nodes[me]
        data["posts"] += 1
        data["reach"] += p.engagement
        data["at"] = data["at"] or p.at
        if chain(p.text) or p.reposted:
            data["comment"] = data["comment"] or own_comment(p.text)[:60]
        child = me
        links = chain(p.text)
        for i, (account, words) in enumerate(links):
            parent = _node(graph, p.platform, account)
            if i < len(links) - 1:   # the last segment is the passed-on original, not a comment
                graph.nodes[parent]["comment"] = graph.nodes[parent]["comment"] or words[:60]
            _link(graph, parent, child)
            child = parent
        source = by_id.get(p.reposted or "")
        if source is not None and source is not p and not chain(p.text):
            _link(graph, _node(graph, source.platform, source.author or "匿名用户"), me)
    return graph


def _node(graph: nx.DiGraph, platform: str, account: str) -> str:
    name = f"{platform}:{account}"
    if name not in graph:
        graph.add_node(name, account=account, platform=platform, posts=0, reach=0, at=None, comment="")
    return name


def _link(graph: nx.DiGraph, parent: str, child: str) -> None:
    """The first parent found is kept (a tree): an account that passed on two chains hangs
    under the earlier one; a link that would close a cycle is ignored."""
    import networkx as nx

    if parent == child or graph.in_degree(child) or nx.has_path(graph, child, parent):
        return
    graph.add_edge(parent, child)


def spread(posts: Sequence[SpreadPost]) -> Spread:
    """The repost tree and the key spreaders of an event's posts."""
    import networkx as nx

    graph = repost_graph(posts)
    carried = {n: sum(graph.nodes[d]["reach"] for d in nx.descendants(graph, n)) + graph.nodes[n]["reach"]
               for n in graph}
    roots = sorted((n for n in graph if graph.in_degree(n) == 0), key=lambda n: (-carried[n], n))
    lines: list[TreeLine] = []
    for root in roots:
        _walk(graph, root, 0, carried, lines)
    spreaders = sorted((n for n in graph if graph.nodes[n]["posts"] or graph.out_degree(n)),
                       key=lambda n: (-carried[n], -graph.out_degree(n), n))
    return Spread(
        accounts=graph.number_of_nodes(), reposts=graph.number_of_edges(),
        depth=max((nx.dag_longest_path_length(graph),) if graph else (0,)),
        tree=tuple(lines[:TREE_ROWS]),
        spreaders=tuple(Spreader(graph.nodes[n]["account"], graph.nodes[n]["platform"], graph.nodes[n]["posts"],
                                 graph.nodes[n]["reach"], carried[n]) for n in spreaders[:KEY_SPREADERS]),
    )


def _walk(graph: nx.DiGraph, node: str, depth: int, carried: dict[str, int], lines: list[TreeLine]) -> None:
    data = graph.nodes[node]
    lines.append(TreeLine(depth, data["account"], data["platform"], data["at"], carried[node], data["comment"]))
    for child in sorted(graph.successors(node), key=lambda n: (-carried[n], n)):
        _walk(graph, child, depth + 1, carried, lines)
