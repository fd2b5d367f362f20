"""The same incident in other words: an event's facts folded over its posts (``Profile``), and
whether a post's facts (``pipeline.rules.clues.Clues``) report the event's incident
(``match``) or contradict it (``conflicts``). Pure functions; the clock is in the facts.

Two outlets retelling one incident share few character shingles but the same place (township,
village, landmark), the same kind of incident, the same objects (the bus, the restaurant), the
same hour, figures that agree or grow, and uncommon words. Two incidents in one township on one
day differ in at least one of these, and a contradiction (deaths that fall, other vehicles,
another hour or day) keeps them apart. Routine matters without a kind of incident join on a
shared place and the same problem (停电, 路灯, 噪音 … in any words) while the event is open, or on
a good share of uncommon words. A follow-up naming no place (续报: "翻船事故死亡人数升至3人") joins
the one recent event of its kind it does not contradict.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

from pipeline.config import Incidents
from pipeline.rules.clues import Clues, names_ours

TERMS_PER_EVENT = 48
TITLES = 8
HAMLETS = 8
DATED_HOURS = 48  # a post this long after an event's last news giving its day agrees in one fact more
FRESH_HOURS = 24  # a placeless flash with no follow-up marker continues an incident this recent
ROUTINE_FRESH_HOURS = 24  # … and a placeless complaint the one problem of its kind raised this recently
SPOT_WORDS = 8.0  # uncommon words a post naming only a spot shares with the one thing open there
SPOT_FRESH_HOURS = 6  # … or told this soon after the last post of it
ROUTINE_SOLE_DAYS = 3  # … and a complaint naming the township the one such problem there this recently
SPOTS_APART_HOURS = 12  # … and beyond this, an event at another village is not "the only one there"
NAME_WEIGHT = 7.0  # a word this uncommon (jieba's dictionary hardly knows it) is likely a name
TOLD_WORDS, TOLD_WEIGHT = 3, 15.0  # uncommon words a post naming no kind shares with an incident at its place


@dataclass(slots=True)
class Profile:
    """An event's clues folded over its posts (compact: there is one per open event)."""

    towns: set[str] = field(default_factory=set)
    spots: set[str] = field(default_factory=set)
    hamlets: set[str] = field(default_factory=set)  # villages the gazetteer does not know, at most 8
    kinds: set[str] = field(default_factory=set)
    matters: set[str] = field(default_factory=set)
    objects: set[str] = field(default_factory=set)
    figures: list[tuple[float, int]] = field(default_factory=list)  # (at, deaths), at most 16
    hurt: list[int] = field(default_factory=list)
    hours: dict[int, int] = field(default_factory=dict)  # hour -> posts giving it
    days: dict[int, int] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)  # uncommon word -> posts using it
    stems: dict[str, str] = field(default_factory=dict)  # first two characters -> a word
    homes: set[str] = field(default_factory=set)  # townships the accounts of its placeless posts name
    mishap: bool = False  # a post of it says something happened there without naming what
    titles: set[str] = field(default_factory=set)  # its posts' titles naming a place, at most 8
    rumor: bool = False
    elsewhere: bool = False  # a post of it names a city or county other than 云和
    abroad: set[str] = field(default_factory=set)  # the places elsewhere its posts told only as elsewhere name
    codes: set[str] = field(default_factory=set)  # the date names its posts give the incident ("1·20")
    first: float = math.inf
    last: float = -math.inf

    def add(self, c: Clues) -> None:
        self.rumor = self.rumor or c.rumor
        self.elsewhere = self.elsewhere or (c.elsewhere and not c.ours())  # one of ours mentioning 杭州 is ours
        self.towns.update(c.towns)
        self.spots.update(c.spots)
        if len(self.abroad) < HAMLETS:
            self.abroad.update(c.abroad)
        if len(self.hamlets) < HAMLETS:
            self.hamlets.update(c.hamlets)
        if c.home:
            self.homes.add(c.home)
        self.mishap = self.mishap or c.mishap
        if c.title and len(self.titles) < TITLES:
            self.titles.add(c.title)
        self.kinds.update(c.kinds)
        self.matters.update(c.matters)
        self.objects.update(c.objects)
        self.codes.update(c.codes)
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

    def foreign(self) -> bool:
        """Told only as somewhere else's: a post names another county, and none names our places."""
        return self.elsewhere and not names_ours(self.towns, self.spots)

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
        self.rumor = self.rumor or other.rumor
        self.elsewhere = self.elsewhere or other.elsewhere
        self.mishap = self.mishap or other.mishap
        for name in ("towns", "spots", "hamlets", "kinds", "matters", "objects", "homes", "titles", "abroad", "codes"):
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


