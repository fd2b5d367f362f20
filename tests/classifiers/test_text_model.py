"""The estimators: scikit-learn contract, picklable, scores usable as confidences."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from classifiers.features import CharNgramVectorizer, WordNgramVectorizer
from classifiers.text_model import MultiLabelTextClassifier, TextClassifier
from classifiers.tokenize import Doc, Tokenizer
from pipeline.settings import Settings

TEXTS = {
    "交通": ["公交车太少了等了一个小时", "这条路堵车严重红绿灯坏了", "客运站班车取消了怎么回家", "高速出口拥堵希望疏导",
           "出租车拒载还乱收费", "公交站台破损没人修"],
    "教育": ["学校食堂饭菜太差了", "幼儿园收费太高家长负担重", "中考政策变化学生很焦虑", "老师课后补课收费",
           "学区划分不合理孩子上学远", "校车超载很危险"],
}


@pytest.fixture(scope="module")
def docs() -> tuple[list[Doc], list[str]]:
    tok = Tokenizer(Settings.from_env().userdict_path).load()
    texts = [t for ts in TEXTS.values() for t in ts]
    labels = [k for k, ts in TEXTS.items() for _ in ts]
    return tok.docs(texts), labels


def test_init_stores_params_only_and_clone_works() -> None:
    est = TextClassifier(C=2.0)
    assert est.get_params()["C"] == 2.0 and not hasattr(est, "classes_")
    assert clone(est).get_params() == est.get_params()


def test_fit_predict_pickle(docs: tuple[list[Doc], list[str]]) -> None:
    X, y = docs
    est = TextClassifier().fit(X, y)
    proba = est.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (est.predict(X) == np.array(y)).mean() == 1.0
    restored = pickle.loads(pickle.dumps(est))
    assert np.allclose(restored.predict_proba(X), proba)


def test_single_label_set_is_refused(docs: tuple[list[Doc], list[str]]) -> None:
    X, _ = docs
    with pytest.raises(ValueError, match="two different labels"):
        TextClassifier().fit(X, ["同一类"] * len(X))


def test_multilabel_with_empty_and_constant_labels(docs: tuple[list[Doc], list[str]]) -> None:
    X, y = docs
    labels = [["切身利益"] if lab == "教育" else [] for lab in y]
    est = MultiLabelTextClassifier().fit(X, labels)
    assert est.predict(X) == labels
    assert pickle.loads(pickle.dumps(est)).predict(X) == labels


def test_char_ngrams_are_deterministic_and_batch_independent() -> None:
    v = CharNgramVectorizer().fit([Doc("云和县城", ()), Doc("石塘镇", ())])
    a = v.transform([Doc("云和县城", ()), Doc("石塘镇", ())])
    b = v.transform([Doc("石塘镇", ()), Doc("没见过的字", ())])
    assert (a[1] != b[0]).nnz == 0
    assert a[0].sum() == 4 + 3 + 2 and b[1].sum() == 0  # n-grams never seen in training are not columns


def test_word_ngrams_skip_punctuation_and_unknown_words() -> None:
    v = WordNgramVectorizer().fit([Doc("", ("路灯", "坏", "了", "，", "路灯"))])
    assert set(v.vocabulary_) == {"路灯", "坏", "了"}
    m = v.transform([Doc("", ("路灯", "坏", "了", "新词", "路灯", "坏"))]).toarray()[0]
    voc = v.vocabulary_
    assert m[voc["路灯"]] == 2 and m[voc["坏"]] == 2 and m[voc["了"]] == 1
    assert m[len(voc):].sum() == 3  # 路灯 坏 twice and 坏 了 once; no pair across 新词
