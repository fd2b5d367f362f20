"""Sentiment (情感倾向) quality: on the held-out part of the project's own labelled set, and on
real Weibo posts it never saw (the weibo_senti sample in ``YUQING_CORPUS_DIR``, emoticons such
as ``[爱你]`` stripped; two classes, so a 中性 prediction counts as wrong). Also prints how well
the grade model's probabilities are calibrated on its held-out part.

    YUQING_CORPUS_DIR=../shared/corpus python benchmarks/bench_sentiment.py
"""

from __future__ import annotations

import json

from classifiers.sentiment import weibo_report
from classifiers.tokenize import Tokenizer
from classifiers.training import ensure_default_models
from pipeline.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    tokenizer = Tokenizer(settings.userdict_path).load()
    models = ensure_default_models(settings.training_corpus_dir, settings.model_dir, tokenizer, lambda _: None)
    meta = models["sentiment"].meta
    holdout = meta["holdout"]
    print(f"sentiment model {meta['version']} ({meta['n_samples']} items), held-out {holdout['n']} items: "
          f"accuracy {holdout['accuracy']:.4f}, macro-F1 {holdout['macro_f1']:.4f}")
    for label, row in holdout["per_class"].items():
        print(f"  {label}  precision {row['precision']:.3f}  recall {row['recall']:.3f}  f1 {row['f1']:.3f}  "
              f"support {row['support']}")
    report = weibo_report(settings.corpus_dir, tokenizer, models["sentiment"])
    if report is None:
        print("weibo_senti sample not found (YUQING_CORPUS_DIR): real-text figures skipped")
    else:
        print(f"real Weibo posts (weibo_senti sample, emoticons stripped, n={report['n']}): accuracy "
              f"{report['accuracy']:.4f}, macro-F1 {report['macro_f1']:.4f}, predicted 中性 {report['neutral_share']:.1%}")
    grade = models["grade"].meta["holdout"]["reliability"]
    print(f"grade model calibration on {grade['n']} held-out items: ECE {grade['ece']}")
    print(json.dumps(grade["bins"], ensure_ascii=False))


if __name__ == "__main__":
    main()
