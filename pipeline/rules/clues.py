"""What a post says about an incident, read from its text: its places (township, village,
landmark, area), kind of incident, named objects, casualty figures, the hour and day it names,
and its uncommon words (``Clues``), with the vocabulary they are recognised by (``Vocabulary``,
compiled from ``policy.events.incidents`` and the gazetteer). ``pipeline.rules.incidents``
decides from them whether posts report the same incident. Pure functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache, reduce
from itertools import accumulate, pairwise
from typing import Any

from classifiers.tokenize import Doc, Tokenizer
from pipeline.config import Config, Incidents
from pipeline.rules.analysis import PostAnalysis, PostText
from pipeline.rules.casualties import Casualties, parse_number
from pipeline.rules.events import REPOST_CHAIN
from pipeline.rules.places import namesake_of
from pipeline.rules.spread import chain
from pipeline.timeparse import SHANGHAI

FOREIGN = "外地·"   # marks a namesake of one of our places, named with another county (温岭石塘镇)
TERMS_PER_POST = 16
LETTERS = "message_board"  # the platform of letters to the county's leadership (留言板)
TITLE_CHARS = 8  # a title this long naming a place is a matter's own (letters repeat it)
FUTURE_DAYS = 16  # a day of the month up to this many days after a post's own is one still to come
COMMON_WORD = 100  # seen this often in jieba's dictionary, a village's short form is a word of its own
_CN_NUM = "零〇一二两三四五六七八九十百千万半几"
_PART = r"(凌晨|早上|早晨|清晨|上午|中午|下午|傍晚|晚上|夜间|深夜|今晚|昨晚)"
# "7时许", "18时30分", "早上7点多", "下午三点": a clock time; a bare "一点" is "a little".
_HOUR = re.compile(rf"{_PART}?(\d{{1,2}})\s*(?:时|点)(?!代|间|候|半径)|{_PART}([一两二三四五六七八九十]{{1,3}})(?:时|点)")
# a part of the day told without a clock time ("3日上午，", "昨天下午在…"): what a clock time
# after it dates is something later
_PART_ALONE = re.compile(rf"{_PART}(?![\d一两二三四五六七八九十]{{1,3}}\s*(?:时|点))(?!.{{0,1}}\d{{1,2}}\s*(?:时|点))")
_MINUTES = re.compile(r"\d{1,2}分|[一二三四五六七八九十]{1,3}分|半")
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")
# a clock time right after a day ("11日17时30分许"), and what a measure does at a time: reopen,
# restore, lift … ("于11日17时抢通", "12时恢复供水")
_CLOCK = re.compile(rf"^{_PART}?\d{{1,2}}\s*[时点](?:\d{{1,2}}分)?")
_MEASURES = ("抢通", "恢复", "解除", "修复", "通车", "开放", "封闭", "关闭", "开通", "完工", "实施", "启动", "停止")
# An incident's name by its date, as releases and the press name it (“1·20”坍塌事故, "1·14那场火"):
# month·day followed by what happened (not “3·15”晚会, “11·9”消防宣传日)
_HAPPENED = "事件|事故|火|坍塌|塌方|滑坡|倾覆|翻覆|侧翻|翻船|中毒|溺水|爆炸|案|险情|山洪|泥石流|坠坡|车祸"
_CODE = re.compile(rf"[“\"'‘「](\d{{1,2}})\s*[·・•]\s*(\d{{1,2}})[”\"'’」](?=[^，。！？,!?]{{0,12}}?(?:{_HAPPENED}))"
                   rf"|(?<![\d.·])(\d{{1,2}})[·・•](\d{{1,2}})(?=[^，。！？,!?\d]{{0,4}}?(?:{_HAPPENED}))")
# a toll told roughly ("烧死了七八个", "死了十几个人"): hearsay, no figure reports agree or disagree on
_ROUGH = re.compile(r"(?:十几|几十|好几|[一二两三四五六七八九][两二三四五六七八九](?![十百千万])|\d+多)[个人名]")
_DEAD = re.compile(r"死|遇难|身亡|丧生")
_ROUTE = ("去", "到", "往", "进", "回", "上", "从")  # an area named right after these is where one goes or comes from
_RELATIVE_DAY = re.compile(r"(今天|今日|今晨|今早|今晚|昨天|昨日|昨晚|昨夜)")
_LATE = ("下午", "傍晚", "晚上", "夜间", "深夜", "今晚", "昨晚")
_DEBUNK = re.compile(r"辟谣|谣言|不实|捏造|造谣")
_ANOTHER = re.compile(r"[这那][边里][^，。！？\s]{0,4}也|又发生一起|又一起|也发生了?一起")  # one more, elsewhere
# a post going on about what was told before: again, still, at last, the n-th time or day
_ONGOING = r"还没|还在|依然|依旧|终于|到现在|至今|后续"
_NTH = r"第[0-9一二三两四五六七八九十几N]+"
_GOES_ON = re.compile(rf"又|还是|仍然|{_ONGOING}|来电了|修好了|恢复了|{_NTH}[次天回趟]")
# … and of what is still under way, not of its happening again ("又翻车了" may be one more)
_STILL = re.compile(rf"仍|继续|{_ONGOING}|也找到|{_NTH}[次天回趟个]")
# … but figures being checked ("具体伤亡情况还在核实") are no news of the incident going on
_VERIFYING = re.compile(r"(?:还|仍|正)在(?:进一步)?(?:核实|调查|统计|了解|确认|核查)")
# a post looking back days later at what happened ("前几天安溪乡那个车祸", "上礼拜枫坪塌方那户人家")
_LOOKS_BACK = re.compile(r"前几天|前两天|前阵子|前段时间|上礼拜|上周|上个星期|上个礼拜|上星期")
# where people were taken or were heading: premises named after it are no place of the incident
_DESTINATION = re.compile(r"前往|开往|驶往|赶往|去往|转移到|转移至|安置在|安置到|安置于|安置至|送往|送到|送至|转往|转到"
                          r"|住进|撤到|撤离到|疏散到|避险到")
# vehicles of the response, not of the incident: taken instead, or carrying the hurt away
_INSTEAD = re.compile(r"换乘|改乘|增开|加开|调派|调集")
_CARRIES = re.compile(r"[^，。！？\s]{0,2}送")
# an appliance burnt out by a surge ("电压不稳…热水器烧了"): no fire
_BURNT_OUT = re.compile(r"(?:电器|家电|热水器|冰箱|电视机?|空调|电机|保险丝|灯泡|电饭煲|电脑|电表|洗衣机|变压器)[都也又全]?被?烧[了坏掉]")
_REPLY = re.compile(r"^(?:关于对?|对)?(?:回复|答复|回应|Re|RE|re)+")
_MISHAP = re.compile(r"(?<![怕会要免防以别])(?:出事|出了事|事故|意外)")  # not feared: "真怕出事", "迟早要出事"
# an employer who cannot be reached (包工头电话打不通, 老板失联) is a wage complaint's, and people
# shut in a lift (电梯…被困) are a lift's fault: no missing person
_NOT_MISSING = re.compile(r"(?:包工头|工头|分包人|承包人|老板|老板娘|开发商|负责人)[^，。！？,!?]{0,8}(?:联系不上|失联|找不到|跑路|跑了)"
                            r"|电梯[^。！？!?]{0,20}(?:被困|困住|困在|关在|关里)")
_TURNED_OVER = re.compile(r"翻[了在掉倒进到下]|底朝天")  # "货车翻在弯道上", "船底朝天": which kind, by what turned over
# A province, city, county or town named as one word by the tokenizer (遂昌县, 泉州市, 龙门镇):
# 县 alone (县医院, 县领导) or 该县 / 某县 are two characters and never count.
_ADMIN_ENDS = ("省", "市", "县", "区", "镇", "乡")
_HOME = ("云和", "丽水", "浙江")
_NOT_ADMIN = ("园区", "社区", "小区", "景区", "城区", "街区", "校区", "营区", "厂区", "矿区", "山区", "辖区")
# words ending like a place, or known as one, that name no place elsewhere
_NOT_PLACES = frozenset({"小城镇", "特色小镇", "开发区", "风景区", "工业区", "老城区", "保护区", "示范区", "生活区",
                         "住宅区", "商业区", "居住区", "功能区", "核心区", "度假区", "服务区", "中国", "全国", "华东",
                         "江南", "浙西南", "浙南", "瓯江", "山区", "城区", "市区", "库区", "园区", "新区", "辖区", "片区"})


@dataclass(frozen=True)
class Vocabulary:
    """The words incidents are recognised by, compiled once from ``policy.events.incidents``
    and the gazetteer of ``units.yaml``."""

    rules: Incidents
    kinds: tuple[tuple[str, tuple[str, ...]], ...]
    matters: tuple[tuple[str, tuple[str, ...]], ...]  # routine matters (停电, 路灯 …) and their words
    follow_up: tuple[str, ...]
    objects: tuple[tuple[str, str, tuple[str, ...]], ...]  # (class, family, words)
    spot_pattern: re.Pattern[str] | None
    short_spots: frozenset[str]
    township_of: dict[str, str]  # village / landmark -> township ("" when it spans several)
    town_pattern: re.Pattern[str]
    town_of: dict[str, str]  # township name or alias -> township
    place_words: frozenset[str]
    by_first: dict[str, tuple[str, ...]]  # kind and object words by their first character
    taken: frozenset[str]  # kind and object words: never uncommon terms
    canonical: dict[str, str]  # a place's short form -> its full name (古竹 -> 古竹村)
    ours: frozenset[str] = frozenset()  # short names that may be ours in context (安溪, 凤凰山): never elsewhere
    other_places: frozenset[str] = frozenset()  # places elsewhere: the configured ones and townships' namesakes

    def present(self, text: str) -> set[str]:
        """The kind and object words in the text (looked up only by characters it has)."""
        by_first = self.by_first
        return {w for c in by_first.keys() & set(text) for w in by_first[c] if w in text}

    @classmethod
    def from_config(cls, cfg: Config) -> Vocabulary:
        rules = cfg.policy.events.incidents
        township_of: dict[str, str] = {}
        for t in cfg.units.townships:
            for name in [*t.villages, *t.places]:
                township_of[name] = t.name
        for landmark in [*cfg.units.county.landmarks, *cfg.units.spanning]:
            township_of.setdefault(landmark, "")  # a county landmark spanning townships: a spot only
        town_of = {n: t.name for t in cfg.units.townships for n in (t.name, *t.aliases)}
        canonical = _short_forms(township_of, town_of, cfg.units.county.names)
        for short, full in canonical.items():
            township_of[short] = township_of[full]
        long_names = sorted((n for n in township_of if len(n) >= 3), key=len, reverse=True)
        towns = sorted(town_of, key=len, reverse=True)
        places = set(town_of) | set(township_of) | set(cfg.units.county.names)
        kinds = tuple((k, tuple(ws)) for k, ws in rules.kinds.items())
        matters = tuple((k, tuple(ws)) for k, ws in rules.matters.items())
        objects = tuple((c, f, tuple(ws)) for c, fams in rules.objects.items() for f, ws in fams.items())
        taken = (frozenset(w for _, ws in (*kinds, *matters) for w in ws)
                 | frozenset(w for _, _, ws in objects for w in ws) | frozenset(rules.follow_up))
        by_first: dict[str, list[str]] = {}
        for word in sorted(taken):
            by_first.setdefault(word[0], []).append(word)
        return cls(rules, kinds, matters, tuple(rules.follow_up), objects,
                   re.compile("|".join(map(re.escape, long_names))) if long_names else None,
                   frozenset(n for n in township_of if len(n) < 3), township_of,
                   re.compile("|".join(map(re.escape, towns))), town_of, frozenset(places),
                   {c: tuple(ws) for c, ws in by_first.items()}, taken, canonical,
                   frozenset(a for t in cfg.units.townships for a in t.weak_aliases),
                   frozenset([*rules.other_places, *(w for t in cfg.units.townships for w in t.elsewhere)]))


def _short_forms(township_of: dict[str, str], town_of: dict[str, str], county: list[str]) -> dict[str, str]:
    """What people call a village or community in passing: 古竹 for 古竹村, 青阳门 for 青阳门社区.
    Used to tell that two posts speak of one place (never for relevance or routing: a bare 古竹
    does not say the post is about 云和)."""
    found: dict[str, str] = {}
    for name in township_of:
        for suffix in ("社区", "村"):
            short = name[: -len(suffix)]
            # not a word of its own (浮云 "floating clouds", 中山 a city and a road name everywhere)
            if name.endswith(suffix) and len(short) >= 2 and short not in township_of and short not in town_of \
                    and short not in county and _frequencies().get(short, 0) < COMMON_WORD:
                found[short] = name
    return found


@dataclass(slots=True)
class Clues:
    """What one post says about an incident. ``at`` (epoch seconds) is set by the caller from
    the post's publish or detection time."""

    towns: tuple[str, ...] = ()
    spots: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    matters: tuple[str, ...] = ()  # routine matters named (停电, 路灯 …)
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
    townships: tuple[str, ...] = ()  # the townships the gazetteer found: the post's place identity
    follow_up: bool = False  # a follow-up report (续报, 最新进展, 死亡人数升至 …)
    official: bool = False  # an official account's release: its 辟谣 answers the rumour, in one event
    elsewhere: bool = False  # names a city or county other than 云和 (遂昌县, 泉州市): maybe not ours
    home: str | None = None  # a placeless post's account's township (石塘宝妈): shared evidence, no identity
    mishap: bool = False  # says something happened (出事了, 事故) without naming what
    another: bool = False  # tells of one more such incident ("这边也翻船了", "又发生一起")
    hamlets: tuple[str, ...] = ()  # villages the gazetteer does not know (杏岙村): a place's name, no township
    title: str | None = None  # its title, when that names a place (title_key)
    also_days: tuple[int, ...] = ()  # further days of the month it names ("10月6日…通报了10月5日…事故")
    looks_back: bool = False  # looks back days later at what happened there ("前几天…那个车祸")
    abroad: tuple[str, ...] = ()  # told only as somewhere else's: the places elsewhere it names (莲都, 景宁)
    still: bool = False  # goes on about what is under way ("还没找到", "停电第N天"), not only "又…了"
    recurs: bool = False  # says it happened again ("长田又着火了"): days on, another incident
    codes: tuple[str, ...] = ()  # the incidents it names by their date (“1·20”坍塌事故: "1·20")

    def useful(self) -> bool:
        return bool(self.kinds or self.matters or self.terms or self.codes)

    def places(self) -> tuple[str, ...]:
        return (*self.towns, *self.spots)

    def ours(self) -> bool:
        """Whether it names one of 云和's places (not only a namesake elsewhere: 外地·石塘镇)."""
        return names_ours(self.towns, self.spots)

    def named_days(self) -> tuple[int, ...]:
        """The days of the month the text names, but for those after its own day: "10月20日前与您协商"
        is a deadline, no day anything happened."""
        days = [d for d in (self.day, *self.also_days) if d is not None]
        if self.at:
            today = datetime.fromtimestamp(self.at, SHANGHAI).day
            days = [d for d in days if not 0 < (d - today) % 31 < FUTURE_DAYS]
        return tuple(days)

    def incident_day(self) -> int | None:
        if self.day is not None:
            return next(iter(self.named_days()), None)
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


