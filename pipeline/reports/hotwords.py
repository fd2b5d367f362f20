"""Hot words (热词) of a period: the nouns and verbs most posts use, cut and tagged by the
project's tokenizer (rjieba with the 云和 user dictionary). A word counts once per post, so one
long post cannot fill the list; single characters, numerals and measure words (一辆, 几个),
time and place words (早上, 路边), the stop words of ``data/config/reports.yaml`` (function
words, everyday verbs: 只能, 截至, 送往 …) and the county's own name are left out.
Pure: the texts come from ``pipeline.queries.report_figures.period_texts``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from classifiers.tokenize import Tokenizer
from pipeline.queries.report_common import Count

TOP = 20
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Parts of speech that carry what posts are about: nouns (n, nr, ns, nt, nz …), verbs (v, vn),
# idioms and set phrases (i, l), abbreviations (j), Latin words (eng).
KEPT_TAGS = ("n", "v", "i", "l", "j", "eng")


def hot_words(texts: Iterable[str], tokenizer: Tokenizer, exclude: Iterable[str] = (), n: int = TOP) -> tuple[Count, ...]:
    """The ``n`` words found in the most texts, with how many texts use each (ties by word);
    ``exclude``: the stop words and the county's names."""
    skip = set(exclude)
    found: Counter[str] = Counter()
    for text in texts:
        found.update({w for w, tag in tokenizer.tag(text)
                      if len(w) >= 2 and tag.startswith(KEPT_TAGS) and w not in skip and _WORD.search(w)})
    ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Count(word, count) for word, count in ranked[:n])
