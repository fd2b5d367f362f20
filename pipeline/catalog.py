"""The actions a person takes on one event, each defined once: its name (the event page's
button and the API's address), the permission it needs, what it does and what the page says
once it is done (Chinese), its typed fields (the API's body, the page's form), the audit
entries it writes (named in the event's timeline), the command line's command for it, and the
function of ``pipeline.actions`` that runs it (``pipeline.actions.runners``, keyed by name).

The web page, the JSON API, the timeline and the command line all read this table, so a new
action is one entry here, its runner, and its form on the page (``tests/yuqing/test_action_catalog.py``
fails until every part has it). It sits below the queries (the timeline reads its names) and
imports no action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from pipeline.rules.links import LINK_MAX, WEB_LINK
from pipeline.rules.times import implausible
from pipeline.vocabulary import GRADES, SENTIMENTS

# The largest id a database row can have (ids are INTEGER: 32-bit on PostgreSQL): a larger one
# names nothing, and neither engine can even compare it (PostgreSQL: out of range, SQLite past 2**63).
MAX_ID = 2**31 - 1
ID_COUNT_MAX = 200  # ids one merge or split names

# Text fields: no NUL (PostgreSQL cannot store it); a required text also has a visible character.
# Lone surrogates are refused by the string type itself (they cannot be stored as UTF-8).
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"

if TYPE_CHECKING:  # the choices come from the vocabulary; to mypy each is a str
    Grade: TypeAlias = str
    Sentiment: TypeAlias = str
else:
    Grade, Sentiment = Literal[GRADES], Literal[SENTIMENTS]

ShortText = Annotated[str, Field(max_length=100, pattern=NO_NUL)]
Reason = Annotated[str, Field(max_length=2000, pattern=NOT_BLANK, description="理由（审计留痕）")]


def _whole_number(value: Any) -> Any:
    """JSON's 12.0 is the integer 12 (JSON Schema counts it as one); 12.5 stays a wrong type."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


Ids = Annotated[list[Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole_number)]],
                Field(min_length=1, max_length=ID_COUNT_MAX)]


# --- The fields each action takes (the API's body; the page's form has an input for each). ----
# A list of ids carries its ``title``: what the page's messages call the numbers (请填写…编号).


class Reasoned(BaseModel):
    """An action taken for a stated reason (audited)."""

    reason: Reason


class GradeBody(Reasoned):
    grade: Grade = Field(description="更正后的等级")


class TopicBody(Reasoned):
    topic: ShortText = Field(description="更正后的领域（名称）")


class RelevanceBody(Reasoned):
    relevant: bool = Field(description="是否本县政务")
    topic: ShortText | None = Field(None, description="更正为相关时可同时指定领域（名称）")


class CloseBody(BaseModel):
    note: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] | None = Field(None, description="办结说明（记入审计）")


class RumorBody(Reasoned):
    rumor: bool = Field(description="是否疑似谣言")


class SentimentBody(Reasoned):
    sentiment: Sentiment = Field(description="更正后的情感倾向")


class MergeBody(Reasoned):
    model_config = ConfigDict(populate_by_name=True)
    with_events: Ids = Field(alias="with", title="要并入的事件", description="并入本事件的其他事件编号")


class SplitBody(Reasoned):
    posts: Ids = Field(title="要拆出的帖子", description="拆出为新事件的帖子编号")


class UnitBody(Reasoned):
    unit: ShortText = Field(description="单位名称")


class AssignBody(UnitBody):
    role: Literal["cooperating", "transfer", "coordinator"] = Field(description="配合、线索移交或协调督办")


