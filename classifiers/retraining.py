"""Learning from corrections: retrain the default models on the shipped corpus plus the analysts'
labelled examples, and keep a new model only if it is not worse.

For each model kind the corrections of that kind are merged into the corpus (a correction wins
over the corpus label of the same text). A model that the registry's staleness rule refuses
(``classifiers.registry.verify_model``: recipe, corpus, library versions, file hash) is rebuilt
from the corpus and every correction of its kind; a usable model whose corrections are those
already recorded in its sidecar is left unchanged. Otherwise the data the current model was
trained on (the corpus plus the corrections recorded in its sidecar) and the new data are compared
like for like: the same recipe is fitted on each without the held-out part and scored (macro-F1)
on the same held-out part of the new data — a fixed fifth chosen by a hash of each text, so a text
is held out in every run or in none. The new model, trained on all the new data, replaces the
current one only if its score is not lower; every decision is appended to a JSON-lines log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from classifiers.registry import ModelError, load_model, read_sidecar
from classifiers.tokenize import Tokenizer
from classifiers.training import (
    KINDS,
    LabelledData,
    corpus_data,
    corpus_digest,
    default_model_dir,
    new_estimator,
    read_corpus,
    score,
    train,
)

# the model each kind of correction teaches (key categories have none: analysts do not correct them)
MODEL_OF = {"topic": "topic", "relevance": "topic", "grade": "grade", "rumor": "rumor", "sentiment": "sentiment"}
HOLDOUT_EVERY = 5
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Correction:
    """One labelled example left by an analyst's correction (``labelled_examples``)."""

    kind: str    # topic | relevance | grade | rumor | sentiment | units
    text: str
    label: str


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def held_out(text: str) -> bool:
    """The fixed held-out fifth: decided by the text alone, the same in every run."""
    return int(text_key(text), 16) % HOLDOUT_EVERY == 0


def labels_for(kind: str, corrections: Sequence[Correction]) -> dict[str, str]:
    """text → label of one model kind (a relevance correction to 无关 is a topic label; one to 相关
    says nothing about the topic)."""
    out: dict[str, str] = {}
    for c in corrections:
        if MODEL_OF.get(c.kind) != kind or (c.kind == "relevance" and c.label != "无关"):
            continue
        out[c.text] = c.label
    return out


def merged(base: LabelledData, labels: dict[str, str]) -> LabelledData:
    """The corpus with corrections applied: a correction wins over the corpus label of its text."""
    texts, out = list(base.texts), [labels.get(t, lab) for t, lab in zip(base.texts, base.labels, strict=True)]
    known = set(texts)
    for text, label in labels.items():
        if text not in known:
            texts.append(text)
            out.append(label)
    digest = hashlib.sha256(json.dumps([base.sha256, sorted(labels.items())], ensure_ascii=False).encode()).hexdigest()
    return LabelledData(texts, out, 0, digest if labels else base.sha256)


def _fit_score(kind: str, data: LabelledData, holdout: LabelledData, tokenizer: Tokenizer) -> float:
    keep = [i for i, t in enumerate(data.texts) if not held_out(t)]
    est = new_estimator(kind, default_model=True).fit(tokenizer.docs([data.texts[i] for i in keep]),
                                                      [data.labels[i] for i in keep])
    predicted = [str(p) for p in est.predict(tokenizer.docs(holdout.texts))]
    return float(score(kind, holdout.labels, predicted)["macro_f1"])


def compare(kind: str, old: LabelledData, new: LabelledData, tokenizer: Tokenizer) -> dict[str, Any]:
    """Old and new data fitted the same way, scored on the same held-out part of the new data."""
    rows = [(t, lab) for t, lab in zip(new.texts, new.labels, strict=True) if held_out(t)]
    holdout = LabelledData([t for t, _ in rows], [lab for _, lab in rows], 0, "")
    return {"holdout_n": len(rows), "old_macro_f1": round(_fit_score(kind, old, holdout, tokenizer), 4),
            "new_macro_f1": round(_fit_score(kind, new, holdout, tokenizer), 4)}


@dataclass(frozen=True)
class CurrentModel:
    """The current model as retraining sees it: usable as it is (``stale`` is None) or why it must
    be rebuilt; its version and recorded corrections (text key → label) when its sidecar is readable."""

    version: str | None
    corrections: dict[str, str]
    stale: str | None


