"""Per-post analysis and per-event aggregation: everything the rules need to know about an
item, computed without touching storage.

A post gets its model outputs, places, casualty figures, media level, engagement and
emergency type; an event folds its posts' facts together (``EventFacts``) and keeps them as
JSON so later posts can join it and re-run the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from classifiers.bundle import Classified
from classifiers.tokenize import Doc
from pipeline.config import Config, Relevance
from pipeline.rules.casualties import Casualties, extract_casualties
from pipeline.rules.grading import highest, model_grade
from pipeline.rules.noise import marketing_reason
from pipeline.rules.places import Gazetteer, PlaceMatch
from pipeline.rules.releases import Release, official_release, speaks_of_own_place
from pipeline.rules.schemes import SchemeHit, match_schemes


class PostText(Protocol):
    """What the rules read of a post (``pipeline.normalize.PostInput`` is one): who published it
    and where, what it says and how far it went. A protocol, so that the rules depend on no
    input format."""

    @property
    def platform(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def title(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def reposts(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def likes(self) -> int | None: ...


@dataclass
class PostAnalysis:
    """What one post says, by the models and by the rules' extractors."""

    classified: Classified
    local: bool
    local_reasons: list[str]
    townships: list[str]
    casualties: Casualties
    emergency_types: list[str]
    categories: list[str]
    category_reasons: list[str]
    central_media: list[str]
    provincial_media: list[str]
    engagement: int | None
    noise: str | None = None        # why it is not 舆情 even if about 云和 (广告营销, 地名歧义 …)
    schemes: list[SchemeHit] = field(default_factory=list)
    topic_pin: str | None = None    # a monitoring scheme's topic
    release: Release | None = None  # published by an official account of a county unit (RULES.md §4)
    home: str | None = None         # the township its account's name names (PlaceMatch.home)


def _media(post: PostText, names: list[str], not_coverage: list[str]) -> list[str]:
    who = " ".join(x for x in (post.source, post.author) if x)
    if any(word in who for word in not_coverage):
        return []
    return [n for n in names if n in who]


def _engagement(post: PostText) -> int | None:
    counts = [post.reposts, post.comments, post.likes]
    if all(c is None for c in counts):
        return None
    return sum(c or 0 for c in counts)


def analyse_post(post: PostText, doc: Doc, classified: Classified, cfg: Config, gaz: Gazetteer) -> PostAnalysis:
    # a letter's title often carries its place ("白洋墩村电压不稳"): places are read in it too (its
    # longer names; the text's own tokens serve for the short ones)
    titled = Doc(f"{post.title}。{doc.text}", doc.tokens) if post.title and post.title not in doc.text else doc
    places = gaz.match(titled, post.source, post.author)
    release = official_release(post.author, post.source, f"{post.title or ''}。{doc.text}", cfg)
    if release is not None:
        places = own_place(places, release, doc.text)
    casualties = extract_casualties(doc.text)
    # 谣言 has one source of truth, the rumour model: an official 辟谣 that quotes a rumour is
    # about a rumour but is not one, and must not send the item to 公安 / 网信 as a lead.
    categories = [c for c in classified.categories if c != "谣言"]
    reasons = [f"模型判定：{c}" for c in categories]
    hits = {
        kind: next((w for w in words if w in doc.text), None)
        for kind, words in cfg.policy.emergency_types.items()
    }
    has_figures = any(v for v in (casualties.deaths, casualties.serious_injuries, casualties.injured,
                                  casualties.economic_loss_yuan, casualties.missing))
    emergency = [k for k, w in hits.items() if w] if ("突发事件" in categories or has_figures) else []
    if emergency and "突发事件" not in categories:
        categories.append("突发事件")
        reasons.append(f"伤亡或损失数字与“{hits[emergency[0]]}”：突发事件")
    if classified.rumor and "谣言" not in categories:
        categories.append("谣言")
        reasons.append(f"谣言模型得分{classified.rumor_score:.2f}")
    scheme_hits = match_schemes(cfg.schemes, doc)
    local, local_reasons, pin = apply_schemes(scheme_hits, places.local, places.local_reasons, categories, reasons)
    noise = marketing_reason(doc.text, cfg.policy.noise)
    if noise is None and not local and places.ambiguous:
        noise = f"地名歧义：{'；'.join(places.ambiguous)}"
    return PostAnalysis(
        classified=classified,
        local=local,
        local_reasons=local_reasons,
        townships=places.townships,
        home=places.home,
        casualties=casualties,
        emergency_types=emergency,
        categories=categories,
        category_reasons=reasons,
        central_media=_media(post, cfg.policy.reach.central_media, cfg.policy.reach.not_coverage),
        provincial_media=_media(post, cfg.policy.reach.provincial_media, cfg.policy.reach.not_coverage),
        engagement=_engagement(post),
        noise=noise,
        schemes=scheme_hits,
        topic_pin=pin,
        release=release,
    )


