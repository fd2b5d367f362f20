"""Reading one configuration file: YAML parsed, then validated by a pydantic model. Every
failure is a ``ConfigError`` whose message (Chinese) names the file and the field, never a bare
traceback: the one way ``data/config/*.yaml``, ``sources.yaml``, ``schemes.yaml`` and
``schedules.yaml`` report what is wrong with them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or invalid."""


M = TypeVar("M", bound=BaseModel)
# Where in the file an error is, from the decoded YAML and pydantic's error location.
Describe = Callable[[Any, tuple[Any, ...]], str]


_EXPLAIN = {
    "missing": "缺少此项", "extra_forbidden": "不认识的配置项（是否拼写有误？）", "string_type": "应为文本",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数", "float_parsing": "应为数字",
    "float_type": "应为数字", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "list_type": "应为列表", "dict_type": "应为映射（键: 值）", "model_type": "应为映射（键: 值）",
    "greater_than_equal": "应不小于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}", "literal_error": "只能是 {expected}", "string_too_short": "不能为空",
    "too_short": "不能为空",
}


def explain(err: Any) -> str:
    """A pydantic validation error in Chinese (our own validators already raise Chinese text)."""
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    template = _EXPLAIN.get(err["type"])
    if template is None:
        return str(err["msg"])
    try:
        return template.format(**{k: v for k, v in (err.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template


def read_yaml(path: Path, error: type[ConfigError] = ConfigError) -> Any:
    """Parse a YAML file; every failure is an ``error`` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{path}：配置文件不存在") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}：无法读取（{exc}）") from exc
    try:
        # libyaml's safe loader where PyYAML was built with it: the same documents, parsed in a
        # tenth of the time (0.15 s of every command's start with the pure-Python one).
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise error(f"{path}：YAML 格式错误：{exc}") from exc


def field_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """``policy.deadlines.reminders_at`` from a pydantic error location."""
    return ".".join(str(p) for p in loc) or "（顶层）"


def validated(model: type[M], raw: Any, origin: str | Path, *, describe: Describe = field_path,
              top: str = "顶层应为映射（键: 值）", error: type[ConfigError] = ConfigError) -> M:
    """``raw`` (decoded YAML) validated by ``model``; an ``error`` naming ``origin`` and every
    field at fault otherwise (``top``: what is wrong when the file is not a mapping at all)."""
    if not isinstance(raw, dict):
        raise error(f"{origin}：{top}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "；".join(f"{describe(raw, tuple(err['loc']))}：{explain(err)}" for err in exc.errors())
        raise error(f"{origin}：{problems}") from exc


def load_file(model: type[M], path: Path, *, describe: Describe = field_path,
              error: type[ConfigError] = ConfigError) -> M:
    """A configuration file read and validated by ``model`` (see ``validated``)."""
    return validated(model, read_yaml(path, error), path, describe=describe, error=error)
