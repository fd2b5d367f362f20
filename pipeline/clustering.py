"""Placing posts in events: one incident, one event.

A post joins an event when it copies or closely rewrites one of the event's posts (near-
duplicate look-up, ``pipeline.rules.events``) or when it reports the event's incident in other
words (the same place, kind, objects, figures, hour: ``pipeline.rules.incidents``). A post that
does both for two different events bridges them: they are one incident, and are merged. Every
post records why it joined (``posts.joined``), so people can see it.

Place is identity: two posts whose named townships (directly, or through a village, a scenic spot,
a reservoir …) have none in common are never one event, however alike their words — a template
letter sent about 石塘镇 and about 崇头镇, twenty house fires in eight villages. Each event keeps the
distinct sets of townships its posts name; a post joins only an event each of whose sets shares a
township with its own (a post naming two townships, a bus route between them, shares a place
with each), and two events are merged only where every set of one shares a township with every
set of the other. A post naming no township is bound by the rest of the facts.

What is looked up is bounded: a fixed number of representatives per event, LSH and incident
buckets capped (a bucket shared by too many events is boilerplate or everyday words and is
skipped), so the cost of a post does not grow with the store or with the size of its event.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from pipeline.config import Config
from pipeline.normalize import PostInput
from pipeline.placed import NewEvent, Placed
from pipeline.rules.analysis import PLACE_SETS
from pipeline.rules.clues import Clues, Vocabulary, goes_on, term_weight
from pipeline.rules.events import EventIndex, Near, band_keys, copy_groups
from pipeline.rules.incidents import (
    FRESH_HOURS,
    NAME_WEIGHT,
    Match,
    Profile,
    common_kinds,
    conflicts,
    match,
    only_fallback,
    profiles_conflict,
    shared_words,
    within,
)
from pipeline.rules.reposts import OPENING, opening, opens, quoted
from pipeline.storage import lookup

PROFILE_POSTS = 32   # posts of an event whose incident facts are loaded
KIND_BUCKET = 32     # events of one (place, kind of incident) looked at
WORD_BUCKET = 8      # events of one (place, uncommon word): beyond this the word is everyday
WORD_KEYS = 3        # a post's most uncommon words used for look-up
CANDIDATES = 12      # events of one bucket a post is compared with, the latest
KEY_WEIGHT = 5.0     # … if at least this uncommon
EXACT_COPY = 0.95    # at or above, a copy joins whatever its facts say
SIMILAR_WORDS = 8.0  # a text alike but no copy must share this weight of uncommon words with the event
REPLY_HOURS = 24     # a comment answering an account ("回复@…:") answers its post of this recently
CODE = "名"          # the bucket of incidents by the date they are named by (“1·20”)
_REPLY_TO = re.compile(r"\s*回复\s*@([^:：\s]{1,30})[:：]")
SOLE_HOURS = 48      # a placeless post weighs only the events of its kind seen this recently
AUTHOR_POSTS = 16   # an account's latest posts a repost naming it (or its next post) is matched against
NEW_WORDS = 1       # … a post going on about one of them has at most this many uncommon words of its own
RIVAL_QUIET_HOURS = 24  # … and a contradicted incident quiet this long is no rival
FLASH_HOURS = 6      # a flash naming only the kind is of the incident whose place was told this soon after
BEST_EVIDENCE = 0    # … and, among several, agree with one in a fact beyond the kind where no other does as well


@dataclass
class Placement:
    """A chunk's posts placed: their events, what to store on each post, and the stored events
    found to be one incident (to be merged once the chunk is written)."""

    placed: list[Placed]
    rows: list[dict[str, Any]]
    merges: list[list[int]]


class Clusterer:
    """The open events of the last ``window_days`` (near duplicates) and ``window_hours``
    (incidents), and the events of the batch being placed."""

    def __init__(self, cfg: Config, vocab: Vocabulary, now: datetime,
                 keep_order: Callable[[int], Any] = lambda event_id: event_id,
                 may_merge: Callable[[list[int]], bool] = lambda ids: True) -> None:
        self.policy, self.vocab, self.now = cfg.policy.events, vocab, now
        self.keep_order = keep_order  # which of two stored events that are one incident is kept
        self.may_merge = may_merge  # whether stored events may be merged (not split apart by a person)
        self.index = EventIndex(self.policy)
        self.profiles: dict[object, Profile] = {}
        self.buckets: dict[tuple[str, ...], list[object] | None] = {}
        self.parent: dict[object, object] = {}
        self.term_groups: Counter[str] = Counter()  # in how many placeless texts (not copying one another) a word is
        self.term_towns: dict[str, set[str]] = {}  # in which townships' texts a word is
        self.groups = 0
        self.everyday: frozenset[str] = frozenset()
        self.places: dict[object, list[frozenset[str]]] = {}  # event -> the township sets its posts name
        # account -> (opening of text, opening of title, event, when) of its latest posts: what
        # its reposts quote, and what its next post may go on about
        self.openings: dict[str, list[tuple[str, str, object, float]]] = {}
        self.seen: dict[object, float] = {}  # event -> when a post last joined it (or the batch began)
        self._swept = -float("inf")  # the last time what left the window was dropped

    @classmethod
    def open(cls, session: Session, cfg: Config, vocab: Vocabulary, now: datetime, earliest: datetime | None = None,
             *, keep_order: Callable[[int], Any] = lambda event_id: event_id,
             may_merge: Callable[[list[int]], bool] = lambda ids: True) -> Clusterer:
        """The look-up state of the events still open to the batch: those seen within the windows
        before its earliest post (``earliest``; ``now`` when not given) — a batch collected late
        (a backfill, a source back after an outage) still meets the events of its days.
        ``keep_order`` and ``may_merge`` are the caller's merge rules (see ``__init__``)."""
        c = cls(cfg, vocab, now, keep_order, may_merge)
        # Never more than one window further back: an old article in a batch must not load the store.
        start = max(min(earliest, now), now - timedelta(days=c.policy.window_days)) if earliest is not None else now
        open_since = start - timedelta(days=c.policy.window_days)
        c.index.load(loaded := lookup.representatives(session, open_since, c.policy.representatives))
        c.seen.update((event_id, start.timestamp()) for event_id, _, _ in loaded)
        c.places = {event_id: [frozenset(s) for s in sets]
                    for event_id, sets in lookup.event_places(session, open_since).items()}
        for event_id, author, title, head, at in lookup.recent_openings(session, open_since, OPENING * 3):
            c._said(author, title, head, event_id, at.timestamp())
        rules = c.policy.incidents
        since = start - max(timedelta(hours=rules.window_hours), timedelta(days=rules.matter_window_days))
        words: dict[int, tuple[set[str], set[str]]] = {}
        for event_id, data in lookup.recent_clues(session, since, PROFILE_POSTS):
            clue = Clues.from_json(data)
            held = words.setdefault(event_id, (set(), set()))
            held[0].update(t for t, _ in clue.terms)
            held[1].update(clue.towns)
            c._remember(event_id, clue)
            c.seen[event_id] = start.timestamp()
        c._count_words(list(words.values()))
        return c

    def _count_words(self, groups: list[tuple[set[str], set[str]]]) -> None:
        """Words used in many places of late are everyday words here (a template's, a hotline's
        standard paragraph): words in texts of ``everyday_townships`` townships or more, and,
        among texts naming no township, words in at least 8 such texts and 1% of them. A matter
        raised many times in one place keeps its words."""
        towns_needed = self.policy.incidents.everyday_townships
        for words, towns in groups:
            if towns:
                for t in words:
                    self.term_towns.setdefault(t, set()).update(towns)
            else:
                self.term_groups.update(words)
                self.groups += 1
        limit = max(8, self.groups // 100)
        self.everyday = frozenset([*(t for t, n in self.term_groups.items() if n >= limit),
                                   *(t for t, ts in self.term_towns.items() if len(ts) >= towns_needed)])

    # --- events and their unions ----------------------------------------------------------------

    def find(self, event: object) -> object:
        """The event a (possibly merged, possibly just stored) event now lives in."""
        if type(event) is int and event not in self.parent:
            return event
        event = _settled(event)
        while event in self.parent:
            event = _settled(self.parent[event])
        return event

    def merged(self, keep: int, others: list[int]) -> None:
        """Stored events merged by the caller: later look-ups land in ``keep``."""
        self.parent.pop(keep, None)
        for other in others:
            if other != keep:
                self._union(keep, other, [], winner=keep)

    def settle(self, placed: list[Placed]) -> None:
        """After the chunk is written its new events have ids: key their state by id."""
        for event in {e for e in placed if isinstance(e, NewEvent) and e.id is not None}:
            if event in self.profiles:
                self.profiles.setdefault(event.id, self.profiles.pop(event))
            if event in self.places:
                self._add_places(event.id, self.places.pop(event))
            self.index.per_event[event.id] += self.index.per_event.pop(event, 0)
            if event in self.seen:
                self.seen[event.id] = max(self.seen.get(event.id, 0.0), self.seen.pop(event))

    def _union(self, a: object, b: object, merges: list[tuple[int, int]], winner: object | None = None) -> object:
        if winner is None and isinstance(a, int) and isinstance(b, int):
            winner = min(a, b, key=self.keep_order)
            if not self.may_merge([a, b]):
                return winner  # a person split them apart: the post joins one, they stay two
        winner = _preferred(a, b) if winner is None else winner
        loser = b if winner == a else a
        if isinstance(winner, int) and isinstance(loser, int):
            merges.append((winner, loser))
        self.parent[loser] = winner
        if loser in self.profiles:
            self.profiles.setdefault(winner, Profile()).absorb(self.profiles.pop(loser))
        if loser in self.places:
            self._add_places(winner, self.places.pop(loser))
        if loser in self.seen:
            self.seen[winner] = max(self.seen.get(winner, 0.0), self.seen.pop(loser))
        return winner

    # --- place identity ------------------------------------------------------------------------

    def _fits(self, towns: frozenset[str], event: object) -> bool:
        """Whether a post naming ``towns`` may be in the event: each township set of the event
        shares one of them (a post naming none is judged by its other facts)."""
        return not towns or all(towns & named for named in self.places.get(self.find(event), ()))

    def _same_place(self, a: object, b: object) -> bool:
        """Whether two events may be one: every township set of one shares a township with every
        township set of the other."""
        pa, pb = self.places.get(self.find(a), ()), self.places.get(self.find(b), ())
        return all(x & y for x in pa for y in pb)

    def _add_places(self, event: object, sets: list[frozenset[str]]) -> None:
        held = self.places.setdefault(event, [])
        for named in sets:
            if named and named not in held and len(held) < PLACE_SETS:
                held.append(named)

    # --- placing a chunk -------------------------------------------------------------------------

    def place(self, posts: list[PostInput], signatures: np.ndarray, clues: list[Clues | None]) -> Placement:
        keys = band_keys(signatures, self.policy.bands)
        self._count(signatures, keys, clues)
        own = ~self.index.common(signatures)
        stored = self.index.stored_candidates(keys)
        bands = keys.tolist()
        placed: list[Placed] = []
        rows: list[dict[str, Any]] = []
        merges: list[tuple[int, int]] = []
        for k, post in enumerate(posts):
            at = self._at(post)
            self._forget(at - self._window())
            towns = frozenset(clues[k].townships) if clues[k] is not None else frozenset()  # type: ignore[union-attr]
            clue = clues[k] if clues[k] is not None and clues[k].useful() else None  # type: ignore[union-attr]
            if clue is not None:
                clue.at = at
            near = self._nearest(self.index.near(signatures[k], bands[k], stored[k], own[k]), clue, towns)
            copy = near is not None and near.plain >= self.policy.copy_similarity
            if copy:
                clue = None  # its event is known, and its facts are the original's
            passed = self._reposted(post.text, towns, at, clue)
            found = self._incidents(clue, self._keys(clue), towns) if clue and passed is None else []
            if passed is None and near is None and not found:
                passed = self._again(post, clues[k], towns, at)
            event, joined = passed if passed is not None else self._decide(k, near, found, merges)
            self._add_places(self.find(event), [towns])
            if clue is not None:
                self._remember(event, clue)
                event = self._absorb(event, clue, merges)
            indexed = not copy and self.index.add(signatures[k], bands[k], event)
            root = self.find(event)
            self.seen[root] = max(self.seen.get(root, 0.0), at)
            if post.author:
                self._said(post.author, post.title, post.text, event, at)
            placed.append(event)  # type: ignore[arg-type]  # an event id or a NewEvent
            rows.append({"joined": joined, "clues": clue.to_json() if clue is not None else None, "indexed": indexed})
        return Placement([self.find(e) for e in placed], rows, _components(merges))  # type: ignore[misc]

    def _reposted(self, text: str, towns: frozenset[str], at: float,
                  clue: Clues | None = None) -> tuple[object, dict[str, Any]] | None:
        """The event of the post a repost passes on, when its ``//@`` chain quotes the opening of
        one of the named account's recent posts (nearest link first) whose place it fits; or of
        the post a comment answers ("回复@丽水身边事:…"): that account's latest of the last day."""
        for account, quote in quoted(text):
            for head, title, event, _ in reversed(self.openings.get(account, ())):
                if (opens(quote, head) or opens(quote, title)) and self._fits(towns, event):
                    return self.find(event), {"how": "repost", "reasons": [f"转发了“{account}”的帖子"]}
        if (reply := _REPLY_TO.match(text)) and (said := self.openings.get(reply.group(1))):
            _, _, event, then = said[-1]
            profile = self.profiles.get(self.find(event))
            if 0 <= at - then <= REPLY_HOURS * 3600 and self._fits(towns, event) \
                    and (clue is None or profile is None or self._same_story(clue, profile)):
                return self.find(event), {"how": "repost", "reasons": [f"回复“{reply.group(1)}”的帖子"]}
        return None

    def _same_story(self, clue: Clues, profile: Profile) -> bool:
        """Whether what a post names (kind, problem) the event has, and none of its facts
        contradicts the event's."""
        return (bool(self._told_alike(clue, profile)) or not (clue.kinds or clue.matters)) \
            and not conflicts(clue, profile, self.policy.incidents)

    def _told_alike(self, clue: Clues, profile: Profile) -> set[str]:
        """The kinds of incident, else the routine problems, a post and an event both tell of."""
        return common_kinds(clue.kinds, profile.kinds, self.policy.incidents) or set(clue.matters) & profile.matters

    def _again(self, post: PostInput, clue: Clues | None, towns: frozenset[str],
               at: float) -> tuple[object, dict[str, Any]] | None:
        """An account going on about what it posted lately ("第六天 今晚又是通宵", "路灯还是没修"):
        a post found in no event joins the account's one recent event it fits — no other place,
        no other kind or problem, no contradicting fact. Several such events: none."""
        if clue is not None and (clue.official or clue.places() or clue.hamlets or clue.elsewhere or clue.another):
            return None  # a place of its own is for the incident rules; releases answer events
        again = goes_on(post.text)
        rules = self.policy.incidents
        fitting: set[object] = set()
        for _, _, event, then in self.openings.get(post.author or "", ()):
            e = self.find(event)
            profile = self.profiles.get(e)
            routine = profile is not None and bool(profile.matters) and not profile.kinds
            window = rules.matter_window_days * 86400 if routine else rules.window_hours * 3600
            if profile is not None and profile.foreign() and not (clue is not None and clue.elsewhere):
                continue  # an account's post naming no other county goes on about none of its stories there
            if 0 <= at - then <= window and self._fits(towns, e) and self._goes_on(clue, profile, again):
                fitting.add(e)
        if len(fitting) != 1:
            return None
        return fitting.pop(), {"how": "account", "reasons": ["同一账号近期发帖所述之事，未提及其他地点或事情"]}

    def _goes_on(self, clue: Clues | None, profile: Profile | None, again: bool) -> bool:
        """Whether a post goes on about an event: it says so ("还是", "第六天") or shares its kind,
        problem or an uncommon word; what kind or problem it names, the event has; none of its
        facts contradicts the event's."""
        if clue is None or profile is None:
            return again
        shared = self._told_alike(clue, profile)
        if (clue.kinds or clue.matters) and not shared:
            return False
        common = shared_words(clue, profile, self.everyday)[0]
        # a short name of ours (安溪) says where, not that it is the same story
        words = [t for t in common if term_weight(t) >= KEY_WEIGHT and t not in self.vocab.ours]
        # words of its own are news of its own ("楼下烧烤又开始了"), unless it names the problem
        new = [t for t, w in clue.terms if w >= KEY_WEIGHT and t not in self.everyday and t not in common]
        if not shared and len(new) > NEW_WORDS:
            return False
        return bool(again or shared or words) and not conflicts(clue, profile, self.policy.incidents)

    def _window(self) -> float:
        """How long an event stays open to new posts with nothing new said of it (seconds)."""
        rules = self.policy.incidents
        return float(max(self.policy.window_days * 86400, rules.matter_window_days * 86400, rules.window_hours * 3600))

    def _forget(self, before: float) -> None:
        """Drop what left the window: the events no post has joined since ``before`` (their
        profiles, places, buckets and look-up entries) and the openings of older posts. Swept at
        most once a day of posts, so that a long batch holds its window, not its whole span —
        and places its last days as batches cut at any day would."""
        if before - self._swept < 86400:
            return
        self._swept = before
        gone = {e for e, at in self.seen.items() if at < before}
        for event in gone:
            del self.seen[event]
            self.profiles.pop(event, None)
            self.places.pop(event, None)
            self.index.per_event.pop(event, None)
        for key, held in list(self.buckets.items()):
            if held is not None:
                kept = [e for e in held if self.find(e) not in gone]
                if kept:
                    self.buckets[key] = kept
                else:
                    del self.buckets[key]
        self.index.forget(lambda event: self.find(event) in gone)
        for author in list(self.openings):
            kept_openings = [o for o in self.openings[author] if o[3] >= before]
            if kept_openings:
                self.openings[author] = kept_openings
            else:
                del self.openings[author]

    def _said(self, author: str, title: str | None, text: str, event: object, at: float) -> None:
        held = self.openings.setdefault(author, [])
        held.append((opening(text), opening(title), event, at))
        if len(held) > AUTHOR_POSTS:
            del held[0]

    def _count(self, signatures: np.ndarray, keys: np.ndarray, clues: list[Clues | None]) -> None:
        """Before placing a chunk, count what its texts share with other texts (each group of
        copies once): signature bins for near duplicates, words for incidents."""
        groups = copy_groups(signatures, keys, self.policy.copy_similarity)
        _, first = np.unique(groups, return_index=True)
        first = first[~self.index.copies_known(signatures[first], keys[first])]  # counted with what they copy
        self.index.count(signatures[first])
        words: dict[int, tuple[set[str], set[str]]] = {}
        for g, clue in zip(groups.tolist(), clues, strict=True):
            if clue is not None:
                held = words.setdefault(g, (set(), set()))
                held[0].update(t for t, _ in clue.terms)
                held[1].update(clue.towns)
        self._count_words(list(words.values()))

    def _at(self, post: PostInput) -> float:
        return post.known_time(self.now).timestamp()

    def _nearest(self, found: list[Near], clue: Clues | None, towns: frozenset[str]) -> Near | None:
        """The most similar representative whose event's place and facts the post does not
        contradict."""
        best: Near | None = None
        for n in found:
            if not self._fits(towns, n.event):
                continue
            profile = self.profiles.get(self.find(n.event))
            if n.plain < EXACT_COPY and clue is not None and profile is not None and conflicts(clue, profile, self.policy.incidents):
                continue
            if n.plain < self.policy.copy_similarity and clue is not None and profile is not None \
                    and shared_words(clue, profile, self.everyday)[1] < SIMILAR_WORDS:
                continue  # alike in a shared template's words only (a letter's opening and closing)
            if best is None or n.similarity > best.similarity:
                best = n
        return best

    def _incidents(self, clue: Clues, keys: list[tuple[str, ...]], towns: frozenset[str]) -> list[tuple[object, Match]]:
        """The events whose incident the post reports, the best evidenced first. Looked at: the
        events of its kind of incident at its places, and those sharing two of its word buckets;
        never an event of other townships."""
        kinds: dict[object, bool] = {}  # event -> of this kind at a place the post names
        hits: dict[object, int] = {}
        for key in keys:
            for event in (self.buckets.get(key) or [])[-CANDIDATES:]:
                root = self.find(event)
                if key[0] == "w":
                    hits[root] = hits.get(root, 0) + 1
                elif key[2] == "@" or key[1] == CODE:
                    # a candidate for what its words share, or for the name by date it gives
                    hits[root] = hits.get(root, 0) + 2
                else:
                    kinds[root] = kinds.get(root, False) or key[1] not in ("*", "?")
        rules = self.policy.incidents
        # a post naming no kind of incident may be a routine matter raised again: its window
        window = max(rules.window_hours * 3600,
                     rules.matter_window_days * 86400 if clue.matters or clue.title or not clue.kinds else 0)
        recent = {r: p for r in [*kinds, *(r for r, n in hits.items() if n >= 2 and r not in kinds)]
                  if (p := self.profiles.get(r)) is not None and self._fits(towns, r)
                  and within(clue, p, rules, window)}
        # The only event of its kind at the post's place of late (or, for a post naming no place,
        # anywhere in the county): one agreeing fact less is needed.
        alone = [r for r in recent if kinds.get(r)] if clue.places() else self._alone(clue, recent, kinds)
        if clue.spots:
            alone = self._at_spot(clue, alone, recent)
        # an incident whose facts the post contradicts (another day, other vehicles) and that has
        # been quiet for a day is another one, no rival for being the only one (one told within the
        # day stays a rival: its day may be read from "昨天" and the post's from "27日")
        if clue.kinds:
            quiet = clue.at - RIVAL_QUIET_HOURS * 3600
            alone = [r for r in alone if recent[r].last > quiet or not conflicts(clue, recent[r], self.policy.incidents)]
        if not clue.places() and (clue.deaths or clue.hurt) and len(alone) > 1:
            # A 续报 with casualty figures continues the one incident of its kind that had figures
            # (a house fire with none the same week is not what "死亡人数升至7人" is about).
            alone = [r for r in alone if recent[r].figures or recent[r].hurt]
        found: list[tuple[object, Match]] = []
        for root, profile in recent.items():
            if m := match(clue, profile, rules, self.everyday, alone == [root]):
                found.append((root, m))
        if not found and not clue.places() and clue.kinds and len(alone) > 1:
            found = self._best_of(clue, {r: recent[r] for r in alone if recent[r].towns or recent[r].spots})
        return sorted(found, key=lambda f: -f[1].evidence)

    @staticmethod
    def _at_spot(clue: Clues, alone: list[object], recent: dict[object, Profile]) -> list[object]:
        """Of the events a post naming a village or landmark may be the only candidate among,
        those at its spots: the only event of its kind there is the only one, whatever other
        villages of the township saw (a fire at 小徐村, another at 古竹村); and for a post naming
        no kind or problem, the one incident there told within the day, not the matters open there
        for days (a road left dug up, a smell at night)."""
        if at_spot := [r for r in alone if set(clue.spots) <= recent[r].spots]:
            alone = at_spot
        if not (clue.kinds or clue.matters) and len(alone) > 1:
            fresh = [r for r in alone if recent[r].kinds and recent[r].last >= clue.at - FRESH_HOURS * 3600]
            alone = fresh if len(fresh) == 1 else alone
        return alone

    def _best_of(self, clue: Clues, rivals: dict[object, Profile]) -> list[tuple[object, Match]]:
        """For a post naming no place and several recent incidents of its kind: the one it agrees
        with beyond the kind (a figure, an object, the hour, uncommon words) where no other does as
        well — "针对'11·6'火灾暴露出的问题" among three fires of the week."""
        rules = self.policy.incidents
        # a toll alone is no such fact: several incidents of a stormy day each kill one or three
        scored = sorted(((m.evidence - (0.5 if "伤亡人数一致" in m.reasons else 0), r, m) for r, p in rivals.items()
                         if (m := match(clue, p, rules, self.everyday, True)) is not None),
                        key=lambda t: -t[0])
        if not scored or scored[0][0] < BEST_EVIDENCE or (len(scored) > 1 and scored[1][0] >= scored[0][0]):
            return []
        _, root, m = scored[0]
        return [(root, Match(m.evidence, [*m.reasons[:-1], "同类事件中唯有此起相符"]))]

    def _alone(self, clue: Clues, recent: dict[object, Profile], kinds: dict[object, bool]) -> list[object]:
        """For a post naming no place, the events of its kind it may be the only candidate among:
        those seen in the last ``SOLE_HOURS`` (a flash or 续报 speaks of what is happening now),
        and, when its account names a township, only those there or naming no place; and a newer
        one elsewhere it may be telling of (``_newer_elsewhere``)."""
        since = clue.at - SOLE_HOURS * 3600
        # a post told only as somewhere else's weighs only what was told there (莲都): never ours
        return [*(r for r in recent if r in kinds and recent[r].last >= since
                  and (bool(set(clue.abroad) & recent[r].abroad) if clue.abroad else not recent[r].foreign())
                  and (clue.home is None or clue.home in recent[r].towns or not (recent[r].towns or recent[r].spots))),
                *([] if clue.abroad else self._newer_elsewhere(clue, recent, kinds))]

    @staticmethod
    def _newer_elsewhere(clue: Clues, recent: dict[object, Profile], kinds: dict[object, bool]) -> list[object]:
        """A flash naming no place speaks of what just happened: an incident of its kind told only
        as another county's, newer than all of ours and of the last day, may be what it tells of
        ("这个路口又翻车了" forty minutes after a crash in 龙泉). Not so for a 续报, a post going on
        about what is under way ("还没找到") or the county's own release."""
        if clue.follow_up or clue.still or clue.official or not clue.kinds:
            return []
        newest = max((recent[r].first for r in recent if r in kinds and not recent[r].foreign()), default=None)
        return [] if newest is None else [r for r in recent if r in kinds and recent[r].foreign()
                                          and recent[r].first > max(newest, clue.at - FRESH_HOURS * 3600)]

    def _bridged(self, found: list[tuple[object, Match]], merges: list[tuple[int, int]]) -> object | None:
        """A post that reports, with strong evidence each, the incidents of two events whose facts
        agree shows they are one: they are merged."""
        if len(found) < 2:
            return None
        (a, first), (b, second) = found[:2]
        pa, pb = self.profiles[a], self.profiles[b]
        if profiles_conflict(pa, pb, self.policy.incidents) or not self._same_place(a, b):
            return None
        if first.incident and second.incident:
            strong = second.evidence >= self.policy.incidents.min_evidence + 1
            return self._union(a, b, merges) if strong and common_kinds(pa.kinds, pb.kinds, self.policy.incidents) else None
        if not (first.incident or second.incident) and self._one_matter(pa, pb):
            return self._union(a, b, merges)
        return None

    def _one_incident(self, a: object, b: object, found: Match) -> bool:
        """Whether the event a post is a near copy in (``a``) and the event it reports (``b``,
        found by ``found``) are one: facts that do not contradict, and the same incident, or one
        problem at one place."""
        pa, pb = self.profiles.get(a, Profile()), self.profiles.get(b, Profile())
        return not profiles_conflict(pa, pb, self.policy.incidents) and (found.incident or self._one_matter(pa, pb))

    @staticmethod
    def _one_matter(pa: Profile, pb: Profile) -> bool:
        """Whether two routine events are one problem at one place (issue 16: raised again, it
        joins its event): the same problem, a township in common, no two different villages or
        spots named."""
        apart = pa.spots and pb.spots and not pa.spots & pb.spots
        # a problem told of the whole town (县城: four townships) is at no one place of it
        wide = len(pa.towns) > 2 or len(pb.towns) > 2
        return not (pa.kinds or pb.kinds) and bool(pa.matters & pb.matters and pa.towns & pb.towns) \
            and not apart and not wide

    def _decide(self, k: int, near: Near | None, incidents: list[tuple[object, Match]],
                merges: list[tuple[int, int]]) -> tuple[object, dict[str, Any]]:
        bridged = self._bridged(incidents, merges)
        b = bridged if bridged is not None else incidents[0][0] if incidents else None
        reasons = [*incidents[0][1].reasons, *(["两个事件为同一事件，已合并"] if bridged is not None else [])] \
            if incidents else []
        if near is None:
            if b is not None:
                return b, {"how": "bridge" if bridged is not None else "incident", "reasons": reasons}
            return NewEvent(k), {"how": "new", "reasons": ["首条报道"]}
        a = self.find(near.event)
        copy = near.plain >= self.policy.copy_similarity
        said = f"与已有帖子文字{'几乎相同' if copy else '相近'}（相似度{near.similarity:.2f}）"
        joined: dict[str, Any] = {"how": "copy" if copy else "similar", "similarity": round(near.similarity, 2),
                                  "post_id": near.post, "reasons": [said]}
        if b is not None and a != b and self._same_place(a, b) and self._one_incident(a, b, incidents[0][1]):
            # words alone never merge two events, nor anything two places apart
            event = self._union(a, b, merges)
            return event, {**joined, "how": "bridge", "reasons": [said, *reasons, "两个事件为同一事件，已合并"]}
        return a, joined

    # --- placeless flashes told again with their place -----------------------------------------

    def _absorb(self, event: object, clue: Clues, merges: list[tuple[int, int]]) -> object:
        """A post that names the place of an incident takes in the events that named no place (an
        eyewitness flash written before anyone said where: "湾头那边翻船了") when they agree with it:
        of the same kind, sharing a fact beyond the kind (an uncommon word, an object, a figure,
        the hour) with no other event of that kind elsewhere agreeing as well; or, where the flash
        names no kind, sharing uncommon words enough to name the same spot ("龙潭坑峡谷 … 徒步").
        Never an event one of whose posts names another county. The flash is then told again with
        its place, in whichever order they arrived."""
        if not clue.places():
            return event
        root = self.find(event)
        for r, kind in self._placeless_near(clue):
            mine, theirs = self.profiles.get(root), self.profiles.get(r)
            if r == root or mine is None or theirs is None or theirs.towns or theirs.spots or theirs.elsewhere:
                continue
            if self._absorbs(root, mine, r, theirs, kind):
                root = self._union(root, r, merges)
        return root

    def _placeless_near(self, clue: Clues) -> list[tuple[object, str | None]]:
        """Events naming no place that may be the post's incident: of its kinds, or filed under
        one of its uncommon words (with the kind they were found by, None for a word)."""
        found: dict[object, str | None] = {}
        for kind in clue.kinds:
            for other in self.buckets.get(("k", "?", kind)) or []:
                found.setdefault(self.find(other), kind)
        for word, weight in clue.terms:
            if weight >= KEY_WEIGHT and word not in self.everyday:
                for other in self.buckets.get(("w", "*", word)) or []:
                    found.setdefault(self.find(other), None)
        return list(found.items())

    def _absorbs(self, root: object, mine: Profile, r: object, theirs: Profile, kind: str | None) -> bool:
        rules = self.policy.incidents
        routine = bool(theirs.matters) and not theirs.kinds
        window = rules.matter_window_days * 86400 if routine else rules.window_hours * 3600
        if not (mine.first - window <= theirs.first and theirs.last <= mine.last + window):
            return False
        if not routine and theirs.first < mine.first - FRESH_HOURS * 3600:
            return False  # a flash told before anyone said where is of the day, not of days before
        if profiles_conflict(mine, theirs, self.policy.incidents):
            return False
        if routine:  # the same problem, and a rare word naming where (环城西路 … 又挖开了)
            return theirs.matters <= mine.matters and (self._named_same_spot(mine, theirs, 1)
                                                       or bool(theirs.homes & mine.towns))
        if kind is None or not theirs.kinds:
            return not theirs.kinds and self._named_same_spot(mine, theirs)
        # Agreeing beyond the kind, it is this incident unless another place's agrees as well. Told
        # before anyone said where, by its kind only, unless another place's incident of the kind
        # was told then at all: as a flash after the report joins the only incident of its kind of
        # late (``match``'s ``sole``), which decided the flashes told after it
        agree = self._agree(mine, theirs)
        if not agree:
            told_before = mine.first - FLASH_HOURS * 3600 <= theirs.first and theirs.last <= mine.first
            # a search (失联, 被困) is told of many things: its kind alone says little
            if not told_before or only_fallback(theirs.kinds, self.policy.incidents):
                return False
        rivals = [e for e in (self.find(x) for x in (self.buckets.get(("k", "*", kind)) or []))
                  if e not in (root, r) and (p := self.profiles.get(e)) is not None and (p.towns or p.spots)
                  and not self._same_place(e, root) and p.first - window <= theirs.first <= p.last + window
                  and not profiles_conflict(p, theirs, self.policy.incidents) and (not agree or self._agree(p, theirs))]
        return not rivals

    def _agree(self, a: Profile, b: Profile) -> bool:
        """Facts beyond the kind two events share: an uncommon word, a named object, a figure,
        the hour it happened, the township one's accounts name and the other names."""
        words = [w for w in _alike_words(a.terms.keys(), b.terms.keys()) - self.everyday if term_weight(w) >= KEY_WEIGHT]
        figures = {d for _, d in a.figures} & {d for _, d in b.figures} or set(a.hurt) & set(b.hurt)
        return bool(words or a.objects & b.objects or figures or a.hours.keys() & b.hours.keys()
                    or a.homes & b.towns or b.homes & a.towns)

    def _named_same_spot(self, a: Profile, b: Profile, least: int = 2) -> bool:
        """Uncommon words enough to say two texts speak of one spot and happening: two or more
        shared, weighing 12 together, one of them uncommon; or (``least`` 1) one word so rare it
        is a name (环城西路)."""
        weights = [term_weight(w) for w in (a.terms.keys() & b.terms.keys()) - self.everyday]
        if least == 1:
            return max(weights, default=0.0) >= NAME_WEIGHT
        return len(weights) >= least and sum(weights) >= 12 and max(weights) >= KEY_WEIGHT

    # --- incident buckets ---------------------------------------------------------------------

    def _keys(self, clue: Clues, store: bool = False) -> list[tuple[str, ...]]:
        """Buckets of (place, kind of incident) and of (place, uncommon word). Every event is in
        the county-wide ("*") bucket of its kind, where posts naming no place look; events
        naming no place are also in "?", where the others look."""
        places = clue.places()
        named = (*places, *clue.hamlets)  # looked up by villages we do not know too
        words = [t for t, w in clue.terms if w >= KEY_WEIGHT and t not in self.everyday][:WORD_KEYS]
        anywhere = ("*", "?") if store and not places else ("*",) if store or not places else ("?",)
        # "出事了" at a place: any incident there ("!" files every event of a kind by its places)
        told = [*clue.kinds, *([] if store else self._kin(clue.kinds)), *clue.matters,
                *(["!"] if (store and clue.kinds) or (not store and clue.mishap) else [])]
        # a post naming a village or landmark and no problem looks at all that is open there ("=")
        spot = [("k", p, "=") for p in (*clue.spots, *clue.hamlets)] if store or not (clue.kinds or clue.matters) else []
        # a post naming a place and no problem or kind (a comment, a report in other words) looks at
        # the latest events there of any kind ("@")
        spot += [("k", p, "@") for p in places] if store or not (clue.kinds or clue.matters) else []
        title = [("k", "标题", clue.title)] if clue.title else []
        codes = [("k", CODE, code) for code in clue.codes]  # “1·20”坍塌事故: the incident by its name
        return [*(("k", p, kind) for p in (*named, *anywhere) for kind in told if kind != "!" or p not in ("*", "?")),
                *spot, *title, *codes, *(("w", p, t) for p in (places or ("*",)) for t in words)]

    def _kin(self, kinds: tuple[str, ...]) -> list[str]:
        """Kinds a post's may be told as on the other side (``common_kinds``): a search for the
        missing is looked for among capsizings and landslides, a capsizing among searches."""
        rules = self.policy.incidents
        return [k for k in rules.fallback_of if k not in kinds] if only_fallback(kinds, rules) else []

    def _remember(self, event: object, clue: Clues) -> None:
        """Fold the clue into its event and file the event in the clue's buckets: a kind
        bucket keeps its latest events, a word bucket shared by too many events is everyday."""
        event = self.find(event)
        self.profiles.setdefault(event, Profile()).add(clue)
        for key in self._keys(clue, store=True):
            held = self.buckets.get(key)
            if held is None:
                if key not in self.buckets:
                    self.buckets[key] = [event]
            elif event not in held:
                held.append(event)
                if key[0] == "k" and len(held) > KIND_BUCKET:
                    del held[0]
                elif key[0] == "w" and len(held) > WORD_BUCKET:
                    self.buckets[key] = None


def _alike_words(mine: Collection[str], theirs: Collection[str]) -> set[str]:
    """Words on both sides, a name and its longer form counting as one (枫坪 in 枫坪村, 仙宫湖 in
    仙宫湖水域): the shorter is given."""
    shared = set(mine) & set(theirs)
    by_stem: dict[str, list[str]] = {}
    for w in theirs:
        by_stem.setdefault(w[:2], []).append(w)
    for w in mine:
        for u in by_stem.get(w[:2], ()):
            if w != u and (w in u or u in w):
                shared.add(min(w, u, key=len))
    return shared


def _settled(event: object) -> object:
    return event.id if isinstance(event, NewEvent) and event.id is not None else event


def _preferred(a: object, b: object) -> object:
    """Which of two events one incident keeps when one is new: the stored one, else the earlier."""
    if isinstance(a, int) or isinstance(b, int):
        return a if isinstance(a, int) else b
    assert isinstance(a, NewEvent) and isinstance(b, NewEvent)
    return a if a.first <= b.first else b


def _components(pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Stored events to merge, grouped: each group one incident."""
    groups: list[set[int]] = []
    for a, b in pairs:
        touching = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return [sorted(g) for g in groups]
