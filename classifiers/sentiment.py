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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sklearn.metrics import accuracy_score, f1_score

if TYPE_CHECKING:
    from classifiers.registry import LoadedModel
    from classifiers.tokenize import Tokenizer

SENTIMENTS = ("负面", "中性", "正面")
NEUTRAL = "中性"
_EMOTICON = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]")


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


WEIBO_SAMPLE = Path("weibo_senti") / "weibo_senti_sample.csv"


def weibo_report(corpus_dir: Path | None, tokenizer: Tokenizer, model: LoadedModel) -> dict[str, Any] | None:
    """Two-class scores of a sentiment model on the real weibo_senti sample (emoticons stripped),
    or None when the real corpus is not there."""
    from classifiers.training import predict, read_labelled

    path = corpus_dir / WEIBO_SAMPLE if corpus_dir else None
    if path is None or not path.is_file():
        return None
    data = read_labelled(path, "text", "label")
    pairs = [(strip_emoticons(t), g) for t, g in zip(data.texts, data.labels, strict=True)]
    pairs = [(t, g) for t, g in pairs if t]  # posts that were nothing but emoticons
    predicted = predict(model, tokenizer.docs([t for t, _ in pairs]))
    return two_class_report([g for _, g in pairs], [str(p) for p in predicted])
