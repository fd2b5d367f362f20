"""The yardstick: real labelled citizen messages (../shared/corpus/teddycup2020, read through
YUQING_CORPUS_DIR). Scores must not fall below the checked-in baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from classifiers.tokenize import Tokenizer
from classifiers.training import cross_validate, read_labelled
from pipeline.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow
BASELINE = json.loads((PROJECT_ROOT / "benchmarks" / "baseline.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def labelled_path() -> Path:
    corpus = Settings.from_env().corpus_dir
    path = corpus / "teddycup2020" / "labeled_messages.csv" if corpus else None
    if path is None or not path.is_file():
        pytest.skip("real corpus not found: set YUQING_CORPUS_DIR to shared/corpus")
    return path


def test_topic_recipe_cross_validated_macro_f1(labelled_path: Path) -> None:
    data = read_labelled(labelled_path, "text", "label")
    result = cross_validate("topic", data, Tokenizer(Settings.from_env().userdict_path).load(), folds=5)
    assert result["macro_f1_mean"] >= BASELINE["teddycup_topic_cv_macro_f1"], result


def test_default_topic_model_on_unseen_real_messages(labelled_path: Path, base_settings: Settings) -> None:
    env = {**os.environ, "YUQING_MODEL_DIR": str(base_settings.model_dir)}
    cmd = [sys.executable, "-m", "yuqing.cli", "evaluate", "topic", "--data", str(labelled_path),
           "--text-col", "text", "--label-col", "label"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=True)
    report = json.loads(result.stdout)
    assert {"accuracy", "macro_f1", "per_class"} <= set(report)
    assert set(report["per_class"]["城乡建设"]) == {"precision", "recall", "f1", "support"}
    shared = report.get("shared_classes", report)
    assert shared["macro_f1"] >= BASELINE["default_topic_model_on_teddycup_macro_f1"], shared


def test_train_and_evaluate_any_label_set(labelled_path: Path, tmp_path: Path) -> None:
    subset = tmp_path / "subset.csv"
    lines = labelled_path.read_text(encoding="utf-8").splitlines()
    subset.write_text("\n".join(lines[:400]) + "\n", encoding="utf-8")
    base = [sys.executable, "-m", "yuqing.cli"]
    subprocess.run([*base, "train", "topic", "--data", str(subset), "--text-col", "text", "--label-col", "label",
                    "--out", str(tmp_path / "m")], check=True, capture_output=True, text=True, timeout=600)
    assert (tmp_path / "m" / "model.json").is_file()
    result = subprocess.run([*base, "evaluate", "topic", "--data", str(labelled_path), "--text-col", "text",
                             "--label-col", "label", "--model", str(tmp_path / "m")],
                            check=True, capture_output=True, text=True, timeout=600)
    assert json.loads(result.stdout)["macro_f1"] > 0.5
    bad = subprocess.run([*base, "train", "topic", "--data", str(subset), "--text-col", "nope", "--label-col", "label",
                          "--out", str(tmp_path / "x")], capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2 and "没有“nope”列" in bad.stderr


def test_sentiment_model_on_real_weibo_posts_it_never_saw(base_settings: Settings) -> None:
    from classifiers.registry import load_model
    from classifiers.sentiment import weibo_report

    model = load_model(base_settings.model_dir / "sentiment", "sentiment")
    report = weibo_report(Settings.from_env().corpus_dir, Tokenizer(base_settings.userdict_path).load(), model)
    if report is None:
        pytest.skip("real corpus not found: set YUQING_CORPUS_DIR to shared/corpus")
    assert report["n"] > 2000
    assert report["accuracy"] >= BASELINE["weibo_senti_accuracy"], report
    assert report["macro_f1"] >= BASELINE["weibo_senti_macro_f1"], report
    assert report["neutral_share"] <= BASELINE["weibo_senti_neutral_share_max"], report