def conflicts(c: Clues, p: Profile, rules: Incidents, timed: bool = True) -> list[str]:
    """Facts of the post that contradict the event's: each one means another incident. With
    ``timed`` False its hour and day are no contradiction (a reply to a letter is dated by when it
    was written: "经核实…已于10月15日…")."""
    found = []
    # the missing of an incident named by its date ("“2·13”事故失联人员…") are its own, whatever it was
    named = _names_shared(c, p)
    if c.kinds and p.kinds and not common_kinds(c.kinds, p.kinds, rules) and not (named and only_fallback(c.kinds, rules)):
        found.append(f"事件类型不同（{'、'.join(c.kinds)} / {'、'.join(sorted(p.kinds))}）")
    # an incident's posts name problems in passing (被困人员, 转移到学校, 供水): kinds tell incidents apart
    if c.matters and p.matters and not set(c.matters) & p.matters and not (c.kinds or p.kinds):
        found.append(f"反映的问题不同（{'、'.join(c.matters)} / {'、'.join(sorted(p.matters))}）")
    if c.spots and p.spots and not set(c.spots) & p.spots and (c.matters or p.matters) and not (c.kinds or p.kinds):
        found.append(f"地点不同（{'、'.join(c.spots)} / {'、'.join(sorted(p.spots))}）")
    elif c.hamlets and p.hamlets and not set(c.hamlets) & p.hamlets and not (c.kinds or p.kinds):
        found.append(f"地点不同（{'、'.join(c.hamlets)} / {'、'.join(sorted(p.hamlets))}）")
    if c.recurs and p.kinds and c.at > p.first + FRESH_HOURS * 3600:
        found.append("再次发生的同类事件，非此前一起")  # "长田又着火了" five days after a fire there
    if c.codes and p.codes and not named:
        found.append(f"事件名称不同（{'、'.join(f'“{n}”' for n in c.codes)} / {'、'.join(f'“{n}”' for n in sorted(p.codes))}）")
    if c.deaths is not None:
        before = [d for at, d in p.figures if at <= c.at]
        after = [d for at, d in p.figures if at > c.at]
        if (before and c.deaths < max(before)) or (after and c.deaths > min(after)):
            found.append(f"死亡人数不符（{c.deaths} / {'、'.join(str(d) for _, d in p.figures)}）")
    if clash := _objects_clash(set(c.objects), p.objects, rules):
        found.append(f"涉及对象不同（{_names(clash[0])} / {_names(clash[1])}）")
    if not (c.kinds or p.kinds) or not timed:  # a routine matter goes on for days: its hours and days differ
        return found
    # a follow-up's clock time is most often the new development's ("今日14时许不幸离世"), and a
    # search's clock times are of the search (凌晨6时 … 找到), not of when someone went missing
    searching = only_fallback(c.kinds, rules) or only_fallback(p.kinds, rules)
    going_on = c.follow_up or c.still  # "1人仍在搜寻": news of what is under way
    if c.hour is not None and p.hours and not going_on and not searching \
            and _hours_apart(c.hour, usual := p.usual_hour()):
        found.append(f"发生时间不同（{c.hour}时 / {usual}时）")
    day = c.incident_day()
    # … and a later day with a toll is that of the news ("今天上午获悉 … 已致2人遇难")
    if day is not None and p.days and not p.days.keys() & {day, *c.named_days()} \
            and not ((going_on or c.deaths is not None) and _days_after(day, p.days)):
        found.append(f"发生日期不同（{day}日 / {'、'.join(f'{d}日' for d in sorted(p.days))}）")
    return found


