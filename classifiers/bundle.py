"""All five models applied to one batch of shared tokenised documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classifiers.registry import LoadedModel
from classifiers.tokenize import Doc

RUMOR_YES = "是"


@dataclass(frozen=True)
class Classified:
    """Model outputs for one document."""

    topic: str
    topic_scores: dict[str, float]
    grade: str
    grade_scores: dict[str, float]
    rumor: bool
    rumor_score: float
    categories: list[str]
    category_scores: dict[str, float]
    sentiment: str = "中性"
    sentiment_scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelBundle:
    topic: LoadedModel
    grade: LoadedModel
    rumor: LoadedModel
    categories: LoadedModel
    sentiment: LoadedModel

    @classmethod
    def from_loaded(cls, loaded: dict[str, LoadedModel]) -> ModelBundle:
        return cls(loaded["topic"], loaded["grade"], loaded["rumor"], loaded["categories"], loaded["sentiment"])

    def versions(self) -> dict[str, str]:
        return {k: getattr(self, k).version for k in ("topic", "grade", "rumor", "categories", "sentiment")}

    def classify(self, docs: list[Doc]) -> list[Classified]:
        if not docs:
            return []
        matrices: dict[object, Any] = {}

        def features(model: Any) -> Any:
            # Models fitted on the same texts share one feature space: compute it once.
            key = getattr(model, "feature_key_", None) or id(model)
            if key not in matrices:
                matrices[key] = model.features(docs)
            return matrices[key]

        topic_p = self.topic.model.proba_from_features(features(self.topic.model))
        grade_p = self.grade.model.proba_from_features(features(self.grade.model))
        rumor_p = self.rumor.model.proba_from_features(features(self.rumor.model))
        cat_d = self.categories.model.decision_from_features(features(self.categories.model))
        senti_p = self.sentiment.model.proba_from_features(features(self.sentiment.model))
        s_cls = [str(c) for c in self.sentiment.model.classes_]
        t_cls = [str(c) for c in self.topic.model.classes_]
        g_cls = [str(c) for c in self.grade.model.classes_]
        r_cls = [str(c) for c in self.rumor.model.classes_]
        c_cls = [str(c) for c in self.categories.model.classes_]
        yes = r_cls.index(RUMOR_YES) if RUMOR_YES in r_cls else None
        out: list[Classified] = []
        for i in range(len(docs)):
            tp, gp, sp = topic_p[i], grade_p[i], senti_p[i]
            top_topics = np.argsort(-tp)[:4]
            rumor_score = float(rumor_p[i, yes]) if yes is not None else 0.0
            out.append(
                Classified(
                    topic=t_cls[int(tp.argmax())],
                    topic_scores={t_cls[j]: round(float(tp[j]), 4) for j in top_topics if tp[j] >= 0.01},
                    grade=g_cls[int(gp.argmax())],
                    grade_scores={g_cls[j]: round(float(gp[j]), 4) for j in range(len(g_cls))},
                    rumor=rumor_score >= 0.5,
                    rumor_score=round(rumor_score, 4),
                    categories=[c_cls[j] for j in np.flatnonzero(cat_d[i] > 0)],
                    category_scores={c_cls[j]: round(float(cat_d[i, j]), 3) for j in range(len(c_cls))},
                    sentiment=s_cls[int(sp.argmax())],
                    sentiment_scores={s_cls[j]: round(float(sp[j]), 4) for j in range(len(s_cls))},
                )
            )
        return out
