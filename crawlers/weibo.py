"""m.weibo.cn JSON answers → ingest records, and Weibo's anti-bot answers → typed problems.

Handles a user's timeline and keyword search (``container/getIndex``: cards, card groups),
one status (``statuses/show``, with its ``retweeted_status``), long text
(``statuses/extend``), and comment lists (``comments/show``, ``comments/hotflow``). Reposts,
comments and likes are kept as Weibo gives them (``"100万+"`` included: the ingest path parses
it); ``created_at`` is kept raw (``刚刚``, ``06-14``, ``Sat Jun 15 11:44:46 +0800 2019``) and is
resolved against the collection time by ingest; IP属地 (``region_name``) is kept as ``ip_region``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crawlers.records import ParseResult, Problem, Record, make_record
from pipeline.normalize import clean_text

WEIBO_SOURCE = "新浪微博"
ANTI_BOT_STATUS = {418: "HTTP 418 (Weibo anti-crawler answer)", 432: "HTTP 432 (Weibo anti-crawler answer)"}
_LOGIN_HOSTS = ("passport.weibo.cn", "passport.weibo.com", "login.sina.com.cn", "visitor.passport.weibo.cn")
_EMOTICON = re.compile(r"<img[^>]*?\balt=[\"']?(\[[^\]\"'>]{1,12}\])[\"']?[^>]*>", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_REGION = re.compile(r"^(?:发布于|来自)\s*")
_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BID = re.compile(r"[0-9A-Za-z]{9}")       # the base62 form of a 15- or 16-digit mid
_MID = re.compile(r"\d{15,17}")
_STATUS_PATH = {  # host → path of a status page, with the mid or bid as the last group
    "weibo.com": re.compile(r"/\d+/([0-9A-Za-z]+)/?"), "www.weibo.com": re.compile(r"/\d+/([0-9A-Za-z]+)/?"),
    "m.weibo.cn": re.compile(r"/(?:status|detail)/([0-9A-Za-z]+)/?"),
}


@dataclass
class WeiboResult(ParseResult):
    """Records and problems, plus what a spider needs to go on."""

    long_text_ids: list[str] = field(default_factory=list)   # statuses whose full text needs statuses/extend
    long_texts: dict[str, Record] = field(default_factory=dict)  # from statuses/extend: id → text and counts
    next_page: int | None = None                              # getIndex: the page after this one
    total: int | None = None                                  # getIndex: results in all (search, timeline)
    statuses: int = 0                                         # getIndex: statuses on this page
    since_id: str | None = None                               # getIndex: newer API's cursor
    user: dict[str, Any] | None = None                        # getIndex profile answer


def status_url(mid: str) -> str:
    """The one URL form every collector gives a Weibo status (with its numeric mid)."""
    return f"https://m.weibo.cn/detail/{mid}"


def bid_to_mid(bid: str) -> str:
    """Weibo's base62 status id (``bid``, as in weibo.com/<uid>/<bid>) → the numeric mid.

    The bid is read in groups of four characters from the right; each group is a base62
    number written as 7 decimal digits (zero-padded, except the leftmost group)."""
    if not bid or any(c not in _BASE62 for c in bid):
        raise ValueError(f"not a base62 Weibo id: {bid!r}")
    groups = [bid[max(0, end - 4):end] for end in range(len(bid), 0, -4)][::-1]
    numbers = [sum(_BASE62.index(c) * 62 ** k for k, c in enumerate(reversed(g))) for g in groups]
    if any(n >= 10 ** 7 for n in numbers[1:]):
        raise ValueError(f"not a Weibo bid (a group exceeds 7 digits): {bid!r}")
    return str(numbers[0]) + "".join(f"{n:07d}" for n in numbers[1:])


def status_link(url: str | None) -> tuple[str, str | None] | None:
    """``(mid, bid)`` when ``url`` is a Weibo status page (weibo.com/<uid>/<bid>,
    m.weibo.cn/status/<mid or bid>, m.weibo.cn/detail/<mid>); None for anything else."""
    parts = urlsplit(url or "")
    pattern = _STATUS_PATH.get(parts.netloc.lower())
    m = pattern.fullmatch(parts.path) if pattern else None
    if m is None:
        return None
    key = m.group(1)
    if _MID.fullmatch(key):
        return key, None
    if not _BID.fullmatch(key) or (key.isalpha() and key.islower()):  # a word (/followers) is a page, not a bid
        return None
    try:
        return bid_to_mid(key), key
    except ValueError:
        return None


def weibo_text(html: str | None) -> str:
    """Status HTML → text: emoticons become their ``[偷笑]`` names, ``<br>`` a newline."""
    if not html:
        return ""
    html = _BR.sub("\n", _EMOTICON.sub(r"\1", html))
    lines = (clean_text(line) for line in html.split("\n"))
    return "\n".join(line for line in lines if line)


def _region(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    region = _REGION.sub("", value.strip())
    return region or None


def _login_redirect(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").netloc.lower() in _LOGIN_HOSTS


def detect_block(status: int, body: bytes, url: str | None = None, final_url: str | None = None) -> Problem | None:
    """Weibo's refusals: HTTP 432/418, 429, a login redirect, a captcha / login HTML page, ``ok: -100``."""
    where = final_url or url
    if status in ANTI_BOT_STATUS:
        return Problem("anti_bot", ANTI_BOT_STATUS[status], where)
    if status == 429:
        return Problem("rate_limited", "HTTP 429 Too Many Requests", where)
    if _login_redirect(final_url):
        return Problem("login_required", f"redirected to the login page {final_url}", url)
    if status in (301, 302, 303, 307, 308):
        return Problem("login_required", f"HTTP {status} redirect (login or visitor check)", where)
    head = body[:2048].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<")):
        text = body[:20000].decode("utf-8", "replace")
        if any(h in text for h in _LOGIN_HOSTS) or "登录" in text:
            return Problem("login_required", "an HTML login page instead of JSON", where)
        if "验证码" in text or "captcha" in text.lower() or "安全验证" in text:
            return Problem("anti_bot", "an HTML captcha page instead of JSON", where)
    if status >= 400:
        return Problem("http_error", f"HTTP {status}", where)
    return None


