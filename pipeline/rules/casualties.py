"""Casualty and economic-loss figures read from Chinese text, for the 国务院令第493号 floor.

Reports write numbers as digits or Chinese numerals, as totals that rise ("死亡人数升至12人"),
as compact pairs ("2死5伤"), as ranges ("3至5人死亡") and as vague counts ("10余人", "20多人",
read as their lower bound and said so). Each number belongs to the word it stands with: in
"6人死亡21人受伤" the 21 is the injured, so a count followed by another kind's verb is never read
as the preceding verb's figure. Missing persons (失踪, 失联, 下落不明) are kept apart and count with
the deaths for the floor (RULES.md §1). The extractor returns the highest figure stated for each
criterion, with the phrases it relied on, so every floor is explainable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
           "捌": 8, "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}

CN_NUM = "零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟万亿"
NUM = rf"(?:\d+(?:\.\d+)?(?:[万千百]|[{CN_NUM}]*)|[{CN_NUM}]+)"
_RANGE = rf"(?P<n>{NUM})(?P<vague>余|多)?(?:\s*(?:至|到|-|－|~|～|—)\s*(?P<m>{NUM}))?"
# Words between a count and the verb ("3名工人死亡"), never numbers or other counts.
_FILLER = rf"[^\d{CN_NUM}伤中，。、；;,\s]{{0,5}}?"
_ADVERBS = r"(?:已经|已|不幸|当场|均|全部|先后|相继|经抢救无效|抢救无效)*"
_DEATH = r"(?:死亡|遇难|身亡|罹难|丧生|殒命|丧命|去世)"
_SERIOUS = r"(?:重伤|危重|急性中毒|中毒)"
_MISSING = r"(?:失踪|失联|下落不明)"
_INJURED = r"(?:受伤|负伤|伤)"
_RISE = r"(?:已经|已|目前|累计|共)?(?:上升|增加|升|增|达到|达|为|共|超过|超|至少|逾)*(?:至|到)?"
_COUNT_UNIT = r"(?:人|名|位|口|例)"
_ANY_VERB = rf"(?:{_DEATH}|{_SERIOUS}|{_MISSING}|受伤|负伤|轻伤|伤)"
# After a verb-first figure ("死亡3人"), the count must not be the subject of the next verb
# ("死亡21人受伤" is not 21 deaths): a count that another verb follows belongs to that verb,
# unless that verb has its own number after it ("死亡3人受伤5人").
# Missing persons since found ("失联2人已找到", "2名失联人员均已获救") are no longer missing.
_NOT_FOUND = r"(?![^，。；]{0,4}(?:找到|获救|寻获|搜救出|确认))"
_NOT_NEXT_SUBJECT = rf"(?!{_FILLER}{_ADVERBS}{_ANY_VERB}(?!(?:人数|者|人员)?{_RISE}\s*{NUM}))"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("deaths", re.compile(rf"{_RANGE}\s*{_COUNT_UNIT}{_FILLER}{_ADVERBS}{_DEATH}")),
    ("deaths", re.compile(rf"{_DEATH}(?:人数|者|人员)?{_RISE}\s*{_RANGE}\s*{_COUNT_UNIT}{_NOT_NEXT_SUBJECT}")),
    ("missing", re.compile(rf"{_RANGE}\s*{_COUNT_UNIT}{_FILLER}{_ADVERBS}(?:仍)?{_MISSING}(?:人员)?{_NOT_FOUND}")),
    ("missing", re.compile(rf"{_MISSING}(?:人数|者|人员)?{_RISE}\s*{_RANGE}\s*{_COUNT_UNIT}{_NOT_NEXT_SUBJECT}{_NOT_FOUND}")),
    ("serious", re.compile(rf"{_RANGE}\s*{_COUNT_UNIT}{_FILLER}{_ADVERBS}(?:出现)?{_SERIOUS}")),
    ("serious", re.compile(rf"(?:重伤|中毒)(?:人数|者|人员)?{_RISE}\s*{_RANGE}\s*{_COUNT_UNIT}{_NOT_NEXT_SUBJECT}")),
    ("injured", re.compile(rf"{_RANGE}\s*{_COUNT_UNIT}{_FILLER}{_ADVERBS}(?<!轻){_INJURED}")),
    ("injured", re.compile(rf"(?:受伤|伤者)(?:人数|者|人员)?{_RISE}\s*{_RANGE}\s*{_COUNT_UNIT}{_NOT_NEXT_SUBJECT}")),
    # spoken: "死了六个", "伤了二十一个", "三个人都没了"
    ("deaths", re.compile(rf"死了\s*{_RANGE}\s*个")),
    ("deaths", re.compile(rf"{_RANGE}\s*个人?(?:都|也|全)?没了")),
    ("injured", re.compile(rf"伤了\s*{_RANGE}\s*个")),
]
_PAIR = re.compile(rf"(?P<d>{NUM})\s*死\s*(?:(?P<i>{NUM})\s*(?P<kind>重伤|伤))?")
_LOSS = [
    re.compile(rf"损失[^，。；\d{CN_NUM}]{{0,8}}?(?P<n>{NUM})\s*(?P<u>亿|万)?\s*元"),
    re.compile(rf"(?P<n>{NUM})\s*(?P<u>亿|万)?\s*元[^，。；]{{0,6}}损失"),
]


def parse_number(text: str) -> float | None:
    """Parse digits, Chinese numerals or a mix ("12", "十二", "两千五百", "1.2万", "3千")."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(.*)", text)
    if match:
        value = float(match.group(1))
        rest = match.group(2)
        for ch in rest:
            if ch in _BIG:
                value *= _BIG[ch]
            elif ch in _UNITS:
                value *= _UNITS[ch]
            else:
                return None
        return value
    return _parse_chinese(text)