def names_ours(towns: Collection[str], spots: Collection[str]) -> bool:
    """Whether these places include one of 云和's: a spot, or a township that is not a namesake
    elsewhere (外地·石塘镇). For a post's clues and for an event's profile alike."""
    return bool(spots) or any(not t.startswith(FOREIGN) for t in towns)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, int]:
    """jieba's dictionary (the same dictionary rjieba cuts with), read once: the frequencies of
    words seen 50 times or more (how everyday a word is in general Chinese)."""
    from importlib.resources import files

    freq: dict[str, int] = {}
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, count, *_ = line.rstrip("\n").split(" ")
            if int(count) >= 50:
                freq[word] = int(count)
    return freq


def term_weight(word: str) -> float:
    """An uncommon word weighs more: log(20,000 / frequency), from 0 (everyday) to 8."""
    return max(0.0, min(8.0, math.log(20_000 / (_frequencies().get(word, 10) + 1))))


@lru_cache(maxsize=200_000)
def _token_weight(tok: str) -> float:
    """A token's weight as an incident term (0: never one: too short, a number, not Chinese,
    the county's name, or an everyday word). Cached: the same words recur in every post."""
    if len(tok) < 2 or tok.startswith("云和"):
        return 0.0
    if any(c.isdigit() or c in _CN_NUM for c in tok) or not any("\u4e00" <= c <= "\u9fff" for c in tok):
        return 0.0
    w = term_weight(tok)
    return w if w >= 1.0 else 0.0