def reach(c: Clues, p: Profile, rules: Incidents) -> float:
    """How long (seconds) before or after an event a post may still tell of it: an incident's
    ``window_hours``; a routine matter's ``matter_window_days``, and as long for a letter repeating
    a title or a later report naming the incident's kind and day (an investigation's result a
    week on: "11月13日学生疑似食源性疾病事件系…")."""
    titled = bool(c.title and c.title in p.titles)
    kinds = common_kinds(c.kinds, p.kinds, rules)
    dated = bool(kinds) and c.incident_day() in p.days and c.at >= p.first
    # "前几天安溪乡那个车祸": what happened at its place days ago, of its kind
    recalled = bool(kinds) and c.looks_back and c.at >= p.last and bool(set(c.towns) & p.towns or set(c.spots) & p.spots)
    named = bool(_names_shared(c, p))  # "“2·13”事故后，我局…": the incident by its name
    long = not (c.kinds or p.kinds) or titled or dated or recalled or named
    return float(rules.matter_window_days * 86400 if long else rules.window_hours * 3600)


def within(c: Clues, p: Profile, rules: Incidents, least: float) -> bool:
    """Whether the post is near enough in time to the event to tell of it: within ``least``
    seconds of it (checked first: most candidates are), or within its ``reach``."""
    return p.first - least <= c.at <= p.last + least or p.first - (w := reach(c, p, rules)) <= c.at <= p.last + w