class RespondBody(BaseModel):
    kind: ShortText = Field(description="回应方式，如 网络问政回复")
    link: Annotated[str, Field(max_length=LINK_MAX, pattern=WEB_LINK)] | None = Field(
        None, description="回应链接（http/https）；新闻发布会、吹风会、接受媒体采访可改填 place")
    place: ShortText | None = Field(None, description="无链接时的举行地点（仅新闻发布会、吹风会、接受媒体采访）")
    at: datetime | None = Field(None, description="回应时间（ISO 8601，不带时区为北京时间；2000—2099 年间，且须在事件最早"
                                                 "发布之后、登记之前），默认当前时间",
                                json_schema_extra={"pattern": "^20[0-9]{2}-"})

    @field_validator("at")
    @classmethod
    def _sane_year(cls, at: datetime | None) -> datetime | None:
        """A time outside the years the document allows is malformed (422, as the schema says):
        year 1 stored on SQLite broke every later reading of its event. Times inside them that
        the event's own history rules out are refused by the action (409)."""
        if at is not None and not 2000 <= at.year <= 2099:
            why = implausible(at, datetime.now(UTC), "回应时间") or "回应时间须在 2000—2099 年之间"
            raise PydanticCustomError("time_window", "{reason}", {"reason": why})
        return at


# --- Running an action: the body as typed, who acts, for which unit, and when. -------------------


@dataclass(frozen=True)
class Actor:
    """Who acts (recorded in the audit) and, for a unit's own work, the unit."""

    name: str
    unit: str | None = None


@dataclass(frozen=True)
class EventAction:
    """One action on an event, as every shell offers it."""

    name: str                      # the page's button and the API's address: /events/{id}/{name}
    permission: str                # pipeline.vocabulary.PERMISSIONS; "work" is the person's own unit's
    summary: str                   # what it does (the API's summary)
    button: str                    # the page's button
    done: str                      # what the page says once it is done
    body: type[BaseModel] | None   # its typed fields; None: it takes none
    audit: dict[str, str]          # the audit entries it writes, as the timeline names them
    command: str                   # the command line's command (``yuqing <command>``)


ACTIONS: dict[str, EventAction] = {a.name: a for a in (
    EventAction("grade", "correct", "更正定级", "确认/更改等级", "已保存定级", GradeBody,
                {"regrade": "人工定级", "confirm_grade": "确认等级"}, "regrade"),
    EventAction("topic", "correct", "更正领域", "更正领域", "已更正领域", TopicBody, {"set_topic": "更正领域"}, "topic"),
    EventAction("relevance", "correct", "更正相关性", "更正相关性", "已更正相关性", RelevanceBody,
                {"set_relevance": "更正相关性"}, "relevance"),
    EventAction("rumor", "correct", "更正谣言标记", "更正谣言标记", "已更正谣言标记", RumorBody, {"set_rumor": "更正谣言标记"},
                "rumor"),
    EventAction("sentiment", "correct", "更正情感倾向", "更正情感倾向", "已更正情感倾向", SentimentBody,
                {"set_sentiment": "更正情感倾向"}, "sentiment"),
    EventAction("merge", "correct", "把其他事件并入本事件", "并入本事件", "已合并事件", MergeBody,
                {"merge_events": "合并事件", "merged_into": "并入其他事件"}, "merge"),
    EventAction("split", "correct", "把部分帖子拆出为新事件", "拆分为新事件", "已拆分为新事件（见时间线）", SplitBody,
                {"split_event": "拆分事件"}, "split"),
    EventAction("reassign", "assign", "改派牵头单位", "改派牵头单位", "已改派牵头单位", UnitBody, {"reassign": "改派牵头单位"},
                "reassign"),
    EventAction("assign", "assign", "增加配合、线索移交或协调单位", "增加单位", "已增加单位", AssignBody,
                {"assign_unit": "增加单位"}, "assign"),
    EventAction("unassign", "assign", "撤回非牵头单位", "撤回单位", "已撤回单位", UnitBody, {"unassign_unit": "撤回单位"},
                "unassign"),
    EventAction("accept", "work", "本单位签收", "签收", "已签收", None, {"accept": "签收"}, "accept"),
    EventAction("return", "work", "本单位退回待办", "退回", "已退回，协调单位将改派", Reasoned, {"return": "退回"}, "return"),
    EventAction("respond", "work", "本单位登记回应", "登记回应", "已登记回应", RespondBody, {"record_response": "登记回应"},
                "respond"),
    EventAction("close", "work", "本单位办结", "办结", "已办结", CloseBody, {"close": "办结"}, "close"),
)}


def timeline_names() -> dict[str, str]:
    """The audit entries the actions write, as the event's timeline names them."""
    return {code: words for action in ACTIONS.values() for code, words in action.audit.items()}