def _json_problem(doc: Any, url: str | None) -> Problem | None:
    if not isinstance(doc, dict):
        return Problem("malformed", f"expected a JSON object, got {type(doc).__name__}", url)
    ok = doc.get("ok")
    if ok == -100:
        target = doc.get("url") or ""
        return Problem("login_required", f"ok: -100 (login required{': ' + target if target else ''})", url)
    if ok in (1, "1", True):
        return None
    msg = str(doc.get("msg") or doc.get("errmsg") or "")
    if "频繁" in msg:
        return Problem("rate_limited", f"ok: {ok}, {msg}", url)
    data = doc.get("data")
    if ok in (0, "0") and ("还没有内容" in msg or not msg) and (
            data in (None, {}, []) or (isinstance(data, dict) and not data.get("cards"))):
        return None  # past the last page (``data: {"cards": []}`` in search): nothing more, not a failure
    return Problem("api_error", f"ok: {ok!r}{', ' + msg if msg else ''}", url)


def _status_record(mblog: dict[str, Any], source: str) -> Record:
    user = mblog.get("user") or {}
    sid = str(mblog.get("idstr") or mblog.get("id") or mblog.get("mid") or "") or None
    long_text = (mblog.get("longText") or {}).get("longTextContent")
    text = weibo_text(long_text or mblog.get("text"))
    retweeted = mblog.get("retweeted_status")
    return make_record(
        id=sid, platform="weibo", source=source, author=user.get("screen_name") or None, title=None,
        text=text, url=status_url(sid) if sid else None,
        published_at=mblog.get("created_at") or None,
        reposts=mblog.get("reposts_count"), comments=mblog.get("comments_count"), likes=mblog.get("attitudes_count"),
        ip_region=_region(mblog.get("region_name")), user_id=str(user["id"]) if user.get("id") else None,
        bid=mblog.get("bid") or None,
        retweeted_id=str(retweeted.get("idstr") or retweeted.get("id")) if isinstance(retweeted, dict) else None,
        is_long_text=True if mblog.get("isLongText") and not long_text else None,
    )


def _comment_record(comment: dict[str, Any], source: str, status_id: str | None) -> Record:
    user = comment.get("user") or {}
    cid = str(comment.get("id") or "") or None
    likes = comment.get("like_count", comment.get("like_counts"))
    return make_record(
        id=cid, platform="weibo", source=source, author=user.get("screen_name") or None, title=None,
        text=weibo_text(comment.get("text")),
        url=f"https://m.weibo.cn/detail/{status_id}#comment-{cid}" if status_id and cid else None,
        published_at=comment.get("created_at") or None,
        reposts=None, comments=comment.get("total_number"), likes=likes,
        ip_region=_region(comment.get("source")), kind="comment", reply_to=status_id,
    )


