"""Classifier quality on real citizen messages (2020 泰迪杯 智慧政务, ../shared/corpus).

Prints (1) the topic recipe's stratified 5-fold cross-validated macro-F1 on
labeled_messages.csv and (2) how the bundled default topic model, trained only on the
project's own corpus, scores on those real messages it never saw. The checked-in
baselines in benchmarks/baseline.json are what tests/classifiers/test_real_corpus.py holds
the code to.

    YUQING_CORPUS_DIR=../shared/corpus python benchmarks/bench_teddycup.py
"""

from __future__ import annotations

import json
import sys
import time

from classifiers.tokenize import Tokenizer
from classifiers.training import cross_validate, ensure_default_models, evaluate, read_labelled
from pipeline.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    if settings.corpus_dir is None or not (settings.corpus_dir / "teddycup2020").is_dir():
        sys.exit("real corpus not found: set YUQING_CORPUS_DIR to shared/corpus")
    path = settings.corpus_dir / "teddycup2020" / "labeled_messages.csv"
    tokenizer = Tokenizer(settings.userdict_path).load()
    data = read_labelled(path, "text", "label")
    t0 = time.perf_counter()
    cv = cross_validate("topic", data, tokenizer, folds=5)
    print(f"topic recipe, 5-fold CV on {len(data.texts)} real messages: macro-F1 {cv['macro_f1_mean']:.4f} "
          f"± {cv['macro_f1_std']:.4f}  ({time.perf_counter() - t0:.1f} s)")
    models = ensure_default_models(settings.training_corpus_dir, settings.model_dir, tokenizer, lambda _: None)
    report = evaluate("topic", data, models["topic"], tokenizer)
    shared = report.get("shared_classes", {})
    restricted = shared.get("restricted_to_shared", {})
    print(f"default topic model ({models['topic'].version}, own corpus only) on the same messages: "
          f"macro-F1 {report['macro_f1']:.4f}, accuracy {report['accuracy']:.4f}; "
          f"choosing among the {len(shared.get('classes', []))} shared classes: macro-F1 {restricted.get('macro_f1')}")
    print(json.dumps({"per_class": report["per_class"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