_QUOTED = re.compile(r"[“「『\"]([\u4e00-\u9fff]{3,8})[”」』\"]")
QUOTED_WEIGHT = 7.5  # a short phrase in quotes names the thing itself (“特色课程费”, “观光费”)


def _terms(doc: Doc, vocab: Vocabulary, taken: frozenset[str]) -> tuple[tuple[str, float], ...]:
    places = vocab.place_words
    seen = {t: w for t in dict.fromkeys(doc.tokens) if (w := _token_weight(t)) and t not in taken and t not in places}
    for phrase in _QUOTED.findall(doc.text):
        if phrase not in taken and phrase not in places and not phrase.startswith("云和"):
            seen[phrase] = max(seen.get(phrase, 0.0), QUOTED_WEIGHT)
    best = sorted(seen.items(), key=lambda tw: -tw[1])[:TERMS_PER_POST]
    return tuple((t, round(w, 2)) for t, w in best)


def _hour(text: str) -> int | None:
    """The clock hour the incident happened, or None. A text that says only the part of the day
    first ("11月3日上午，…，至13时许将被埋人员全部救出") gives the later times of its rescue, not of
    the incident."""
    told = _PART_ALONE.search(text)
    for m in _HOUR.finditer(text):
        if _reported_at(text, m.start(), _minutes_end(text, m.end())):
            continue
        if told is not None and told.end() <= m.start():
            return None
        part, number = m.group(1) or m.group(3), m.group(2) or m.group(4)
        value = parse_number(number)
        if value is None or value > 24:
            return None
        h = int(value)
        if (part in _LATE and h < 12) or (part == "中午" and h < 3):
            h += 12
        return h % 24
    return None


