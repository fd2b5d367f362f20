"""Runtime settings read from the environment: one object, built at the boundary, passed down.

Secrets and URLs live here; business rules live in ``data/config/*.yaml`` (see ``config``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things are: database, configuration, models, the shipped data and the real corpora,
    and where the web app can be reached."""

    database_url: str
    state_dir: Path
    data_dir: Path
    config_dir: Path
    model_dir: Path
    corpus_dir: Path | None
    # The web app's externally reachable base URL (``yuqing web``); alert messages link to
    # its acknowledgement page when set, and give only the ``yuqing ack`` command otherwise.
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("YUQING_DATA_DIR", PROJECT_ROOT / "data"))
        state_dir = Path(env.get("YUQING_STATE_DIR", PROJECT_ROOT / "var"))
        default_db = f"sqlite:///{(state_dir / 'yuqing.db').as_posix()}"
        corpus = env.get("YUQING_CORPUS_DIR")
        if corpus is None and (PROJECT_ROOT.parent / "shared" / "corpus").is_dir():
            corpus = str(PROJECT_ROOT.parent / "shared" / "corpus")
        return cls(
            database_url=env.get("YUQING_DATABASE_URL", default_db),
            state_dir=state_dir,
            data_dir=data_dir,
            config_dir=Path(env.get("YUQING_CONFIG_DIR", data_dir / "config")),
            model_dir=Path(env.get("YUQING_MODEL_DIR", state_dir / "models")),
            corpus_dir=Path(corpus) if corpus else None,
            public_url=env.get("YUQING_PUBLIC_URL", "").strip() or None,
        )

    @property
    def userdict_path(self) -> Path:
        return self.data_dir / "jieba" / "userdict.txt"

    @property
    def training_corpus_dir(self) -> Path:
        return self.data_dir / "corpus"