def own_place(places: PlaceMatch, release: Release, text: str) -> PlaceMatch:
    """An official account's post concerns the county; a township government's "我镇" (or a post
    of it naming no township) is that township."""
    reasons = [*places.local_reasons, release.describe()]
    townships = list(places.townships)
    if release.township and release.township not in townships and (speaks_of_own_place(text) or not townships):
        townships.append(release.township)
        reasons.append(f"发布账号所在：{release.township}")
    return replace(places, townships=townships, local=True, local_reasons=reasons)


def apply_schemes(hits: list[SchemeHit], local: bool, local_reasons: list[str], categories: list[str],
                  reasons: list[str]) -> tuple[bool, list[str], str | None]:
    """What the matched monitoring schemes do to a post: make it relevant (locality with the
    scheme as reason), add their key categories (in place), pin a topic (the first scheme's)."""
    for hit in hits:
        if hit.effects.relevant:
            local, local_reasons = True, [*local_reasons, f"监测方案：{hit.scheme}"]
        category = hit.effects.category
        if category and category not in categories:
            categories.append(category)
            reasons.append(f"监测方案“{hit.scheme}”：{category}")
    pin = next((h.effects.topic for h in hits if h.effects.topic), None)
    return local, local_reasons, pin


def effective_topic(classified: Classified, local: bool, relevance: Relevance, overrule: bool = False) -> str:
    """The model's topic, except that an item about 云和 is only set aside as 无关 when the
    model is confident of it: missing a real matter costs more than reviewing an extra one.
    ``overrule``: a monitoring scheme marked the item relevant, so the model's 无关 never stands."""
    irrelevant = relevance.irrelevant_topic
    if classified.topic != irrelevant or not (local or overrule):
        return classified.topic
    if not overrule and classified.topic_scores.get(irrelevant, 1.0) >= relevance.irrelevant_min_score:
        return classified.topic
    others = {t: p for t, p in classified.topic_scores.items() if t != irrelevant}
    return max(others, key=lambda t: others[t]) if others else classified.topic


def post_topic(a: PostAnalysis, local: bool, relevance: Relevance, joined: bool = False, told: bool = False) -> str:
    """A post's topic: a monitoring scheme's pinned topic; else the model's (``effective_topic``),
    except that the model's 无关 never stands alone against a scheme marking the post relevant,
    a post naming a 云和 place and an incident or a problem there (``told``: the kind of incident
    or the routine problem its clues name — "溪口村最近流浪狗成群"), or a post that joined an event
    about 云和 (``joined``: relevance follows the incident)."""
    overrule = (joined or any(h.effects.relevant for h in a.schemes)
                or bool(a.townships and (a.emergency_types or a.casualties.stated() or told)))
    return a.topic_pin or effective_topic(a.classified, local, relevance, overrule=overrule)


OWN_RELEASE = "本县官方发布：作为该单位的回应记录，不另行分办"
NOT_LOCAL = "未涉及云和"


def irrelevant_reason(a: PostAnalysis, local: bool, topic: str, relevance: Relevance) -> str | None:
    """Why a post is set aside as 无关 (None: it is not): the county's own release first (it is a
    response, never a new item), then noise, then not about 云和, then the topic model."""
    if a.release is not None:
        return OWN_RELEASE
    if a.noise:
        return a.noise
    if not local:
        return NOT_LOCAL
    if topic == relevance.irrelevant_topic:
        return f"模型判定无关（{a.classified.topic_scores.get(topic, 0.0):.2f}）"
    return None


PLACE_SETS = 24


