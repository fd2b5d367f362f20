"""Model files load only with a matching sidecar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers.registry import ModelError, load_model, save_model
from classifiers.text_model import TextClassifier
from classifiers.tokenize import Tokenizer
from pipeline.settings import Settings


def make(tmp_path: Path) -> Path:
    tok = Tokenizer(Settings.from_env().userdict_path).load()
    est = TextClassifier(calibrate=False).fit(tok.docs(["路灯坏了", "学校收费", "路面塌陷", "老师补课"]),
                                              ["建设", "教育", "建设", "教育"])
    save_model(est, tmp_path / "m", "topic", "0" * 64, {"n_samples": 4})
    return tmp_path / "m"


def test_roundtrip_and_sidecar(tmp_path: Path) -> None:
    d = make(tmp_path)
    meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
    assert meta["kind"] == "topic" and meta["libraries"]["scikit-learn"] and meta["classes"] == ["建设", "教育"]
    assert load_model(d, "topic").version == meta["version"]


def test_tampered_wrong_kind_and_missing_sidecar_are_refused(tmp_path: Path) -> None:
    d = make(tmp_path)
    with pytest.raises(ModelError, match="not 'grade'"):
        load_model(d, "grade")
    with (d / "model.joblib").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="does not match"):
        load_model(d, "topic")
    (d / "model.json").unlink()
    with pytest.raises(ModelError, match="sidecar"):
        load_model(d)