def match(c: Clues, p: Profile, rules: Incidents, everyday: frozenset[str] = frozenset(),
          sole: bool = False) -> Match | None:
    """Whether the post reports the event's incident, with the agreeing facts as reasons.
    ``everyday`` words (in many unrelated posts of late: boilerplate, templates) do not count;
    ``sole``: the event is the only one of its kind at that place of late (for a post naming no
    place: in the county, or at its account's township), so one agreeing fact less is needed."""
    titled = bool(c.title and c.title in p.titles)  # letters repeat a matter's title for weeks
    if not within(c, p, rules, rules.window_hours * 3600):
        return None
    # a village the gazetteer does not know, named on both sides, is a spot in common
    towns, spots = set(c.towns) & p.towns, (set(c.spots) & p.spots) | (set(c.hamlets) & p.hamlets)
    homes = home_shared(c, p)  # an account's township meets the other side's: evidence, not identity
    placeless = (not (c.towns or c.spots) or not (p.towns or p.spots)) and not homes
    if placeless and c.elsewhere and p.foreign() and (abroad := set(c.abroad) & p.abroad):
        # both told only as somewhere else's, at the same place there (莲都): that place is shared
        towns, placeless = abroad, False
    if placeless and c.home and p.towns:
        sole = False  # its account is of another township: being the only candidate is not enough
    if c.hamlets and p.hamlets and not spots:
        sole = False  # two villages we do not know: the only such event is at the other one
    if c.another and not (towns or spots):
        sole = False  # "千峡湖这边也翻船了": one more, not the one known
    if c.spots and p.spots and not spots and not (p.first - SPOTS_APART_HOURS * 3600 <= c.at <= p.first
                                                 + SPOTS_APART_HOURS * 3600):
        # two villages of one township days apart: the only such event there of late is another's
        sole = False
    if not (towns or spots or placeless or homes) or conflicts(c, p, rules, timed=not titled):
        return None
    if placeless and (c.elsewhere or p.foreign()):  # another county named, and none of our places
        return None
    kinds = common_kinds(c.kinds, p.kinds, rules)
    evidence, reasons, words, weight = _agreeing(c, p, towns | spots, everyday, kinds)
    if homes:
        reasons[0] = f"发帖账号所在地（{'、'.join(sorted(homes))}）与事件地点相同"
    evidence += (1 if spots else 0) - (1 if placeless else 0)
    if named := _names_shared(c, p):
        # the incident named by its date ("“1·20”坍塌事故调查组成立"), and no fact of it contradicted
        said = "、".join(f"“{n}”" for n in sorted(named))
        return Match(evidence + 2, [*reasons, f"事件名称相同（{said}）"], bool(p.kinds or c.kinds))
    if titled and (towns or spots):  # a letter repeating another's title
        return Match(evidence + 2, [*reasons, "标题相同"], bool(p.kinds))
    if c.official and c.debunk and p.rumor and (kinds or set(c.matters) & p.matters or words):
        # the county's 辟谣 answers the rumour it names (what happened, or in the rumour's words)
        return Match(evidence, [*reasons, "官方辟谣回应此传言"])
    if c.official and (towns or spots or homes):
        # A county unit's release at the event's place reports, explains or answers something
        # already told (RULES.md §4): one agreeing fact less is needed.
        evidence += 1
        reasons.append("本县单位发布的通报或答复")
    # "出事了" at the very spot, told before or after what happened there is named
    if kinds or (spots and ((c.mishap and p.kinds) or (p.mishap and c.kinds and not p.kinds))):
        need = rules.min_evidence - (1 if sole else 0)
        if sole and not placeless and p.first - FRESH_HOURS * 3600 <= c.at <= p.last + FRESH_HOURS * 3600:
            # the one incident of its kind at this place within the day: a flash and a report of it
            reasons.append("同地同类事件，近期仅此一起")
            return Match(evidence, reasons)
        if sole and not placeless and c.looks_back and c.at > p.last:
            # days later, looking back at the one incident of its kind there ("前几天…那个车祸")
            reasons.append("回顾此前同地同类事件，近期仅此一起")
            return Match(evidence, reasons)
        if (placeless or homes) and sole and (c.follow_up or c.at <= p.last + FRESH_HOURS * 3600):
            # a 续报 naming only the kind and the new figures, a flash naming nothing but what happened
            reasons.append("后续报道（续报），该类事件近期仅此一起" if c.follow_up else "该类事件近期仅此一起")
            return Match(evidence, reasons)
    elif spots and sole and not (c.kinds or c.matters or c.official) \
            and (weight >= SPOT_WORDS or (p.last <= c.at <= p.last + SPOT_FRESH_HOURS * 3600 and _settled(c.spots))) \
            and (not p.kinds or c.at <= p.last + FRESH_HOURS * 3600):
        # a post naming the village or landmark and no problem, in some of the same uncommon words
        # (or, at a village, within hours of the last word of it): the one matter open there, or
        # the one incident there within the day
        return Match(evidence, [*reasons, "该地点近期仅此一事"], bool(p.kinds))
    elif c.kinds or p.kinds:  # only one side tells of an incident: more facts, not just words, must agree
        if (towns or spots) and not (c.kinds or c.matters or c.official) and sole and p.kinds \
                and not (c.spots and p.spots and not spots) \
                and (c.mishap or c.deaths or c.hurt) \
                and p.first - FRESH_HOURS * 3600 <= c.at <= p.last + FRESH_HOURS * 3600:
            # "路坎下面那辆面包车，车顶都压扁了，2人受伤": something happened there (出事, casualties), the day of
            # the one incident there (not at another village of its township)
            return Match(evidence, [*reasons, "在事件地点，近期仅此一起事件"])
        if (towns or spots) and not c.kinds and len(words) >= TOLD_WORDS and weight >= TOLD_WEIGHT:
            # a comment or a report naming no kind ("那家厂二楼喷漆车间跟仓库是连着的") at the event's
            # place, in enough of its uncommon words
            return Match(evidence, [*reasons, "在事件地点，用词与事件相同"])
        evidence -= 1 if len(words) >= 3 and weight >= 20 else 0
        need = rules.min_evidence + 1
    else:
        # the one such problem raised of late: a placeless complaint joins it where that problem
        # is being raised right now at a known place (two placeless complaints say nothing alike)
        if placeless or homes:
            # a matter of county policy (医保) raised with no place is the county's one such matter
            countywide = bool(c.matters) and set(c.matters) <= set(rules.countywide_matters) \
                and not (p.towns or p.spots or c.towns or c.spots)
            sole = sole and (countywide or (bool(p.towns or p.spots or homes)
                             and c.at <= p.last + ROUTINE_FRESH_HOURS * 3600))
        elif len(c.towns) > 1 or (not spots and c.at > p.last + ROUTINE_SOLE_DAYS * 86400):
            # "县城" names four townships: too wide for "the only one there"; and a township holds
            # one such problem at a time only for a few days
            sole = False
        return _routine(c, p, evidence, reasons, words, weight, bool(spots), bool(towns or homes), sole)
    return Match(evidence, reasons) if evidence >= need else None