def _reported_at(text: str, start: int, end: int | None = None) -> bool:
    """A time that dates a report ("截至28日6时") or a measure ("今日13时起暂停接待", "预计14时前
    恢复"), not the incident."""
    before = text[max(0, start - 8):start]
    after = text[end:end + 4] if end is not None else ""
    after = after.lstrip("许左右")
    return "截至" in before or "截止" in before or before.endswith(("至", "到")) \
        or (after.startswith(("起", "前", "以前", "之前")) and not after.startswith("起火")) \
        or _done_at(text, start, end)  # 20时许起火


def _done_at(text: str, start: int, end: int | None) -> bool:
    """A day or time when something was done about it ("已于11月11日17时抢通", "12时恢复供水")."""
    after = _CLOCK.sub("", text[end:end + 12], count=1).lstrip("许左右") if end is not None else ""
    return "已于" in text[max(0, start - 8):start] or after.startswith(_MEASURES)


def _minutes_end(text: str, end: int) -> int:
    """Where a clock time ends, its minutes included ("18时30分")."""
    m = _MINUTES.match(text, end)
    return m.end() if m else end


def _day(text: str, days: list[int]) -> tuple[int | None, int | None]:
    """The day of the month a text names first (``days``: those ``_days`` found), or how many
    days before its own it says (昨天: -1)."""
    if days:
        return days[0], None
    r = _RELATIVE_DAY.search(text)
    return (None, (-1 if r.group(1).startswith("昨") else 0)) if r else (None, None)


def _days(text: str) -> list[int]:
    """The days of the month the text names (not when it was reported: "记者3日获悉", nor when a
    measure was taken: "11日17时抢通"), first first."""
    found = [int(m.group(2)) for m in _DAY.finditer(text)
             if not _reported_at(text, m.start()) and not _done_at(text, m.start(), m.end())]
    return list(dict.fromkeys(d for d in found if 1 <= d <= 31))


def _rough_toll(text: str) -> bool:
    """Whether the text tells the dead only roughly ("至少烧死了七八个工人", "死了十几个人")."""
    return any(_DEAD.search(text, max(0, m.start() - 6), m.end() + 4) for m in _ROUGH.finditer(text))


def _in_area(text: str, area: str) -> bool:
    """Whether the text tells of something in an area (县城), not only of going there or coming from
    it ("乡里去县城的中巴被撞翻", "石塘往县城的班车", "凌晨从县城送货返回途中出事")."""
    return any(not text[max(0, m.start() - 1):m.start()].endswith(_ROUTE) for m in re.finditer(re.escape(area), text))


def _again_word(text: str, word: str) -> bool:
    """Whether the text says that what ``word`` names happened again ("又着火了", "又翻车了")."""
    return re.search(rf"又[^，。！？\s]{{0,2}}{re.escape(word)}", text) is not None


def _codes(text: str) -> dict[str, int]:
    """The incidents a text names by their date ("month·day"), first first, with the day each names."""
    found: dict[str, int] = {}
    for m in _CODE.finditer(text):
        month, day = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.setdefault(f"{month}·{day}", day)
    return found


