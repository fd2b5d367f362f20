"""Runtime settings read from the environment: one object, built at the boundary, passed down.

Secrets and URLs live here; business rules live in ``data/config/*.yaml`` (see ``config``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable yuqing cannot use, with the reason in Chinese."""


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
    # Signs the web app's CSRF tokens; see ``secret()``.
    secret_key: str | None = None
    # Addresses of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the web app
    # believes (uvicorn's ``forwarded_allow_ips``): the client address sign-in throttling
    # counts and whether a request came over https (secure cookies, HSTS) depend on it.
    # Comma-separated addresses or networks; "*" trusts every peer (only behind a firewall).
    trusted_proxies: str = "127.0.0.1"
    # A file for the structured (JSON lines) log, rotated by size; unset: standard error only
    # (journald keeps and rotates it under systemd).
    log_file: Path | None = None
    # Processes that analyse a large triage batch: 1 keeps it on one core, 2 or more let a
    # forked worker take the second core (``pipeline.triage.iter_analysed``).
    workers: int = 2

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
            secret_key=env.get("YUQING_SECRET_KEY", "").strip() or None,
            trusted_proxies=env.get("YUQING_TRUSTED_PROXIES", "").strip() or "127.0.0.1",
            log_file=Path(env["YUQING_LOG_FILE"]) if env.get("YUQING_LOG_FILE", "").strip() else None,
            workers=_workers(env.get("YUQING_WORKERS", "2")),
        )

    def secret(self) -> bytes:
        """The web app's secret: ``YUQING_SECRET_KEY``, or one generated on first use into
        ``$YUQING_STATE_DIR/secret.key`` (mode 0600) and read from there afterwards, so every
        process of one installation signs alike."""
        if self.secret_key:
            return self.secret_key.encode("utf-8")
        path = self.state_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"secret.key.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            try:  # a hard link appears whole or not at all: the first process's key wins
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip().encode("utf-8")

    @property
    def userdict_path(self) -> Path:
        return self.data_dir / "jieba" / "userdict.txt"

    @property
    def training_corpus_dir(self) -> Path:
        return self.data_dir / "corpus"


def _workers(value: str) -> int:
    try:
        workers = int(value.strip())
    except ValueError:
        workers = 0
    if workers < 1:
        raise SettingsError(f"环境变量 YUQING_WORKERS 应为正整数（1 只用一个核，2 用两个核），实为“{value}”")
    return workers