def judge(model_dir: Path, kind: str, digest: str) -> CurrentModel:
    """Judge the current model by the very check serving loads it with (``load_model``)."""
    try:
        meta = load_model(model_dir, kind, digest).meta
    except ModelError as exc:
        try:
            old = read_sidecar(model_dir.resolve())
        except ModelError:
            old = {}
        version = str(old["version"]) if old.get("version") else None
        return CurrentModel(version, dict(old.get("corrections") or {}), str(exc))
    return CurrentModel(str(meta["version"]), dict(meta.get("corrections") or {}), None)


def retrain_kind(kind: str, corpus: Any, digest: str, model_root: Path, corrections: Sequence[Correction],
                 tokenizer: Tokenizer, progress: Progress) -> dict[str, Any]:
    """Retrain one default model from the corpus and the corrections; the decision, as logged:
    unchanged (usable, no new correction), rebuilt (refused as stale: trained anew on the corpus
    and every correction), kept (the new data scores lower) or published (better or not worse, or
    the first model of its kind)."""
    base = corpus_data(corpus, kind)
    labels = labels_for(kind, corrections)
    cur = judge(default_model_dir(model_root, kind), kind, digest)
    keys = {text_key(t): lab for t, lab in labels.items()}
    decision: dict[str, Any] = {"kind": kind, "corrections": len(labels), "old_version": cur.version}
    if cur.stale is None and cur.corrections == keys:
        return {**decision, "decision": "unchanged", "version": cur.version}
    if cur.stale is None:
        old_labels = {t: cur.corrections[text_key(t)] for t in labels if text_key(t) in cur.corrections}
        progress(f"{kind}：比较原训练数据与加入 {len(labels)} 条更正后的数据")
        decision.update(compare(kind, merged(base, old_labels), merged(base, labels), tokenizer))
        if decision["new_macro_f1"] < decision["old_macro_f1"]:
            return {**decision, "decision": "kept", "version": cur.version}
    else:
        progress(f"{kind}：{cur.stale}；用语料与 {len(labels)} 条更正重新训练")
        decision["stale"] = cur.stale
    meta = train(kind, merged(base, labels), default_model_dir(model_root, kind), tokenizer, progress,
                 extra={"corpus_sha256": digest, "corrections": keys}, default_model=True)
    rebuilt = cur.stale is not None and cur.version is not None  # a model existed and was refused
    return {**decision, "decision": "rebuilt" if rebuilt else "published", "version": meta["version"]}


def retrain_with_corrections(corpus_dir: Path, model_root: Path, corrections: Sequence[Correction],
                             tokenizer: Tokenizer, log_path: Path, now: datetime,
                             progress: Progress = print) -> list[dict[str, Any]]:
    """Retrain the default models that need it (``yuqing retrain`` and the weekly flow): every kind
    is judged by the registry's staleness rule and its corrections (models no analyst corrects, key
    categories, are only rebuilt when stale). Returns the decisions, each also appended to
    ``log_path``."""
    corpus, digest = read_corpus(corpus_dir), corpus_digest(corpus_dir)
    decisions = [retrain_kind(kind, corpus, digest, model_root, corrections, tokenizer, progress) for kind in KINDS]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        for d in decisions:
            log.write(json.dumps({"at": now.isoformat(), **d}, ensure_ascii=False) + "\n")
    return decisions


def read_log(log_path: Path) -> list[dict[str, Any]]:
    """The recorded retraining decisions, oldest first."""
    if not log_path.is_file():
        return []
    return [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]


def describe_decision(d: dict[str, Any]) -> str:
    """One retraining decision in Chinese (the flow's artifact, ``yuqing retrain``)."""
    what = {"published": "采用新模型", "kept": "新模型更差，保留原模型", "unchanged": "无新更正，未重新训练",
            "rebuilt": f"原模型不可用（{d.get('stale')}），已用语料与全部更正重新训练"}[str(d["decision"])]
    scores = (f"（留出集 {d['holdout_n']} 条：原 {d['old_macro_f1']}，新 {d['new_macro_f1']}）"
              if "new_macro_f1" in d else "")
    return f"{d['kind']}：{what}{scores}，更正 {d.get('corrections', 0)} 条，当前 {d['version']}"
