"""Tokenisation: rjieba (jieba-rs, same dictionary, identical tokens to jieba) plus our user dictionary.

Each post is tokenised once; the resulting ``Doc`` (text + tokens) is shared by every model.
rjieba keeps one process-wide dictionary, so loading our user dictionary is remembered per
path to keep repeated loads cheap and idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import rjieba


class Doc(NamedTuple):
    """A tokenised document: the original text and its jieba tokens."""

    text: str
    tokens: tuple[str, ...]


# rjieba's dictionary is global to the process; remember which user dictionaries it holds.
_LOADED_USERDICTS: set[Path] = set()


def read_userdict(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Parse a jieba user dictionary (``word [freq] [tag]`` per line, ``#`` comments)."""
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        try:
            freq = int(parts[1]) if len(parts) > 1 else None
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: frequency must be an integer: {line!r}") from exc
        entries.append((parts[0], freq, parts[2] if len(parts) > 2 else None))
    return entries


class Tokenizer:
    """Cuts Chinese text into jieba tokens with the project's user dictionary loaded explicitly."""

    def __init__(self, userdict: Path | None = None) -> None:
        self.userdict = userdict

    def load(self) -> Tokenizer:
        if self.userdict is not None:
            key = self.userdict.resolve()
            if key not in _LOADED_USERDICTS:
                for word, freq, tag in read_userdict(self.userdict):
                    rjieba.add_word(word, freq, tag)
                _LOADED_USERDICTS.add(key)
        return self

    def cut(self, text: str) -> list[str]:
        return list(rjieba.cut(text))

    def tag(self, text: str) -> list[tuple[str, str]]:
        """Tokens with their part-of-speech tags (jieba's tag set: n noun, v verb, m numeral …)."""
        return [(word, tag) for word, tag in rjieba.tag(text)]

    def search_terms(self, text: str) -> list[str]:
        """Terms for the full-text index: jieba's search mode, the same dictionary, plus the
        parts of long words (旅游大巴 → 旅游, 大巴, 旅游大巴), so that a query cut in precise mode
        finds them."""
        return list(rjieba.cut_for_search(text))

    def doc(self, text: str) -> Doc:
        return Doc(text, tuple(rjieba.cut(text)))

    def docs(self, texts: Iterable[str]) -> list[Doc]:
        return [Doc(t, tuple(rjieba.cut(t))) for t in texts]
