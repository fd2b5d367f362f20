"""`yuqing retrain` and the weekly flow read every analyst's correction from the database and
retrain on them (both engines); the decisions are returned and logged under the state dir."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine

from pipeline.actions.events import regrade, set_sentiment
from pipeline.config import Config
from pipeline.normalize import to_post
from pipeline.runtime import open_runtime
from pipeline.service import RETRAIN_LOG, retrain_models
from pipeline.settings import PROJECT_ROOT, Settings
from pipeline.storage.db import session_scope
from pipeline.triage import TriageContext, triage_posts
from tests.classifiers.test_retraining import _corpus
from tests.conftest import NOW


def test_corrections_in_the_database_retrain_the_models(db_url: str, engine: Engine, ctx: TriageContext, cfg: Config,
                                                        tmp_path: Path) -> None:
    text = "尊敬的领导：元和街道古竹村的路灯坏了两个月，晚上黑灯瞎火，打电话也没人管"
    with session_scope(engine) as s:
        item = triage_posts(s, [to_post({"id": "a", "platform": "weibo", "text": text}, 1, NOW)], ctx, NOW).items[0]
        regrade(s, cfg, item["event_id"], "较大", reason="影响出行安全", actor="张三", now=NOW)
        set_sentiment(s, cfg, item["event_id"], "负面", reason="投诉", actor="张三", now=NOW)
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data" / "config", data / "config")
    shutil.copytree(PROJECT_ROOT / "data" / "jieba", data / "jieba")
    _corpus(data / "corpus")
    settings = Settings.from_env({"YUQING_DATABASE_URL": db_url, "YUQING_DATA_DIR": str(data),
                                  "YUQING_STATE_DIR": str(tmp_path / "state"), "YUQING_MODEL_DIR": str(tmp_path / "m")})
    with open_runtime(settings) as rt:
        decisions = {d["kind"]: d for d in retrain_models(rt, NOW)}
    assert decisions["grade"]["corrections"] == 1 and decisions["sentiment"]["corrections"] == 1
    assert decisions["topic"]["corrections"] == 0
    assert all(d["decision"] == "published" for d in decisions.values())  # no model before: the first is published
    assert (tmp_path / "state" / RETRAIN_LOG).is_file()