def _parse_chinese(text: str) -> float | None:
    total = 0
    section = 0
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (digit if digit is not None else 1) * _UNITS[ch]
            digit = None
        elif ch in _BIG:
            section += digit or 0
            total = (total + section) * _BIG[ch] if ch == "亿" else total + section * _BIG[ch]
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


@dataclass
class Casualties:
    """Highest figures stated in a text; None means the text gives no such figure.

    ``dead_or_missing`` is the floor's death count: the deaths and the missing persons stated
    together in one text (a later text may find the missing dead, so the two are added per text,
    then the highest total is kept)."""

    deaths: int | None = None
    serious_injuries: int | None = None
    injured: int | None = None
    economic_loss_yuan: int | None = None
    evidence: list[str] = field(default_factory=list)
    missing: int | None = None
    dead_or_missing: int | None = None

    def merge(self, other: Casualties) -> Casualties:
        def top(a: int | None, b: int | None) -> int | None:
            return b if a is None else a if b is None else max(a, b)

        return Casualties(
            deaths=top(self.deaths, other.deaths),
            serious_injuries=top(self.serious_injuries, other.serious_injuries),
            injured=top(self.injured, other.injured),
            economic_loss_yuan=top(self.economic_loss_yuan, other.economic_loss_yuan),
            evidence=[*self.evidence, *(e for e in other.evidence if e not in self.evidence)],
            missing=top(self.missing, other.missing),
            dead_or_missing=top(self.floor_deaths, other.floor_deaths),
        )

    @property
    def floor_deaths(self) -> int | None:
        """Deaths including the missing, as the floor counts them."""
        if self.dead_or_missing is not None:
            return self.dead_or_missing
        if self.missing is None:
            return self.deaths
        return (self.deaths or 0) + self.missing

    def as_facts(self) -> dict[str, object]:
        """The stored form (posts' rule facts, an event's folded figures)."""
        return {"deaths": self.deaths, "serious_injuries": self.serious_injuries, "injured": self.injured,
                "economic_loss_yuan": self.economic_loss_yuan, "evidence": self.evidence,
                "missing": self.missing, "dead_or_missing": self.floor_deaths}

    @classmethod
    def from_facts(cls, facts: dict[str, object] | None) -> Casualties:
        """Read the stored form back; keys this version does not know are ignored."""
        known = {k: v for k, v in (facts or {}).items() if k in _FACT_KEYS}
        return cls(**known)  # type: ignore[arg-type]

    def stated(self) -> bool:
        return any(v is not None for v in (self.deaths, self.serious_injuries, self.injured,
                                           self.economic_loss_yuan, self.missing))


_FACT_KEYS = ("deaths", "serious_injuries", "injured", "economic_loss_yuan", "evidence", "missing", "dead_or_missing")


def _range_value(match: re.Match[str]) -> tuple[int | None, str]:
    """The figure of a count and the evidence phrase, marked when the count is vague."""
    phrase = match.group(0)
    if match.group("vague"):  # "10余人": at least 10, and the evidence says so
        first = parse_number(match.group("n"))
        return (int(first) if first is not None else None), f"{phrase}（约数，按下限计）"
    values = [parse_number(match.group(g)) for g in ("n", "m") if match.group(g)]
    known = [v for v in values if v is not None]
    # A range ("3至5人") states an uncertain count; the upper bound is kept so that the
    # first report errs towards the faster response.
    return (int(max(known)) if known else None), phrase


_CUE = re.compile(r"[死亡伤难丧殒损毒失踪联落没]")
# A sentence asking ("安溪车祸是不是死了五六个人？") states no figure.
_QUESTION = re.compile(r"[^。！？!?\n]*[？?]")


def extract_casualties(text: str) -> Casualties:
    """Find death, missing, injury and economic-loss figures in ``text``."""
    found = Casualties()
    if not _CUE.search(text):  # most posts mention no casualty or loss at all
        return found
    text = _QUESTION.sub(lambda q: " " * len(q.group(0)), text)
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            value, phrase = _range_value(match)
            if value is not None:
                found = found.merge(_one(kind, value, phrase))
    for match in _PAIR.finditer(text):
        deaths = parse_number(match.group("d"))
        if deaths is not None:
            found = found.merge(Casualties(deaths=int(deaths), evidence=[match.group(0)]))
        if match.group("i"):
            injured = parse_number(match.group("i"))
            if injured is not None:
                kind = "serious" if match.group("kind") == "重伤" else "injured"
                found = found.merge(_one(kind, int(injured), match.group(0)))
    for pattern in _LOSS:
        for match in pattern.finditer(text):
            amount = parse_number(match.group("n"))
            if amount is None:
                continue
            amount *= _BIG.get(match.group("u") or "", 1)
            found = found.merge(Casualties(economic_loss_yuan=int(amount), evidence=[match.group(0)]))
    if found.missing is not None:  # in one text, the dead and the missing are added up
        found.dead_or_missing = (found.deaths or 0) + found.missing
    return found


def _one(kind: str, value: int, evidence: str) -> Casualties:
    if kind == "deaths":
        return Casualties(deaths=value, evidence=[evidence])
    if kind == "missing":
        return Casualties(missing=value, evidence=[evidence])
    if kind == "serious":
        return Casualties(serious_injuries=value, evidence=[evidence])
    return Casualties(injured=value, evidence=[evidence])