def incident_text(title: str | None, text: str) -> str:
    """What a post says about the incident: its title (when the text does not repeat it) and
    its text — for a repost, the original it quotes, not the comments on it."""
    parts = REPOST_CHAIN.split(text)
    body = parts[-1] if len(parts) > 1 and len(parts[-1].strip()) >= 8 else text
    return f"{title}。{body}" if title and title not in body else body


def post_clues(post: PostText, doc: Doc, analysis: PostAnalysis, vocab: Vocabulary, tokenizer: Tokenizer) -> Clues:
    """``extract`` for an analysed post (``doc``: its text, tokenised)."""
    found = clues_of(post, doc, analysis.townships, analysis.casualties, analysis.classified.rumor, vocab, tokenizer)
    if analysis.release is not None:
        return replace(found, official=True, rumor=False)
    return replace(found, home=analysis.home) if analysis.home and not found.places() else found


def clues_of(post: PostText, doc: Doc, townships: list[str], casualties: Casualties, rumor: bool,
             vocab: Vocabulary, tokenizer: Tokenizer) -> Clues:
    """The clues of a post whose places, figures and rumour flag are known."""
    text = incident_text(post.title, post.text)
    found = extract(_incident_doc(text, post.title, doc, tokenizer), townships, casualties.deaths,
                    casualties.injured or casualties.serious_injuries, vocab,
                    account_elsewhere=_account_elsewhere(_speaker(post, text), vocab))
    if post.platform == LETTERS and found.kinds and found.matters and not (found.deaths or found.hurt):
        # a letter to the leadership asks about a matter; the collapse or fire it mentions in
        # passing ("路基塌陷", "着火了消防栓都没水") is not an incident it reports
        found = replace(found, kinds=(), mishap=False)
    return replace(found, rumor=rumor, debunk=bool(_DEBUNK.search(text)), townships=tuple(townships),
                   title=title_key(post.title, vocab))


def _speaker(post: PostText, read: str) -> str | None:
    """Whose words the clues read (``read``: the post's incident text): a repost's original
    account when only what it passes on is read ("//@景宁发布:【情况通报】…"), else the post's."""
    links = chain(post.text)
    return links[-1][0] if links and links[-1][1] and links[-1][1] in read else post.author


def _account_elsewhere(author: str | None, vocab: Vocabulary) -> str | None:
    """The county or city other than 云和 an account's name begins with (龙泉发布, 景宁交警, 龙泉同城):
    its "我县" / "我市" is that place. A person's name telling where they live or come from
    ("在杭州的小徐人", "杭州来的摄影狗") speaks for no place."""
    if not author or "云和" in author:
        return None
    return next((place for place in vocab.other_places
                 if author.startswith(place) and not author[len(place):].startswith(("来", "的", "人"))), None)


def title_key(title: str | None, vocab: Vocabulary) -> str | None:
    """A title that names its place and its matter ("元和街道小徐村养猪场臭气扰民"), as letters by
    different people about one matter repeat it; None for a short or placeless one (情况通报,
    关于一起交通事故的情况通报), which many matters share."""
    if not title:
        return None
    key = "".join(ch for ch in title if ch.isalnum())  # Han characters are alphanumeric too
    key = _REPLY.sub("", key)  # a unit's reply repeats the letter's title after 回复
    named = (vocab.spot_pattern is not None and vocab.spot_pattern.search(key)) or vocab.town_pattern.search(key)
    return key if len(key) >= TITLE_CHARS and named else None


def _incident_doc(text: str, title: str | None, doc: Doc, tokenizer: Tokenizer) -> Doc:
    """``text`` tokenised, reusing the tokens of the post's text (``doc``) where it holds them:
    a title put before the whole text only needs the title cut (jieba never joins a word across
    "。", which is not a Han character)."""
    if text == doc.text:
        return doc
    if title and text == f"{title}。{doc.text}":
        return Doc(text, (*tokenizer.doc(title).tokens, "。", *doc.tokens))
    return tokenizer.doc(text)


