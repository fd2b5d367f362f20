"""The same incident in other words: the facts a post gives about what happened where and when
(``Clues``), an event's facts folded over its posts (``Profile``), and whether a post reports
the event's incident (``match``). Pure functions; the clock and the vocabulary are passed in.

Two outlets retelling one incident share few character shingles but the same place (township,
village, landmark), the same kind of incident, the same objects (the bus, the restaurant), the
same hour, figures that agree or grow, and uncommon words. Two incidents in one township on one
day differ in at least one of these, and a contradiction (deaths that fall, other vehicles,
another hour or day) keeps them apart. Routine matters without a kind of incident join only on
a shared place and a good share of uncommon words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from classifiers.tokenize import Doc, Tokenizer
from pipeline.config import Config, Incidents
from pipeline.normalize import PostInput
from pipeline.rules.analysis import PostAnalysis
from pipeline.rules.casualties import Casualties
from pipeline.timeparse import SHANGHAI

TERMS_PER_POST = 16
TERMS_PER_EVENT = 48
_CN_NUM = "零〇一二两三四五六七八九十百千万半几"
_PART = r"(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜间|深夜|今晚|昨晚)"
# "7时许", "18时30分", "早上7点多", "下午三点": a clock time; a bare "一点" is "a little".
_HOUR = re.compile(rf"{_PART}?(\d{{1,2}})\s*(?:时|点)(?!代|间|候|半径)|{_PART}([一二三四五六七八九十]{{1,3}})(?:时|点)")
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")
_RELATIVE_DAY = re.compile(r"(今天|今日|今晨|今早|今晚|昨天|昨日|昨晚|昨夜)")
_LATE = ("下午", "傍晚", "晚上", "夜间", "深夜", "今晚", "昨晚")
_DEBUNK = re.compile(r"辟谣|谣言|不实|捏造|造谣")


@dataclass(frozen=True)
class Vocabulary:
    """The words incidents are recognised by, compiled once from ``policy.events.incidents``
    and the gazetteer of ``units.yaml``."""

    rules: Incidents
    kinds: tuple[tuple[str, tuple[str, ...]], ...]
    objects: tuple[tuple[str, str, tuple[str, ...]], ...]  # (class, family, words)
    spot_pattern: re.Pattern[str] | None
    short_spots: frozenset[str]
    township_of: dict[str, str]  # village / landmark -> township ("" when it spans several)
    town_pattern: re.Pattern[str]
    town_of: dict[str, str]  # township name or alias -> township
    place_words: frozenset[str]

    @classmethod
    def from_config(cls, cfg: Config) -> Vocabulary:
        rules = cfg.policy.events.incidents
        township_of: dict[str, str] = {}
        for t in cfg.units.townships:
            for name in t.villages:
                township_of[name] = t.name
        for landmark in cfg.units.county.landmarks:
            township_of[landmark] = rules.landmarks.get(landmark, "")
        long_names = sorted((n for n in township_of if len(n) >= 3), key=len, reverse=True)
        town_of = {n: t.name for t in cfg.units.townships for n in (t.name, *t.aliases)}
        towns = sorted(town_of, key=len, reverse=True)
        places = set(town_of) | set(township_of) | set(cfg.units.county.names)
        return cls(rules, tuple((k, tuple(ws)) for k, ws in rules.kinds.items()),
                   tuple((c, f, tuple(ws)) for c, fams in rules.objects.items() for f, ws in fams.items()),
                   re.compile("|".join(map(re.escape, long_names))) if long_names else None,
                   frozenset(n for n in township_of if len(n) < 3), township_of,
                   re.compile("|".join(map(re.escape, towns))), town_of, frozenset(places))


@dataclass(slots=True)
class Clues:
    """What one post says about an incident. ``at`` (epoch seconds) is set by the caller from
    the post's publish or detection time."""

    towns: tuple[str, ...] = ()
    spots: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()  # "class:family"
    deaths: int | None = None
    hurt: int | None = None
    hour: int | None = None
    day: int | None = None  # day of the month the text names
    rel_day: int | None = None  # 0 today, -1 yesterday (resolved against ``at``)
    terms: tuple[tuple[str, float], ...] = ()
    rumor: bool = False  # the rumour model's flag
    debunk: bool = False  # the post refutes a rumour (辟谣)
    at: float = 0.0

    def useful(self) -> bool:
        return bool(self.kinds or self.terms)

    def places(self) -> tuple[str, ...]:
        return (*self.towns, *self.spots)

    def incident_day(self) -> int | None:
        if self.day is not None:
            return self.day
        if self.rel_day is None:
            return None
        return (datetime.fromtimestamp(self.at, SHANGHAI) + timedelta(days=self.rel_day)).day

    def to_json(self) -> dict[str, Any]:
        return {k: v for k in _FIELDS if (v := getattr(self, k)) not in (None, (), False)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Clues:
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in _FIELDS}
        values["terms"] = tuple((t, float(w)) for t, w in data.get("terms", []))
        return cls(**values)


