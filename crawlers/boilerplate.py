"""Page furniture that is not article text.

Two kinds. Lines that are boilerplate wherever they stand (``is_boilerplate``: 微信扫一扫,
责任编辑：…, 相关阅读 …). And navigation, which is only recognised at the edges of a body
(``strip_navigation``): short lines made of nothing but navigation links (返回首页>>, 【关闭窗口】,
打印本页, 上一篇：…, a 当前位置 breadcrumb at the start), and such links glued after the last
sentence. A line that is a real sentence is never touched, even when it mentions 打印本页.
"""

from __future__ import annotations

import re

_BOILERPLATE = re.compile(
    r"^(微信扫一扫|关注该公众号|分享到[:：]?.*|打印本页|关闭窗口|【?字体[:：].*|【?打印】?|【?关闭】?|扫一扫在手机打开当前页|"
    r"返回顶部|字号|关键词\s*>>.*|相关推荐|评论\(\d+\)|我要跟帖|已输入\d+字|【纠错】|\+1|"
    r"上一篇.*|下一篇.*|相关阅读|相关新闻|推荐阅读|责任编辑[:：].*|编辑[:：].{0,12}|初审[:：].*|终审[:：].*|审核[:：].*)$"
)
_NAV_WORD = (r"(?:返回(?:首页|主页|顶部|列表|目录|栏目|上一?页)?|回到(?:顶部|首页)|关闭(?:窗口|本页|页面)?|"
             r"打印(?:本页|此页|本文|文章|页面)?|(?:加入)?收藏(?:本页)?|保存本页|我要纠错|纠错|"
             r"(?:字号|字体)[:：]?\s*(?:[大中小]\s*){0,3})")
_NAV_LINK = rf"[【\[(（<《]?\s*(?:<<|«)?\s*{_NAV_WORD}\s*(?:>>|»|›|>)?\s*[】\])）>》]?"
_NAV_LINE = re.compile(rf"(?:{_NAV_LINK}[\s|｜/·]*)+")
_NAV_AFTER_SENTENCE = re.compile(rf"(?<=[。！？!?；;…”」』)）\s])(?:[\s|｜/·]*{_NAV_LINK})+\s*$")
_PREV_NEXT = re.compile(r"[【\[]?(?:上一篇|下一篇|上一条|下一条|上篇|下篇)[】\]]?\s*[:：].{0,80}|"
                        r"[【\[]?(?:上一篇|下一篇)[】\]]?\s*(?:没有了|无)?")
_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|您现在的位置|您当前的位置|所在位置)\s*[:：].{0,80}|"
                         r"首页\s*(?:>>|>|»|›|/)\s*.{0,60}")
_NAV_MAX = 90  # characters: a navigation line is short


def is_boilerplate(line: str) -> bool:
    """A line that is page furniture wherever it stands."""
    return bool(_BOILERPLATE.match(line))


def _navigation(line: str, *, at_start: bool) -> bool:
    if len(line) > _NAV_MAX:
        return False
    if _NAV_LINE.fullmatch(line) or _PREV_NEXT.fullmatch(line):
        return True
    return at_start and bool(_BREADCRUMB.fullmatch(line))


def strip_navigation(text: str) -> str:
    """``text`` without navigation at its start and end (lines of navigation links, and links
    glued after the last sentence); everything between is left as it is."""
    lines = text.split("\n")
    while lines and (not lines[0].strip() or _navigation(lines[0], at_start=True)):
        lines.pop(0)
    while lines:
        if not lines[-1].strip() or _navigation(lines[-1], at_start=False):
            lines.pop()
            continue
        trimmed = _NAV_AFTER_SENTENCE.sub("", lines[-1]).rstrip()
        if trimmed == lines[-1]:
            break
        lines[-1] = trimmed
    return "\n".join(lines)
