"""The words of the domain, once: grades, milestones, roles, assignment states, source health
and alert kinds, with the Chinese names people read. Every module spells them from here.

Grades are stored by their Chinese names (they are the codes of RULES.md §1); the other codes
are English words stored in the database, each with the name shown to county users.
"""

from __future__ import annotations

from collections.abc import Iterable

# RULES.md §1, highest first.
GRADES: tuple[str, ...] = ("特别重大", "重大", "较大", "一般")

# RULES.md §2 key categories (重点类别) an item can carry.
KEY_CATEGORIES: tuple[str, ...] = ("政策误读", "切身利益", "道德底线", "突发事件", "上级交办", "谣言")

# RULES.md §4 milestones.
MILESTONES: tuple[str, ...] = ("authoritative_info", "press_conference", "response")
MILESTONE_NAMES = {"authoritative_info": "发布权威信息", "press_conference": "新闻发布会", "response": "予以回应"}

# RULES.md §3 roles on an event's assignment.
ROLES: tuple[str, ...] = ("primary", "cooperating", "transfer", "coordinator")
ROLE_NAMES = {"primary": "牵头", "cooperating": "配合", "transfer": "线索移交", "coordinator": "协调督办"}
# The event's deadlines are held by its primary (owning) unit; cooperating, coordinating and
# transfer units work to the same deadlines (a milestone is met when the owning unit responds).
DUTY_ROLES: tuple[str, ...] = ("primary",)

# An assignment's life: new (written by triage) → dispatched (in the unit's queue) → accepted
# (签收) → responded (every milestone met) → closed (办结). A unit may return (退回) an item to
# the coordinators, who reassign it; a withdrawn assignment was taken off the unit (改派, 撤回).
STATUS_NAMES = {"new": "待分发", "dispatched": "待签收", "accepted": "已签收", "responded": "已回应",
                "closed": "已办结", "returned": "已退回", "withdrawn": "已撤回"}
OPEN_STATUSES: tuple[str, ...] = ("new", "dispatched", "accepted")
INACTIVE_STATUSES: tuple[str, ...] = ("withdrawn",)

# Platforms of posts, as county readers name them (reports); other codes are shown as stored.
PLATFORM_NAMES = {"weibo": "微博", "wechat": "微信", "news": "新闻网站", "forum": "论坛", "message_board": "网络问政",
                  "app": "新闻客户端", "video": "短视频", "hotline": "热线", "douyin": "抖音", "xhs": "小红书",
                  "kuaishou": "快手", "bilibili": "B站", "tieba": "贴吧", "zhihu": "知乎", "file": "文件"}

# Collection source kinds (data/config/sources.yaml) as ``yuqing sources`` names them.
SOURCE_KIND_NAMES = {"feed": "订阅源", "weibo": "微博", "news_site": "新闻网站", "wechat": "公众号",
                     "message_board": "留言板", "folder": "文件夹"}

# Reports (RULES.md §5, §8): the kinds the system produces, with their names.
REPORT_NAMES = {"daily": "舆情日报", "weekly": "舆情周报", "monthly": "舆情月报", "event": "舆情专报",
                "assessment": "考核通报"}
# The file formats a report is written in, with the names people read.
FORMAT_NAMES = {"docx": "Word", "xlsx": "Excel", "html": "网页"}

# Sentiment (情感倾向) toward the government or the unit concerned: the sentiment model's labels
# (classifiers.sentiment, which does not import pipeline, spells them too; a test keeps them equal).
SENTIMENTS: tuple[str, ...] = ("负面", "中性", "正面")

# Source health (collection).
HEALTH_NAMES = {"ok": "正常", "degraded": "降级", "down": "中断"}

# Alert kinds and the headings of their messages.
ALERT_HEADINGS = {"event": "舆情预警", "reminder": "时限提醒", "overdue": "超时督办", "escalation": "预警未确认",
                  "returned": "退回待改派", "scheme": "监测方案命中", "source": "信息源告警", "report": "舆情报告",
                  "rising": "快速升温", "release_gap": "持续发布提醒"}
# How an alert was acknowledged (Alert.acknowledged_via) and the kinds of alert channels.
ACK_VIA_NAMES = {"link": "预警消息链接", "cli": "命令行（yuqing ack）", "work": "单位签收、回应或办结"}
CHANNEL_TYPE_NAMES = {"dingtalk": "钉钉", "wecom": "企业微信", "email": "邮件", "webhook": "接口推送"}

# Who acts when nobody signed in does: the automatic path's actor in the audit log.
SYSTEM_ACTOR = "系统"


def rank(grade: str) -> int:
    """0 for 特别重大 … 3 for 一般; lower is more serious."""
    return GRADES.index(grade)


def highest(grades: Iterable[str | None]) -> str | None:
    known = [g for g in grades if g is not None]
    return min(known, key=rank) if known else None


def by_severity(grades: Iterable[str]) -> list[str]:
    """Grades in severity order, highest first (unknown values last, as given)."""
    known = [g for g in grades if g in GRADES]
    return sorted(set(known), key=rank) + [g for g in dict.fromkeys(grades) if g not in GRADES]

# Who signs in to the web app, and what each role may do there (checked on every request and
# API call). A unit user is bound to one unit and sees only that unit's assignments.
USER_ROLES = {"analyst": "监测员", "unit": "责任单位", "coordinator": "协调", "leader": "领导", "admin": "管理员"}
PERMISSIONS: dict[str, frozenset[str]] = {
    "analyst": frozenset({"desk", "events", "correct", "assign", "board", "overview", "reports"}),
    "coordinator": frozenset({"desk", "events", "assign", "board", "overview", "reports"}),
    "leader": frozenset({"desk", "events", "board", "overview", "reports"}),
    "admin": frozenset({"desk", "events", "correct", "assign", "board", "overview", "reports"}),
    "unit": frozenset({"inbox", "work"}),
}
