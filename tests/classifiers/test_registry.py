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
    with pytest.raises(ModelError, match="不是 grade 模型"):
        load_model(d, "grade")
    with (d / "model.joblib").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="校验值不符"):
        load_model(d, "topic")
    (d / "model.json").unlink()
    with pytest.raises(ModelError, match="缺少说明文件"):
        load_model(d)


def test_retraining_puts_a_new_model_in_place_at_once_and_keeps_the_previous(tmp_path: Path) -> None:
    """A worker that resolved the model directory before a retrain keeps reading one whole
    version; the directory name points at the new version only when it is complete."""
    first = make(tmp_path)
    old_version_dir = first.resolve()
    assert first.is_symlink() and old_version_dir != first
    tok = Tokenizer(Settings.from_env().userdict_path).load()
    est = TextClassifier(calibrate=False).fit(tok.docs(["河水发臭", "学校收费", "垃圾没人清", "老师补课"]),
                                              ["环保", "教育", "环保", "教育"])
    save_model(est, tmp_path / "m", "topic", "1" * 64, {"n_samples": 4})
    assert first.resolve() != old_version_dir
    assert load_model(first, "topic").meta["classes"] == ["教育", "环保"]
    assert load_model(old_version_dir, "topic").meta["classes"] == ["建设", "教育"]  # the previous one is intact
    leftovers = [p.name for p in tmp_path.iterdir() if "staging" in p.name]
    assert leftovers == []
    for _ in range(3):
        save_model(est, tmp_path / "m", "topic", "1" * 64, {"n_samples": 4})
    versions = [p for p in tmp_path.iterdir() if p.name.startswith(".m.") and p.is_dir()]
    assert len(versions) == 2  # the current and the previous version; older ones are removed


def test_the_default_models_are_checked_without_loading_them(tmp_path: Path) -> None:
    """What serve and deploy check before starting: missing, tampered or stale models are
    refused with the command that trains them; good ones pass without being unpickled."""
    import shutil

    from classifiers.training import KINDS, check_default_models

    settings = Settings.from_env()
    check_default_models(settings.training_corpus_dir, settings.model_dir)
    with pytest.raises(ModelError, match=r"topic：尚未训练。请先运行 make models 或 yuqing models"):
        check_default_models(settings.training_corpus_dir, tmp_path / "empty")
    copy = tmp_path / "models"
    for kind in KINDS:
        shutil.copytree((settings.model_dir / kind).resolve(), copy / kind)
    with (copy / "rumor" / "model.joblib").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match=r"rumor.*校验值不符.*yuqing models"):
        check_default_models(settings.training_corpus_dir, copy)
    corpus = tmp_path / "corpus"
    shutil.copytree(settings.training_corpus_dir, corpus)
    next(p for p in sorted(corpus.rglob("*")) if p.is_file()).write_text("changed", encoding="utf-8")
    with pytest.raises(ModelError, match="训练语料已变化"):
        check_default_models(corpus, settings.model_dir)


def test_one_staleness_rule_recipe_libraries_and_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any tracked library that shapes the model (not only scikit-learn), the recipe and, for a
    default model, the corpus make it stale; verify_model and load_model say so alike."""
    from classifiers import registry

    d = make(tmp_path)
    with pytest.raises(ModelError, match="训练语料已变化"):
        load_model(d, "topic", corpus_sha256="f" * 64)
    meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
    assert registry.verify_model(d, "topic", meta.get("corpus_sha256"))[1]["version"] == meta["version"]
    with pytest.raises(ModelError, match="尚未训练"):
        registry.verify_model(tmp_path / "nothing", "topic")
    current = registry.library_versions()
    monkeypatch.setattr(registry, "library_versions", lambda: {**current, "numpy": "9.9.9"})
    with pytest.raises(ModelError, match=r"numpy .* 训练，当前为 9\.9\.9，需要重新训练"):
        load_model(d, "topic")
    monkeypatch.setattr(registry, "library_versions", lambda: current)
    monkeypatch.setattr(registry, "RECIPE_VERSION", "999")
    with pytest.raises(ModelError, match="当前为第 999 版"):
        registry.verify_model(d, "topic")


def test_loading_says_which_models_in_chinese_without_version_ids(base_settings: Settings) -> None:
    """The CLI shows this line to the analyst running triage: model names, never their ids."""
    from classifiers.training import load_default_models

    said: list[str] = []
    loaded = load_default_models(base_settings.training_corpus_dir, base_settings.model_dir, said.append)
    assert said == ["已加载 5 个模型（领域、等级、谣言、重点类别、情感倾向）"]
    assert not any(m.version in said[0] for m in loaded.values())
