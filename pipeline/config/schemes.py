"""Monitoring schemes (监测方案) as configured in ``data/config/schemes.yaml``: the schemes, their
effects and their expressions (AND / OR / NOT and parentheses, also 与 / 或 / 非, & | !), parsed
and validated when the file is loaded. Matching them against posts is a rule
(``pipeline.rules.schemes``)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.config.files import ConfigError, read_yaml, validated
from pipeline.vocabulary import KEY_CATEGORIES

Node = tuple[str, Any]  # ("word", str) | ("and" | "or", list[Node]) | ("not", Node)


class SchemeError(ValueError):
    """A scheme file or expression that cannot be used; the message (Chinese) says why."""


# --- expressions ----------------------------------------------------------------------------------

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
    if not path.exists():
        return SchemesConfig()
    cfg = validated(SchemesConfig, read_yaml(path) or {}, path)
    unknown = [f"{s.name}：{s.effects.topic}" for s in cfg.schemes if s.effects.topic and s.effects.topic not in topics]
    if unknown:
        raise ConfigError(f"{path}：监测方案指定的领域不存在（{'、'.join(unknown)}）")
    return cfg
