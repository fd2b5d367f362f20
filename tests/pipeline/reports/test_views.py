"""网民观点 (pipeline.reports.views): texts grouped into views with their share and one whole
representative sentence; hashtags, links and @names are no part of a view; few views when
many texts say the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.tokenize import Tokenizer
from pipeline.reports.views import sentences, views

USERDICT = Path(__file__).resolve().parents[3] / "data" / "jieba" / "userdict.txt"
FACT = "截至9时，事故死亡人数升至12人，另有多人受伤，伤者已分别送往县人民医院抢救。"
TEXTS = [
    f"【突发】今天早上7时许，崇头镇盘山公路上一辆旅游大巴侧翻。{FACT}#云和旅游大巴侧翻#",
    "太揪心了，愿伤者平安",
    f"刚看到消息。{FACT}那段路这几天一直下雨，路面湿滑。愿伤者平安。",
    f"据了解，{FACT}请过往车辆注意避让救援车辆，不信谣、不传谣。",
    "愿伤者早日康复，愿伤者平安！@云和发布",
    "山路下雨天这么滑，为什么不封路？路面湿滑早该管了",
]


@pytest.fixture(scope="module")
def cut() -> object:
    return Tokenizer(USERDICT).load().cut


def test_views_carry_shares_and_a_whole_representative_sentence(cut) -> None:  # type: ignore[no-untyped-def]
    found, total = views(TEXTS, cut, stop=["一直", "这么"])
    assert total == 6 and len(found) >= 2
    by_sentence = {v.sentence: v for v in found}
    assert FACT in by_sentence and by_sentence[FACT].texts == 3 and by_sentence[FACT].share == pytest.approx(0.5)
    wishes = next(v for v in found if "平安" in v.sentence)
    assert wishes.texts == 3                                  # three texts wish the injured well
    every = [s for t in TEXTS for s in sentences(t)]
    assert all(v.sentence in every for v in found)           # a sentence as written, never cut
    assert [v.texts for v in found] == sorted((v.texts for v in found), reverse=True)
    assert not any("#" in v.sentence or "@" in v.sentence for v in found)
    assert all(not set(v.keywords) & {"一直", "这么"} for v in found)


def test_no_text_no_view(cut) -> None:  # type: ignore[no-untyped-def]
    assert views([], cut) == ((), 0) and views(["转发", "   "], cut) == ((), 0)


def test_hot_words_leave_out_the_configured_stop_words() -> None:
    from pipeline.config import load_config
    from pipeline.reports.hotwords import hot_words
    from pipeline.settings import PROJECT_ROOT

    stop = load_config(PROJECT_ROOT / "data" / "config").reports.stop_words
    texts = ["伤者已送往县人民医院，家属只能等待消息，截至9时事故影响交通", "伤者送往医院，事故影响交通，网友意见很大"]
    kept = [w.name for w in hot_words(texts, Tokenizer(USERDICT).load())]
    assert {"送往", "只能", "影响", "意见"} & set(kept)                        # without the list they are 热词
    words = [w.name for w in hot_words(texts, Tokenizer(USERDICT).load(), exclude=stop)]
    assert "伤者" in words and not {"送往", "只能", "截至", "影响", "意见"} & set(words)
