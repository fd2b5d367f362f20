"""Independent generator of a realistic stream of Chinese social-media posts about 云和县 (浙江丽水).

Written without reading the project's code, to measure the speed of a triage program on a
stream it was not tuned for. The mix (shares of each kind of post) holds at any N >= 1000:

- 20 % Weibo reposts ``评论 //@原作者:原文`` of earlier posts of the stream, some chains of two
  or three ``//@``, a few viral originals reposted hundreds of times (at N = 20000);
- 16 % citizen letters sharing a small set of openings and polite closings, 5 % hotline
  (12345) work orders and replies in boilerplate;
- 15 % retellings of six incidents by many outlets, in their own words, figures growing;
- 24 % routine complaints about many matters at many villages, communities and townships;
- 10 % county news and releases; 10 % ads, entertainment and news of other places.

Usage:
    python benchmarks/independent_stream/gen.py N OUT.jsonl [--seed 4242] [--stats]

Python 3.11 standard library only; the output depends on N and the seed alone.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

TZ = timezone(timedelta(hours=8))
START = datetime(2026, 11, 1, tzinfo=TZ)
DAYS = 30
END_S = DAYS * 86400.0

SHARES: dict[str, float] = {
    "repost": 0.20, "letter": 0.16, "hotline": 0.05, "incident": 0.15,
    "complaint": 0.24, "county": 0.10, "other": 0.10,
}
VIRAL_REPOST_SHARE = 0.40
MAX_TEXT = 600
LONG_TEXT = 1500

# Posts per hour of the day (relative), a typical Chinese social-media rhythm.
HOUR_W = [3, 2, 1, 1, 1, 2, 4, 7, 9, 10, 9, 8, 9, 8, 7, 7, 7, 7, 8, 10, 11, 11, 9, 6]

# ---------------------------------------------------------------- places (RULES.md §6)
TOWNSHIPS = ["浮云街道", "元和街道", "白龙山街道", "凤凰山街道", "崇头镇", "石塘镇", "紧水滩镇",
             "赤石乡", "雾溪畲族乡", "安溪畲族乡"]
VILLAGES: dict[str, list[str]] = {
    "浮云街道": ["中山社区", "浮云社区", "青阳门社区", "红光村", "象山村", "大徐村", "云章村", "庄前村",
             "局村", "溪口村", "天堂坑村"],
    "元和街道": ["元和社区", "箬溪社区", "古竹村", "小徐村", "山脚村", "白洋墩村", "睦田村", "霞晓桥村",
             "沈岸村", "云坛村", "陈村", "梅湾村"],
    "雾溪畲族乡": ["雾溪村", "坪垟岗村"],
    "白龙山街道": ["长田村"],
}
ROADS = ["解放街", "中山街", "环城北路", "城东路", "新建路", "滨江路", "凤凰路", "白龙山路", "青阳门路"]
ESTATES = ["江滨花园", "凤凰城", "锦绣华府", "云和府", "滨江名苑", "金水湾", "丽景苑", "梯田雅苑"]
OTHER_PLACES = ["莲都区", "龙泉市", "景宁县", "松阳县", "遂昌县", "青田县", "缙云县", "庆元县",
                "杭州市", "温州市", "金华市", "衢州市", "宁波市", "福建南平"]


def place(rng: random.Random) -> str:
    """A place phrase: a village/community, a township, or a spot in the county town."""
    r = rng.random()
    if r < 0.55:
        t = rng.choices(list(VILLAGES), weights=[5, 5, 1.5, 1])[0]
        v = rng.choice(VILLAGES[t])
        f = rng.random()
        return v if f < 0.45 else (t + v if f < 0.8 else "云和县" + t + v)
    if r < 0.8:
        t = rng.choice(TOWNSHIPS)
        return rng.choice([t, t, t + "集镇", t + "政府附近", t + "一个村里", "云和县" + t])
    return rng.choice([f"县城{rng.choice(ROADS)}", f"{rng.choice(ESTATES)}小区",
                       f"{rng.choice(ROADS)}{rng.choice(ESTATES)}"])


# ---------------------------------------------------------------- small helpers
DIG = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numeral for 0..99 (digits beyond)."""
    if n < 10:
        return DIG[n]
    if n < 20:
        return "十" + (DIG[n % 10] if n % 10 else "")
    if n < 100:
        return DIG[n // 10] + "十" + (DIG[n % 10] if n % 10 else "")
    return str(n)


def num(rng: random.Random, n: int) -> str:
    """A count written as digits, Chinese numerals, or (rarely) a vague '十余'."""
    r = rng.random()
    if r < 0.6 or n >= 100:
        return str(n)
    if n >= 20 and r > 0.9:
        return cn(n // 10 * 10) + "余"
    return "两" if n == 2 else cn(n)


def heavy(rng: random.Random, scale: float, alpha: float = 1.25, cap: int = 3_000_000) -> int:
    """Heavy-tailed non-negative count (Pareto)."""
    return min(cap, int(scale * (rng.paretovariate(alpha) - 1.0)))


def b62(n: int, width: int = 0) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    s = ""
    while n:
        n, d = divmod(n, 62)
        s = chars[d] + s
    return s.rjust(width, "0") or "0"


def rand_token(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789_-")
                   for _ in range(k))


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Cut a text to at most `limit` characters, at a sentence end when possible."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    end = max(cut.rfind("。"), cut.rfind("！"), cut.rfind("？"))
    return cut[: end + 1] if end > limit // 2 else cut + "…"


def sent(s: str) -> str:
    """End a clause as a sentence unless it already ends with punctuation."""
    return s if not s or s[-1] in "。！？!?~～]" else s + "。"


def day_part(h: int) -> str:
    return ("凌晨" if h < 5 else "早上" if h < 9 else "上午" if h < 12 else "中午" if h < 14
            else "下午" if h < 18 else "晚上")


def when(rng: random.Random, ev: datetime, now: datetime, formal: bool) -> str:
    """How a post dates an event: '11月4日7时40分许', '昨天早上', '今日凌晨2时许' …"""
    d = (now.date() - ev.date()).days
    rel = (rng.choice(["今天", "今日"]) if d == 0 else rng.choice(["昨天", "昨日"]) if d == 1
           else "前天" if d == 2 else f"{ev.month}月{ev.day}日")
    if formal:
        hm = f"{ev.hour}时{ev.minute}分许" if ev.minute else f"{ev.hour}时许"
        return rng.choice([f"{ev.month}月{ev.day}日{hm}", f"{ev.day}日{hm}", f"{rel}{day_part(ev.hour)}{hm}"])
    return rng.choice([f"{rel}{day_part(ev.hour)}", f"{rel}{ev.hour}点多", rel + ""])


# ---------------------------------------------------------------- people and outlets
NICK_A = ["云和", "丽水", "浙南", "瓯江", "梯田", "木玩", "小城", "山里", "处州", "紧水滩", "仙宫湖", ""]
NICK_B = ["胖虎", "橘子", "木头", "雪梨", "阿福", "青山", "溪水", "星星", "大白", "晓风", "雨后", "旧巷",
          "云朵", "鱼丸", "柚子", "豆豆", "阿杰", "二毛", "小满", "清欢", "阿强", "老陈", "小叶", "阿梅"]
NICK_C = ["", "", "_", "酱", "呀", "2026", "88", "哥", "姐", "妈妈", "爸爸", "君", "同学", "的日常"]
PINYIN = ["yunhe", "lishui", "xiaoyu", "ahua", "momo", "tt", "lemon", "sunny", "leo", "kiki"]


def make_names(rng: random.Random, n: int) -> list[str]:
    """A pool of distinct netizen nicknames."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        r = rng.random()
        if r < 0.25:
            s = "用户" + str(rng.randrange(10**9, 10**10))
        elif r < 0.65:
            s = rng.choice(NICK_A) + rng.choice(NICK_B) + rng.choice(NICK_C)
        elif r < 0.8:
            s = rng.choice(NICK_B) + rng.choice(["的", "爱", "在", "不吃"]) + rng.choice(NICK_B)
        else:
            s = f"{rng.choice(PINYIN)}_{rng.randrange(10, 99999)}"
        if s not in seen:
            seen.add(s)
            names.append(s)
    return names


# name -> (domain, tier): tier local / provincial / national / central
NEWS_OUTLETS: dict[str, tuple[str, str]] = {
    "云和新闻网": ("www.yhnews.com.cn", "local"), "丽水日报": ("www.lsnews.com.cn", "local"),
    "处州晚报": ("czwb.lsnews.com.cn", "local"), "丽水网": ("www.lishui.com.cn", "local"),
    "浙江日报": ("zjrb.zjol.com.cn", "provincial"), "潮新闻": ("www.tidenews.com.cn", "provincial"),
    "钱江晚报": ("qjwb.thehour.cn", "provincial"), "浙江之声": ("www.cztv.com", "provincial"),
    "都市快报": ("hzdaily.hangzhou.com.cn", "provincial"),
    "澎湃新闻": ("www.thepaper.cn", "national"), "新京报": ("www.bjnews.com.cn", "national"),
    "中国新闻网": ("www.chinanews.com.cn", "national"), "红星新闻": ("www.hongxingnews.cn", "national"),
    "新华社": ("www.news.cn", "central"), "人民网": ("zj.people.com.cn", "central"),
    "央视新闻": ("news.cctv.com", "central"),
}
WEIBO_MEDIA = ["丽水日报", "浙江日报", "钱江晚报", "潮新闻", "都市快报", "浙江之声", "澎湃新闻", "新京报",
               "头条新闻", "人民网", "央视新闻", "中国新闻网"]
WECHAT_LOCAL = ["云和同城", "云和生活圈", "丽水头条", "云和吃喝玩乐", "丽水身边事", "云和百事通"]
WECHAT_OFFICIAL = ["云和发布", "云和新闻", "丽水发布"]
FORUMS: dict[str, str] = {"云和论坛": "bbs.yunhe.cc", "丽水在线论坛": "bbs.lsol.com.cn",
                          "百度贴吧·云和吧": "tieba.baidu.com", "19楼": "www.19lou.com"}
BOARDS = ["人民网领导留言板", "云和县政府网·县长信箱", "浙里办·民呼我为", "丽水12345政务服务热线"]
REPORTERS = ["王慧", "陈晓", "李振宇", "叶青", "刘畅", "周洁", "吴帆", "蓝晶晶", "雷婷", "季俊"]


# ---------------------------------------------------------------- posts
@dataclass
class Post:
    platform: str
    source: str
    author: str
    title: str | None
    text: str
    t: float  # seconds since START
    kind: str  # category (not written)
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    depth: int = 0  # number of //@ in the text
    viral: int = -1  # index of the viral original it belongs to (-1: none)
    topic: str = ""  # incident key or matter title, to pick fitting repost comments
    id: str = ""
    url: str | None = None
    n_reposted: int = field(default=0)

    def record(self) -> dict[str, object]:
        at = START + timedelta(seconds=int(self.t))
        return {"id": self.id, "platform": self.platform, "source": self.source,
                "author": self.author, "title": self.title, "text": self.text,
                "url": self.url, "published_at": at.isoformat(),
                "reposts": self.reposts, "comments": self.comments, "likes": self.likes}


def engage(rng: random.Random, platform: str, boost: float = 1.0) -> tuple[int | None, ...]:
    """(reposts, comments, likes) as the platform shows them; None where it shows nothing."""
    if platform == "weibo":
        return heavy(rng, 1.5 * boost), heavy(rng, 2.5 * boost), heavy(rng, 8 * boost)
    if platform == "douyin":
        return heavy(rng, 6 * boost), heavy(rng, 15 * boost), heavy(rng, 120 * boost)
    if platform == "wechat":
        return None, (heavy(rng, 2 * boost) if rng.random() < 0.7 else None), heavy(rng, 10 * boost)
    if platform == "news":
        return (None, None, None) if rng.random() < 0.6 else (None, heavy(rng, 4 * boost), None)
    if platform == "forum":
        return None, heavy(rng, 5 * boost), (heavy(rng, 1.5 * boost) if rng.random() < 0.5 else None)
    return None, (heavy(rng, 0.5) if rng.random() < 0.5 else None), None


# ---------------------------------------------------------------- incidents
@dataclass(frozen=True)
class Incident:
    key: str
    start: datetime
    weight: float
    viral: bool
    reach: str  # highest outlet tier that covers it
    places: tuple[str, ...]
    casual_places: tuple[str, ...]
    events: tuple[str, ...]
    casual_events: tuple[str, ...]
    titles: tuple[str, ...]
    scenes: tuple[str, ...]
    responses: tuple[str, ...]
    causes: tuple[str, ...]
    vague: tuple[str, ...]
    officials: tuple[str, ...]
    tag: str
    stages: tuple[tuple[float, dict[str, int]], ...]
    rumour: bool = False

    def facts(self, hours: float) -> dict[str, int]:
        out: dict[str, int] = {}
        for h, f in self.stages:
            if h <= hours:
                out = f
        return out


def _dt(day: int, h: int, m: int) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=TZ)


INCIDENTS: list[Incident] = [
    Incident(
        "客车侧翻", _dt(4, 7, 40), 0.22, True, "central",
        ("云和县紧水滩镇境内", "紧水滩镇境内一处山区公路弯道", "云和县城通往紧水滩镇的县道上",
         "紧水滩镇附近的盘山公路上"),
        ("紧水滩那边", "去紧水滩的路上", "紧水滩镇山路上"),
        ("一起农村客运班车侧翻事故", "一起客车侧翻坠坡的交通事故", "一起中型客车侧翻事故"),
        ("一辆中巴车翻到坡下去了", "班车翻车了", "公交车侧翻了"),
        ("云和一客车侧翻{fig}", "紧水滩镇发生客车侧翻事故{fig}", "丽水云和客车侧翻事故{fig}",
         "云和县一农村客运班车侧翻"),
        ("救护车来了好几辆", "路已经封了，车都堵着", "车上好像有不少学生和老人", "消防在坡下救人"),
        ("事故发生后，公安、应急、卫健、消防等部门第一时间赶赴现场处置",
         "伤者已被送往云和县人民医院和丽水市中心医院救治", "交警部门已对事发路段实施交通管制",
         "县里已成立事故处置工作组，全力做好伤员救治和善后工作"),
        ("事故原因正在进一步调查中", "初步判断与雨天路滑、车速过快有关，具体原因仍在调查",
         "据乘客回忆，车辆在下坡转弯时突然失控"),
        ("目前已有多人被送医", "伤亡情况正在核实中"),
        ("云和发布", "云和公安", "云和县应急管理局"), "云和客车侧翻",
        ((0, {}), (1.5, {"dead": 1, "injured": 9}), (5, {"dead": 3, "injured": 14, "serious": 4}),
         (18, {"dead": 4, "injured": 17, "serious": 5}))),
    Incident(
        "厂房火灾", _dt(9, 2, 15), 0.20, True, "central",
        ("云和县浮云街道一家木制玩具加工厂", "浮云街道工业区内一处木玩加工厂房", "云和县城北一家木玩企业"),
        ("浮云那边的木玩厂", "城北工业区", "我们厂隔壁"),
        ("火灾", "一起厂房火灾事故", "一起较大火灾"),
        ("着大火了，火光冲天", "烧起来了，烟特别大", "木玩厂起火了"),
        ("云和一木玩厂凌晨起火{fig}", "浙江云和一加工厂发生火灾{fig}", "云和浮云街道厂房火灾{fig}"),
        ("半夜被消防车的声音吵醒", "整个天都是红的", "好几辆消防车在灭火", "味道很大，窗户都不敢开"),
        ("县消防救援大队接警后迅速调派多个消防站赶赴现场扑救", "明火已于当日清晨被扑灭",
         "有关部门已对全县木制玩具企业开展消防安全隐患排查"),
        ("起火原因正在调查中", "初步查明起火部位位于一楼仓库", "据了解，遇难者均为在厂内宿舍休息的工人"),
        ("暂未收到人员伤亡的消息", "厂内是否有人员被困仍在确认"),
        ("云和发布", "云和县应急管理局"), "云和厂房火灾",
        ((0, {}), (2.5, {"dead": 2}), (8, {"dead": 5, "injured": 3}),
         (30, {"dead": 5, "injured": 3, "loss": 1260}))),
    Incident(
        "山体滑坡", _dt(14, 5, 30), 0.18, True, "central",
        ("云和县崇头镇一山村", "崇头镇境内", "云和县崇头镇一处村庄后山"),
        ("崇头山里", "崇头镇上面的村子", "崇头那边"),
        ("山体滑坡", "一起山体滑坡地质灾害", "山体滑坡灾害，多间民房被掩埋"),
        ("山塌下来了，房子被埋了", "滑坡了，埋了好几户", "山体滑坡把路和房子都冲了"),
        ("云和崇头镇发生山体滑坡{fig}", "浙江云和山体滑坡{fig}", "连日降雨致云和一山村滑坡{fig}"),
        ("雨还在下", "挖掘机正在往里开", "村里的人都出来帮忙找人了", "路断了进不去"),
        ("县应急管理局、消防、自然资源和规划等部门紧急开展搜救", "周边群众已全部安全转移",
         "省市派出专家组赶赴现场指导救援"),
        ("此前当地连续数日强降雨", "滑坡原因正在进一步调查", "事发区域此前未被列入地质灾害隐患点"),
        ("有民房被掩埋，具体人员情况正在核实",),
        ("云和发布", "云和县应急管理局"), "云和山体滑坡",
        ((0, {"missing": 2}), (4, {"dead": 1, "missing": 4}), (20, {"dead": 3, "missing": 2}),
         (46, {"dead": 5}))),
    Incident(
        "学生溺水", _dt(18, 16, 20), 0.12, False, "provincial",
        ("云和县紧水滩镇一处库湾", "紧水滩水库边", "紧水滩镇境内的溪边"),
        ("紧水滩水库那边", "紧水滩镇的溪里"),
        ("一起学生溺水事件", "一起溺水事故，多名学生落水"),
        ("几个学生掉水里了", "有小孩溺水了"),
        ("云和紧水滩多名学生溺水{fig}", "痛心！云和一库湾发生溺水事件{fig}", "紧水滩镇学生溺水事件{fig}"),
        ("蓝天救援队在打捞", "家长哭得不行", "岸边围了好多人"),
        ("当地派出所、消防救援和蓝天救援队迅速赶到现场开展搜救", "县教育局已部署全县中小学开展防溺水安全教育"),
        ("据了解，几名学生放学后相约到水边玩耍", "事发水域水深且无护栏", "事件详细经过正在调查中"),
        ("搜救仍在进行中",),
        ("云和发布", "云和公安"), "云和学生溺水",
        ((0, {"missing": 2}), (3, {"dead": 2, "missing": 1}), (15, {"dead": 3}))),
    Incident(
        "食物中毒", _dt(22, 12, 30), 0.16, True, "provincial",
        ("云和县元和街道一所小学", "元和街道某小学食堂", "县城一所小学"),
        ("元和那边的小学", "我家孩子学校"),
        ("一起疑似食物中毒事件", "学生集体呕吐腹泻事件", "一起学校食堂疑似食物中毒事件"),
        ("好多孩子中午吃完饭上吐下泻", "食堂吃出问题了，一堆孩子进医院了"),
        ("云和一小学疑似食物中毒{fig}", "云和多名小学生午餐后呕吐腹泻{fig}", "云和通报学校疑似食物中毒事件"),
        ("医院急诊全是孩子和家长", "家长都在学校门口要说法", "孩子现在还在打点滴"),
        ("县卫生健康局、市场监督管理局、教育局第一时间介入", "涉事食堂已被责令停业整顿，留样食品已送检",
         "患病学生已全部送往县人民医院救治"),
        ("具体原因待检测结果出来后确定", "初步怀疑与当天午餐中的凉拌菜有关", "涉事食堂由一家配餐公司承包经营"),
        ("多名学生出现不适症状",),
        ("云和发布", "云和县市场监督管理局"), "云和学校食物中毒",
        ((0, {"sick": 12}), (5, {"sick": 27}), (20, {"sick": 46, "inhosp": 12}),
         (44, {"sick": 58, "inhosp": 15}))),
    Incident(
        "燃气爆炸", _dt(27, 11, 50), 0.12, False, "provincial",
        ("云和县白龙山街道一家餐馆", "白龙山街道长田村附近一家饭店", "白龙山街道一处沿街商铺"),
        ("白龙山那边的饭店", "长田村口"),
        ("一起燃气爆炸事故", "燃气爆燃事故"),
        ("饭店爆炸了，好大一声", "煤气罐炸了，玻璃全碎了"),
        ("云和一餐馆发生燃气爆炸{fig}", "云和白龙山街道燃气爆燃事故{fig}"),
        ("隔了几条街都听到了", "满地都是玻璃", "消防和救护车都到了"),
        ("消防、公安、应急等部门迅速赶赴现场处置", "伤者已送医救治", "县里已组织对全县餐饮场所开展燃气安全排查"),
        ("初步判断为液化气泄漏引发爆燃", "事故原因正在调查中"),
        ("有人员受伤",),
        ("云和发布", "云和公安"), "云和燃气爆炸",
        ((0, {}), (2, {"dead": 1, "injured": 6}), (10, {"dead": 2, "injured": 11, "serious": 3})),
        rumour=True),
]


def fig_short(rng: random.Random, f: dict[str, int]) -> str:
    """Figures for a headline: '已致3死14伤', '5人遇难', '27名学生送医' …"""
    d, i, m, k = f.get("dead", 0), f.get("injured", 0), f.get("missing", 0), f.get("sick", 0)
    if d and i:
        return rng.choice([f"已致{d}死{i}伤", f"，{d}死{i}伤", f"致{num(rng, d)}人死亡"])
    if d and m:
        return rng.choice([f"，{d}死{m}失联", f"已致{num(rng, d)}人遇难"])
    if d:
        return rng.choice([f"，{num(rng, d)}人遇难", f"致{d}人死亡", f"，死亡人数升至{d}人"])
    if m:
        return f"，{num(rng, m)}人失联"
    if k:
        return rng.choice([f"，{num(rng, k)}名学生送医", f"，{k}人就医"])
    return ""


def fig_text(rng: random.Random, inc: Incident, f: dict[str, int], follow: bool) -> str:
    """Figures as a clause, each number beside its own word."""
    parts: list[str] = []
    d, i, s = f.get("dead", 0), f.get("injured", 0), f.get("serious", 0)
    m, k, h, loss = f.get("missing", 0), f.get("sick", 0), f.get("inhosp", 0), f.get("loss", 0)
    if d:
        dd = num(rng, d)
        parts.append(rng.choice([f"死亡人数已升至{dd}人", f"遇难人数上升至{dd}人"]) if follow and d > 1
                     else rng.choice([f"造成{dd}人死亡", f"致{dd}人遇难", f"{dd}人不幸身亡", f"死亡{dd}人"]))
    if i:
        ii = num(rng, i)
        parts.append(rng.choice([f"{ii}人受伤", f"另有{ii}人受伤", f"{ii}人不同程度受伤"]))
        if s:
            parts.append(rng.choice([f"其中{num(rng, s)}人伤势较重", f"其中{num(rng, s)}人重伤"]))
    if m:
        mm = num(rng, m)
        parts.append(rng.choice([f"{mm}人失联", f"仍有{mm}人下落不明", f"{mm}人失踪"]))
    if k:
        kk = num(rng, k)
        parts.append(rng.choice([f"{kk}名学生出现呕吐、腹痛等症状并送医", f"累计{kk}人出现疑似食物中毒症状",
                                 f"就医学生增至{kk}人"]))
        if h:
            parts.append(rng.choice([f"其中{num(rng, h)}人住院观察", f"{num(rng, h)}名学生仍在住院"]))
    if loss:
        parts.append(rng.choice([f"直接经济损失约{loss}万元", f"初步估算直接经济损失超过{loss // 100 * 100}万元"]))
    return "，".join(parts) if parts else rng.choice(inc.vague)


class Ctx:
    """State shared by the text builders of one run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = make_names(rng, 4000)

    def netizen(self) -> str:
        return self.names[int(len(self.names) * self.rng.random() ** 2.0)]


def incident_post(ctx: Ctx, inc: Incident, t: float, style: str) -> Post:
    """One retelling of an incident by one outlet or netizen, with the figures known at t."""
    rng = ctx.rng
    now = START + timedelta(seconds=t)
    hours = (now - inc.start).total_seconds() / 3600.0
    lag = 0.0 if style in ("official", "refute") else rng.uniform(0.0, 2.5)
    f = inc.facts(hours - lag)
    follow = hours > 6 and rng.random() < 0.5
    plc, ev = rng.choice(inc.places), rng.choice(inc.events)
    cpl, cev = rng.choice(inc.casual_places), rng.choice(inc.casual_events)
    title: str | None = None
    if style == "eyewitness" or style == "netizen":
        intro = rng.choice(["天哪！", "刚刚", "吓死了，", "我的天，", "", "听朋友说", "现场的人说"])
        figs = "" if not f or rng.random() < 0.4 else f"听说{fig_text(rng, inc, f, False)}，"
        scenes = "，".join(rng.sample(inc.scenes, k=rng.randint(1, 2)))
        text = (f"{intro}{cpl}{cev}，{scenes}，{figs}"
                f"{rng.choice(['大家出门注意安全', '希望都没事', '太惨了', '祈祷平安', '心里好难受'])}"
                f"{rng.choice(['！', '。', '[蜡烛]', '🙏'])} #{inc.tag}#")
        return Post("weibo", "新浪微博", ctx.netizen(), None, text, t, "incident", topic=inc.key)
    if style == "rumour":
        text = (f"{rng.choice(['听说', '内部消息：', '亲戚在医院上班说'])}{cpl}{inc.key}死了十几个人，"
                f"{rng.choice(['医院都住满了', '官方只说了两个', '现场被封锁了'])}，"
                f"{rng.choice(['为什么不公布真实数字？', '大家转起来！', '别信通报！'])}")
        plat = rng.choice(["weibo", "weibo", "douyin"])
        return Post(plat, "新浪微博" if plat == "weibo" else "抖音", ctx.netizen(), None,
                    text, t, "incident", topic=inc.key)
    fs = fig_short(rng, f)
    headline = rng.choice(inc.titles).format(fig=fs)
    figs = fig_text(rng, inc, f, follow)
    if style == "official":
        who = rng.choice(inc.officials)
        upto = f"截至{now.day}日{now.hour}时"
        title = rng.choice([f"关于{plc}{inc.key}的情况通报", "情况通报", f"{inc.key}事件处置进展"])
        text = (f"{when(rng, inc.start, now, True)}，{plc}发生{ev}。事件发生后，县委、县政府高度重视，"
                f"主要领导第一时间赶赴现场指挥处置，{rng.choice(inc.responses)}。{upto}，{figs}。"
                f"{rng.choice(inc.causes)}。{rng.choice(['后续情况将及时发布。', '请广大群众以官方发布为准。'])}")
        plat = rng.choice(["weibo", "wechat"])
        return Post(plat, "新浪微博" if plat == "weibo" else f"微信公众号·{who}", who,
                    None if plat == "weibo" else title,
                    (f"【{title}】" if plat == "weibo" else "") + text, t, "incident", topic=inc.key)
    if style == "refute":
        real = fig_text(rng, inc, f, False)
        text = (f"【警情通报】近日，有网民在网络上发布“{plc}爆炸死亡十余人”的不实信息。经核实，"
                f"{inc.start.month}月{inc.start.day}日{inc.start.hour}时{inc.start.minute}分许，{plc}发生{ev}，{real}，"
                f"网传内容系谣言。公安机关已对造谣者依法开展调查，请广大网民不信谣、不传谣。")
        return Post("weibo", "新浪微博", "云和公安", None, text, t, "incident", topic=inc.key)
    if style == "news":
        tiers = ["local", "provincial", "national", "central"]
        top = tiers.index(inc.reach)
        names = [n for n, (_, tr) in NEWS_OUTLETS.items() if tiers.index(tr) <= top]
        outlet = rng.choice(names)
        lead = rng.choice([f"{outlet}讯 ", "记者从云和县有关部门获悉，", f"（记者 {rng.choice(REPORTERS)}）",
                           "据“云和发布”消息，", ""])
        date = when(rng, inc.start, now, True)
        if rng.random() < 0.5:
            body = (f"{lead}{date}，{plc}发生{ev}，{figs}。{'；'.join(rng.sample(inc.responses, k=2))}。"
                    f"记者在现场看到，{rng.choice(inc.scenes)}。{rng.choice(inc.causes)}。{rng.choice(NEWS_TAIL)}")
        else:
            body = (f"{lead}{date}在{plc}发生的{inc.key}事件，{figs}。"
                    f"{'；'.join(rng.sample(inc.responses, k=2))}。"
                    f"现场目击者称，{rng.choice(inc.scenes)}。{rng.choice(inc.causes)}。{rng.choice(NEWS_TAIL)}")
        return Post("news", outlet, outlet, headline, body, t, "incident", topic=inc.key)
    if style == "media_weibo":
        who = rng.choice([w for w in WEIBO_MEDIA if inc.reach in ("central", "national") or "央视" not in w])
        text = (f"【{headline.lstrip('，')}】{when(rng, inc.start, now, True)}，{plc}发生{ev}，{figs}。"
                f"{'；'.join(rng.sample(inc.responses, k=2))}。{rng.choice(inc.causes)}。#{inc.tag}#")
        return Post("weibo", "新浪微博", who, None, text, t, "incident", topic=inc.key)
    if style == "wechat":
        who = rng.choice(WECHAT_LOCAL)
        title = rng.choice(["突发！", "痛心！", "最新！", ""]) + headline.lstrip("，")
        text = (f"{when(rng, inc.start, now, False)}，有网友爆料称，{cpl}{cev}。据了解，{plc}发生{ev}，"
                f"{figs}。{rng.choice(inc.responses)}。{rng.choice(inc.causes)}。{rng.choice(NEWS_TAIL)}小编将持续关注。"
                f"{rng.choice(['', '大家出行注意安全！', '愿平安！'])}")
        return Post("wechat", f"微信公众号·{who}", who, title, text, t, "incident", topic=inc.key)
    if style == "douyin":
        who = rng.choice([ctx.netizen(), ctx.netizen(), "云和融媒", "丽水新闻"])
        text = f"{cpl}{cev}，{'，'.join(rng.sample(inc.scenes, k=2))} #云和 #{inc.key} #{inc.tag}"
        return Post("douyin", "抖音", who, None, text, t, "incident", topic=inc.key)
    # forum
    forum = rng.choice(list(FORUMS))
    title = f"{cpl}{rng.choice(['出事了', '是不是出事了？', '有人知道情况吗'])}"
    text = (f"{when(rng, inc.start, now, False)}{cpl}{cev}，{rng.choice(inc.scenes)}。"
            f"{rng.choice(['有没有知道具体情况的？', '官方怎么还没通报？', '听说' + figs + '，不知道真假。'])}")
    return Post("forum", forum, ctx.netizen(), title, text, t, "incident", topic=inc.key)


NEWS_TAIL = ["目前，现场秩序平稳，善后工作正在有序进行。", "记者将持续关注事件进展。",
             "云和县委、县政府要求全力救治伤员，妥善做好善后工作，深刻汲取教训，举一反三。",
             "据悉，当地已启动应急响应，相关部门正在全力开展处置工作。", ""]
INCIDENT_STYLES = ["news", "media_weibo", "netizen", "wechat", "douyin", "forum"]
INCIDENT_STYLE_W = [30, 15, 22, 15, 12, 6]


# ---------------------------------------------------------------- routine matters
# (matter, competent unit, problems with {p}, details)
MATTERS: list[tuple[str, str, list[str], list[str]]] = [
    ("夜间施工噪音扰民", "县住房和城乡建设局",
     ["{p}附近的工地每天晚上施工到凌晨", "{p}有个工地夜里十一二点还在打桩", "{p}旁边的工地天天夜里浇混凝土"],
     ["吵得家里老人孩子根本睡不着", "孩子第二天还要上学，整夜睡不好觉", "跟工地的人说过好几次，对方根本不理"]),
    ("广场舞音响扰民", "县综合行政执法局",
     ["{p}的广场舞音响每天晚上开得特别大", "{p}小广场每天早上六点就开始放音乐"],
     ["声音大到关着窗户都能听见", "家里有高三的孩子要复习", "劝过几次反而被骂"]),
    ("路灯长期不亮", "县综合行政执法局",
     ["{p}的路灯坏了快两个月了", "{p}那一段路晚上一盏灯都不亮"],
     ["晚上出门黑漆漆的，老人摔倒过好几次", "附近学生晚自习回家都害怕", "报修过，一直没人来修"]),
    ("道路坑洼破损", "县交通运输局",
     ["{p}的路面坑坑洼洼", "{p}进村的那条水泥路已经烂得不成样子"],
     ["下雨天全是积水，电动车经过经常摔", "大车一过尘土飞扬", "修了补、补了坏，没几个月又烂了"]),
    ("垃圾清运不及时", "县综合行政执法局",
     ["{p}的垃圾桶好几天没人清运", "{p}路口的垃圾堆成了小山"],
     ["臭气熏天，苍蝇蚊子到处飞", "野狗天天来翻，垃圾撒得满地都是", "保洁员说车子坏了来不了"]),
    ("生活污水直排溪流", "丽水市生态环境局云和分局",
     ["{p}有几户人家和餐馆把污水直接排到溪里", "{p}旁边的小溪最近发黑发臭"],
     ["以前小孩还能下去玩水，现在臭得靠近不了", "下游还有人在洗衣服", "怀疑是上游的小作坊偷排"]),
    ("养殖场臭味扰民", "丽水市生态环境局云和分局",
     ["{p}附近的养猪场臭味太大了", "{p}村边新开的养鸡场味道特别冲"],
     ["根本不敢开窗", "粪水直接排到田里", "村里人意见很大"]),
    ("露天焚烧垃圾", "丽水市生态环境局云和分局",
     ["{p}经常有人在空地上焚烧垃圾和塑料", "{p}每天傍晚都有人烧东西"],
     ["浓烟飘进家里，呛得人直咳嗽", "孩子有哮喘，真的受不了", "森林防火期还在烧，太危险了"]),
    ("乱停车占用消防通道", "县公安局",
     ["{p}的消防通道被私家车占满了", "{p}人行道上停满了车"],
     ["万一着火消防车根本进不来", "行人只能走到机动车道上", "物业说管不了"]),
    ("违章搭建", "县综合行政执法局",
     ["{p}有人在楼顶违章加盖了一层", "{p}有户人家占用公共空地搭了个大棚"],
     ["挡住了我们家的采光", "举报了好几次都没人来拆", "别人都看着，有样学样"]),
    ("小区物业服务差", "县住房和城乡建设局",
     ["{p}的物业收了钱不干活", "{p}的电梯三天两头坏"],
     ["楼道里的灯坏了半年没人换", "业主被困电梯里半个小时", "维修基金怎么用的从来不公开"]),
    ("自来水发黄停水", "县水利局",
     ["{p}的自来水这几天又黄又浑", "{p}已经停水两天了，也没有提前通知"],
     ["烧开了底下全是沉淀", "家里老人孩子没水喝", "打电话问水务公司说在抢修，也不说什么时候好"]),
    ("学校门口接送拥堵", "县公安局",
     ["每天上下学时间{p}学校门口堵得水泄不通", "{p}小学门口家长的车乱停"],
     ["十分钟的路要开半个小时", "孩子从车缝里穿来穿去太危险", "希望交警高峰期能来疏导一下"]),
    ("拖欠农民工工资", "县人力资源和社会保障局",
     ["我们在{p}一个工地干了大半年，老板拖欠工资不给", "{p}的一家木玩厂拖欠我们三个月工资"],
     ["一共欠了二十多个工人十几万块钱", "快过年了，家里等着钱用", "老板现在电话都不接了"]),
    ("医保报销难", "县医疗保障局",
     ["在外地住院的费用回来报销特别麻烦", "{p}的老人去医保窗口报销被来回推"],
     ["材料交了三次还说不齐全", "跑了好几趟还是没办成", "希望能简化一下流程"]),
    ("高龄补贴未到账", "县民政局",
     ["{p}我家老人八十多岁了，高龄补贴好几个月没到账", "{p}有几位老人的养老补贴一直没发"],
     ["去村里问说等通知", "不知道是哪个环节出了问题", "别的村都发了"]),
    ("低保评定不公", "县民政局",
     ["{p}的低保评定不公平", "{p}有的人家里开着小车还在吃低保"],
     ["真正困难的人家反而评不上", "评定过程从来没有公示", "希望上级部门来查一查"]),
    ("农村公交班次太少", "县交通运输局",
     ["{p}到县城的公交一天只有两班", "{p}的公交车经常不按时间发车"],
     ["老人看病、孩子上学都不方便", "等了一个多小时车都没来", "只能花几十块钱包车"]),
    ("流动摊贩占道经营", "县综合行政执法局",
     ["{p}路边全是摆摊的，占了大半条路", "{p}菜场门口的流动摊贩把路堵死了"],
     ["早上上班根本过不去", "收摊后垃圾扔一地", "城管来了就跑，走了又来"]),
    ("房产证迟迟办不下来", "县自然资源和规划局",
     ["{p}的房子交房三年了，房产证还办不下来", "我们在{p}买的安置房一直办不了不动产证"],
     ["孩子上学落户都受影响", "开发商说在走流程，一拖再拖", "去不动产登记中心问，说开发商手续不全"]),
    ("征地补偿不到位", "县自然资源和规划局",
     ["{p}征地的补偿款到现在还没发到位", "{p}修路占了我家的地，补偿标准没人说清楚"],
     ["签了字快一年了", "村里说钱在镇里，镇里说钱在县里", "补偿标准跟隔壁村差了一大截"]),
    ("非法采砂", "县水利局",
     ["{p}的溪里晚上有人偷偷挖沙", "{p}河道里天天有挖掘机在采砂"],
     ["河岸都挖塌了", "大货车夜里来回跑，路都压坏了", "举报后第二天就停了，过几天又来"]),
    ("乱砍滥伐", "县自然资源和规划局",
     ["{p}后山有人在乱砍树", "{p}的山上最近被砍了一大片林子"],
     ["一车一车往外拉木头", "不知道有没有审批", "下大雨怕会滑坡"]),
    ("电动车楼道充电", "县应急管理局",
     ["{p}很多人把电动车推进楼道充电", "{p}楼下电线从窗户拉出来给电动车充电"],
     ["电线乱拉，非常危险", "前段时间别的地方刚出过事", "小区一直没有建充电桩"]),
    ("手机信号差", "县经济商务科技局",
     ["{p}的手机信号一直很差", "{p}家里宽带经常断网"],
     ["打个电话都要跑到外面", "孩子上网课老是掉线", "找运营商好几次都说在规划"]),
    ("菜场缺斤短两", "县市场监督管理局",
     ["在{p}的菜市场买菜被缺斤短两", "{p}有家水果店的秤有问题"],
     ["买了两斤回家一称只有一斤六两", "跟老板理论还被骂", "希望市场监管部门去查一查"]),
    ("医院看病排队难", "县卫生健康局",
     ["县人民医院看个病要排一上午", "{p}的卫生院经常找不到医生"],
     ["挂号、检查、缴费每个地方都要排长队", "老人不会用手机预约", "希望能增加窗口和医生"]),
    ("幼儿园乱收费", "县教育局",
     ["{p}的一家幼儿园又要额外收费", "{p}的民办幼儿园学费一年涨了好几次"],
     ["说是兴趣班，实际上不交不行", "收费没有任何票据", "家长敢怒不敢言"]),
    ("村干部优亲厚友", "县纪委县监委",
     ["{p}的村干部把项目都给了自己亲戚", "{p}村里的工程都被村干部亲戚包了"],
     ["村务从来不公开", "村民有意见也不敢说", "希望纪委来查一查"]),
    ("排水沟堵塞易内涝", "县水利局",
     ["{p}的排水沟被垃圾和淤泥堵死了", "{p}一下大雨就积水"],
     ["上次下暴雨水都进屋了", "马上又要到雨季", "希望趁现在赶紧清理"]),
    ("县城停车收费新规", "县发展和改革局",
     ["听说县城{road}要开始停车收费了", "县城停车收费新规出来了，{p}也在收费范围"],
     ["每小时收费太贵了", "我们住在这里的居民也要收费吗", "收的钱到底去哪了"]),
]
COMPLAINT_EXTRA = ["已经持续一个多星期了", "从上个月开始就一直这样", "这已经不是第一次了", "附近居民都有意见",
                   "打过12345，说会转交处理", "拍了视频大家看看", "天天如此", "周边好几个小区都受影响",
                   "问了好几个部门都说不归他们管", "之前反映过一次，过了几天又恢复原样"]
COMPLAINT_ELAB = ["住在这里的老人孩子最遭罪", "不知道该找哪个部门", "希望大家帮忙转发，让有关部门看到",
                  "我们小区群里天天有人在说这个事", "之前有人反映过，说会处理，结果还是老样子", "真心希望政府能重视一下",
                  "这种情况在别的地方早就整改了", "出了事谁负责？", "村里的老人说了好多次了，没人理",
                  "白天晚上都一样", "真的是没办法了才发到网上"]
DEMANDS = ["希望有关部门管一管", "请相关部门尽快处理", "到底有没有人管？", "求解决！", "希望早日解决",
           "麻烦领导重视一下", "老百姓真的很无奈"]
ATS = ["@云和发布", "@丽水发布", "@云和县人民政府", "", "", ""]

# Everyday phrases shared by many letters.
OPENINGS = ["尊敬的领导：您好！", "尊敬的领导：您好！", "尊敬的县长：您好！", "领导您好！", "各位领导：你们好！"]
INTROS = ["我是{p}的居民，", "我是{p}的居民，", "我是{p}的一名村民，", "我是住在{p}的普通老百姓，",
          "我是一名在{p}工作的外地人，", ""]
CLOSINGS = [
    "以上情况属实，恳请相关部门领导高度重视，尽快派人到现场实地查看，切实帮我们解决这个问题，"
    "还老百姓一个安宁的生活环境。在此先谢谢领导了，祝您工作顺利、身体健康！",
    "这个问题已经困扰我们很久了，多次拨打12345热线反映都没有得到根本解决。希望领导能在百忙之中"
    "抽空关注一下，给我们一个明确的答复，谢谢！",
    "我们老百姓实在是没有办法了才写这封信，希望政府能够站在群众的角度考虑问题，尽快协调有关部门"
    "处理，并将处理结果告知我们。万分感谢！祝好！",
    "恳请领导在百忙之中关注此事，责成相关部门依法依规处理，并及时向群众公开处理结果。相信在党和"
    "政府的关心下，问题一定能够得到妥善解决。此致敬礼！",
    "以上是我们的真实诉求，没有任何夸大。希望领导重视我们的呼声，早日给出解决方案，让我们能安心"
    "生活、安心工作。再次感谢领导的关心和支持，盼复！",
    "特此反映，望领导能够给予关注和支持，督促有关部门抓紧落实整改。如需了解具体情况，可以通过"
    "留言平台与我联系，我随时配合调查。谢谢您！祝工作顺利、阖家幸福！",
]
assert all(60 <= len(c) <= 120 for c in CLOSINGS)
HISTORY = ["我已经多次拨打12345政务服务热线反映，但问题一直没有得到解决。",
           "去年就通过12345热线反映过这个问题，当时答复说会尽快处理，可至今没有变化。",
           "之前也在留言板上反映过，回复说已转交相关部门，可是到现在都没有人来处理。",
           "我们也找过村里和街道，每次都说会研究，结果一直没有下文。"]
ELABORATIONS = [
    "我们也理解政府工作千头万绪，不可能每件事都面面俱到", "但这件事关系到我们每家每户的切身利益，拖不起",
    "工作人员态度很好，说会转交相关部门处理", "可是过了一个多月，情况不但没有好转，反而越来越严重",
    "附近的邻居都有同样的感受，大家私下议论很多，怨气也越来越大",
    "有的邻居说写信没用，我还是相信政府，所以才写了这封信", "家里老人今年七十多岁了，身体本来就不好，这段时间更是经常失眠",
    "孩子今年读初三，正是关键的时候", "我们不是无理取闹的人，只希望有个正常的生活环境",
    "我查过相关的规定，这种情况明显是不符合要求的", "有关部门的人来看过一次，拍了几张照片就走了，之后再也没有消息",
    "如果是我们哪里理解得不对，也请领导给我们解释清楚", "我们愿意配合政府的工作，也希望政府能听听我们的声音",
    "现在网上也有不少人在议论这件事，对政府形象不好", "我们的要求并不高，只要按规定办就可以了",
    "以前也出过类似的情况，后来处理好了，说明只要重视就能解决", "希望不要等出了大事才来处理",
    "我把情况尽可能详细地写下来，希望领导能够耐心看完", "这件事前前后后已经拖了快一年了",
    "邻居们商量了很久，决定由我代表大家写这封信", "我们还拍了照片和视频，随时可以提供给有关部门",
    "每次问起来，不同的部门说法都不一样，我们老百姓也不知道该找谁",
]
LONG_EXTRA = [
    "{p}的{m}问题由来已久，并不是最近才出现的", "去年夏天最严重的时候，我们几户人家联名向上反映过",
    "当时街道的同志来看过，也承诺过会协调处理", "可是承诺归承诺，一年多过去了，情况没有任何改变",
    "我们这里住的大多是老人和孩子，年轻人都在外面打工", "很多老人不会上网，也不知道该向谁反映",
    "我作为在家照顾老人的子女，觉得有责任把这个情况说清楚", "{m}看起来是小事，但对我们来说是天天要面对的大事",
    "每次遇到这种情况，大家只能互相抱怨几句，然后继续忍着", "我们也咨询过律师，律师说这种情况应该由政府相关部门来管",
    "希望领导能够派人来{p}实地走一走、看一看，听听群众的真实想法", "如果需要我们提供材料，我们随时可以提供",
    "我们相信，只要领导重视，{m}问题一定能够解决", "也希望以后类似的问题能有一个长效机制，不要每次都靠群众写信",
    "另外想说明一下，我写这封信没有任何私心，也不是针对哪一个人", "只是希望我们的家园越来越好，云和越来越好",
    "今年以来，我们先后找过村委会、{p}的办事处，还有县里的几个部门", "每个部门的同志都很客气，但最后都说这不归他们管",
    "有一次我们等了整整一个上午，最后被告知负责的同志下乡了", "大家心里都很着急，也很无奈",
    "有邻居提议去县里上访，我劝他们不要冲动，先写信反映", "我们都是本本分分过日子的人，不想给政府添麻烦",
    "可是{m}的问题一天不解决，我们就一天睡不安稳", "我还把这段时间的情况做了记录，按日期一条一条写清楚了",
    "如果领导有时间，我们非常欢迎领导到我们家里坐一坐", "我们也看到县里这几年在民生方面做了很多实事，大家都看在眼里",
    "正因为这样，我们才相信这个问题也能得到重视",
]
REPLY_OPEN = ["您好！您反映的问题已收悉。", "网友您好！您通过12345政务服务热线反映的问题已收悉，现答复如下：",
              "您好！感谢您对我县工作的关心和支持。针对您反映的问题，"]
REPLY_FIND = ["经{u}工作人员实地核查，您反映的情况基本属实", "经{u}会同{t}调查核实，情况部分属实",
              "{u}接件后高度重视，第一时间安排人员到现场查看"]
REPLY_ACT = ["已责成相关责任单位限期整改", "目前问题已基本解决", "已纳入明年工作计划，将尽快组织实施",
             "下一步我们将加强日常巡查，防止问题反弹", "已约谈相关负责人，要求立即落实整改措施"]
REPLY_CLOSE = ["感谢您对我县工作的关心和支持！如有疑问，可拨打12345政务服务热线咨询。",
               "如您对答复不满意，可在七个工作日内通过原渠道提出。再次感谢您的监督与支持！",
               "感谢您的来信，欢迎继续监督我们的工作。"]


def fill(s: str, rng: random.Random, p: str) -> str:
    return s.format(p=p, road=rng.choice(ROADS))


def complaint_post(ctx: Ctx, t: float) -> Post:
    """A routine complaint: short on Weibo / Douyin, longer on forums and boards."""
    rng = ctx.rng
    matter, _unit, probs, dets = rng.choice(MATTERS)
    p = place(rng)
    prob = fill(rng.choice(probs), rng, p)
    det = rng.choice(dets)
    more = rng.choice(dets + [""]) + "。" if rng.random() < 0.7 else ""
    more = "" if more == "。" or more.startswith(det) else more
    plat = rng.choices(["weibo", "forum", "douyin", "message_board", "wechat"], [40, 20, 15, 20, 5])[0]
    if plat == "weibo":
        tag = rng.choice(["", f" #{matter}#", " #云和#"])
        elab = sent(rng.choice(COMPLAINT_ELAB)) if rng.random() < 0.7 else ""
        text = (f"{prob}，{det}，{rng.choice(COMPLAINT_EXTRA)}。{more}{elab}{rng.choice(DEMANDS)}"
                f"{rng.choice(ATS)}{tag}")
        return Post("weibo", "新浪微博", ctx.netizen(), None, text, t, "complaint", topic=matter)
    if plat == "douyin":
        text = f"{prob}，{det}，{rng.choice(COMPLAINT_EXTRA)}，{rng.choice(DEMANDS)} #云和 #{matter}"
        return Post("douyin", "抖音", ctx.netizen(), None, text, t, "complaint", topic=matter)
    if plat == "forum":
        forum = rng.choice(list(FORUMS))
        extra = "，".join(rng.sample(dets, k=min(len(dets), rng.randint(1, 3))))
        elab = "".join(sent(x) for x in rng.sample(COMPLAINT_ELAB, k=2))
        text = (f"{rng.choice(['如题，', '说个事，', '', '各位邻居，'])}{prob}，{rng.choice(COMPLAINT_EXTRA)}。"
                f"{extra}。{elab}{sent(rng.choice(DEMANDS))}"
                f"{rng.choice(['大家怎么看？', '有同样情况的顶一下。', '发出来让更多人看到。', ''])}")
        return Post("forum", forum, ctx.netizen(), f"{p}{matter}，有没有人管？", text, t, "complaint",
                    topic=matter)
    if plat == "wechat":
        who = rng.choice(WECHAT_LOCAL)
        text = f"网友爆料：{prob}，{det}，{rng.choice(COMPLAINT_EXTRA)}。{more}小编已将情况反映给相关部门，后续进展我们会持续关注。"
        return Post("wechat", f"微信公众号·{who}", who, f"网友反映：{p}{matter}", text, t, "complaint",
                    topic=matter)
    text = (f"{rng.choice(['', '领导您好，', '您好，'])}{prob}，{det}，{rng.choice(COMPLAINT_EXTRA)}。{more}"
            f"{sent(rng.choice(COMPLAINT_ELAB))}{sent(rng.choice(DEMANDS))}")
    return Post("message_board", rng.choice(BOARDS), ctx.netizen(), matter, text, t, "complaint", topic=matter)


def letter_post(ctx: Ctx, t: float) -> Post:
    """A citizen letter on a message board, built from the shared openings and closings."""
    rng = ctx.rng
    matter, _unit, probs, dets = rng.choice(MATTERS)
    p = place(rng)
    intro = rng.choice(INTROS)
    head = rng.choice(OPENINGS) + intro.format(p=p)
    here = rng.choice(["我们这里", "我们这边", "我家附近"]) if intro and rng.random() < 0.7 else p
    body = fill(rng.choice(probs), rng, here) + "。" + "。".join(rng.sample(dets, k=rng.randint(1, 3))) + "。"
    long = rng.random() < 0.08
    if long:
        closing_room = len(head) + max(map(len, CLOSINGS)) + max(map(len, HISTORY)) + 4
        target = min(rng.randint(650, LONG_TEXT), LONG_TEXT - closing_room)
        pool = ELABORATIONS + [e.format(p=p, m=matter) for e in LONG_EXTRA] + dets
        rng.shuffle(pool)
        paras: list[str] = []
        size = len(body)
        while pool and size < target:
            k = min(len(pool), rng.randint(2, 4))
            para = "，".join(pool[:k]) + "。"
            if size + len(para) + 1 > LONG_TEXT - closing_room:
                break
            paras.append(para)
            size += len(para) + 1
            pool = pool[k:]
        body += "\n" + "\n".join(paras) + "\n" + rng.choice(HISTORY)
    else:
        if rng.random() < 0.8:
            body += "，".join(rng.sample(ELABORATIONS, k=rng.randint(1, 3))) + "。"
        if rng.random() < 0.5:
            body += rng.choice(HISTORY)
    text = head + body + ("\n" if long else "") + rng.choice(CLOSINGS)
    title = rng.choice([f"关于{p}{matter}的问题", f"反映{p}{matter}", f"{p}{matter}，盼解决",
                        f"{matter}问题何时能解决？"])
    author = rng.choice([ctx.netizen(), "网友" + str(rng.randrange(100, 999)) + "***", "匿名"])
    if rng.random() < 0.85:
        return Post("message_board", rng.choice(BOARDS), author, title, clip(text, LONG_TEXT), t, "letter",
                    topic=matter)
    return Post("forum", rng.choice(list(FORUMS)), ctx.netizen(), title, clip(text, LONG_TEXT), t, "letter",
                topic=matter)


def hotline_post(ctx: Ctx, t: float, week_n: int) -> Post:
    """12345 work orders and replies, written in the hotline's boilerplate."""
    rng = ctx.rng
    matter, unit, probs, dets = rng.choice(MATTERS)
    p = place(rng)
    r = rng.random()
    if r < 0.45:
        town = next((tw for tw in TOWNSHIPS if tw in p), rng.choice(TOWNSHIPS))
        text = (rng.choice(REPLY_OPEN) + rng.choice(REPLY_FIND).format(u=unit, t=town) + "。"
                + rng.choice(REPLY_ACT) + "。" + rng.choice(REPLY_CLOSE))
        author = rng.choice([unit, unit, town + "办事处" if "街道" in town else town + "人民政府"])
        return Post("message_board", rng.choice(BOARDS[:3]), author, f"关于“{p}{matter}”的答复", text, t,
                    "hotline", topic=matter)
    if r < 0.8:
        day = START + timedelta(seconds=t)
        order = f"LS{day:%Y%m%d}{rng.randrange(10000, 99999)}"
        text = (f"【工单编号】{order} 来电人反映：{fill(rng.choice(probs), rng, p)}，{rng.choice(dets)}。"
                f"来电人诉求：请相关部门尽快核实处理并回复。【处理意见】请{unit}按职责办理，三个工作日内反馈。")
        return Post("message_board", "丽水12345政务服务热线", "12345热线", f"{p}{matter}", text, t, "hotline",
                    topic=matter)
    day = START + timedelta(seconds=t)
    top = "、".join(m[0] for m in rng.sample(MATTERS, 3))
    text = (f"【12345热线周报】{week_n}月第{min(4, day.day // 7 + 1)}周，全县12345政务服务热线共受理群众诉求"
            f"{rng.randint(600, 1500)}件，按时办结率{rng.randint(95, 99)}.{rng.randint(0, 9)}%，群众满意率"
            f"{rng.randint(90, 98)}.{rng.randint(0, 9)}%。诉求主要集中在{top}等方面。有诉求，请拨打12345。")
    plat = rng.choice(["wechat", "weibo"])
    return Post(plat, "微信公众号·云和发布" if plat == "wechat" else "新浪微博", "云和发布",
                "12345热线周报" if plat == "wechat" else None, text, t, "hotline", topic="12345")


COUNTY_NEWS: list[tuple[str, str]] = [
    ("云和梯田迎来最佳观赏期", "{d}，云和梯田景区云海、晨雾景观频现，吸引大批摄影爱好者前来打卡。据统计，本周景区"
     "接待游客{n}00人次，同比增长{k}%。"),
    ("云和木玩“双11”线上销售再创新高", "今年“双11”期间，云和县木制玩具企业线上销售额突破{k}亿元，同比增长"
     "{k2}%，{t}多家企业订单已排到明年春节后。"),
    ("县政府召开第{k}次常务会议", "{d}，县政府召开第{k}次常务会议，研究部署冬季安全生产、森林防火、"
     "根治欠薪等工作，审议通过《云和县{y}年度民生实事项目实施方案》。"),
    ("{t}开展冬季森林防火宣传", "连日来，{t}组织干部深入{v}等村入户宣传森林防火知识，发放宣传资料{n}份，"
     "排查整改隐患{k}处。"),
    ("2027年度城乡居民医保参保缴费启动", "云和县2027年度城乡居民基本医疗保险集中参保缴费工作已启动，个人"
     "缴费标准为每人每年{fee}元，缴费截止时间为2026年12月31日。困难群众个人缴费部分由政府按规定资助。"),
    ("县城部分路段12月起实行分时段停车收费", "为缓解县城停车难，自12月1日起，{r}等路段公共停车泊位实行分时段"
     "收费，首{k}分钟免费，之后每小时{fee2}元，夜间20时至次日7时免费。"),
    ("{t}{v}：共富工坊让村民家门口就业", "在{t}{v}的共富工坊里，{n}多名村民正在加工木制玩具配件，人均月增收"
     "{fee}元左右。"),
    ("全县生活垃圾分类“定时定点”投放12月起推行", "记者从县综合行政执法局获悉，12月起县城各小区将全面推行"
     "生活垃圾定时定点投放，{k}个小区已完成投放点改造。"),
    ("云和公安开展反诈宣传进社区", "{d}，县公安局民警走进{v}，为居民讲解刷单返利、冒充客服等常见诈骗手法，"
     "现场帮助{n}名群众安装国家反诈中心APP。"),
    ("紧水滩镇举办湖鲜美食节", "{d}，紧水滩镇仙宫湖湖鲜美食节开幕，{k}家农家乐推出特色湖鲜菜品，"
     "吸引游客{n}0余人次。"),
    ("县委理论学习中心组举行专题学习会", "{d}，县委理论学习中心组举行专题学习会，围绕推进山区共同富裕、"
     "建设“童话云和”开展交流研讨。"),
    ("云和雪梨冬季管护技术培训进田头", "县农业农村局农技专家走进{t}，为{n}余名果农开展雪梨冬季修剪、"
     "清园等技术培训。"),
    ("{t}推进“千万工程”村庄整治", "今年以来，{t}累计完成村庄环境整治项目{k}个，拆除违建{n}0平方米，"
     "{v}等村人居环境明显改善。"),
    ("县人民医院开通夜间门诊", "为方便上班族就医，县人民医院自{d}起开通内科、儿科夜间门诊，服务时间为"
     "每日17时30分至21时。"),
    ("云和县冬季征兵体检工作顺利完成", "{d}，云和县2026年冬季征兵体检工作顺利完成，共有{k2}名应征青年参加体检。"),
]


COUNTY_MID = ["活动中，工作人员还现场为群众答疑解惑，受到广泛好评。", "近年来，云和县坚持以人民为中心，持续推进“童话云和”建设。",
              "县相关部门负责人表示，将把好事办好、实事办实，让群众看得见、摸得着。",
              "据了解，相关工作已列入今年县政府民生实事项目。", "不少群众表示，这样的举措实实在在，希望能长期坚持下去。"]
COUNTY_TAIL = ["下一步，{t}将持续巩固工作成效，不断提升群众的获得感和幸福感。", "据悉，该项工作将持续到年底。",
               "相关负责人表示，将进一步完善长效机制，确保各项措施落到实处。", "现场气氛热烈，群众纷纷点赞。",
               "（记者 {rep} 通讯员 {rep2}）", "详情可关注“云和发布”微信公众号。", ""]


def county_post(ctx: Ctx, t: float) -> Post:
    """A county news item or release, from the county's own accounts or the media."""
    rng = ctx.rng
    title, body = rng.choice(COUNTY_NEWS)
    tw = rng.choice(list(VILLAGES))
    now = START + timedelta(seconds=t)
    kw = {"d": f"{now.month}月{now.day}日", "n": rng.randint(20, 900), "k": rng.randint(3, 40),
          "k2": rng.randint(12, 160), "t": tw, "v": rng.choice(VILLAGES[tw]), "y": 2027,
          "fee": rng.choice([380, 400, 420, 1800, 2500]), "fee2": rng.choice([2, 3, 5]), "r": rng.choice(ROADS),
          "rep": rng.choice(REPORTERS), "rep2": rng.choice(REPORTERS)}
    mid = rng.choice(COUNTY_MID)
    title, text = title.format(**kw), (body + mid + rng.choice(COUNTY_TAIL)).format(**kw)
    plat = rng.choices(["wechat", "news", "weibo", "douyin"], [45, 35, 15, 5])[0]
    if plat == "wechat":
        who = rng.choice(WECHAT_OFFICIAL)
        return Post("wechat", f"微信公众号·{who}", who, title, text, t, "county", topic=title)
    if plat == "news":
        outlet = rng.choice(["云和新闻网", "丽水日报", "处州晚报", "丽水网", "浙江日报", "潮新闻"])
        return Post("news", outlet, outlet, title, text, t, "county", topic=title)
    if plat == "weibo":
        return Post("weibo", "新浪微博", rng.choice(["云和发布", "丽水发布", "丽水日报"]), None,
                    f"【{title}】{text}", t, "county", topic=title)
    return Post("douyin", "抖音", "云和融媒", None, f"{title} #云和 #童话云和", t, "county", topic=title)


OTHER_TEXTS: list[tuple[str, str]] = [
    ("ad", "【双11返场】丽水万达{s}店全场低至3折，进店即送精美礼品，活动仅剩最后{k}天，速来抢购！"),
    ("ad", "招聘：熟练缝纫工、打包工若干，月薪6000-9000元，包吃住，有意者请电话联系。"),
    ("ad", "在家兼职，一部手机日赚300+，不收任何费用，有意私信，名额有限！"),
    ("ad", "江景精装房，首付{k}万起，送车位，拎包入住！咨询热线400-8{k3}-{k4}。"),
    ("ad", "冬季驾校特惠，C1报名立减800元，学车不排队，包接送。"),
    ("ad", "新款羽绒服清仓，99元三件，包邮到家，点击下方链接购买。"),
    ("ad", "专业疏通下水道、管道维修、家电清洗，随叫随到，价格实惠。"),
    ("fun", "追剧追到凌晨三点，这个结局我真的接受不了！#{s}#"),
    ("fun", "今天的综艺笑死我了，哈哈哈哈，{s}太会接梗了"),
    ("fun", "新歌循环了一整天，单曲循环停不下来🎧"),
    ("fun", "周末去看了电影，特效不错，剧情一般，给个7分吧"),
    ("fun", "中超最后一轮太刺激了，绝杀！"),
    ("fun", "晒一下今天做的晚饭，红烧肉终于成功了[馋嘴]"),
    ("fun", "猫主子今天又把花瓶打翻了，生气又舍不得骂🐱"),
    ("news", "{o}一民房发生火灾，造成{k2}人死亡，起火原因正在调查中。消防部门提醒，冬季用火用电要注意安全。"),
    ("news", "{o}一货车与小轿车相撞，致{k2}人受伤，事故路段一度拥堵。伤者已送医，无生命危险。"),
    ("news", "{c}地铁新线路今日开通运营，全长{k}公里，市民出行更加便捷。"),
    ("news", "受冷空气影响，{o}未来三天将有明显降温，最低气温{k2}℃左右，请注意添衣保暖。"),
    ("news", "{c}发布新一轮购房政策，首套房首付比例下调，公积金贷款额度提高。"),
    ("news", "第{k}号台风生成，预计将影响华南沿海地区，气象部门提醒相关海域船只回港避风。"),
    ("news", "{o}一景区因游客超载临时限流，官方致歉并表示将优化预约机制。"),
    ("news", "{o}通报一起学校食堂食品安全问题，涉事企业已被立案调查，{k2}名学生已康复返校。"),
    ("news", "{c}举行马拉松赛，{k}000余名跑者参赛，部分路段实行交通管制。"),
]


OTHER_TAIL: dict[str, list[str]] = {
    "ad": ["详情请咨询门店。", "数量有限，先到先得！", "点击链接了解更多>>", "转发本条还可参与抽奖。", ""],
    "fun": ["有没有同好一起讨论？", "你们觉得呢？评论区聊聊～", "今天也是开心的一天。", "[哈哈][哈哈]", ""],
    "news": ["事件引发网友热议。", "（来源：综合报道）", ""],
}


def other_post(ctx: Ctx, t: float) -> Post:
    """Ads, entertainment and news of other places: not a matter of the county."""
    rng = ctx.rng
    kind, tmpl = rng.choice(OTHER_TEXTS)
    kw = {"s": rng.choice(["星河", "锦时", "南风", "白夜"]), "k": rng.randint(2, 30), "k2": rng.randint(1, 12),
          "k3": rng.randint(100, 999), "k4": rng.randint(1000, 9999), "o": rng.choice(OTHER_PLACES),
          "c": rng.choice(["杭州", "宁波", "温州", "金华", "南京", "合肥"])}
    text = tmpl.format(**kw) + rng.choice(OTHER_TAIL[kind])
    if kind == "news":
        plat = rng.choice(["news", "news", "weibo", "wechat"])
        if plat == "news":
            outlet = rng.choice([n for n in NEWS_OUTLETS if n != "云和新闻网"])
            return Post("news", outlet, outlet, text.split("，")[0], text, t, "other", topic=kind)
        who = rng.choice(WEIBO_MEDIA) if plat == "weibo" else rng.choice(["丽水头条", "浙江新闻", "新闻早知道"])
        src = "新浪微博" if plat == "weibo" else f"微信公众号·{who}"
        return Post(plat, src, who, None if plat == "weibo" else text.split("，")[0], text, t, "other",
                    topic=kind)
    plat = rng.choices(["weibo", "douyin", "wechat", "forum"], [40, 30, 20, 10])[0]
    if plat == "wechat":
        who = rng.choice(["好物推荐官", "丽水吃货", "云和吃喝玩乐", "每日星闻"])
        return Post("wechat", f"微信公众号·{who}", who, text[:16], text, t, "other", topic=kind)
    if plat == "forum":
        return Post("forum", rng.choice(list(FORUMS)), ctx.netizen(), text[:14], text, t, "other", topic=kind)
    return Post(plat, "新浪微博" if plat == "weibo" else "抖音", ctx.netizen(), None, text, t, "other",
                topic=kind)


# Viral originals that are not incident eyewitness posts: (kind, day, hour, minute, author, text)
EXTRA_VIRALS: list[tuple[str, int, int, int, str, str]] = [
    ("complaint", 7, 20, 30, "云和府业主群",
     "【求扩散】我们是县城云和府小区的业主，交房整整三年，房产证至今办不下来，开发商一拖再拖，几百户人家"
     "落不了户，孩子上学都成问题。跑了不动产登记中心无数趟，都说在协调。到底要协调到什么时候？"
     "@云和发布 @丽水发布 #云和房产证#"),
    ("other", 19, 12, 5, "歌手陈一鸣",
     "这次来云和梯田拍新歌MV，清晨的云海太美了，像童话一样～谢谢所有工作人员，新歌下个月见！📷"),
]

INCIDENT_KEYS = [i.key for i in INCIDENTS]
REPOST_COMMENTS = ["转发微博", "转发微博", "转发", "关注", "码住", "[doge]", "真的假的？", "同问", "支持",
                   "这事得有人管", "我们那边也是这样", "太真实了", "顶一下", "@云和发布 看看", "确实是这样",
                   "哈哈哈哈", "扩散", "希望早日解决", "怎么又是这样", "mark"]
LONG_COMMENTS = ["这种事情说了多少年了，每次都是出了问题才重视，希望这次能真正解决",
                 "转给身边的朋友看看，大家都注意一点，有情况及时反映", "说句公道话，县里这两年变化挺大的，但这种问题还是得抓",
                 "看到这个心里很不是滋味，希望有关部门认真对待，给群众一个交代",
                 "我们老家那边也是一模一样的情况，到现在都没人管", "建议直接打12345，比在网上发有用，我上次打了三天就有人来了",
                 "不信谣不传谣，等官方通报吧", "说实话，这事要不是发到网上，估计还要拖很久",
                 "希望官方尽快公开调查结果，不要让大家猜来猜去"]
INCIDENT_COMMENTS = ["[蜡烛][蜡烛][蜡烛]", "愿平安", "太惨了", "愿伤者早日康复", "一路走好", "云和加油！",
                     "希望不要再有人遇难了", "原因一定要查清楚", "祈福🙏", "心疼", "怎么又出事了", "[泪][泪]",
                     "求真相", "希望官方尽快公布情况"]


def repost_of(ctx: Ctx, target: Post, t: float) -> Post:
    """A Weibo repost `评论 //@原作者:原文` of an earlier post (itself possibly a repost)."""
    rng = ctx.rng
    pool = INCIDENT_COMMENTS if target.topic in INCIDENT_KEYS else REPOST_COMMENTS
    comment = rng.choice(pool)
    r = rng.random()
    if r < 0.3:
        comment = rng.choice(LONG_COMMENTS)
    elif r < 0.45:
        comment += (" " if comment[-1] in "！？?]🙏" else rng.choice(["，", " "])) + rng.choice(
            REPOST_COMMENTS + INCIDENT_COMMENTS)
    head = f"{comment} //@{target.author}:"
    text = head + clip(target.text, MAX_TEXT - len(head))
    post = Post("weibo", "新浪微博", ctx.netizen(), None, text, t, target.kind, depth=target.depth + 1,
                viral=target.viral, topic=target.topic)
    post.reposts, post.comments, post.likes = (heavy(rng, 0.3), heavy(rng, 0.5), heavy(rng, 2))
    target.n_reposted += 1
    return post


# ---------------------------------------------------------------- timing
class Clock:
    """Draws publication times (seconds since START) with a daily rhythm."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.day_w = [0.85 if (START + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(DAYS)]

    def rhythm(self, after: float = 0.0) -> float:
        while True:
            d = self.rng.choices(range(DAYS), self.day_w)[0]
            h = self.rng.choices(range(24), HOUR_W)[0]
            t = d * 86400 + h * 3600 + self.rng.random() * 3600
            if t > after:
                return t

    def after(self, t0: float, mean_h: float, sigma: float = 1.1) -> float:
        """A time after t0, log-normally delayed; quiet night hours push to the morning."""
        for _ in range(50):
            t = t0 + 60 + self.rng.lognormvariate(math.log(mean_h * 3600), sigma)
            hour = int((t / 3600) % 24)
            if 1 <= hour < 6 and self.rng.random() < 0.6:
                t += (7 - hour) * 3600
            if t < END_S:
                return t
        return min(END_S - 1, t0 + 600 + self.rng.random() * 3600)


# ---------------------------------------------------------------- assembly
def split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` over `weights`."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def generate(n: int, seed: int = 4242) -> list[Post]:
    """The whole stream, in time order, ids and urls assigned."""
    rng = random.Random(seed)
    ctx = Ctx(rng)
    clock = Clock(rng)
    cats = list(SHARES)
    q = dict(zip(cats, split(n, [SHARES[c] for c in cats])))
    originals: list[Post] = []
    virals: list[Post] = []

    # incidents: eyewitness (viral) first, official releases per stage, then retellings
    for inc, c in zip(INCIDENTS, split(q["incident"], [i.weight for i in INCIDENTS])):
        t0 = (inc.start - START).total_seconds()
        made = 0
        if inc.viral and c > 0:
            p = incident_post(ctx, inc, t0 + rng.uniform(300, 1800), "eyewitness")
            p.viral = len(virals)
            virals.append(p)
            originals.append(p)
            made += 1
        for h, _f in inc.stages[1:]:
            if made < c:
                originals.append(incident_post(ctx, inc, t0 + (h + rng.uniform(0.4, 1.2)) * 3600, "official"))
                made += 1
        if inc.rumour and made + 1 < c:
            originals.append(incident_post(ctx, inc, t0 + rng.uniform(6.0, 7.5) * 3600, "refute"))
            made += 1
        while made < c:
            style = rng.choices(INCIDENT_STYLES, INCIDENT_STYLE_W)[0]
            if inc.rumour and rng.random() < 0.07:
                style = "rumour"
            originals.append(incident_post(ctx, inc, clock.after(t0, 7.0), style))
            made += 1

    for kind, day, hh, mm, author, text in EXTRA_VIRALS:
        if q[kind] < 1:
            continue
        p = Post("weibo", "新浪微博", author, None, text, ((day - 1) * 24 + hh) * 3600 + mm * 60, kind,
                 topic="viral")
        p.viral = len(virals)
        virals.append(p)
        originals.append(p)
        q[kind] -= 1

    builders: dict[str, Callable[[float], Post]] = {
        "letter": lambda t: letter_post(ctx, t),
        "hotline": lambda t: hotline_post(ctx, t, 11),
        "complaint": lambda t: complaint_post(ctx, t),
        "county": lambda t: county_post(ctx, t),
        "other": lambda t: other_post(ctx, t),
    }
    for cat, build in builders.items():
        for _ in range(q[cat]):
            originals.append(build(clock.rhythm()))

    for p in originals:
        if p.kind == "letter":
            continue
        limit = MAX_TEXT
        p.text = clip(p.text, limit)
        while len(p.text) < 20:
            p.text += rng.choice([" #日常#", " #分享#", " 大家怎么看？"] if p.kind == "other" else [" #云和#", " #丽水#"])
        p.reposts, p.comments, p.likes = engage(rng, p.platform, 150.0 if p.viral >= 0 else 1.0)

    # repost slots: viral ones follow their original, the rest follow the first Weibo post
    first_weibo = min(p.t for p in originals if p.platform == "weibo")
    n_viral = round(q["repost"] * VIRAL_REPOST_SHARE) if virals else 0
    vw = [0.24, 0.2, 0.16, 0.18, 0.14, 0.08][: len(virals)]
    slots: list[tuple[float, int]] = []  # (time, viral index or -1)
    for vi, c in enumerate(split(n_viral, vw)):
        slots += [(clock.after(virals[vi].t, 5.0, 1.2), vi) for _ in range(c)]
    slots += [(clock.rhythm(after=first_weibo + 60), -1) for _ in range(q["repost"] - n_viral)]

    events: list[tuple[float, int, Post | None, int]] = [(p.t, i, p, -2) for i, p in enumerate(originals)]
    events += [(t, len(originals) + j, None, v) for j, (t, v) in enumerate(slots)]
    events.sort(key=lambda e: (e[0], e[1]))

    out: list[Post] = []
    weibo_seen: list[Post] = []
    by_viral: list[list[Post]] = [[v] for v in virals]
    for t, _k, post, v in events:
        if post is None:
            if v >= 0:
                chain = [x for x in by_viral[v][-40:] if x.depth < 3]
                target = rng.choice(chain) if rng.random() < 0.3 and len(chain) > 1 else virals[v]
            else:
                recent = [x for x in weibo_seen[-300:] if x.depth < 3]
                cand = recent if rng.random() < 0.85 else [x for x in weibo_seen if x.depth < 3]
                if rng.random() > 0.2:
                    cand = [x for x in cand if x.depth == 0] or cand
                target = rng.choice(cand)
            post = repost_of(ctx, target, t)
            post.kind = "repost"
            if v >= 0:
                by_viral[v].append(post)
        if post.platform == "weibo":
            weibo_seen.append(post)
        out.append(post)

    for p in out:  # the counters a platform shows include the reposts seen in the stream
        if p.n_reposted and p.reposts is not None:
            p.reposts = max(p.reposts, p.n_reposted * rng.randint(2, 5))
    for i, p in enumerate(out):
        assign_ids(rng, p, i)
    return out


PREFIX = {"weibo": "wb", "wechat": "wx", "news": "nw", "forum": "bbs", "message_board": "lyb", "douyin": "dy"}


def assign_ids(rng: random.Random, p: Post, i: int) -> None:
    """A unique id and a unique URL (or None) built from the position in the stream."""
    p.id = f"{PREFIX[p.platform]}-{i:07d}-{rand_token(rng, 4)}"
    day = START + timedelta(seconds=p.t)
    if p.platform == "weibo":
        p.url = f"https://weibo.com/{rng.randrange(10**9, 8 * 10**9)}/{b62(i, 4)}{rand_token(rng, 5)}"
    elif p.platform == "wechat":
        p.url = f"https://mp.weixin.qq.com/s/{rand_token(rng, 17)}{b62(i, 5)}"
    elif p.platform == "news":
        dom = NEWS_OUTLETS.get(p.source, ("www.zjol.com.cn", ""))[0]
        p.url = f"https://{dom}/system/{day:%Y/%m/%d}/0{i:07d}{rng.randrange(1000):03d}.shtml"
    elif p.platform == "forum":
        dom = FORUMS.get(p.source, "bbs.yunhe.cc")
        p.url = (f"https://tieba.baidu.com/p/{9000000000 + i}" if dom == "tieba.baidu.com"
                 else f"https://{dom}/thread-{1000000 + i}-1-1.html")
    elif p.platform == "douyin":
        p.url = f"https://www.douyin.com/video/74{i:09d}{rng.randrange(10**8):08d}"
    elif p.source == "人民网领导留言板":
        p.url = f"https://liuyan.people.com.cn/threads/content?tid={20000000 + i}"
    elif p.source == "云和县政府网·县长信箱":
        p.url = f"https://www.yunhe.gov.cn/col/col1229372/art/{day:%Y/%m/%d}/art_1229372_{i}.html"
    elif p.source == "浙里办·民呼我为":
        p.url = f"https://mhww.zjzwfw.gov.cn/detail?id={3000000 + i}"
    else:
        p.url = None  # hotline work orders have no public page


# ---------------------------------------------------------------- CLI
def stats(path: str) -> None:
    """Read a written stream back and print its mix."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    n = len(rows)
    lens = [len(r["text"]) for r in rows]
    rep = [r for r in rows if r["platform"] == "weibo" and " //@" in r["text"]]
    chains = Counter(r["text"].count("//@") for r in rep)
    targets = Counter(r["text"].rsplit("//@", 1)[1][:30] for r in rep)
    opening = sum(1 for r in rows if r["text"].startswith(tuple(OPENINGS)))
    closing = sum(1 for r in rows if any(c in r["text"] for c in CLOSINGS))
    inc = sum(1 for r in rows if any(i.tag in r["text"] or i.key in (r["title"] or "") + r["text"]
                                     for i in INCIDENTS))
    times = [r["published_at"] for r in rows]
    print(f"posts {n}; reposts {len(rep)} ({len(rep) / n:.1%}); chains by //@ count {dict(sorted(chains.items()))}")
    print(f"text length avg {sum(lens) / n:.1f}, min {min(lens)}, max {max(lens)}, "
          f">600: {sum(x > 600 for x in lens)}")
    print("platforms", dict(Counter(r["platform"] for r in rows).most_common()))
    print(f"letters with shared opening {opening}, shared closing {closing}; incident mentions {inc}")
    print("most reposted originals:", [c for _, c in targets.most_common(6)])
    print(f"time order ok: {times == sorted(times)}; from {times[0]} to {times[-1]}")
    print(f"unique ids {len({r['id'] for r in rows}) == n}; urls null {sum(r['url'] is None for r in rows)}, "
          f"unique {len({r['url'] for r in rows if r['url']}) == sum(r['url'] is not None for r in rows)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of posts (the mix holds for N >= 1000)")
    ap.add_argument("out", help="output JSON-lines file")
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--stats", action="store_true", help="print the mix of the written stream")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error("N must be positive")
    posts = generate(a.n, a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for p in posts:
            fh.write(json.dumps(p.record(), ensure_ascii=False) + "\n")
    if a.stats:
        stats(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