def _names_shared(c: Clues, p: Profile) -> set[str]:
    """The names by date (“1·20”) the post gives the incident that the event's posts give it too."""
    return p.codes.intersection(c.codes)


def _settled(spots: Collection[str]) -> bool:
    """Whether the spots are villages, where what is open at a time is one thing (a lake or a
    scenic area holds many: a capsizing, and a boat out fishing the same afternoon; so does a
    town's community: a knife attack at its market, and its canteen's prices the same morning)."""
    return all(s.endswith("村") for s in spots)


def home_shared(c: Clues, p: Profile) -> set[str]:
    """The township a placeless post's account names that the event's places (or its own
    placeless posts' accounts) name too, or the post's townships an event of placeless posts'
    accounts name."""
    if c.home and not (c.towns or c.spots):
        return {c.home} & (p.towns if p.towns or p.spots else p.homes)
    if not (p.towns or p.spots):
        return set(c.towns) & p.homes
    return set()


def _routine(c: Clues, p: Profile, evidence: int, reasons: list[str], words: list[str], weight: float,
             spots: bool, towns: bool, sole: bool = False) -> Match | None:
    """A routine matter: the same problem at the same place (a village, a community, a landmark;
    or the township, with a shared uncommon word, when a side names no such spot), or, with no
    problem recognised, a good share of uncommon words — the more of them the less precise the
    place. ``sole``: a post naming no place, and the event the only one of its problem raised of
    late (in the county, or at the post's account's township)."""
    # At a shared village or landmark the same problem is enough; at township level (a side names
    # no such spot) an uncommon word must agree too.
    same = set(c.matters) & p.matters
    # "the only such problem here of late" holds for the same problem, not one of several it names
    sole = sole and set(c.matters) <= p.matters
    if same and (spots or (towns and not (c.spots and p.spots) and (words or sole)) or (sole and not towns)
                 or (not (spots or towns) and _named_alike(c, words))):
        said = [f"同一问题（{'、'.join(sorted(same))}）", *(["该问题近期仅此一处反映"] if sole else [])]
        return Match(evidence + 1, [*reasons, *said], False)
    need_words, need_weight = (2, 8.0) if spots else (3, 12.0) if towns else (4, 16.0)
    return Match(evidence, reasons, False) if len(words) >= need_words and weight >= need_weight else None


def _named_alike(c: Clues, words: list[str]) -> bool:
    """A side naming no known place may still name the same one in its own words (a residential
    compound, a hamlet: 凤凰苑, 阳光花园) — a shared uncommon word that is rare enough to be a name."""
    weights = dict(c.terms)
    return any(weights.get(w, 0.0) >= NAME_WEIGHT for w in words)


