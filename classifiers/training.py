"""Training and evaluation on any labelled Chinese text set, and the bundled default models.

``train`` and ``evaluate`` serve the project's own corpus (``data/corpus``) and whatever a
county brings (its hotline or message-board history, Weibo rumour sets): CSV or JSONL, any
text and label columns. Multi-label sets (key categories) give labels as a JSON list or a
string separated by ``|``, ``,``, ``;`` or ``、``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, train_test_split

from classifiers.calibration import reliability
from classifiers.capacity import AUTO, MARGIN, validation_splits
from classifiers.plain import PlainCharClassifier
from classifiers.registry import LoadedModel, ModelError, load_model, read_sidecar, save_model, verify_model
from classifiers.text_model import MultiLabelTextClassifier, TextClassifier
from classifiers.tokenize import Doc, Tokenizer

KINDS = ("topic", "grade", "rumor", "categories", "sentiment")
MULTI_LABEL = {"categories"}
Progress = Callable[[str], None]


class DataError(ValueError):
    """A labelled data file that cannot be used, with the reason."""


@dataclass
class LabelledData:
    texts: list[str]
    labels: list[Any]
    dropped: int
    sha256: str


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}：文件不存在")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="strict")
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".json", ".ndjson"):
            rows = []
            for lineno, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise DataError(f"{path}:{lineno}：JSON 格式错误（{exc.msg}）") from exc
            return pd.DataFrame(rows)
        if suffix in (".csv", ".tsv", ".txt"):
            from io import StringIO

            return pd.read_csv(StringIO(text), sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}：CSV 格式错误（{exc}）") from exc
    raise DataError(f"{path}：不支持的文件类型 {suffix}（请用 .csv、.tsv 或 .jsonl）")


def split_labels(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return sorted({str(v).strip() for v in value if str(v).strip()})
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()
    if text.startswith("["):
        try:
            return split_labels(json.loads(text))
        except json.JSONDecodeError:
            pass
    return sorted({p.strip() for p in re.split(r"[|,;、，；]", text) if p.strip()})


def read_labelled(path: Path, text_col: str, label_col: str, multi_label: bool = False) -> LabelledData:
    """Read texts and labels; rows with an empty text or label are dropped and counted."""
    frame = _read_table(path)
    for col in (text_col, label_col):
        if col not in frame.columns:
            raise DataError(f"{path}：没有“{col}”列；现有列为 {'、'.join(map(str, frame.columns))}")
    texts: list[str] = []
    labels: list[Any] = []
    dropped = 0
    for text, label in zip(frame[text_col].tolist(), frame[label_col].tolist(), strict=True):
        text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
        if multi_label:
            parsed: Any = split_labels(label)
            missing = False
        else:
            parsed = "" if label is None or (isinstance(label, float) and np.isnan(label)) else str(label).strip()
            if isinstance(label, bool):
                parsed = str(label).lower()
            missing = parsed == ""
        if not text or missing:
            dropped += 1
            continue
        texts.append(text)
        labels.append(parsed)
    if not texts:
        raise DataError(f"{path}：没有可用的行（“{text_col}”与“{label_col}”都不能为空）")
    digest = hashlib.sha256(json.dumps([texts, labels], ensure_ascii=False).encode("utf-8")).hexdigest()
    return LabelledData(texts, labels, dropped, digest)


# Measured recipes (benchmarks/bench_teddycup.py, 5-fold CV on our corpus): chi-square
# selection of 3,000 features helps topics (+0.017 on real messages) but costs the grade
# (-0.11) and rumour (-0.06) models, and starves a model trained on tens of thousands of
# items. So each single-label model chooses its selection from its own training data
# (classifiers.capacity; benchmarks/bench_capacity.py). All share one feature space.
KIND_PARAMS: dict[str, dict[str, Any]] = {"topic": {"k_best": AUTO}, "grade": {"k_best": AUTO},
                                          "rumor": {"k_best": AUTO}, "categories": {}, "sentiment": {"k_best": AUTO}}


# The bundled default models keep their measured recipes: the topic model is trained on our
# written corpus but serves real letters, where chi-square 3,000 transfers best (real 泰迪杯
# letters: macro-F1 0.729 with 3,000, 0.720 with the size validation picks on the corpus, which
# favours more features in its own domain); grade and rumour keep every feature (held-out
# macro-F1 0.576 / 0.925 against 0.556 / 0.916 with the validated size).
DEFAULT_MODEL_PARAMS: dict[str, dict[str, Any]] = {"topic": {"k_best": 3000}, "grade": {}, "rumor": {}}


def new_estimator(kind: str, default_model: bool = False) -> TextClassifier | MultiLabelTextClassifier:
    """A fresh estimator of the kind's recipe (``default_model``: the bundled model's recipe)."""
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; choose one of {', '.join(KINDS)}")
    params = DEFAULT_MODEL_PARAMS.get(kind, KIND_PARAMS[kind]) if default_model else KIND_PARAMS[kind]
    return MultiLabelTextClassifier(**params) if kind in MULTI_LABEL else TextClassifier(**params)


RECIPE_MARGIN = MARGIN  # about the spread of macro-F1 between folds of a couple of thousand items


def choose_recipe(kind: str, docs: list[Doc], labels: list[Any], seed: int = 0) -> dict[str, Any]:
    """Which recipe a county's own data wants: the project's recipe or the plain character
    baseline (``classifiers.plain``), by cross-validated macro-F1 inside the given training data
    (the caller's held-out part is not looked at). The recipe is kept only when it beats the
    baseline by ``RECIPE_MARGIN``. Multi-label kinds and sets too small to split keep the recipe."""
    strat = [str(x) for x in labels]
    counts = pd.Series(strat).value_counts()
    if kind in MULTI_LABEL or len(docs) < 40 or counts.min() < 3 or len(counts) < 2:
        return {"chosen": "recipe", "validated": False}
    # Three folds (every class has three) while the data is small enough for their noise to
    # matter; one split beyond.
    splits = validation_splits(np.asarray(strat), seed)
    scores = {"recipe": 0.0, "plain": 0.0}
    for tr, va in splits:
        for name, est in (("recipe", new_estimator(kind)), ("plain", PlainCharClassifier())):
            est.fit([docs[i] for i in tr], [labels[i] for i in tr])
            found = score(kind, [labels[i] for i in va], list(est.predict([docs[i] for i in va])))["macro_f1"]
            scores[name] += found / len(splits)
    # The baseline is the floor ``train`` promises: the recipe must beat it clearly, not by noise.
    chosen = "recipe" if scores["recipe"] >= scores["plain"] + RECIPE_MARGIN else "plain"
    return {"chosen": chosen, "validated": True, "macro_f1": {k: round(v, 4) for k, v in scores.items()}}


def new_model(kind: str, choice: dict[str, Any]) -> TextClassifier | MultiLabelTextClassifier | PlainCharClassifier:
    return PlainCharClassifier() if choice.get("chosen") == "plain" else new_estimator(kind)


def score(kind: str, gold: Sequence[Any], predicted: Sequence[Any]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class precision / recall / F1 (multi-label: per label)."""
    if kind in MULTI_LABEL:
        from sklearn.preprocessing import MultiLabelBinarizer

        mlb = MultiLabelBinarizer().fit([*gold, *predicted])
        y, p = mlb.transform(gold), mlb.transform(predicted)
        classes = [str(c) for c in mlb.classes_]
        accuracy = float(accuracy_score(y, p))
        macro = float(f1_score(y, p, average="macro", zero_division=0))
        prec, rec, f1, support = precision_recall_fscore_support(y, p, zero_division=0)
    else:
        classes = sorted({str(x) for x in gold} | {str(x) for x in predicted})
        g, p2 = [str(x) for x in gold], [str(x) for x in predicted]
        accuracy = float(accuracy_score(g, p2))
        macro = float(f1_score(g, p2, labels=sorted({*g}), average="macro", zero_division=0))
        prec, rec, f1, support = precision_recall_fscore_support(g, p2, labels=classes, zero_division=0)
    per_class = {
        c: {"precision": round(float(prec[i]), 4), "recall": round(float(rec[i]), 4),
            "f1": round(float(f1[i]), 4), "support": int(support[i])}
        for i, c in enumerate(classes)
    }
    return {"n": len(gold), "accuracy": round(accuracy, 4), "macro_f1": round(macro, 4), "per_class": per_class}


def predict(loaded: LoadedModel, docs: list[Doc]) -> list[Any]:
    result = loaded.model.predict(docs)
    return list(result) if not isinstance(result, list) else result


def evaluate(kind: str, data: LabelledData, loaded: LoadedModel, tokenizer: Tokenizer) -> dict[str, Any]:
    """Score a trained model on labelled data; also on the classes the model knows, if they differ."""
    docs = tokenizer.docs(data.texts)
    predicted = predict(loaded, docs)
    report = {"model": loaded.version, "dropped_rows": data.dropped, **score(kind, data.labels, predicted)}
    if kind not in MULTI_LABEL:
        report.update(_shared_class_scores(kind, data, loaded, docs, predicted))
    return report


def _shared_class_scores(kind: str, data: LabelledData, loaded: LoadedModel, docs: list[Doc],
                         predicted: list[Any]) -> dict[str, Any]:
    """When the data and the model have different label sets, score on the classes they share:
    rows whose gold label the model knows, with the model's choice as given and with its
    choice restricted to the shared classes (the data's own label set)."""
    classes = [str(c) for c in loaded.model.classes_]
    shared = sorted({str(g) for g in data.labels} & set(classes))
    if not shared or set(shared) == set(classes):
        return {}
    keep = [i for i, g in enumerate(data.labels) if str(g) in shared]
    gold = [data.labels[i] for i in keep]
    free = score(kind, gold, [predicted[i] for i in keep])
    cols = [classes.index(c) for c in shared]
    proba = loaded.model.predict_proba([docs[i] for i in keep])[:, cols]
    restricted = score(kind, gold, [shared[j] for j in proba.argmax(axis=1)])
    return {"shared_classes": {
        "classes": shared, "n": len(keep), "accuracy": free["accuracy"], "macro_f1": free["macro_f1"],
        "restricted_to_shared": {k: restricted[k] for k in ("accuracy", "macro_f1", "per_class")},
    }}


def cross_validate(kind: str, data: LabelledData, tokenizer: Tokenizer, folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Stratified k-fold cross-validation of the recipe on one labelled set."""
    docs = tokenizer.docs(data.texts)
    labels = np.asarray([json.dumps(x, ensure_ascii=False) if isinstance(x, list) else x for x in data.labels])
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores: list[float] = []
    for train_idx, test_idx in splitter.split(np.zeros(len(docs)), labels):
        est = new_estimator(kind).fit([docs[i] for i in train_idx], [data.labels[i] for i in train_idx])
        predicted = est.predict([docs[i] for i in test_idx])
        scores.append(score(kind, [data.labels[i] for i in test_idx], list(predicted))["macro_f1"])
    return {"folds": folds, "macro_f1_mean": round(float(np.mean(scores)), 4),
            "macro_f1_std": round(float(np.std(scores)), 4), "fold_scores": scores}


def train(kind: str, data: LabelledData, out_dir: Path, tokenizer: Tokenizer, progress: Progress = print,
          extra: dict[str, Any] | None = None, default_model: bool = False) -> dict[str, Any]:
    """Fit on all rows after measuring a stratified 80/20 hold-out (scores, and for single-label
    models the reliability of their probabilities); save with the sidecar."""
    progress(f"分词：{len(data.texts)} 条文本")
    docs = tokenizer.docs(data.texts)
    strat = [json.dumps(x, ensure_ascii=False) if isinstance(x, list) else x for x in data.labels]
    counts = pd.Series(strat).value_counts()
    holdout: dict[str, Any] = {}
    choice: dict[str, Any] = {"chosen": "recipe", "validated": False}
    if len(docs) >= 20 and counts.min() >= 2 and len(counts) > 1 and kind not in MULTI_LABEL:
        progress("在分层抽样的 20% 留出集上评估")
        tr, te = train_test_split(np.arange(len(docs)), test_size=0.2, random_state=0, stratify=strat)
        if not default_model:  # a county's own data: the recipe or the plain baseline, chosen inside tr
            choice = choose_recipe(kind, [docs[i] for i in tr], [data.labels[i] for i in tr])
        est = (new_estimator(kind, True) if default_model else new_model(kind, choice))
        est.fit([docs[i] for i in tr], [data.labels[i] for i in tr])
        proba = est.predict_proba([docs[i] for i in te])
        gold = [data.labels[i] for i in te]
        holdout = {**score(kind, gold, [str(c) for c in est.classes_[proba.argmax(axis=1)]]),
                   "reliability": reliability(gold, proba, [str(c) for c in est.classes_])}
    progress(f"用全部 {len(docs)} 条样本训练 {kind} 模型" + ("（朴素字符基线）" if choice["chosen"] == "plain" else ""))
    model = new_estimator(kind, True) if default_model else new_model(kind, choice)
    model.fit(docs, data.labels)
    capacity = getattr(model, "capacity_", None)
    meta = save_model(model, out_dir, kind, data.sha256, {"n_samples": len(docs), "dropped_rows": data.dropped,
                                                           "holdout": holdout, "capacity": capacity,
                                                           "recipe_choice": choice, **(extra or {})})
    progress(f"已保存 {meta['version']} 到 {out_dir}")
    return meta


# --- the bundled default models -------------------------------------------------------------

def corpus_files(corpus_dir: Path) -> list[Path]:
    files = sorted(corpus_dir.glob("*.jsonl"))
    if not files:
        raise DataError(f"{corpus_dir}：缺少训练语料（*.jsonl）")
    return files


def read_corpus(corpus_dir: Path) -> pd.DataFrame:
    frames = []
    for path in corpus_files(corpus_dir):
        frame = _read_table(path)
        frame["source_file"] = path.name
        frames.append(frame)
    corpus = pd.concat(frames, ignore_index=True)
    corpus["rumor"] = corpus["rumor"].map(lambda v: "是" if bool(v) else "否")
    return corpus


def _has_label(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and str(value).strip() != ""


def corpus_data(corpus: pd.DataFrame, kind: str) -> LabelledData:
    """Texts and labels of one kind; rows that carry no label of that kind (the Weibo-style
    supplement has no topic) are left out of that model only."""
    column = {"topic": "topic", "grade": "grade", "rumor": "rumor", "categories": "categories",
              "sentiment": "sentiment"}[kind]
    rows = corpus if kind in MULTI_LABEL else corpus[corpus[column].map(_has_label)]
    texts = rows["text"].astype(str).tolist()
    labels: list[Any] = [split_labels(v) for v in rows[column]] if kind in MULTI_LABEL else rows[column].astype(str).tolist()
    digest = hashlib.sha256(json.dumps([kind, texts, labels], ensure_ascii=False).encode("utf-8")).hexdigest()
    return LabelledData(texts, labels, 0, digest)


def default_model_dir(model_root: Path, kind: str) -> Path:
    return model_root / kind


TRAIN_COMMAND = "make models 或 yuqing models"


def corpus_digest(corpus_dir: Path) -> str:
    """A cheap fingerprint of the shipped corpus files (names and bytes), recorded in each
    default model's sidecar: serving compares it without reading the corpus as a table."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _train_default(kind: str, corpus: pd.DataFrame, digest: str, model_root: Path, tokenizer: Tokenizer,
                   progress: Progress) -> dict[str, Any]:
    return train(kind, corpus_data(corpus, kind), default_model_dir(model_root, kind), tokenizer, progress,
                 extra={"corpus_sha256": digest}, default_model=True)


def check_default_models(corpus_dir: Path, model_root: Path) -> None:
    """What ``load_default_models`` would refuse, found without loading any model (a few
    milliseconds instead of seconds and hundreds of MB): for commands that start long-running
    work which loads them later (``yuqing serve``, ``yuqing deploy``)."""
    digest = corpus_digest(corpus_dir)
    for kind in KINDS:
        try:
            verify_model(default_model_dir(model_root, kind), kind, digest)
        except ModelError as exc:
            raise ModelError(f"默认模型不可用：{exc}。请先运行 {TRAIN_COMMAND} 训练模型") from exc


# What each model is called where people read it (versions are kept in the model files and the
# classification rows, not shown to county users).
MODEL_NAMES = {"topic": "领域", "grade": "等级", "rumor": "谣言", "categories": "重点类别", "sentiment": "情感倾向"}


def load_default_models(corpus_dir: Path, model_root: Path, progress: Progress = lambda _: None) -> dict[str, LoadedModel]:
    """Load the default models for serving; never trains. A missing or stale model (the corpus
    or the libraries changed) is a ModelError naming the command that trains them."""
    digest = corpus_digest(corpus_dir)
    loaded: dict[str, LoadedModel] = {}
    for kind in KINDS:
        try:
            loaded[kind] = load_model(default_model_dir(model_root, kind), kind, digest)
        except ModelError as exc:
            raise ModelError(f"默认模型不可用：{exc}。请先运行 {TRAIN_COMMAND} 训练模型") from exc
    progress(f"已加载 {len(loaded)} 个模型（{'、'.join(MODEL_NAMES.get(k, k) for k in loaded)}）")  # no version ids
    return loaded


def _recorded_corrections(target: Path) -> int:
    """How many analyst corrections the model at ``target`` was trained with (0 when unreadable)."""
    try:
        return len(read_sidecar(target.resolve()).get("corrections") or {})
    except ModelError:
        return 0


def ensure_default_models(corpus_dir: Path, model_root: Path, tokenizer: Tokenizer, progress: Progress = print) -> dict[str, LoadedModel]:
    """Load the default models, training any that are missing or stale (``yuqing models``) from
    the corpus alone: this command has no database, so it says when a stale model held analysts'
    corrections (``classifiers.retraining`` rebuilds with them)."""
    digest = corpus_digest(corpus_dir)
    corpus: pd.DataFrame | None = None
    loaded: dict[str, LoadedModel] = {}
    for kind in KINDS:
        target = default_model_dir(model_root, kind)
        try:
            loaded[kind] = load_model(target, kind, digest)
        except ModelError as exc:
            corpus = read_corpus(corpus_dir) if corpus is None else corpus
            progress(f"训练默认模型 {kind}（{exc}；语料：{corpus_dir}）")
            if dropped := _recorded_corrections(target):
                progress(f"注意：原 {kind} 模型含 {dropped} 条分析员更正，本命令只用语料训练；"
                         "请随后运行 yuqing retrain 纳入更正")
            _train_default(kind, corpus, digest, model_root, tokenizer, progress)
            loaded[kind] = load_model(target, kind)
    return loaded