_FIELDS = tuple(Clues.__dataclass_fields__)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, int]:
    """jieba's dictionary frequencies (the same dictionary rjieba cuts with), words seen 50
    times or more: how everyday a word is in general Chinese."""
    from importlib.resources import files

    freq: dict[str, int] = {}
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, count, *_ = line.split(" ")
            if int(count) >= 50:
                freq[word] = int(count)
    return freq


def term_weight(word: str) -> float:
    """An uncommon word weighs more: log(20,000 / frequency), from 0 (everyday) to 8."""
    return max(0.0, min(8.0, math.log(20_000 / (_frequencies().get(word, 10) + 1))))


def _terms(doc: Doc, vocab: Vocabulary, taken: set[str]) -> tuple[tuple[str, float], ...]:
    seen: dict[str, float] = {}
    for tok in doc.tokens:
        if len(tok) < 2 or tok in seen or tok in taken or tok in vocab.place_words or tok.startswith("云和"):
            continue
        if any(c.isdigit() or c in _CN_NUM for c in tok) or not any("\u4e00" <= c <= "\u9fff" for c in tok):
            continue
        w = term_weight(tok)
        if w >= 1.0:
            seen[tok] = w
    best = sorted(seen.items(), key=lambda tw: -tw[1])[:TERMS_PER_POST]
    return tuple((t, round(w, 2)) for t, w in best)


def _hour(text: str) -> int | None:
    from pipeline.rules.casualties import parse_number

    for m in _HOUR.finditer(text):
        if _reported_at(text, m.start()):
            continue
        part, number = m.group(1) or m.group(3), m.group(2) or m.group(4)
        value = parse_number(number)
        if value is None or value > 24:
            return None
        h = int(value)
        if (part in _LATE and h < 12) or (part == "中午" and h < 3):
            h += 12
        return h % 24
    return None


def _reported_at(text: str, start: int) -> bool:
    """A time that dates a report ("截至28日6时"), not the incident."""
    before = text[max(0, start - 8):start]
    return "截至" in before or "截止" in before


def _day(text: str) -> tuple[int | None, int | None]:
    for m in _DAY.finditer(text):
        if not _reported_at(text, m.start()) and 1 <= int(m.group(2)) <= 31:
            return int(m.group(2)), None
    r = _RELATIVE_DAY.search(text)
    return (None, (-1 if r.group(1).startswith("昨") else 0)) if r else (None, None)


def incident_text(title: str | None, text: str) -> str:
    """What a post says about the incident: its title (when the text does not repeat it) and
    its text — for a repost, the original it quotes, not the comments on it."""
    from pipeline.rules.events import _CHAIN

    parts = _CHAIN.split(text)
    body = parts[-1] if len(parts) > 1 and len(parts[-1].strip()) >= 8 else text
    return f"{title}。{body}" if title and title not in body else body


def post_clues(post: PostInput, doc: Doc, analysis: PostAnalysis, vocab: Vocabulary, tokenizer: Tokenizer) -> Clues:
    """``extract`` for an analysed post (``doc``: its text, tokenised)."""
    return clues_of(post, doc, analysis.townships, analysis.casualties, analysis.classified.rumor, vocab, tokenizer)


def clues_of(post: PostInput, doc: Doc, townships: list[str], casualties: Casualties, rumor: bool,
             vocab: Vocabulary, tokenizer: Tokenizer) -> Clues:
    """The clues of a post whose places, figures and rumour flag are known."""
    text = incident_text(post.title, post.text)
    found = extract(doc if text == doc.text else tokenizer.doc(text), townships, casualties.deaths,
                    casualties.injured or casualties.serious_injuries, vocab)
    return replace(found, rumor=rumor, debunk=bool(_DEBUNK.search(text)))


def extract(doc: Doc, townships: list[str], deaths: int | None, hurt: int | None, vocab: Vocabulary) -> Clues:
    """The clues of one post (``doc``: its ``incident_text``): places, kind, objects, figures,
    hour and day, uncommon words."""
    text = doc.text
    spots = list(dict.fromkeys(vocab.spot_pattern.findall(text))) if vocab.spot_pattern else []
    spots += [t for t in vocab.short_spots.intersection(doc.tokens) if t not in spots]
    named = [vocab.town_of[n] for n in vocab.town_pattern.findall(text) if len(n) > 2 or n in doc.tokens]
    named += [vocab.township_of[s] for s in spots if vocab.township_of.get(s)]
    if not (townships or named):  # "县城": any of the townships it spans
        named = [t for area, ts in vocab.rules.areas.items() if area in text for t in ts]
    towns = list(dict.fromkeys([*townships, *named]))
    kinds = [k for k, words in vocab.kinds if any(w in text for w in words)]
    objects = [f"{c}:{f}" for c, f, words in vocab.objects if any(w in text for w in words)]
    taken = {w for _, ws in vocab.kinds for w in ws} | {w for _, _, ws in vocab.objects for w in ws}
    day, rel = _day(text)
    return Clues(tuple(towns), tuple(spots), tuple(kinds), tuple(objects), deaths, hurt, _hour(text), day, rel,
                 _terms(doc, vocab, taken))


