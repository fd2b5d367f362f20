"""Monitoring schemes (监测方案): what the analysts watch, in their own words.

A scheme (``data/config/schemes.yaml``) has 地域词, 主体词 and 事件词 (any word of a group; every
group given must match) and 排除词 (none may match), and may add an expression with AND / OR /
NOT and parentheses (also 与 / 或 / 非, & | !) for anything the groups cannot say. Words are
matched on the raw text and on tokens, after folding traditional characters to simplified ones
(雲和 → 云和): a word of three or more characters anywhere in the text, a shorter one only as the
start of a jieba token, so that 局村 is not found in 公安局村民. A hit can mark the post relevant,
pin its topic, add a key category, or ask for an alert to the analysts at once (敏感词即时预警);
the triage output says which scheme matched and on which words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from classifiers.tokenize import Doc, Tokenizer
from pipeline.vocabulary import KEY_CATEGORIES

Node = tuple[str, Any]  # ("word", str) | ("and" | "or", list[Node]) | ("not", Node)


class SchemeError(ValueError):
    """A scheme file or expression that cannot be used; the message (Chinese) says why."""


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


# --- expressions -----------------------------------------------------------------------------

_OPS = {"AND": "and", "&": "and", "与": "and", "OR": "or", "|": "or", "或": "or", "NOT": "not", "!": "not", "非": "not"}
_TOKEN = re.compile(r'\s*(?:"([^"]+)"|(\(|\)|&|\||!)|([^\s()&|!"]+))')


def _lex(expression: str) -> list[tuple[str, str]]:
    text = expression.replace("（", "(").replace("）", ")").replace("“", '"').replace("”", '"')
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SchemeError(f"表达式“{expression}”第 {pos + 1} 个字符无法识别")
        quoted, punct, word = m.groups()
        if quoted is not None:
            out.append(("word", quoted))
        elif punct in ("(", ")"):
            out.append((punct, punct))
        else:
            item = punct or word
            out.append(("op", _OPS[item]) if item in _OPS else ("word", item))
        pos = m.end()
    return out


@lru_cache(maxsize=256)
def parse(expression: str) -> Node:
    """An expression of words with AND / OR / NOT and parentheses (NOT binds tightest, then
    AND, then OR; two words side by side mean AND)."""
    tokens = _lex(expression)
    if not tokens:
        raise SchemeError("表达式为空")
    node, rest = _parse_or(tokens, expression)
    if rest:
        raise SchemeError(f"表达式“{expression}”多出了“{rest[0][1]}”")
    return node


def _parse_or(tokens: list[tuple[str, str]], src: str) -> tuple[Node, list[tuple[str, str]]]:
    parts: list[Node] = []
    node, tokens = _parse_and(tokens, src)
    parts.append(node)
    while tokens and tokens[0] == ("op", "or"):
        node, tokens = _parse_and(tokens[1:], src)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else ("or", parts)), tokens


def _parse_and(tokens: list[tuple[str, str]], src: str) -> tuple[Node, list[tuple[str, str]]]:
    parts: list[Node] = []
    node, tokens = _parse_not(tokens, src)
    parts.append(node)
    while tokens and (tokens[0] == ("op", "and") or tokens[0][0] in ("word", "(") or tokens[0] == ("op", "not")):
        if tokens[0] == ("op", "and"):
            tokens = tokens[1:]
        node, tokens = _parse_not(tokens, src)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else ("and", parts)), tokens


def _parse_not(tokens: list[tuple[str, str]], src: str) -> tuple[Node, list[tuple[str, str]]]:
    if not tokens:
        raise SchemeError(f"表达式“{src}”不完整")
    kind, value = tokens[0]
    if (kind, value) == ("op", "not"):
        node, rest = _parse_not(tokens[1:], src)
        return ("not", node), rest
    if kind == "(":
        node, rest = _parse_or(tokens[1:], src)
        if not rest or rest[0][0] != ")":
            raise SchemeError(f"表达式“{src}”缺少右括号")
        return node, rest[1:]
    if kind == "word":
        return ("word", value), tokens[1:]
    shown = {"and": "AND", "or": "OR", "not": "NOT"}.get(value, value)
    raise SchemeError(f"表达式“{src}”中“{shown}”的位置不对")


def words_of(node: Node) -> list[str]:
    """Every word an expression names."""
    kind, value = node
    if kind == "word":
        return [str(value)]
    if kind == "not":
        return words_of(value)
    return [w for child in value for w in words_of(child)]


# --- configuration ---------------------------------------------------------------------------

class Effects(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    relevant: bool = Field(default=False, alias="相关")
    topic: str | None = Field(default=None, alias="领域")
    category: str | None = Field(default=None, alias="重点类别")
    alert: bool = Field(default=False, alias="即时预警")

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in KEY_CATEGORIES:
            raise ValueError(f"重点类别“{value}”不存在；可选：{'、'.join(KEY_CATEGORIES)}")
        return value


class Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(alias="名称", min_length=1)
    region: list[str] = Field(default_factory=list, alias="地域词")
    subject: list[str] = Field(default_factory=list, alias="主体词")
    event: list[str] = Field(default_factory=list, alias="事件词")
    exclude: list[str] = Field(default_factory=list, alias="排除词")
    expression: str | None = Field(default=None, alias="表达式")
    effects: Effects = Field(default_factory=Effects, alias="效果")

    @model_validator(mode="after")
    def _usable(self) -> Scheme:
        if not (self.region or self.subject or self.event or self.expression):
            raise ValueError(f"监测方案“{self.name}”没有任何要匹配的词（地域词、主体词、事件词或表达式）")
        if any(not w.strip() for w in [*self.region, *self.subject, *self.event, *self.exclude]):
            raise ValueError(f"监测方案“{self.name}”含有空词")
        if self.expression is not None:
            try:
                parse(self.expression)
            except SchemeError as exc:
                raise ValueError(f"监测方案“{self.name}”：{exc}") from exc
        return self


class SchemesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schemes: list[Scheme] = Field(default_factory=list, alias="监测方案")

    @model_validator(mode="after")
    def _unique(self) -> SchemesConfig:
        names = [s.name for s in self.schemes]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"监测方案名称重复：{'、'.join(doubled)}")
        return self


def load_schemes(path: Path, topics: list[str]) -> SchemesConfig:
    """Read and validate a schemes file (absent: no schemes); errors are Chinese, naming the file."""
    from pipeline.config import ConfigError, explain, read_yaml

    if not path.exists():
        return SchemesConfig()
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}：顶层应为映射（键: 值）")
    try:
        cfg = SchemesConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in err['loc']) or '（顶层）'}：{explain(err)}" for err in exc.errors())
        raise ConfigError(f"{path}：{problems}") from exc
    unknown = [f"{s.name}：{s.effects.topic}" for s in cfg.schemes if s.effects.topic and s.effects.topic not in topics]
    if unknown:
        raise ConfigError(f"{path}：监测方案指定的领域不存在（{'、'.join(unknown)}）")
    return cfg


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