def extract(doc: Doc, townships: list[str], deaths: int | None, hurt: int | None, vocab: Vocabulary,
            account_elsewhere: str | None = None) -> Clues:
    """The clues of one post (``doc``: its ``incident_text``): places, kind, objects, figures,
    hour and day, uncommon words. ``account_elsewhere``: its account is another county's (景宁发布's
    "我县一水库…", 温岭发布's 石塘镇 are theirs unless the text names 云和)."""
    text = doc.text
    named_spots = vocab.spot_pattern.findall(text) if vocab.spot_pattern else []
    spots = list(named_spots)
    words = _short_words(doc.tokens)
    named = [vocab.town_of[n] for n in vocab.town_pattern.findall(text) if len(n) > 2 or n in words]
    spots += _short_spots(words, spots, set(named), vocab)
    spots = list(dict.fromkeys(vocab.canonical.get(s, s) for s in spots))
    others = places_elsewhere(doc, vocab)
    elsewhere = bool(others) or (account_elsewhere is not None and not (
        any(t.startswith("云和") for t in doc.tokens) and (townships or spots)))
    named += [vocab.township_of[s] for s in spots
              if vocab.township_of.get(s) and not namesake_of(text, s, vocab.town_of, (vocab.township_of[s],))]
    if elsewhere and named and not townships:
        # It names another place, and the gazetteer kept none of ours (温岭市石塘镇, 苏州相城元和街道,
        # 元阳梯田): what it names is that place's namesake — a place, but not one of ours.
        spots = [s for s in spots if not vocab.township_of.get(s)]
        named = [f"{FOREIGN}{t}" for t in named]
    if not (townships or named or elsewhere):  # "县城": any of the townships it spans (not 安溪县城厢镇)
        named = [t for area, ts in vocab.rules.areas.items() if _in_area(text, area) for t in ts]
    towns = list(dict.fromkeys([*townships, *named]))
    # told only as somewhere else's: the places it names (or its account's) are where it happened
    abroad = () if not elsewhere or names_ours(towns, spots) else tuple(
        others or ([account_elsewhere] if account_elsewhere else []))
    present = vocab.present(text)
    # a landmark's name is its place, not what happened there (紧水滩电站 is where a crash was)
    unnamed = reduce(lambda t, s: t.replace(s, ""), sorted(spots, key=len, reverse=True), text)
    bounds = _bounds(doc.tokens)
    named_objects = _outermost(_words_of(text, bounds, {w for _, _, ws in vocab.objects for w in ws if w in present}),
                               unnamed)
    objects = [f"{c}:{f}" for c, f, words in vocab.objects if (said := named_objects.intersection(words))
               and not (_only_destination(unnamed, said) if c == "场所" else _only_aside(unnamed, said))]
    burnt = _BURNT_OUT.sub("", text)  # "热水器烧了": an appliance burnt out, no fire
    kinds = _kinds(burnt, present if burnt == text else vocab.present(burnt), objects, vocab)
    for first, *also in vocab.rules.related_kinds:  # 山火 is a fire too; a fire is no 山火
        if first in kinds:
            kinds += [k for k in also if k not in kinds]
    matters = [k for k, words in vocab.matters if not present.isdisjoint(words)]
    recurs = any(_again_word(text, w) for k, words in vocab.kinds if k in kinds for w in words if w in present)
    follow_up = not present.isdisjoint(vocab.follow_up)
    if deaths is not None and _rough_toll(text):
        deaths = None
    codes = _codes(text)
    # the day an incident is named by is the day it happened, whatever day the report was written
    days = list(dict.fromkeys([*codes.values(), *_days(text)]))
    day, rel = _day(text, days)
    return Clues(tuple(towns), tuple(spots), tuple(kinds), tuple(matters), tuple(objects), deaths, hurt, _hour(text),
                 day, rel, _terms(doc, vocab, vocab.taken), follow_up=follow_up, elsewhere=elsewhere,
                 mishap=not kinds and bool(_MISHAP.search(text)), another=bool(_ANOTHER.search(text)),
                 hamlets=(*_hamlets(doc, bounds, vocab, named_spots), *_streets(doc.tokens, vocab))[:3],
                 also_days=tuple(days[1:4]), looks_back=bool(_LOOKS_BACK.search(text)), abroad=abroad,
                 still=bool(_STILL.search(_VERIFYING.sub("", text))), recurs=recurs, codes=tuple(codes))


def _short_spots(words: set[str], spots: list[str], named: set[str], vocab: Vocabulary) -> list[str]:
    """The villages and places named by a short form (古竹, 山脚). Beside a township of ours that
    does not hold it (``named``: the townships the text names), a short form is a word of its own
    ("崇头停水第二天，…去山脚接泉水": the foot of a hill, not 元和街道's 山脚村)."""
    found = [t for t in vocab.short_spots.intersection(words) if t not in spots]
    return [t for t in found if not (named and vocab.canonical.get(t) and vocab.township_of.get(t)
                                     and vocab.township_of[t] not in named)]


# "X村" / "X社区" naming a village, not 村民, 村里, 村委 …
_HAMLET = re.compile(r"(?=([\u4e00-\u9fff]{2,3})(村|社区)(?![民里委干级务庄落镇两组]))")
_NOT_NAME_START = frozenset("在的了是从到往去回进出和与个们这那该某本我你他她全各整邻外同两几一每其此向对给被把将日月年号镇乡街区县系"
                            "起就说经关于并已才最停贴排过走有现")
_NOT_IN_NAME = frozenset("某村社的了和到在是就向对该整全各或进及等过由问为毁去离邻个我你他们这那")


def _hamlets(doc: Doc, starts: frozenset[int], vocab: Vocabulary, known: list[str]) -> tuple[str, ...]:
    """Villages and communities the gazetteer does not know, named "X村" / "X社区" (杏岙村口大巴翻了,
    龙门新村停水): two to three characters that begin where jieba begins a word (``starts``: see
    ``_bounds``; "多次向村里" and "部门和村干部" name none), are no everyday word (我们村, 农村) and
    no part of a place we know (``known``: the gazetteer's names the text holds, as
    ``Vocabulary.spot_pattern`` found them)."""
    text = doc.text
    found: list[str] = []
    for m in _HAMLET.finditer(text):
        body, suffix = m.group(1), m.group(2)
        for cut in (0, 1) if len(body) == 3 else (0,):
            stem, start = body[cut:], m.start(1) + cut
            name = stem + suffix
            if start in starts and stem[0] not in _NOT_NAME_START and _NOT_IN_NAME.isdisjoint(stem) \
                    and not stem.endswith(("自然", "行政")) and _frequencies().get(stem[:2], 0) < COMMON_WORD \
                    and _frequencies().get(stem, 0) < COMMON_WORD and _frequencies().get(stem[-2:], 0) < COMMON_WORD \
                    and not any(name in k or k in name for k in known) \
                    and not any(n in name for n in vocab.town_of):
                found.append(name)
                break
    return tuple(dict.fromkeys(found))[:3]