@dataclass(slots=True)
class Profile:
    """An event's clues folded over its posts (compact: there is one per open event)."""

    towns: set[str] = field(default_factory=set)
    spots: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    figures: list[tuple[float, int]] = field(default_factory=list)  # (at, deaths), at most 16
    hurt: list[int] = field(default_factory=list)
    hours: dict[int, int] = field(default_factory=dict)  # hour -> posts giving it
    days: dict[int, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)  # uncommon word -> posts using it
    stems: dict[str, str] = field(default_factory=dict)  # first two characters -> a word
    rumor: bool = False
    debunk: bool = False
    first: float = math.inf
    last: float = -math.inf

    def add(self, c: Clues) -> None:
        self.rumor, self.debunk = self.rumor or c.rumor, self.debunk or c.debunk
        self.towns.update(c.towns)
        self.spots.update(c.spots)
        self.kinds.update(c.kinds)
        self.objects.update(c.objects)
        if c.deaths is not None and len(self.figures) < 16:
            self.figures.append((c.at, c.deaths))
        if c.hurt and c.hurt not in self.hurt:
            self.hurt.append(c.hurt)
        if c.hour is not None:
            self.hours[c.hour] = self.hours.get(c.hour, 0) + 1
        if (day := c.incident_day()) is not None:
            self.days[day] = self.days.get(day, 0) + 1
        for t, _ in c.terms:
            self.terms[t] = self.terms.get(t, 0) + 1
            self.stems.setdefault(t[:2], t)
        if len(self.terms) > TERMS_PER_EVENT * 2:
            self._trim()
        self.first, self.last = min(self.first, c.at), max(self.last, c.at)

    def usual_hour(self) -> int:
        return max(self.hours, key=lambda h: self.hours[h])

    def _trim(self) -> None:
        """Keep the words most of the event's posts use."""
        self.terms = dict(sorted(self.terms.items(), key=lambda tw: -tw[1])[:TERMS_PER_EVENT])
        self.stems = {}
        for t in self.terms:
            self.stems.setdefault(t[:2], t)

    def absorb(self, other: Profile) -> None:
        """Fold in the profile of an event found to be the same incident."""
        self.rumor, self.debunk = self.rumor or other.rumor, self.debunk or other.debunk
        for name in ("towns", "spots", "kinds", "objects"):
            getattr(self, name).update(getattr(other, name))
        self.figures = sorted([*self.figures, *other.figures])[:16]
        self.hurt = list(dict.fromkeys([*self.hurt, *other.hurt]))
        for counts, more in ((self.hours, other.hours), (self.days, other.days)):
            for hour_or_day, n in more.items():
                counts[hour_or_day] = counts.get(hour_or_day, 0) + n
        for word, n in other.terms.items():
            self.terms[word] = self.terms.get(word, 0) + n
        for stem, word in other.stems.items():
            self.stems.setdefault(stem, word)
        if len(self.terms) > TERMS_PER_EVENT * 2:
            self._trim()
        self.first, self.last = min(self.first, other.first), max(self.last, other.last)


@dataclass(frozen=True)
class Match:
    evidence: int
    reasons: list[str]
    incident: bool = True  # the same kind of incident (else a routine matter joined on its words)


def conflicts(c: Clues, p: Profile) -> list[str]:
    """Facts of the post that contradict the event's: each one means another incident."""
    found = []
    if (c.debunk and p.rumor) or (c.rumor and p.debunk):
        found.append("一方为谣言，一方为辟谣：辟谣另作一事")
    if c.kinds and p.kinds and not set(c.kinds) & p.kinds:
        found.append(f"事件类型不同（{'、'.join(c.kinds)} / {'、'.join(sorted(p.kinds))}）")
    if c.deaths is not None:
        before = [d for at, d in p.figures if at <= c.at]
        after = [d for at, d in p.figures if at > c.at]
        if (before and c.deaths < max(before)) or (after and c.deaths > min(after)):
            found.append(f"死亡人数不符（{c.deaths} / {'、'.join(str(d) for _, d in p.figures)}）")
    if clash := _objects_clash(set(c.objects), p.objects):
        found.append(f"涉及对象不同（{_names(clash[0])} / {_names(clash[1])}）")
    if c.hour is not None and p.hours and _hours_apart(c.hour, usual := p.usual_hour()):
        found.append(f"发生时间不同（{c.hour}时 / {usual}时）")
    day = c.incident_day()
    if day is not None and p.days and day not in p.days:
        found.append(f"发生日期不同（{day}日 / {'、'.join(f'{d}日' for d in sorted(p.days))}）")
    return found