@dataclass
class EventFacts:
    """The facts of an event folded over its posts; stored as JSON on the event row."""

    local: bool = False
    local_reasons: list[str] = field(default_factory=list)
    relevant_posts: int = 0
    topic_scores: dict[str, float] = field(default_factory=dict)
    model_grade: str | None = None
    townships: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    emergency_types: list[str] = field(default_factory=list)
    rumor: bool = False
    casualties: dict[str, Any] = field(default_factory=dict)
    central_media: list[str] = field(default_factory=list)
    provincial_media: list[str] = field(default_factory=list)
    engagement_known: int = 0
    engagement_unknown_posts: int = 0
    texts: list[str] = field(default_factory=list)
    grade_scores: dict[str, float] = field(default_factory=dict)      # of the post holding model_grade
    sentiment_scores: dict[str, float] = field(default_factory=dict)  # summed over the event's posts
    # The distinct sets of townships its posts name (sorted, at most PLACE_SETS): an event's place
    # identity; a post naming townships none of which is in one of these sets is another event's.
    townsets: list[list[str]] = field(default_factory=list)
    homes: list[str] = field(default_factory=list)  # townships its placeless posts' accounts name

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EventFacts:
        return cls(**(data or {}))

    def to_json(self) -> dict[str, Any]:
        # A shallow copy is enough: every field is a scalar, a list of str or a flat dict.
        return {k: (v.copy() if isinstance(v, list | dict) else v) for k, v in vars(self).items()}

    def engagement(self) -> int | None:
        """The event's summed engagement, or None when no post of it stated any."""
        return self.engagement_known if self.engagement_unknown_posts == 0 or self.engagement_known else None

    def casualty_figures(self) -> Casualties:
        return Casualties.from_facts(self.casualties)

    def add_place(self, townships: list[str]) -> None:
        named = sorted(set(townships))
        if named and named not in self.townsets and len(self.townsets) < PLACE_SETS:
            self.townsets.append(named)

    def add_locality(self, analysis: PostAnalysis) -> None:
        if analysis.local:
            self.local = True
            self.local_reasons = _union(self.local_reasons, analysis.local_reasons)[:6]

    def add(self, analysis: PostAnalysis, text: str, relevant: bool, irrelevant_topic: str, local: bool = True) -> None:
        """Fold one post in. Reach and casualties count every post; topic and grade only relevant
        ones; where it happened only one not told as another county's (``local``)."""
        if local:
            self.add_locality(analysis)
        self.add_place(analysis.townships)
        c = analysis.casualties
        if c.deaths or c.serious_injuries or c.injured or c.economic_loss_yuan or c.missing:
            self.casualties = self.casualty_figures().merge(c).as_facts()
        self.central_media = _union(self.central_media, analysis.central_media)
        self.provincial_media = _union(self.provincial_media, analysis.provincial_media)
        if analysis.engagement is None:
            self.engagement_unknown_posts += 1
        else:
            self.engagement_known += analysis.engagement
        if len(self.texts) < 3:
            self.texts.append(text[:600])
        for label, p in analysis.classified.sentiment_scores.items():
            self.sentiment_scores[label] = round(self.sentiment_scores.get(label, 0.0) + p, 4)
        if analysis.release is not None:
            # the county's own notice is a response, not a post to hand out, but where it says the
            # incident happened ("本街道辖区一企业厂房发生火情") is where it happened (属地管理)
            self.townships = _narrowest(_union(self.townships, analysis.townships), self.townsets)
        if not relevant:
            return
        self.relevant_posts += 1
        pin = analysis.topic_pin
        for topic, s in ({pin: 1.0} if pin else analysis.classified.topic_scores).items():
            if topic != irrelevant_topic:
                self.topic_scores[topic] = round(self.topic_scores.get(topic, 0.0) + s, 4)
        graded = model_grade(analysis.classified.grade_scores)
        top = highest([self.model_grade, graded])
        if top == graded:
            self.grade_scores = dict(analysis.classified.grade_scores)
        self.model_grade = top
        self.townships = _narrowest(_union(self.townships, analysis.townships), self.townsets)
        self.homes = _union(self.homes, [analysis.home] if analysis.home else [])
        self.categories = _union(self.categories, analysis.categories)
        self.emergency_types = _union(self.emergency_types, analysis.emergency_types)
        self.rumor = self.rumor or analysis.classified.rumor

    def mean_topic_scores(self) -> dict[str, float]:
        n = max(self.relevant_posts, 1)
        return {t: s / n for t, s in self.topic_scores.items()}

    def topic(self) -> str | None:
        scores = self.topic_scores
        return max(scores, key=lambda t: scores[t]) if scores else None

    def sentiment(self) -> str | None:
        scores = self.sentiment_scores
        return max(scores, key=lambda t: scores[t]) if scores else None


def _narrowest(towns: list[str], townsets: list[list[str]]) -> list[str]:
    """The townships where an event happened: those of the narrowest place sets its posts name.
    A place spanning townships (仙宫湖: 紧水滩镇 and 石塘镇) names each of them until a post names
    one inside it (紧水滩镇仙宫湖); the event then happened there, not in both (属地管理)."""
    sets = [set(s) for s in townsets]
    narrowest = set().union(*(s for s in sets if not any(o < s for o in sets)))
    return [t for t in towns if t in narrowest] or towns


def _union(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))
