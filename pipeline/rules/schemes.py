"""Monitoring schemes (监测方案) matched against posts: what the analysts watch, in their own words.

A scheme (``data/config/schemes.yaml``, loaded by ``pipeline.config.schemes``) has 地域词, 主体词 and 事件词 (any word of a group; every
group given must match) and 排除词 (none may match), and may add an expression with AND / OR /
NOT and parentheses (also 与 / 或 / 非, & | !) for anything the groups cannot say. Words are
matched on the raw text and on tokens, after folding traditional characters to simplified ones
(雲和 → 云和): a word of three or more characters anywhere in the text, a shorter one only as the
start of a jieba token, so that 局村 is not found in 公安局村民. A hit can mark the post relevant,
pin its topic, add a key category, or ask for an alert to the analysts at once (敏感词即时预警);
the triage output says which scheme matched and on which words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Any

from classifiers.tokenize import Doc, Tokenizer
from pipeline.config.schemes import Effects, Node, Scheme, SchemesConfig, parse


@lru_cache(maxsize=1)
def _traditional() -> frozenset[str]:
    """Characters that only ever appear on the traditional side of zhconv's table: a text with
    none of them reads the same folded, and most posts have none."""
    import zhconv  # here, not at import: it loads pkg_resources (0.15 s of every command's start)

    table = zhconv.zhconv.getdict("zh-hans")
    return frozenset("".join(table)) - frozenset("".join(table.values()))


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Traditional → simplified characters, so 雲和縣 matches 云和县."""
    if _traditional().isdisjoint(text):
        return text
    import zhconv

    return str(zhconv.convert(text, "zh-hans"))


# --- matching --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SchemeHit:
    scheme: str
    words: list[str]
    effects: Effects

    def as_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "words": self.words}


class _Text:
    """A post's folded text and tokens, and which words it contains (each word looked up once
    per post: the same words recur across schemes)."""

    def __init__(self, doc: Doc) -> None:
        self.text = fold(doc.text)
        self.tokens = doc.tokens if self.text == doc.text else tuple(Tokenizer().cut(self.text))
        self._hits: dict[str, bool] = {}

    @cached_property
    def offsets(self) -> dict[int, int] | None:
        """Each token's length by where it starts in the text (None when the tokens do not
        spell the text)."""
        lengths = list(map(len, self.tokens))
        ends = list(accumulate(lengths))
        if not ends or ends[-1] != len(self.text):
            return None
        return dict(zip([0, *ends[:-1]], lengths, strict=True))

    @cached_property
    def starts(self) -> frozenset[str]:
        """Every token's one- and two-character starts, for tokens that do not spell the text."""
        return frozenset(t[:n] for t in self.tokens for n in (1, 2) if len(t) >= n)

    def has(self, word: str) -> bool:
        hit = self._hits.get(word)
        if hit is None:
            hit = self._hits[word] = self._find(fold(word))
        return hit

    def _find(self, word: str) -> bool:
        if len(word) >= 3:
            return word in self.text
        at = self.text.find(word)
        if at < 0:
            return False
        offsets = self.offsets
        if offsets is None:
            return word in self.starts
        while at >= 0:  # a short word counts only as the start of a token
            if offsets.get(at, 0) >= len(word):
                return True
            at = self.text.find(word, at + 1)
        return False


def _holds(node: Node, text: _Text) -> bool:
    """Whether the expression holds (short-circuiting: most posts match no scheme)."""
    kind, value = node
    if kind == "word":
        return text.has(str(value))
    if kind == "not":
        return not _holds(value, text)
    if kind == "and":
        return all(_holds(child, text) for child in value)
    return any(_holds(child, text) for child in value)


def _words(node: Node, text: _Text, seen: list[str]) -> None:
    """The words present in the text that an expression known to hold relies on (none under NOT)."""
    kind, value = node
    if kind == "word":
        if text.has(str(value)):
            seen.append(str(value))
    elif kind in ("and", "or"):
        for child in value:
            _words(child, text, seen)


def match_scheme(scheme: Scheme, text: _Text) -> SchemeHit | None:
    """The scheme's hit on this text (the words that made it), or None."""
    for group in (scheme.region, scheme.subject, scheme.event):
        if group and not any(text.has(w) for w in group):
            return None
    if any(text.has(w) for w in scheme.exclude):
        return None
    expression = parse(scheme.expression) if scheme.expression is not None else None
    if expression is not None and not _holds(expression, text):
        return None
    seen = [w for group in (scheme.region, scheme.subject, scheme.event) for w in group if text.has(w)]
    if expression is not None:
        _words(expression, text, seen)
    return SchemeHit(scheme.name, list(dict.fromkeys(seen)), scheme.effects)


def match_schemes(schemes: SchemesConfig, doc: Doc) -> list[SchemeHit]:
    """Every scheme this post matches, in the file's order (text that folding changed is cut
    again with the process's loaded dictionary)."""
    if not schemes.schemes:
        return []
    text = _Text(doc)
    return [hit for s in schemes.schemes if (hit := match_scheme(s, text)) is not None]