_NOT_STREET_START = frozenset("因跟没迷冲翻驶可必熟彻根挖通上")
_STREET_ENDS = ("路", "街", "巷", "弄", "大道")  # the end of a street's one-word name (解放街, 鸣翠路)
_STREET_WORDS = (*_STREET_ENDS, "东路", "西路", "南路", "北路", "中路")  # … or a word after its name (环城 西路)
# words ending like a street that name no particular one
_NOT_STREETS = frozenset({"马路", "山路", "公路", "道路", "小路", "大路", "水路", "铁路", "网路", "思路", "出路", "后路",
                          "走路", "上路", "一路", "半路", "找路", "带路", "修路", "让路", "迷路", "老路", "新路", "进路",
                          "线路", "电路", "回路", "套路", "门路", "来路", "去路", "一条街", "上街", "逛街", "满街",
                          "大街", "小街", "老街", "街", "路", "巷", "弄", "小巷", "大道", "商业街", "步行街", "美食街"})


_NOT_STREET_END = frozenset("天步段条点里米公次趟个们边上下")  # 半天 路, 几步 路: a measure, not a name


def _streets(tokens: tuple[str, ...], vocab: Vocabulary) -> tuple[str, ...]:
    """Streets and lanes the gazetteer does not know, as jieba cuts them: one word ending like a
    street (解放街, 鸣翠路) or a two-character name before a street word (人民 巷, 青枫 路,
    新城 大道, 环城 西路) — names of places, like unknown villages, with no township."""
    found: list[str] = []
    for before, token, after in zip(("", *tokens), tokens, (*tokens[1:], ""), strict=False):
        if len(token) in (3, 4) and token.endswith(_STREET_ENDS) and token[0] not in _NOT_NAME_START \
                and token not in _NOT_STREETS and token[-2:] not in _NOT_STREETS:
            name = token
        elif token in _STREET_WORDS and len(before) == 2 and before[0] not in _NOT_NAME_START \
                and before[-1] not in _NOT_STREET_END and _NOT_IN_NAME.isdisjoint(before):
            name = before + token
        else:
            continue
        if after and _frequencies().get(token[-1] + after[0], 0) >= COMMON_WORD:
            continue  # the street word goes on into another word (巷子 路 灯不亮, 以后 路 面积)
        if name[0] in _NOT_STREET_START:
            continue  # a verb or an adverb before 路 / 弄 (迷了路, 冲下路坎, 根本弄不明白, 因锦溪路…爆管)
        if name not in vocab.township_of and not any(n in name for n in vocab.town_of):
            found.append(name)
    return tuple(dict.fromkeys(found))


def _kinds(text: str, present: set[str], objects: list[str], vocab: Vocabulary) -> list[str]:
    """The kinds of incident a text names. What turned over says which kind (a boat that 侧翻 has
    capsized, it had no road accident); a text naming only what a fallback kind is (失联 …) is
    that kind, while in a fire's 续报 the missing are the fire's figures; "公交车事故" is a traffic
    accident."""
    named = [k for k, words in vocab.kinds if not present.isdisjoint(words)]
    fallback = vocab.rules.fallback_kinds
    kinds = [k for k in named if k not in fallback] or named
    known = dict(vocab.kinds)
    vehicles = {o for o in objects if o.startswith("车辆:")}
    if "交通事故" in kinds and vehicles == {"车辆:船"} and "翻船" in known:
        kinds = ["翻船" if k == "交通事故" else k for k in kinds]
    if "坠落" in kinds and vehicles - {"车辆:船"} and "交通事故" in known:
        # a vehicle that fell off a cliff (坠崖面包车) had a road accident, no one fell from a height
        kinds = list(dict.fromkeys("交通事故" if k == "坠落" else k for k in kinds))
    if kinds and set(kinds) <= set(fallback) and _NOT_MISSING.search(text):
        kinds = []
    if set(kinds) <= {"溺水"} and _TURNED_OVER.search(text):
        # what turned over is what happened; people in the water after it are its ("竹筏翻了 两个人掉水里")
        kinds = [k for k in _turned_over(objects) if k in known] or kinds
    if not kinds and _MISHAP.search(text) and any(o.startswith("车辆:") and o != "车辆:船" for o in objects) \
            and "交通事故" in known:
        kinds = ["交通事故"]
    return list(dict.fromkeys(kinds))


def _only_destination(text: str, words: Collection[str]) -> bool:
    """Whether each of these premises words the text holds is where people were taken or were
    heading ("转移到学校", "安置在乡中心学校", "送往县人民医院", "前往龙泉方向某工地"), not where it
    happened."""
    found = [m.start() for w in words for m in re.finditer(re.escape(w), text)]
    return bool(found) and all(_DESTINATION.search(text, max(0, at - 8), at) for at in found)


def _bounds(tokens: tuple[str, ...]) -> frozenset[int]:
    """Where jieba's words begin and end in the text they were cut from (0 … its length)."""
    return frozenset(accumulate((len(t) for t in tokens), initial=0))


