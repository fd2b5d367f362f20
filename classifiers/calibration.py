"""How far a model's probabilities can be trusted: reliability on held-out data.

The single-label models are calibrated (``CalibratedClassifierCV``, sigmoid). Reliability says
how well: held-out items are put in bins by the probability of the class the model chose, and
each bin's mean confidence is set beside its accuracy. The expected calibration error (ECE)
is the gap between the two, weighted by the share of items in each bin; 0 is perfect.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

BIN_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def reliability(gold: Sequence[Any], proba: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """ECE and the reliability table of the chosen class's probability on held-out items."""
    if len(gold) == 0:
        return {"n": 0, "ece": None, "bins": []}
    chosen = proba.argmax(axis=1)
    confidence = proba[np.arange(len(chosen)), chosen]
    correct = np.array([str(classes[c]) == str(g) for c, g in zip(chosen, gold, strict=True)])
    bins: list[dict[str, Any]] = []
    ece = 0.0
    for lo, hi in pairwise(BIN_EDGES):
        inside = (confidence >= lo) & ((confidence < hi) if hi < 1.0 else (confidence <= hi))
        n = int(inside.sum())
        if n == 0:
            continue
        conf, acc = float(confidence[inside].mean()), float(correct[inside].mean())
        ece += n / len(gold) * abs(conf - acc)
        bins.append({"range": f"{lo:.1f}-{hi:.1f}", "n": n, "confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return {"n": len(gold), "ece": round(ece, 4), "bins": bins}
