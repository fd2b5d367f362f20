"""Commands that prepare yuqing: the database, the default models, models on a county's own
labelled data, and the offline demo."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yuqing.cli.common import EXIT_USAGE, fail, moment, out, progress, runtime, settings
from yuqing.cli.tables import print_queue, print_triage

app = typer.Typer()


@app.command()
def models() -> None:
    """训练或校验内置默认模型（语料变化或库版本变化时重新训练）。"""
    from classifiers.tokenize import Tokenizer
    from classifiers.training import DataError, ensure_default_models

    s = settings()
    try:
        loaded = ensure_default_models(s.training_corpus_dir, s.model_dir, Tokenizer(s.userdict_path).load(), progress)
    except DataError as exc:
        raise fail(str(exc)) from exc
    for kind, model in loaded.items():
        holdout = model.meta.get("holdout") or {}
        score = f"，留出集 macro-F1 {holdout['macro_f1']}" if holdout else ""
        out.print(f"{kind}: {model.version}（{model.meta['n_samples']} 条样本{score}）")


@app.command()
def init() -> None:
    """创建或升级数据库，并写入单位名录。"""
    with runtime(prepare=False) as rt:
        added = rt.prepare()
        shown = rt.settings.database_url.split("@")[-1]
    out.print(f"数据库已就绪：{escape(shown)}（新增单位 {added} 个）")


def _kind(kind: str) -> str:
    from classifiers.training import KINDS

    if kind not in KINDS:
        raise fail(f"未知模型 {kind}，可选：{'、'.join(KINDS)}", EXIT_USAGE)
    return kind


@app.command()
def train(
    kind: Annotated[str, typer.Argument(help="topic | grade | rumor | categories | sentiment")],
    data: Annotated[Path, typer.Option(help="CSV / TSV / JSONL 标注数据")],
    text_col: Annotated[str, typer.Option(help="文本列")],
    label_col: Annotated[str, typer.Option(help="标签列")],
    out_dir: Annotated[Path, typer.Option("--out", help="模型输出目录")],
) -> None:
    """在任意标注数据上训练模型（带版本说明文件）。"""
    from classifiers.tokenize import Tokenizer
    from classifiers.training import MULTI_LABEL, DataError, read_labelled
    from classifiers.training import train as train_model

    kind = _kind(kind)
    try:
        labelled = read_labelled(data, text_col, label_col, kind in MULTI_LABEL)
    except DataError as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    meta = train_model(kind, labelled, out_dir, Tokenizer(settings().userdict_path).load(), progress)
    out.print_json(json.dumps({k: meta[k] for k in ("version", "n_samples", "dropped_rows", "holdout", "classes")},
                              ensure_ascii=False))


@app.command()
def evaluate(
    kind: Annotated[str, typer.Argument(help="topic | grade | rumor | categories | sentiment")],
    data: Annotated[Path, typer.Option(help="CSV / TSV / JSONL 标注数据")],
    text_col: Annotated[str, typer.Option(help="文本列")],
    label_col: Annotated[str, typer.Option(help="标签列")],
    model: Annotated[Path | None, typer.Option(help="模型目录，默认使用内置模型")] = None,
) -> None:
    """评估模型，输出 JSON：accuracy、macro_f1 与各类别 precision / recall / F1。"""
    from classifiers.registry import ModelError, load_model
    from classifiers.tokenize import Tokenizer
    from classifiers.training import MULTI_LABEL, DataError, load_default_models, read_labelled
    from classifiers.training import evaluate as evaluate_model

    kind, s = _kind(kind), settings()
    tokenizer = Tokenizer(s.userdict_path).load()
    try:
        labelled = read_labelled(data, text_col, label_col, kind in MULTI_LABEL)
        loaded = load_model(model, kind) if model else load_default_models(s.training_corpus_dir, s.model_dir)[kind]
    except (DataError, ModelError) as exc:
        raise fail(str(exc), EXIT_USAGE) from exc
    print(json.dumps(evaluate_model(kind, labelled, loaded, tokenizer), ensure_ascii=False, indent=2))


@app.command()
def demo(
    db: Annotated[Path, typer.Option(help="演示用 SQLite 数据库文件")] = Path("var/demo.db"),
    now: Annotated[str | None, typer.Option(help="演示的当前时间（ISO），默认现在：样例帖子的时间随之平移")] = None,
) -> None:
    """离线演示：内置云和样例帖子 → 研判表 → 各单位待办与时限 → 当日舆情日报（需要时先训练模型）。"""
    from pipeline.settings import Settings
    from yuqing.demo import run_demo

    clock = moment(now) if now is not None else None

    if db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    demo_settings = Settings.from_env({**os.environ, "YUQING_DATABASE_URL": f"sqlite:///{db.resolve().as_posix()}"})
    result = run_demo(demo_settings, progress, report=db.with_name(f"{db.stem}-daily"), now=clock)
    print_triage(result.items)
    for unit, items in result.queues:
        print_queue(unit, items, result.now)
    out.print(f"演示数据库保留在 {escape(str(db))}，可用 .venv/bin/yuqing web 或 sqlite3 查看；"
              f"拒收 {len(result.rejects)} 条（演示样例中的重复帖只入库一次）。", soft_wrap=True)
    if result.report is not None:
        out.print(f"当日舆情日报（Word）：{escape(str(result.report))}")
    if result.users:
        who = "、".join(f"{name}（{what}）" for name, what in result.users)
        out.print(f"网页演示用户：{escape(who)}，密码 {escape(result.password or '')}；"
                  f"用 YUQING_DATABASE_URL=sqlite:///{escape(str(db.resolve()))} .venv/bin/yuqing web 打开",
                  soft_wrap=True)
