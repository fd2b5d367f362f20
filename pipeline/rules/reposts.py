"""Which post a repost passes on, read from its ``//@account:words`` chain.

A repost names the account it passes on and quotes that account's post — often only its start,
cut off with "……", or only its title ("//@云和水利:【辟谣】网传…系谣言"). A cut quote shares too
little text with its original for the near-duplicate look-up (MinHash over the whole text) to
find it, so the link is read directly: the quoted words must open the account's post (its text
or its title), compared on letters and digits only, over at least ``MIN_QUOTE`` characters.
Pure: the caller keeps the openings of recent posts by account.
"""

from __future__ import annotations

import re

from pipeline.rules.spread import chain

OPENING = 24   # characters of a post's opening kept to recognise a quote of it
MIN_QUOTE = 6  # a quote shorter than this (after cleaning) names nothing for certain
_LINK = re.compile(r"https?://\S+")
_CLEAN = re.compile(r"[\W_]+", re.U)


def opening(text: str | None) -> str:
    """The first ``OPENING`` letters and digits of a text (a post's text or title)."""
    return _CLEAN.sub("", _LINK.sub("", text or ""))[:OPENING]


def quoted(text: str) -> list[tuple[str, str]]:
    """``(account, opening of the quoted words)`` for each ``//@`` segment, nearest first."""
    return [(account, opening(words)) for account, words in chain(text)]


def opens(quote: str, head: str) -> bool:
    """Whether a quote's opening is the start of a post's opening (``head``): they agree over
    the shorter of the two, and that is at least ``MIN_QUOTE`` characters."""
    n = min(len(quote), len(head))
    return n >= MIN_QUOTE and quote[:n] == head[:n]
