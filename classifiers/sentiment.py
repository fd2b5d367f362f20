"""Sentiment (情感倾向) toward the government or the unit concerned: 负面 / 中性 / 正面.

The model itself is an ordinary ``TextClassifier`` on the shared features (kind ``sentiment``
in ``classifiers.training``). This module holds what judging it on real social-media text
needs: Weibo emoticons such as ``[爱你]`` stripped (the public weibo_senti labels were derived
from them, so a model could otherwise learn the labels from the emoticons), and the score on a
two-class set (正面 / 负面) where a 中性 prediction counts as wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, f1_score

SENTIMENTS = ("负面", "中性", "正面")
NEUTRAL = "中性"
_EMOTICON = re.compile(r"\[[^\[\]\s]{1,8}\]")


def strip_emoticons(text: str) -> str:
    """The text without Weibo emoticon codes (``[哈哈]``, ``[泪]``), spaces tidied."""
    return " ".join(_EMOTICON.sub(" ", text).split())


def two_class_report(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 over 正面 / 负面 gold labels, a 中性 prediction counting as wrong,
    and the share of items predicted 中性."""
    g, p = [str(x) for x in gold], [str(x) for x in predicted]
    labels = sorted(set(g))
    return {
        "n": len(g),
        "accuracy": round(float(accuracy_score(g, p)), 4),
        "macro_f1": round(float(f1_score(g, p, labels=labels, average="macro", zero_division=0)), 4),
        "neutral_share": round(sum(x == NEUTRAL for x in p) / max(len(p), 1), 4),
    }
