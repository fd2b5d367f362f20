"""Where an item is: the 云和 gazetteer (county, townships, villages, local sources).

Answers two questions of RULES.md: does the item concern 云和 (relevance), and which
townships does it name, directly or through one of their villages / communities or other places
(scenic spots, reservoirs, roads, schools; a place spanning several townships names each of
them) (属地管理). The townships named are also an event's identity: posts naming townships
with none in common are never one event (``pipeline.clustering``).
Names of three or more characters are found as substrings; two-character names (局村, 陈村,
崇头) only as whole jieba tokens, so that "公安局村民" does not name 局村.

A name can mean something else (地名歧义): the bare token 云和 next to a one-character word that
makes it part of another (风云和雨, 八千里路云和月, 李云和同志), or a township of the same name in
another county when the text names that county and not 云和 (温岭石塘镇). Those mentions do not
count; ``PlaceMatch.ambiguous`` says which were passed over, for the reason shown to people.
A short name that is common elsewhere (安溪, a county of 福建; 凤凰山, a hill in many places) names
its township only where the post otherwise concerns 云和 (it names the county, another 云和 place,
or comes from a local source), and the reason says so.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from classifiers.tokenize import Doc
from pipeline.config import Config


def namesake_of(text: str, place: str, towns: Mapping[str, str], held: Collection[str]) -> str | None:
    """The township a place is named right after when that township does not hold it
    (``held``: the townships the gazetteer puts it in) — "安溪畲族乡下垟村", where the gazetteer's
    下垟村 is 崇头镇's, names 安溪畲族乡's namesake. ``towns``: township names and aliases -> township.
    The gazetteer and the incident clues both read places so."""
    return next((town for name, town in towns.items() if town not in held and f"{name}{place}" in text), None)


def _stems(villages: list[str]) -> list[str]:
    """Village names as people write them without 村 / 社区 (白洋墩, 青阳门): only stems of three
    characters or more — two-character ones (象山, 中山, 溪口) name places all over China."""
    stems = [v.removesuffix("社区").removesuffix("村") for v in villages]
    return [s for s, v in zip(stems, villages, strict=True) if s != v and len(s) >= 3]


@dataclass(frozen=True)
class PlaceMatch:
    townships: list[str]            # in order of first mention, unique
    mentions: list[tuple[str, str]]  # (name found, township it belongs to)
    local: bool                     # concerns 云和
    local_reasons: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # names passed over as meaning something else
    # The township the publishing account's name names, for a post whose text names no place: it
    # routes the item (属地) and makes it local, but is no place identity for clustering (a
    # villager's account writes about the whole county too).
    home: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    county_tokens: frozenset[str]
    county_substrings: tuple[str, ...]
    township_of: dict[str, tuple[str, ...]]  # name -> the township(s) it lies in
    long_names: tuple[str, ...]
    short_names: frozenset[str]
    local_sources: frozenset[str]
    word_before: frozenset[str] = frozenset()
    word_after: frozenset[str] = frozenset()
    elsewhere: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (township, words naming the other place)
    weak: frozenset[str] = frozenset()  # short names that count only where the post concerns 云和
    towns: dict[str, str] = field(default_factory=dict)  # the townships' names and aliases -> township

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(self.county_tokens)

    @classmethod
    def from_config(cls, cfg: Config) -> Gazetteer:
        township_of: dict[str, tuple[str, ...]] = {}
        for t in cfg.units.townships:
            for name in [t.name, *t.aliases, *t.villages, *t.places, *t.weak_aliases, *_stems(t.villages)]:
                township_of[name] = (t.name,)
        for name, townships in cfg.units.spanning.items():
            township_of[name] = tuple(townships)
        names = sorted(township_of, key=len, reverse=True)
        county = cfg.units.county
        return cls(
            county_tokens=frozenset(county.names),
            county_substrings=(*(n for n in county.names if len(n) >= 3), *county.landmarks),
            township_of=township_of,
            long_names=tuple(n for n in names if len(n) >= 3),
            short_names=frozenset(n for n in names if len(n) < 3),
            local_sources=frozenset(cfg.units.local_sources),
            word_before=frozenset(county.not_county.word_before),
            word_after=frozenset(county.not_county.word_after),
            elsewhere=tuple((t.name, tuple(t.elsewhere)) for t in cfg.units.townships if t.elsewhere),
            weak=frozenset(n for t in cfg.units.townships for n in t.weak_aliases),
            towns={n: t.name for t in cfg.units.townships for n in (t.name, *t.aliases)},
        )

    def county_hit(self, doc: Doc) -> tuple[str | None, list[str]]:
        """The first mention of the county, and the bare short names that meant something else."""
        tokens, ambiguous = doc.tokens, list[str]()
        for i, token in enumerate(tokens):
            if not token.startswith(self.prefixes):
                continue
            if token not in self.county_tokens or len(token) > 2:
                return token, ambiguous
            before = tokens[i - 1] if i > 0 else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if before in self.word_before or after in self.word_after:
                ambiguous.append(f"“{before}{token}{after}”中的“{token}”不是县名")
                continue
            return token, ambiguous
        return next((n for n in self.county_substrings if n in doc.text), None), ambiguous

    def _elsewhere(self, text: str, townships: list[str]) -> dict[str, str]:
        """Townships named here that, by the other place the text names, are another county's."""
        found: dict[str, str] = {}
        for township, words in self.elsewhere:
            word = next((w for w in words if w in text), None)
            if township in townships and word:
                found[township] = word
        return found

    def home(self, author: str | None) -> tuple[str, str] | None:
        """(name, township) when the publishing account's name names one 云和 place — 石塘宝妈,
        住在梅源的民宿老板 — and no place elsewhere of the same name (温岭石塘人); None otherwise.
        Read only for a post whose text names no place: the account's own township then places
        it (issue 16: "the publishing account's own township")."""
        if not author:
            return None
        found = [(n, ts) for n, ts in self.township_of.items() if n in author and n not in self.weak]
        townships = {t for _, ts in found for t in ts}
        if len(townships) != 1:
            return None
        township = townships.pop()
        if self._elsewhere(author, [township]):
            return None
        return max(found, key=lambda f: len(f[0]))[0], township

    def match(self, doc: Doc, source: str | None = None, author: str | None = None) -> PlaceMatch:
        text = doc.text
        found: list[tuple[int, str]] = []
        covered: list[tuple[int, int]] = []
        for name in self.long_names:  # longest first, so 浮云街道 wins over a shorter alias inside it
            start = text.find(name)
            while start != -1:
                end = start + len(name)
                if not any(s <= start and end <= e for s, e in covered):
                    found.append((start, name))
                    covered.append((start, end))
                start = text.find(name, end)
        tokens = set(doc.tokens)
        for name in self.short_names & tokens:
            found.append((text.find(name), name))
        found.sort()
        namesakes = {name: town for _, name in found if name not in self.towns
                     and (town := namesake_of(text, name, self.towns, self.township_of[name]))}
        mentions = [(name, t) for _, name in found
                    for t in ((namesakes[name],) if name in namesakes else self.township_of[name])]
        county_hit, ambiguous = self.county_hit(doc)
        from_here = next((who for who in (source, author)
                          if who and (who in self.local_sources or any(n in who for n in self.county_tokens))), None)
        weak = [(name, t) for name, t in mentions if name in self.weak]
        if weak:
            mentions = [m for m in mentions if m not in weak]
            if county_hit or from_here or mentions:
                context = f"提及{county_hit}" if county_hit else "来源为本地账号" if from_here else "同时提及云和其他地名"
                mentions += [(f"{name}（{context}，按云和{t}计）", t) for name, t in weak]
            else:
                ambiguous += [f"{name}（未提及云和，可能为外地同名地方）" for name, _ in dict.fromkeys(weak)]
        if not county_hit:
            # an account of the namesake's county (温岭发布 on 石塘镇海域) speaks of its own place
            said = f"{text} {author}" if author and not from_here else text
            other = self._elsewhere(said, list(dict.fromkeys(t for _, t in mentions)))
            ambiguous += [f"{name}（{other[t]}）" for name, t in dict.fromkeys(mentions) if t in other]
            mentions = [(name, t) for name, t in mentions if t not in other]
        # a place spanning townships (仙宫湖) named with one of them (紧水滩镇仙宫湖) is in that one
        single = {t for name, t in mentions if len(self.township_of.get(name, ())) == 1}
        mentions = [(name, t) for name, t in mentions if t in single
                    or len(self.township_of.get(name, ())) < 2 or not single & set(self.township_of[name])]
        # "云和" alone places a post in no township: the account's own township still does.
        home = self.home(author) if not (mentions or ambiguous) else None
        townships = list(dict.fromkeys(t for _, t in mentions))
        reasons: list[str] = []
        # a county landmark (仙宫湖) is both the county's name and a place: said once
        named = dict.fromkeys([*([county_hit] if county_hit else []), *(name for name, _ in mentions)])
        if named:
            reasons.append("提及" + "、".join(named))
        if home:
            reasons.append(f"发布账号名称含云和地名{home[0]}（{home[1]}）")
        if from_here:
            reasons.append(f"本地来源：{from_here}")
        return PlaceMatch(townships=townships, mentions=mentions, local=bool(reasons), local_reasons=reasons,
                          ambiguous=ambiguous, home=home[1] if home else None)
