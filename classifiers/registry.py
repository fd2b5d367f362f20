"""Model files: save with a version sidecar, load only verified files of our own.

Each model directory holds ``model.joblib`` and ``model.json`` (the sidecar): model kind,
version, SHA-256 of the training data and of the model file, library versions and metrics.

One staleness rule (``verify_model``) decides whether a model may be used as it is, for serving
and for retraining alike: a model is stale when it is missing, of another kind, of another recipe,
trained with other versions of the libraries that shape it, trained on another corpus (default
models), or when its file does not match the hash in its sidecar. A stale model is refused rather
than unpickled, and retraining rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib

MODEL_FILE = "model.joblib"
SIDECAR = "model.json"
RECIPE_VERSION = "6"  # bump whenever the estimators or features change shape
_TRACKED = ("scikit-learn", "numpy", "scipy", "rjieba", "jieba")
# Libraries whose version change makes a model stale: the pickled estimators (scikit-learn, numpy,
# scipy) and the tokenizers that make its features (rjieba, jieba). Python itself is only recorded.
STALE_IF_CHANGED = _TRACKED


class ModelError(RuntimeError):
    """A model directory is missing, incomplete, tampered with or stale."""


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _TRACKED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadedModel:
    model: Any
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.meta["version"])


def save_model(model: Any, out_dir: Path, kind: str, data_sha256: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Write the model and its sidecar into a new directory beside ``out_dir`` and then put it in
    place with one rename (``publish``): a worker loading ``out_dir`` meanwhile sees the old
    model or the new one, never half of one."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; workers of another user read models too
    try:
        meta = _write(model, staging, kind, data_sha256, extra)
        publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return meta


def publish(staging: Path, target: Path, keep: int = 2) -> None:
    """Make ``target`` (a symbolic link) point at the freshly written ``staging`` directory,
    atomically (a new link renamed over the old one). A plain directory left by an older yuqing
    is moved aside first. The previous version is kept for a worker still reading it; older ones
    are removed."""
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    version_dir = target.parent / f".{target.name}.{stamp}"
    os.rename(staging, version_dir)
    link = target.parent / f".{target.name}.link-{stamp}"
    os.symlink(version_dir.name, link)
    if target.exists() and not target.is_symlink():
        os.rename(target, target.parent / f".{target.name}.{stamp}-old")
    os.replace(link, target)
    versions = sorted((p for p in target.parent.glob(f".{target.name}.2*") if p.is_dir() and not p.is_symlink()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    current = target.resolve()
    for old in [p for p in versions if p.resolve() != current][keep - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def _write(model: Any, out_dir: Path, kind: str, data_sha256: str, extra: dict[str, Any]) -> dict[str, Any]:
    path = out_dir / MODEL_FILE
    joblib.dump(model, path, compress=3)
    meta = {
        "kind": kind,
        "version": f"{kind}-r{RECIPE_VERSION}-{data_sha256[:10]}",
        "recipe_version": RECIPE_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "training_data_sha256": data_sha256,
        "model_sha256": sha256_file(path),
        "libraries": library_versions(),
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        **extra,
    }
    (out_dir / SIDECAR).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


def read_sidecar(model_dir: Path) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads((model_dir / SIDECAR).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{model_dir}：缺少说明文件 {SIDECAR}，不是 yuqing 的模型目录") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{model_dir}：说明文件 {SIDECAR} 无法读取（{exc}）") from exc
    return meta


def verify_model(model_dir: Path, kind: str | None = None,
                 corpus_sha256: str | None = None) -> tuple[Path, dict[str, Any]]:
    """The staleness rule, checked without unpickling: the resolved directory and its sidecar, or a
    ModelError saying why the model must be (re)trained. ``corpus_sha256``: the corpus a default
    model must have been trained on (``classifiers.training.corpus_digest``)."""
    if not model_dir.exists():
        raise ModelError(f"{model_dir}：尚未训练")
    model_dir = model_dir.resolve()
    meta = read_sidecar(model_dir)
    path = model_dir / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{model_dir}：缺少模型文件 {MODEL_FILE}")
    if kind is not None and meta.get("kind") != kind:
        raise ModelError(f"{model_dir}：这是 {meta.get('kind')} 模型，不是 {kind} 模型")
    if meta.get("recipe_version") != RECIPE_VERSION:
        raise ModelError(
            f"{model_dir}：模型按第 {meta.get('recipe_version')} 版配方训练，当前为第 {RECIPE_VERSION} 版，需要重新训练"
        )
    _check_libraries(model_dir, meta)
    if corpus_sha256 is not None and meta.get("corpus_sha256") != corpus_sha256:
        raise ModelError(f"{model_dir}：训练语料已变化，模型已过期")
    if sha256_file(path) != meta.get("model_sha256"):
        raise ModelError(f"{model_dir}：模型文件与说明文件记录的校验值不符，拒绝加载")
    return model_dir, meta


def _check_libraries(model_dir: Path, meta: dict[str, Any]) -> None:
    trained_with, current = meta.get("libraries") or {}, library_versions()
    for name in STALE_IF_CHANGED:
        if trained_with.get(name) != current[name]:
            raise ModelError(
                f"{model_dir}：模型由 {name} {trained_with.get(name)} 训练，当前为 {current[name]}，需要重新训练"
            )


def load_model(model_dir: Path, kind: str | None = None, corpus_sha256: str | None = None) -> LoadedModel:
    """Load a model written by ``save_model`` after checking it is not stale (``verify_model``);
    a file that cannot be unpickled is refused too. The directory link is resolved once, so the
    sidecar and the model file come from the same version even when a retrain publishes a new one
    meanwhile."""
    model_dir, meta = verify_model(model_dir, kind, corpus_sha256)
    path = model_dir / MODEL_FILE
    try:
        model = joblib.load(path)
    except Exception as exc:  # a pickle of classes that no longer exist, a truncated file
        raise ModelError(f"{model_dir}：模型文件无法加载（{exc}），需要重新训练") from exc
    return LoadedModel(model=model, meta=meta)