def _cards(cards: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for card in cards:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            found.append(card["mblog"])
        if isinstance(card.get("card_group"), list):
            found.extend(_cards(card["card_group"]))
    return found


def _add(result: WeiboResult, record: Record, seen: set[str]) -> None:
    if not record["text"]:
        result.problems.append(Problem("empty", f"status {record['id']} has no text"))
        return
    key = str(record["id"])
    if key in seen:
        return
    seen.add(key)
    result.records.append(record)
    if record.get("is_long_text") and record["id"]:
        result.long_text_ids.append(str(record["id"]))


def _query_id(url: str | None) -> str | None:
    if not url:
        return None
    values = parse_qs(urlsplit(url).query).get("id")
    return values[0] if values else None


def parse_weibo(body: bytes, *, status: int = 200, url: str | None = None, final_url: str | None = None,
                source: str = WEIBO_SOURCE, status_id: str | None = None) -> WeiboResult:
    """Parse one m.weibo.cn answer. ``status_id`` names the status of an extend / comments answer
    (taken from ``url``'s ``id=`` when not given)."""
    result = WeiboResult()
    blocked = detect_block(status, body, url, final_url)
    if blocked:
        result.problems.append(blocked)
        return result
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.problems.append(Problem("malformed", f"not JSON: {exc}", url))
        return result
    problem = _json_problem(doc, url)
    if problem:
        result.problems.append(problem)
        return result
    data = doc.get("data")
    if data is None or data == [] or data == {}:
        return result
    if not isinstance(data, dict):
        result.problems.append(Problem("api_error", f"unexpected data of type {type(data).__name__}", url))
        return result
    sid = status_id or _query_id(url)
    seen: set[str] = set()
    if "longTextContent" in data:  # statuses/extend
        if not sid:
            result.problems.append(Problem("api_error", "long text answer without a status id", url))
            return result
        result.long_texts[sid] = {
            "text": weibo_text(data.get("longTextContent")), "reposts": data.get("reposts_count"),
            "comments": data.get("comments_count"), "likes": data.get("attitudes_count"),
        }
        return result
    if isinstance(data.get("cards"), list):  # container/getIndex timeline or search
        statuses = _cards(data["cards"])
        result.statuses = len(statuses)
        for mblog in statuses:
            _add(result, _status_record(mblog, source), seen)
            if isinstance(mblog.get("retweeted_status"), dict):
                _add(result, _status_record(mblog["retweeted_status"], source), seen)
        info = data.get("cardlistInfo") or {}
        if isinstance(info.get("page"), int):
            result.next_page = info["page"]
        if isinstance(info.get("total"), int):
            result.total = info["total"]
        if info.get("since_id"):
            result.since_id = str(info["since_id"])
        return result
    if isinstance(data.get("userInfo"), dict):  # getIndex?type=uid profile: no posts
        result.user = data["userInfo"]
        return result
    if isinstance(data.get("data"), list) or isinstance(data.get("hot_data"), list):  # comments
        for comment in [*(data.get("hot_data") or []), *(data.get("data") or [])]:
            if isinstance(comment, dict):
                _add(result, _comment_record(comment, source, sid), seen)
        return result
    if data.get("text") is not None and (data.get("id") or data.get("idstr")):  # statuses/show
        _add(result, _status_record(data, source), seen)
        if isinstance(data.get("retweeted_status"), dict):
            _add(result, _status_record(data["retweeted_status"], source), seen)
        return result
    result.problems.append(Problem("api_error", f"unrecognised answer (data keys: {sorted(data)[:8]})", url))
    return result


def apply_long_text(record: Record, long_text: Record) -> Record:
    """The status record with its full text (and fresher counts) from ``statuses/extend``."""
    merged = dict(record)
    if long_text.get("text"):
        merged["text"] = long_text["text"]
    for name in ("reposts", "comments", "likes"):
        if long_text.get(name) is not None:
            merged[name] = long_text[name]
    merged.pop("is_long_text", None)
    return merged
