"""The county's own releases (RULES.md §4): a post published by an official account of a county
unit — 云和发布 speaking for the county, 云和公安 for 县公安局, a township government's account —
that reports, explains or refutes something (情况通报, 警情通报, 辟谣, 回应, 说明, a reply on a
message board) is that unit's response, never a new item: it joins the event it is about as
response evidence at its publication time and creates no task. Pure functions.

Accounts are configured per unit in ``data/config/units.yaml`` (``official_accounts``); accounts
named after a unit (云和县应急管理局, 紧水滩镇人民政府, 凤凰山街道办事处, or just 元和街道), and a
township's short name under a word of praise (魅力赤石, 畲乡雾溪: ``township_account_words``), are
recognised without being listed. A township account's "我镇", "我乡", "本街道" is that township.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pipeline.config import Config

# What makes an official post a response: the kind of release it says it is.
_KINDS = (
    ("辟谣", re.compile(r"辟谣|系谣言|纯属谣言|不实信息|纯属捏造|不信谣")),
    ("警情通报", re.compile(r"警情通报|警方通报")),
    ("情况通报", re.compile(r"情况通报|情况说明|事故通报|通报")),
    ("回复", re.compile(r"网友您好|您反映的|您好，您反映|经核实|现回复如下|回复如下")),
    ("回应", re.compile(r"回应|说明|答复")),
)
_OWN_PLACE = re.compile(r"我镇|我乡|我街道|本镇|本乡|本街道|我办|辖区|我县|本县")
_GOVERNMENT = ("人民政府", "政府", "办事处", "街道办", "发布")  # 石塘镇发布: a township's own 政务号


@dataclass(frozen=True)
class Release:
    """An official account's post: whose it is, whether it speaks for the whole county, what kind
    of release it says it is (辟谣, 情况通报 …; 发布 when it names none: an official account's post
    about an incident reports it), and the account's township (a township government's "我镇")."""

    account: str
    unit: str
    county: bool
    kind: str
    township: str | None

    @property
    def response_kind(self) -> str:
        """The response kind it counts as (``policy.response_kinds``)."""
        return "网络问政回复" if self.kind == "回复" else "发布权威信息"

    def describe(self) -> str:
        return f"本县官方账号“{self.account}”（{self.unit}）{self.kind}"


def account_unit(name: str | None, cfg: Config) -> tuple[str, bool] | None:
    """The unit an account speaks for and whether it speaks for the whole county, or None."""
    if not name:
        return None
    name = name.strip()
    listed = cfg.units.official_accounts.get(name)
    if listed is not None:
        return listed, name in cfg.units.county_voice
    county = cfg.units.county.name
    departments = set(cfg.units.departments)
    if name in departments:   # an account named exactly as the unit: 县应急管理局, 丽水市生态环境局云和分局
        return name, False
    if name.startswith(county) and (unit := "县" + name[len(county):]) in departments:
        return unit, False
    if (short := _abbreviated(name, cfg.units.county.names, departments)) is not None:
        return short, False
    for t in cfg.units.townships:
        # "紧水滩镇人民政府", "云和县凤凰山街道办事处", and an account named just as its township ("元和街道")
        if name == t.name or any(name in (f"{n}{g}", f"{county}{n}{g}") for n in (t.name, *t.aliases)
                                 for g in _GOVERNMENT):
            return t.name, False
        # its own 政务号 under a word of praise: 魅力赤石, 印象紧水滩, 畲乡雾溪
        core = _township_core(t.name)
        if any(name in (f"{w}{core}", f"{core}{w}") for w in cfg.units.township_account_words):
            return t.name, False
    return None


def _township_core(township: str) -> str:
    """雾溪畲族乡 -> 雾溪, 紧水滩镇 -> 紧水滩, 凤凰山街道 -> 凤凰山: the name a township's own accounts use."""
    for end in ("畲族乡", "街道", "镇", "乡"):
        if township.endswith(end):
            return township[: -len(end)]
    return township


def _abbreviated(name: str, county: list[str], departments: set[str]) -> str | None:
    """The department an account named 云和 + the department's usual short name speaks for:
    云和应急管理, 云和市场监管, 云和综合执法, 云和医保, or the short name first: 网信云和, 生态云和 —
    a Chinese short name keeps the full name's characters in order, beginning with its first
    (医保 in 医疗保障), or is the name's last part (健康云和: 卫生健康). None unless exactly one
    department's name fits (云和本地通, 云和交通事儿, 最美云和 fit none)."""
    short = ""
    for prefix in sorted(county, key=len, reverse=True):
        if name.startswith(prefix):
            short = name[len(prefix):]
            break
        if name.endswith(prefix):
            short = name[: -len(prefix)]
            break
    if len(short) < 2:
        return None
    fits = [d for d in departments
            if ((core := _core(d)).startswith(short[0]) and _in_order(short, core)) or core.endswith(short)]
    return fits[0] if len(fits) == 1 else None


def _core(department: str) -> str:
    """县市场监督管理局 -> 市场监督管理, 县委网信办 -> 网信, 丽水市生态环境局云和分局 -> 生态环境:
    what short names are cut from."""
    core = department
    for start in ("县委", "县", "丽水市"):
        core = core.removeprefix(start)
    for end in ("局云和分局", "云和分局", "事务局", "局", "办"):
        if core.endswith(end):
            return core[: -len(end)]
    return core


def _in_order(short: str, full: str) -> bool:
    rest = iter(full)
    return all(ch in rest for ch in short)


def official_release(author: str | None, source: str | None, text: str, cfg: Config) -> Release | None:
    """The release a post is, when an official account of a county unit published it. The author
    decides; the source only where no author is given (a message board's source is the board,
    not the writer)."""
    who = author if author and author.strip() else source
    found = account_unit(who, cfg)
    if found is None or who is None:
        return None
    unit, county = found
    kind = next((k for k, pattern in _KINDS if pattern.search(text)), "发布")
    townships = {t.name for t in cfg.units.townships}
    return Release(who.strip(), unit, county, kind, unit if unit in townships else None)


def speaks_of_own_place(text: str) -> bool:
    """Whether the text names its place as the publisher's own ("我镇某村", "本街道")."""
    return bool(_OWN_PLACE.search(text))


@dataclass(frozen=True)
class ReleaseGapView:
    """An open event's owner and its last release (持续发布): what ``alerts.plan`` plans a
    reminder from, as ``queries.releases.release_gaps`` finds it."""

    event_id: int
    owner: str
    last_release_id: int
    last_release_at: datetime
