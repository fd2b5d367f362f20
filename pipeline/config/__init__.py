"""Business configuration: load and validate ``data/config/*.yaml`` into typed objects.

Every rule value of RULES.md that the county may change lives in these files. Loading fails
with a message naming the file and the offending key, never with a bare traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.config.files import ConfigError, load_file
from pipeline.config.schemes import SchemesConfig, load_schemes
from pipeline.vocabulary import GRADES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotCounty(_Strict):
    """Where the county's short name is part of something else: a one-character token just before
    it (风云和雨, 李云和) or just after it (八千里路云和月, 云和山的彼端) makes it another word."""

    word_before: list[str] = Field(default_factory=list)
    word_after: list[str] = Field(default_factory=list)


class County(_Strict):
    name: str
    code: str
    names: list[str]
    landmarks: list[str] = Field(default_factory=list)
    not_county: NotCounty = NotCounty()


class Township(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)
    villages: list[str] = Field(default_factory=list)
    # Places elsewhere with a township of the same name (温岭市石塘镇): when the text names one of
    # these and not 云和, the township's name means that other place.
    elsewhere: list[str] = Field(default_factory=list)
    # Places inside the township that are not villages: scenic spots, reservoirs, roads, schools.
    places: list[str] = Field(default_factory=list)
    # Short names that are also common elsewhere (安溪 is a county of 福建, 凤凰山 a hill in many
    # places): they name the township only when the post otherwise concerns 云和.
    weak_aliases: list[str] = Field(default_factory=list)


class UnitsConfig(_Strict):
    county: County
    coordinators: list[str]
    local_sources: list[str] = Field(default_factory=list)
    townships: list[Township]
    departments: list[str]
    # Places that lie in several townships (a lake, a road between them): a post naming one names
    # each of those townships.
    spanning: dict[str, list[str]] = Field(default_factory=dict)
    # Official accounts of county units (RULES.md §4): account -> the unit it speaks for; and the
    # accounts that speak for the whole county (their releases answer for whichever unit owns).
    official_accounts: dict[str, str] = Field(default_factory=dict)
    county_voice: list[str] = Field(default_factory=list)
    # Words a township's own 政务号 puts before or after its short name (魅力赤石, 印象紧水滩, 畲乡雾溪).
    township_account_words: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coordinators_known(self) -> UnitsConfig:
        unknown = [c for c in self.coordinators if c not in self.departments]
        if unknown:
            raise ValueError(f"协调单位 {'、'.join(unknown)} 不在 departments 名单中")
        names = [t.name for t in self.townships]
        if len(set(names)) != len(names):
            raise ValueError("乡镇（街道）名称不能重复")
        for place, townships in self.spanning.items():
            unknown = [t for t in townships if t not in names]
            if unknown or len(townships) < 2:
                raise ValueError(f"跨乡镇地名“{place}”须列出至少两个已知乡镇（街道），未知：{'、'.join(unknown) or '无'}")
        units = set(self.departments) | set(names)
        unknown = [f"{a}（{u}）" for a, u in self.official_accounts.items() if u not in units]
        if unknown:
            raise ValueError(f"官方账号所属单位不在单位名单中：{'、'.join(unknown)}")
        if stray := [a for a in self.county_voice if a not in self.official_accounts]:
            raise ValueError(f"county_voice 中的账号须先列入 official_accounts：{'、'.join(stray)}")
        owner: dict[str, str] = {}
        for t in self.townships:
            for place in [*t.villages, *t.places, *t.aliases, *t.weak_aliases]:
                if owner.setdefault(place, t.name) != t.name:
                    raise ValueError(f"地名“{place}”同时列在{owner[place]}和{t.name}下；跨乡镇的地名请列入 spanning")
        return self


class Area(_Strict):
    name: str
    department: str
    keywords: list[str]


class Topic(_Strict):
    department: str | None
    areas: list[Area] = Field(default_factory=list)


class TopicsConfig(_Strict):
    topics: dict[str, Topic]


class Floor(_Strict):
    deaths: int = Field(ge=1)
    serious_injuries: int = Field(ge=1)
    economic_loss_yuan: int = Field(ge=1)


class EngagementStep(_Strict):
    min: int = Field(ge=1)
    grade: str


class Reach(_Strict):
    central_media: list[str]
    central_media_grade: str
    provincial_media: list[str]
    provincial_media_grade: str
    not_coverage: list[str] = Field(default_factory=list)
    engagement: list[EngagementStep]


class Relevance(_Strict):
    irrelevant_topic: str = "无关"
    irrelevant_min_score: float = Field(default=0.5, ge=0, le=1)


class NoisePolicy(_Strict):
    """Marketing and spam set aside as 无关 (pipeline.rules.noise); empty lists: none detected."""

    spam: list[str] = Field(default_factory=list)             # one is enough (荐股, 星座运势, 刷单返利 …)
    offers: list[str] = Field(default_factory=list)           # with a call to action (特价, 包邮, 代购 …)
    calls_to_action: list[str] = Field(default_factory=list)  # 私聊, 加微信, 扫码, 下单 …
    grievance: list[str] = Field(default_factory=list)        # never noise: 被骗, 投诉, 举报 …


class ReviewPolicy(_Strict):
    """When an event is marked 待复核 (needs an analyst's review)."""

    grade_margin: float = Field(default=0.15, ge=0, le=1)     # two grades closer than this: unsure
    topic_min_score: float = Field(default=0.4, ge=0, le=1)   # best topic below this: uncertain
    topic_margin: float = Field(default=0.1, ge=0, le=1)      # second topic closer than this: uncertain


class Routing(_Strict):
    leadership_grades: list[str]
    leadership_label: str
    rumor_transfer_units: list[str]
    secondary_topic_min_ratio: float = Field(ge=0, le=1)
    secondary_topic_min_score: float = Field(ge=0, le=1)
    emergency_cooperating_unit: str
    emergency_cooperating_types: list[str]
    county_policy_patterns: list[str]

    @field_validator("county_policy_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"正则表达式 {p!r} 有误：{exc}") from exc
        return patterns


class MilestoneRule(_Strict):
    milestone: Literal["authoritative_info", "press_conference", "response"]
    hours: float = Field(gt=0)


class Deadlines(_Strict):
    clock_start: Literal["first_seen", "published"] = "first_seen"
    authoritative_info_enabled: bool = True
    milestones: dict[str, list[MilestoneRule]]
    reminders_at: list[float]


class Responses(_Strict):
    """What a recorded response must carry (RULES.md §4): its time between the event's first
    known publication and the moment it is recorded, give or take ``clock_tolerance_minutes``
    of clock difference; a link, or for ``place_kinds`` (held in a room, not on a page) where."""

    clock_tolerance_minutes: int = Field(default=5, ge=0, le=120)
    place_kinds: list[str] = Field(default_factory=lambda: ["新闻发布会", "吹风会", "接受媒体采访"])


class Incidents(_Strict):
    """When two differently worded posts report the same incident (pipeline.rules.clues, .incidents)."""

    window_hours: int = Field(default=72, ge=1)
    min_evidence: int = Field(default=2, ge=1)
    kinds: dict[str, list[str]] = Field(default_factory=dict)
    objects: dict[str, dict[str, list[str]]] = Field(default_factory=dict)  # class -> family -> words
    # Families one object may be told as by different writers (面包车 / 小型普通客车): no contradiction.
    objects_alike: list[list[str]] = Field(default_factory=list)
    areas: dict[str, list[str]] = Field(default_factory=dict)  # area -> the townships it spans
    # Routine matters (停电, 停水, 路灯 …): the same problem at the same place raised again while
    # its event is open joins it, in any words, within matter_window_days.
    matters: dict[str, list[str]] = Field(default_factory=dict)
    matter_window_days: int = Field(default=14, ge=1)
    # Matters of county policy (医保): raised anywhere, they are one matter of the whole county,
    # so a post naming no place joins the one such matter open of late.
    countywide_matters: list[str] = Field(default_factory=list)
    # Words of a follow-up (续报, 最新进展): such a post naming no place joins the one recent event
    # of its kind whose figures it does not contradict.
    follow_up: list[str] = Field(default_factory=list)
    # A word in texts from this many townships or more is everyday (a template's, a hotline's).
    everyday_townships: int = Field(default=3, ge=2)
    # Kinds that are also others (a slope's "坍塌" is a landslide's "塌方", a "山火" is a fire):
    # a post naming a group's first kind is read as naming the rest of the group too.
    related_kinds: list[list[str]] = Field(default_factory=list)
    # Kinds a post is read as only when it names no other (a search for the missing: "失联" in a
    # fire's 续报 is a figure of the fire, not another incident).
    fallback_kinds: list[str] = Field(default_factory=list)
    # Kinds whose incidents count the missing among their figures: a post naming only a fallback
    # kind ("希望失联的人能找到") may tell of one of these.
    fallback_of: list[str] = Field(default_factory=list)
    # Places elsewhere that jieba's dictionary does not tag as places (景宁, 大连, 海丰): a post
    # naming one and none of ours is about that place, and joins none of our events by its kind.
    other_places: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _countywide_known(self) -> Incidents:
        if unknown := [m for m in self.countywide_matters if m not in self.matters]:
            raise ValueError(f"countywide_matters 中的问题须先列入 matters：{'、'.join(unknown)}")
        return self


class Events(_Strict):
    shingle_size: int = Field(ge=1, le=8)
    num_perm: int = Field(ge=8, le=512)
    bands: int = Field(ge=1)
    min_similarity: float = Field(gt=0, le=1)
    copy_similarity: float = Field(default=0.8, gt=0, le=1)
    common_after: int = Field(default=3, ge=2)
    bucket_cap: int = Field(default=24, ge=2)
    representatives: int = Field(default=16, ge=1)
    window_days: int = Field(ge=1)
    incidents: Incidents = Field(default_factory=Incidents)

    @model_validator(mode="after")
    def _bands_divide(self) -> Events:
        if self.num_perm % self.bands:
            raise ValueError("events.num_perm 必须是 events.bands 的整数倍")
        return self


class Rising(_Strict):
    """快速升温 (pipeline.rules.rising): an event's posts (and engagement) in the last hour by
    publication time against its own previous ``history_hours`` and the county's usual hourly
    level per active event over ``county_hours``. A rise needs all of: a z-score of at least
    ``z``, at least ``min_ratio`` times the higher of the two baselines, and at least the
    level's number of posts in the hour (``levels``: one alert per event per level)."""

    history_hours: int = Field(default=6, ge=2, le=72)
    county_hours: int = Field(default=24, ge=1, le=168)
    z: float = Field(default=3.0, gt=0)
    min_ratio: float = Field(default=3.0, ge=1)
    levels: list[int] = Field(default_factory=lambda: [12, 100], min_length=1)
    min_engagement: int = Field(default=2000, ge=1)
    hold_hours: int = Field(default=6, ge=1)

    @model_validator(mode="after")
    def _levels_rise(self) -> Rising:
        if any(b <= a for a, b in zip(self.levels, self.levels[1:], strict=False)) or self.levels[0] < 1:
            raise ValueError("rising.levels 应为由小到大的正整数（每小时帖子数）")
        return self


class HeatWeights(_Strict):
    posts: float = Field(ge=0)
    reposts: float = Field(ge=0)
    comments: float = Field(ge=0)
    likes: float = Field(ge=0)
    media: float = Field(ge=0)


class Heat(_Strict):
    """The event heat index (pipeline.rules.heat): the form of 清博指数 (GSDATA) WCI — weighted
    natural logarithms of the counts, squared and scaled. Weights sum to 1."""

    weights: HeatWeights = HeatWeights(posts=0.30, reposts=0.25, comments=0.20, likes=0.10, media=0.15)
    scale: float = Field(default=10.0, gt=0)
    media_platforms: list[str] = Field(default_factory=lambda: ["news", "app", "video"])

    @model_validator(mode="after")
    def _weights_sum(self) -> Heat:
        total = sum(self.weights.model_dump().values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"heat.weights 各项之和应为 1（现为 {total:g}）")
        return self


class ReleaseGap(_Strict):
    """持续发布 (RULES.md §4): for open events of ``grades``, the time since the owner's last
    release; the owner is reminded once per gap longer than ``hours``."""

    hours: float = Field(default=24, gt=0)
    grades: list[str] = Field(default_factory=lambda: ["特别重大", "重大"])


class PolicyConfig(_Strict):
    grades: list[str]
    casualty_floors: dict[str, Floor]
    reach: Reach
    relevance: Relevance = Relevance()
    review: ReviewPolicy = ReviewPolicy()
    noise: NoisePolicy = NoisePolicy()
    routing: Routing
    emergency_types: dict[str, list[str]]
    deadlines: Deadlines
    response_kinds: dict[str, list[Literal["authoritative_info", "press_conference", "response"]]]
    responses: Responses = Responses()
    events: Events
    rising: Rising = Rising()
    heat: Heat = Heat()
    release_gap: ReleaseGap = ReleaseGap()

    @model_validator(mode="after")
    def _grades_known(self) -> PolicyConfig:
        if tuple(self.grades) != GRADES:
            raise ValueError(f"grades 必须正好是 {'、'.join(GRADES)}（由高到低）")
        used = [
            *self.casualty_floors,
            self.reach.central_media_grade,
            self.reach.provincial_media_grade,
            *(s.grade for s in self.reach.engagement),
            *self.routing.leadership_grades,
            *self.deadlines.milestones,
            *self.release_gap.grades,
        ]
        unknown = sorted({g for g in used if g not in GRADES})
        if unknown:
            raise ValueError(f"未知等级 {'、'.join(unknown)}；等级为 {'、'.join(GRADES)}")
        missing = [g for g in GRADES if g not in self.deadlines.milestones]
        if missing:
            raise ValueError(f"deadlines.milestones 缺少等级 {'、'.join(missing)} 的时限")
        strange = [k for k in self.responses.place_kinds if k not in self.response_kinds]
        if strange:
            raise ValueError(f"responses.place_kinds 中的 {'、'.join(strange)} 不是 response_kinds 中的回应方式")
        return self


class ChannelSpec(_Strict):
    type: Literal["dingtalk", "wecom", "email", "webhook"]
    url_env: str | None = None
    secret_env: str | None = None
    host_env: str | None = None
    port_env: str | None = None
    user_env: str | None = None
    password_env: str | None = None
    sender: str | None = None
    to: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> ChannelSpec:
        if self.type == "email" and not (self.host_env and self.sender and self.to):
            raise ValueError("邮件渠道需要 host_env、sender 和 to")
        if self.type != "email" and not self.url_env:
            raise ValueError(f"{self.type} 渠道需要 url_env")
        return self


class AlertsConfig(_Strict):
    channels: dict[str, ChannelSpec]
    recipients: dict[str, list[str]]
    default: list[str]
    leadership_recipient: str
    analyst_recipient: str
    urgent_grades: list[str]
    notify_grades: list[str]
    ack_timeout_minutes: float = Field(gt=0)
    # An unacknowledged urgent alert climbs one step per ack_timeout: who hears at each step —
    # recipients (repeated to those who have not acknowledged), coordinators (told who has not),
    # leadership (likewise). After the last step it stops.
    ladder: list[list[Literal["recipients", "coordinators", "leadership"]]] = Field(min_length=1)
    retry_base_seconds: float = Field(gt=0)
    retry_max_seconds: float = Field(gt=0)

    @model_validator(mode="after")
    def _channels_known(self) -> AlertsConfig:
        used = {c for names in [*self.recipients.values(), self.default] for c in names}
        unknown = sorted(used - set(self.channels))
        if unknown:
            raise ValueError(f"recipients 中有未定义的渠道 {'、'.join(unknown)}")
        return self

    def channels_for(self, recipient: str) -> list[str]:
        return self.recipients.get(recipient, self.default)

    @property
    def max_repeats(self) -> int:
        """How many repeats an unacknowledged urgent alert gets: one per step of the ladder."""
        return len(self.ladder)


class RetentionConfig(_Strict):
    """How long personal data is kept (``retention.yaml``; 个人信息保护法 asks for a stated period).
    Defaults when the file is absent: irrelevant posts 90 days, closed events' posts 3 years."""

    irrelevant_post_days: int = Field(default=90, ge=1, le=36500)
    closed_event_days: int = Field(default=1095, ge=1, le=36500)
    batch_size: int = Field(default=500, ge=1, le=10000)


class ReportsConfig(_Strict):
    """``reports.yaml``: words the reports never show as 热词 or as a view's keywords — function
    words, everyday verbs and report boilerplate (只能, 截至, 送往, 影响, 意见 …). Editable."""

    stop_words: list[str] = Field(default_factory=list)

    @field_validator("stop_words")
    @classmethod
    def _words(cls, words: list[str]) -> list[str]:
        bad = [w for w in words if not w.strip() or any(c.isspace() for c in w) or len(w) > 12]
        if bad:
            raise ValueError(f"停用词应为不含空格、不超过12个字的词语，有误：{'、'.join(repr(w) for w in bad)}")
        return words


@dataclass(frozen=True)
class Config:
    """The whole business configuration, validated and cross-checked."""

    units: UnitsConfig
    topics: TopicsConfig
    policy: PolicyConfig
    alerts: AlertsConfig
    schemes: SchemesConfig = field(default_factory=SchemesConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)

    @property
    def topic_names(self) -> list[str]:
        return list(self.topics.topics)

    @property
    def relevant_topic_names(self) -> list[str]:
        """The topics an analyst may give a relevant item (every topic but 无关)."""
        return [t for t in self.topics.topics if t != self.policy.relevance.irrelevant_topic]

    def all_unit_names(self) -> list[str]:
        return [*self.units.departments, *(t.name for t in self.units.townships)]


def _cross_check(cfg: Config) -> None:
    known = set(cfg.all_unit_names())
    problems: list[str] = []
    for name, topic in cfg.topics.topics.items():
        for dept in [topic.department, *(a.department for a in topic.areas)]:
            if dept is not None and dept not in known:
                problems.append(f"topics.yaml：领域 {name} 的单位 {dept!r} 不在 units.yaml 中")
    routing = cfg.policy.routing
    for unit in [*routing.rumor_transfer_units, routing.emergency_cooperating_unit]:
        if unit not in known:
            problems.append(f"policy.yaml：routing 中的单位 {unit!r} 不在 units.yaml 中")
    roles = {cfg.alerts.leadership_recipient, cfg.alerts.analyst_recipient}
    for recipient in cfg.alerts.recipients:
        if recipient not in known and recipient not in roles:
            problems.append(f"alerts.yaml：recipients 中的接收方 {recipient!r} 不是已知单位")
    irrelevant = cfg.policy.relevance.irrelevant_topic
    if irrelevant not in cfg.topics.topics:
        problems.append(f"policy.yaml：relevance.irrelevant_topic {irrelevant!r} 不是已定义的领域")
    if problems:
        raise ConfigError("；".join(problems))


def load_config(config_dir: Path) -> Config:
    """Load ``units.yaml``, ``topics.yaml``, ``policy.yaml``, ``alerts.yaml`` and (when present)
    the monitoring schemes of ``schemes.yaml`` and the retention periods of ``retention.yaml``,
    and validate them."""
    topics = load_file(TopicsConfig, config_dir / "topics.yaml")
    cfg = Config(
        units=load_file(UnitsConfig, config_dir / "units.yaml"),
        topics=topics,
        policy=load_file(PolicyConfig, config_dir / "policy.yaml"),
        alerts=load_file(AlertsConfig, config_dir / "alerts.yaml"),
        schemes=load_schemes(config_dir / "schemes.yaml", list(topics.topics)),
        retention=load_file(RetentionConfig, config_dir / "retention.yaml")
        if (config_dir / "retention.yaml").exists() else RetentionConfig(),
        reports=load_file(ReportsConfig, config_dir / "reports.yaml") if (config_dir / "reports.yaml").exists()
        else ReportsConfig(),
    )
    _cross_check(cfg)
    return cfg
