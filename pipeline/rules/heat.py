"""The event heat index (热度指数, issue 19): one number for how much an event is being read and
passed on. It follows the form of 清博指数 (GSDATA)'s WCI: weighted natural logarithms of the
counts, the sum squared and scaled — a logarithm so that one viral post does not drown the
rest, the square so that the index spreads out at the top. The weights and the scale are in
``data/config/policy.yaml`` (``heat``). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.config import Heat


@dataclass(frozen=True)
class HeatCounts:
    posts: int
    reposts: int
    comments: int
    likes: int
    media: int  # posts on media platforms (policy heat.media_platforms)


def heat_index(counts: HeatCounts, policy: Heat) -> float:
    """(Σ wᵢ · ln(1 + xᵢ))² × scale, rounded to one decimal; unknown counts are given as 0."""
    w = policy.weights
    total = (w.posts * math.log1p(max(counts.posts, 0)) + w.reposts * math.log1p(max(counts.reposts, 0))
             + w.comments * math.log1p(max(counts.comments, 0)) + w.likes * math.log1p(max(counts.likes, 0))
             + w.media * math.log1p(max(counts.media, 0)))
    return round(total * total * policy.scale, 1)