def _agreeing(c: Clues, p: Profile, places: set[str], everyday: frozenset[str],
              kinds: set[str]) -> tuple[int, list[str], list[str], float]:
    """The facts of the post the event shares (``kinds``: the kinds of incident both tell of):
    (points, reasons, shared words, their weight)."""
    reasons = [f"同一地点（{'、'.join(sorted(places))}）"] if places else ["未提及乡镇，其他事实相符"]
    points = 0
    if kinds:
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
    elif c.day is not None and c.day in p.days and c.at > p.last + DATED_HOURS * 3600 and (kinds or c.codes):
        # days later, a report dating what it tells of (of the incident's kind, or by its name) to
        # the incident's day ("11月13日…事件"); not a statistic that starts that day ("2月5日至11日")
        points += 1
        reasons.append(f"发生日期相同（{c.day}日）")
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
        if t in everyday or any(t in u or u in t for u in words):  # 遇难者 and 遇难 are one word
            continue
        if t in p.terms or ((u := p.stems.get(t[:2])) is not None and (t in u or u in t)
                            and 3 * min(len(t), len(u)) >= 2 * max(len(t), len(u))):  # not 自愿 / “自愿缴费”
            words.append(t)
            weight += w
    return words, weight


def only_fallback(kinds: Collection[str], rules: Incidents) -> bool:
    """Whether a side names only fallback kinds (失联, 搜救: a search, ``Incidents.fallback_kinds``)."""
    return bool(kinds) and all(k in rules.fallback_kinds for k in kinds)


def common_kinds(mine: Collection[str], theirs: Collection[str], rules: Incidents) -> set[str]:
    """The kinds of incident two sides share. A side naming only a fallback kind (失联, 搜救) shares
    the other's kind when the missing are among its figures (a capsizing, a landslide: ``fallback_of``)."""
    if shared := set(mine) & set(theirs):
        return shared
    if only_fallback(mine, rules):
        return set(theirs) & set(rules.fallback_of)
    if only_fallback(theirs, rules):
        return set(mine) & set(rules.fallback_of)
    return set()


def profiles_conflict(a: Profile, b: Profile, rules: Incidents) -> bool:
    """Whether two events' facts contradict each other (then they are not one incident)."""
    if (a.kinds and b.kinds and not common_kinds(a.kinds, b.kinds, rules)) or _objects_clash(a.objects, b.objects, rules):
        return True
    if not (a.kinds or b.kinds):  # routine matters: their hours and days say nothing
        return False
    if a.hours and b.hours and _hours_apart(a.usual_hour(), b.usual_hour()) \
            and not (only_fallback(a.kinds, rules) or only_fallback(b.kinds, rules)):
        return True
    return bool(a.days and b.days and not set(a.days) & set(b.days))


def _objects_clash(mine: set[str], theirs: set[str], rules: Incidents) -> tuple[set[str], set[str]] | None:
    """Objects of one class (vehicles, premises) named on both sides, none shared nor one that may
    be told as the other (a 面包车 is in law a 小型普通客车: ``objects_alike``)."""
    for cls in {o.split(":")[0] for o in mine}:
        a = {o for o in mine if o.startswith(cls + ":")}
        b = {o for o in theirs if o.startswith(cls + ":")}
        if b and not a & b and not any({x.split(":")[1], y.split(":")[1]} <= set(pair)
                                       for x in a for y in b for pair in rules.objects_alike):
            return a, b
    return None


def _days_after(day: int, days: dict[int, int]) -> bool:
    """Whether a follow-up's day is one to three days after the incident's (the day of the new
    development it reports: "6日上午…找到最后一名失联者。至此…共造成三人死亡")."""
    return 0 < (day - max(days, key=lambda d: days[d])) % 31 <= 3


def _hours_apart(x: int, y: int) -> bool:
    return min((x - y) % 24, (y - x) % 24) >= 3


def _names(objects: set[str]) -> str:
    return "、".join(sorted(o.split(":")[1] for o in objects))