def match(c: Clues, p: Profile, rules: Incidents, everyday: frozenset[str] = frozenset(),
          sole: bool = False) -> Match | None:
    """Whether the post reports the event's incident, with the agreeing facts as reasons.
    ``everyday`` words (in many unrelated posts of late: boilerplate, templates) do not count;
    ``sole``: the event is the only one of its kind at that place of late, so one agreeing fact
    less is needed."""
    window = rules.window_hours * 3600
    if not (p.first - window <= c.at <= p.last + window):
        return None
    towns, spots = set(c.towns) & p.towns, set(c.spots) & p.spots
    placeless = not (c.towns or c.spots) or not (p.towns or p.spots)  # "一家烧烤店": nothing to compare
    if not (towns or spots or placeless) or conflicts(c, p):
        return None
    evidence, reasons, words, weight = _agreeing(c, p, towns | spots, everyday)
    evidence += (1 if spots else 0) - (1 if placeless else 0)
    if set(c.kinds) & p.kinds:
        need = rules.min_evidence - (1 if sole else 0)
    elif c.kinds or p.kinds:  # only one side tells of an incident: more facts, not just words, must agree
        evidence -= 1 if len(words) >= 3 and weight >= 20 else 0
        need = rules.min_evidence + 1
    else:
        # A routine matter, joined on its uncommon words — the more of them the less precise
        # the place (a village, a township, none named).
        need_words, need_weight = (2, 8.0) if spots else (3, 12.0) if towns else (4, 16.0)
        return Match(evidence, reasons, False) if len(words) >= need_words and weight >= need_weight else None
    return Match(evidence, reasons) if evidence >= need else None


def _agreeing(c: Clues, p: Profile, places: set[str],
              everyday: frozenset[str]) -> tuple[int, list[str], list[str], float]:
    """The facts of the post the event shares: (points, reasons, shared words, their weight)."""
    reasons = [f"同一地点（{'、'.join(sorted(places))}）"] if places else ["未提及乡镇，其他事实相符"]
    points = 0
    if kinds := set(c.kinds) & p.kinds:
        reasons.append(f"同类事件（{'、'.join(sorted(kinds))}）")
    if shared := set(c.objects) & p.objects:
        points += 1
        reasons.append(f"相同对象（{_names(shared)}）")
    if (c.deaths and any(d == c.deaths for _, d in p.figures)) or (c.hurt and c.hurt in p.hurt):
        points += 1
        reasons.append("伤亡人数一致")
    if c.hour is not None and c.hour in p.hours:
        points += 1
        reasons.append(f"发生时间相同（{c.hour}时）")
    words, weight = shared_words(c, p, everyday)
    if weight >= 10 and len(words) >= 2:
        points += 2 if weight >= 20 and len(words) >= 3 else 1
        reasons.append(f"共同关键词（{'、'.join(words[:5])}）")
    return points, reasons, words, weight


def shared_words(c: Clues, p: Profile, everyday: frozenset[str]) -> tuple[list[str], float]:
    """The post's uncommon words the event has too (供水 and 供水管 count as one), and their
    weight."""
    words: list[str] = []
    weight = 0.0
    for t, w in c.terms:
        if t in everyday:
            continue
        if t in p.terms or ((u := p.stems.get(t[:2])) is not None and (t in u or u in t)):
            words.append(t)
            weight += w
    return words, weight


def profiles_conflict(a: Profile, b: Profile) -> bool:
    """Whether two events' facts contradict each other (then they are not one incident)."""
    if (a.rumor and b.debunk) or (a.debunk and b.rumor):
        return True
    if (a.kinds and b.kinds and not a.kinds & b.kinds) or _objects_clash(a.objects, b.objects):
        return True
    if a.hours and b.hours and _hours_apart(a.usual_hour(), b.usual_hour()):
        return True
    return bool(a.days and b.days and not set(a.days) & set(b.days))


def _objects_clash(mine: set[str], theirs: set[str]) -> tuple[set[str], set[str]] | None:
    """Objects of one class (vehicles, premises) named on both sides, none shared."""
    for cls in {o.split(":")[0] for o in mine}:
        a = {o for o in mine if o.startswith(cls + ":")}
        b = {o for o in theirs if o.startswith(cls + ":")}
        if b and not a & b:
            return a, b
    return None


def _hours_apart(x: int, y: int) -> bool:
    return min((x - y) % 24, (y - x) % 24) >= 3


def _names(objects: set[str]) -> str:
    return "、".join(sorted(o.split(":")[1] for o in objects))
