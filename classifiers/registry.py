"""Model files: save with a version sidecar, load only verified files of our own.

Each model directory holds ``model.joblib`` and ``model.json`` (the sidecar): model kind,
version, SHA-256 of the training data and of the model file, library versions and metrics.
A file whose hash does not match its sidecar, or that was written by another scikit-learn,
is refused rather than unpickled.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib

MODEL_FILE = "model.joblib"
SIDECAR = "model.json"
RECIPE_VERSION = "5"  # bump whenever the estimators or features change shape
_TRACKED = ("scikit-learn", "numpy", "scipy", "rjieba", "jieba")


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
    """Write the model and its sidecar atomically enough: the sidecar is written last."""
    out_dir.mkdir(parents=True, exist_ok=True)
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
        raise ModelError(f"{model_dir}: no {SIDECAR} sidecar; not a yuqing model directory") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{model_dir}: unreadable sidecar: {exc}") from exc
    return meta


def load_model(model_dir: Path, kind: str | None = None) -> LoadedModel:
    """Load a model written by ``save_model`` after checking its sidecar."""
    meta = read_sidecar(model_dir)
    path = model_dir / MODEL_FILE
    if not path.is_file():
        raise ModelError(f"{model_dir}: {MODEL_FILE} is missing")
    if kind is not None and meta.get("kind") != kind:
        raise ModelError(f"{model_dir}: holds a {meta.get('kind')!r} model, not {kind!r}")
    if sha256_file(path) != meta.get("model_sha256"):
        raise ModelError(f"{model_dir}: {MODEL_FILE} does not match its sidecar hash; refusing to load it")
    if meta.get("recipe_version") != RECIPE_VERSION:
        raise ModelError(
            f"{model_dir}: written by recipe {meta.get('recipe_version')}, this yuqing uses recipe {RECIPE_VERSION}; retrain it"
        )
    trained_with = meta.get("libraries", {}).get("scikit-learn")
    if trained_with != library_versions()["scikit-learn"]:
        raise ModelError(
            f"{model_dir}: trained with scikit-learn {trained_with}, running {library_versions()['scikit-learn']}; retrain it"
        )
    try:
        model = joblib.load(path)
    except Exception as exc:  # a pickle of classes that no longer exist, a truncated file
        raise ModelError(f"{model_dir}: cannot load {MODEL_FILE}: {exc}; retrain it") from exc
    return LoadedModel(model=model, meta=meta)