def _words_of(text: str, bounds: frozenset[int], words: set[str]) -> set[str]:
    """The words found in the text other than only across two of its words (``bounds``: see
    ``_bounds``): 客车 is no word of "游客车辆" (游客 | 车辆), while 中巴 is one of "中巴车"."""
    return {w for w in words if any(m.start() in bounds or m.end() in bounds
                                    or not bounds & set(range(m.start() + 1, m.end()))
                                    for m in re.finditer(re.escape(w), text))}


def _only_aside(text: str, words: Collection[str]) -> bool:
    """Whether each of these vehicle words the text holds is a vehicle of the response, not one
    in the incident: one taken instead ("换乘接驳车", "增开接驳车") or carrying the hurt away
    ("拿私家车送下去")."""
    found = [(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), text)]
    return bool(found) and all(_INSTEAD.search(text, max(0, a - 4), a) or _CARRIES.match(text, b)
                               for a, b in found)


def _short_words(tokens: tuple[str, ...]) -> set[str]:
    """The tokens, and the pairs of single characters jieba left side by side: a short name it
    does not know is cut into its characters ("长田着火了" -> 长 田 着火 了), while inside a word
    of its own ("延长田间管理" -> 延长 田间) the same characters are no name."""
    pairs = {a + b for a, b in pairwise(tokens) if len(a) == 1 and len(b) == 1}
    return {*tokens, *pairs}


def _outermost(words: set[str], text: str) -> set[str]:
    """The words found in the text other than only inside a longer one of them: a 小型客车 is a
    car, not a 客车 (a bus)."""
    kept = set()
    for w in words:
        rest = text
        for longer in (v for v in words if w != v and w in v):
            rest = rest.replace(longer, "")
        if w in rest:
            kept.add(w)
    return kept


def _turned_over(objects: list[str]) -> list[str]:
    """What "翻了" reports depends on what turned over: a boat capsized, a vehicle overturned."""
    vehicles = [o for o in objects if o.startswith("车辆:")]
    if "车辆:船" in vehicles:
        return ["翻船"]
    return ["交通事故"] if vehicles else []


def names_elsewhere(doc: Doc, vocab: Vocabulary) -> bool:
    """Whether the text names a place that is not 云和 or one of its own (``places_elsewhere``)."""
    return bool(places_elsewhere(doc, vocab))


def places_elsewhere(doc: Doc, vocab: Vocabulary) -> list[str]:
    """The places the text names that are not 云和 or one of its own: a city, county or town named
    as one word (遂昌县, 泉州市, 龙门镇, 瓯海区) or one of the configured places elsewhere (杭州,
    景宁, 莲都 even when cut into characters: ``other_places``) — a post naming one may well be
    about that place, not ours. Each is given without its 县 / 市 / 区 (莲都区 and 莲都 are one).
    A text naming 云和 itself is about 云和 ("丽龙高速云和段龙泉方向"): none."""
    if any(t.startswith("云和") for t in doc.tokens):
        return []
    found = []
    for i, (before, t) in enumerate(pairwise(("", *doc.tokens))):
        if t in vocab.other_places and len(before) == 1 and "\u4e00" <= before <= "\u9fff" \
                and before not in _NOT_NAME_START:
            continue  # inside an unknown longer name (白龙湾小学 is no 龙湾)
        if _origin(doc.tokens, i, vocab):
            continue  # where people come from ("伤者多为上海、杭州自驾游客") is no place of what happened
        if (t.startswith(_HOME) or t in vocab.place_words or t in vocab.township_of or t in vocab.ours
                or t in vocab.taken or t in _NOT_PLACES or t[0] in _NOT_NAME_START or t.endswith(_NOT_ADMIN)):
            continue
        if (len(t) >= 3 and t.endswith(_ADMIN_ENDS)) or t in vocab.other_places:
            found.append(t)
    # a short name jieba does not know is cut into its characters ("莲都的" -> 莲 都 的)
    found += [a + b for a, b in pairwise(doc.tokens) if len(a) == 1 and len(b) == 1 and a + b in vocab.other_places]
    return list(dict.fromkeys(_county_name(t) for t in found))


_FROM = frozenset({"来自", "籍贯", "老家"})
_PEOPLE = frozenset({"游客", "旅客", "客人", "驴友", "自驾", "自驾游", "籍", "人", "车牌", "牌照", "车主", "来的", "务工", "老乡"})
_BETWEEN = frozenset({"、", "，", "和", "及", "与", "等", "等地", "地", "的", "两地", "三地"})


def _origin(tokens: tuple[str, ...], i: int, vocab: Vocabulary) -> bool:
    """Whether the place at ``tokens[i]`` is where people come from: after 来自, or before the
    people or plates it qualifies, past a list of such places ("上海、杭州、宁波自驾游客")."""
    if i and tokens[i - 1] in _FROM:
        return True
    for t in tokens[i + 1:i + 8]:
        if t in _PEOPLE:
            return True
        if not (t in _BETWEEN or t in vocab.other_places or _county_name(t) in vocab.other_places):
            return False
    return False


def _county_name(place: str) -> str:
    """莲都区 -> 莲都, 遂昌县 -> 遂昌, 泉州市 -> 泉州; a town (龙门镇) and a two-character name keep theirs."""
    return place[:-1] if len(place) >= 3 and place.endswith(("县", "市", "区")) else place


def goes_on(text: str) -> bool:
    """Whether a text goes on about something told before ("第六天 今晚又是通宵", "终于来电了"),
    not of one more such thing ("那边也翻船了")."""
    return bool(_GOES_ON.search(text)) and not _ANOTHER.search(text)
