"""An event's headline for people (报告与页面中的事件名称): place + kind + key fact, built from what
the posts' incident clues say (``pipeline.rules.clues``: townships, spots, kinds of incident,
routine matters, objects, deaths and injuries) — 崇头镇云和梯田客车交通事故致12人死亡 — and,
when the clues name no kind or matter, the best title of the posts or their first sentence,
shortened only at a clause boundary, never in the middle of a word. Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import rjieba

from pipeline.rules.clues import FOREIGN

MOST = 30
_TOWN_SUFFIX = re.compile(r"(畲族乡|街道|镇|乡)$")
_CLAUSE = re.compile(r"[。！？!?；;\n]")
_PAUSE = re.compile(r"[，,、：:（(]")
_NOISE = re.compile(r"#[^#]{1,30}#|【[^】]{0,12}】|https?://\S+|^\s*(?:转发微博|回复)[:：]?|//@.*$|@[^\s:：@]{1,30}")


def _most(values: Iterable[str]) -> str | None:
    counted = Counter(v for v in values if v)
    return min(counted, key=lambda v: (-counted[v], v)) if counted else None


def _fact(clues: Sequence[Mapping[str, Any]]) -> str:
    deaths = max((int(c["deaths"]) for c in clues if c.get("deaths")), default=0)
    hurt = max((int(c["hurt"]) for c in clues if c.get("hurt")), default=0)
    if deaths and hurt:
        return f"致{deaths}人死亡{hurt}人受伤"
    if deaths:
        return f"致{deaths}人死亡"
    return f"致{hurt}人受伤" if hurt else ""


def from_clues(clues: Sequence[Mapping[str, Any]], incidents_only: bool = False) -> str | None:
    """Place + (object +) kind + casualties, or None when the clues name no kind or matter (or,
    with ``incidents_only``, no incident with a casualty figure)."""
    kind = _most(k for c in clues for k in c.get("kinds") or ())
    matter = _most(m for c in clues for m in c.get("matters") or ())
    fact = _fact(clues)
    if (kind is None and matter is None) or (incidents_only and not (kind and fact)):
        return None
    town = _most(t for c in clues for t in (c.get("townships") or c.get("towns") or ()) if not t.startswith(FOREIGN))
    spot = _most(s for c in clues for s in c.get("spots") or ())
    thing = _most(str(o).split(":")[-1] for c in clues for o in c.get("objects") or ())
    # the spot says the town already: 紧水滩水库 in 紧水滩镇, 崇头镇梯田 in 崇头镇
    said = bool(spot and town and spot.startswith(_TOWN_SUFFIX.sub("", town)))
    place = "".join(p for p in (None if said else town, spot) if p)
    if kind:
        what = (thing + kind) if thing and thing not in kind else kind   # 客车交通事故, 客车坠落, 民房火灾
        what += "" if fact or what.endswith(("事故", "问题", "事件")) else "事件"
    else:
        what = f"{matter}问题"
    return place + what + fact


def clipped(text: str, most: int = MOST) -> str:
    """The first sentence of ``text`` (noise removed), shortened at a pause (，、：) when longer
    than ``most``; a sentence with no pause early enough is cut after its last whole word
    (jieba's words) that fits, and ends with …: a headline is never cut inside a word."""
    clean = _NOISE.sub("", text).strip()
    first = next((s.strip() for s in _CLAUSE.split(clean) if s.strip()), clean)
    if len(first) <= most:
        return first
    pauses = [m.start() for m in _PAUSE.finditer(first) if 6 <= m.start() <= most]
    if pauses:
        return first[: pauses[-1]]
    kept = ""
    for word in rjieba.cut(first):
        if len(kept) + len(word) > most - 1:
            break
        kept += word
    return (kept or first[: most - 1]) + "…"


def headline(clues: Sequence[Mapping[str, Any]], titles: Sequence[str], texts: Sequence[str], fallback: str) -> str:
    """The event's headline: an incident with casualties from its clues (place + kind + figure);
    else the most common title of its posts (news, forum and WeChat posts have one); else place +
    kind or matter from the clues; else the first sentence of its first text; else ``fallback``
    (the stored title), each shortened only at a pause."""
    incident = from_clues(clues, incidents_only=True)
    if incident:
        return incident
    title = _most(clipped(t) for t in titles if t and t.strip())
    if title:
        return title
    built = from_clues(clues)
    if built:
        return built
    return next((clipped(t) for t in texts if t and clipped(t)), clipped(fallback) or fallback)
