"""Article pages (HTML bytes) → title, body text, publish time and source.

Bytes are decoded and parsed by ``crawlers.pages``. WeChat pages (``#js_content``) have their
own extraction (title from ``#activity-name`` / ``msg_title``, account from ``#js_name`` /
``nickname``, publish time from the ``ct`` epoch).
Other pages: configured CSS selectors first, else a text-density pick of the element holding
most paragraph text, with trafilatura (the reference extractor) as the fallback for the body
and for the date. Boilerplate lines and the navigation at either end of the body (返回首页>>,
【关闭窗口】 …) are dropped (``crawlers.boilerplate``). Times are handed on as ISO 8601 in
北京时间, or ``YYYY-MM-DD`` when only the day is known (so ingest keeps day precision).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crawlers.boilerplate import is_boilerplate, strip_navigation
from crawlers.pages import charset_from_content_type, decode_html, parse_html
from crawlers.records import Problem, Record, make_record
from pipeline.normalize import clean_text
from pipeline.timeparse import SHANGHAI

MIN_BODY = 40  # characters: less than this is not an article body
_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4",
          "h5", "h6", "blockquote", "pre", "br", "center", "dd", "dt", "dl", "figure", "figcaption", "main"}
_DROP = ("script", "style", "noscript", "iframe", "form", "nav", "footer", "aside", "select", "textarea",
         "button", "input", "svg", "canvas", "template", "link", "object", "embed")
_TITLE_SPLIT = re.compile(r"\s*(?:_{1,2}|\||｜| - | – | — |--)\s*")
_DATE_IN_TEXT = re.compile(
    r"(20\d{2}|19\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)
_SOURCE_IN_TEXT = re.compile(r"(?:来源|来自|稿源|出处)\s*[:：]\s*([^\s|/，,。;；:：\u3000()（）\[\]]{2,30})")
_META_TIME_KEYS = ("article:published_time", "og:article:published_time", "og:release_date", "publishdate",
                   "pubdate", "publish_date", "publishtime", "publish-time", "firstpublishedtime", "datepublished",
                   "weibo: article:create_at", "dc.date.issued", "dc.date", "date")
_META_SOURCE_KEYS = ("contentsource", "source", "og:article:source", "article:source")


@dataclass
class Article:
    """What one page yields; ``problems`` says why fields are missing."""

    url: str | None
    title: str | None = None
    text: str = ""
    published_at: str | None = None     # ISO 8601 (+08:00) or YYYY-MM-DD (day precision)
    source: str | None = None           # the outlet named on the page (来源) or the WeChat account
    author: str | None = None
    encoding: str = "utf-8"
    is_wechat: bool = False
    problems: list[Problem] = field(default_factory=list)

    def to_record(self, *, platform: str, default_source: str | None, id: str | None = None,
                  **extra: Any) -> Record:
        """The ingest record of this page (counts unknown: ``None``)."""
        return make_record(id=id, platform=platform, source=self.source or default_source, author=self.author,
                           title=self.title, text=self.text, url=self.url, published_at=self.published_at, **extra)


# ----------------------------------------------------------------------------- helpers

def _node_text(node: Any) -> str:
    """Text of a node with one line per block element; blank and boilerplate lines dropped."""
    node = _copy(node)
    for el in node.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in _BLOCK:
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
    lines = []
    for line in node.text_content().split("\n"):
        line = clean_text(line)
        if line and not is_boilerplate(line):
            lines.append(line)
    return "\n".join(lines)


def _copy(node: Any) -> Any:
    return lxml.html.fromstring(etree.tostring(node, encoding="unicode"))


def _strip_noise(doc: Any) -> None:
    etree.strip_elements(doc, etree.Comment, *_DROP, with_tail=False)


def _metas(doc: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = (meta.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def _first_text(doc: Any, selector: str | None) -> str | None:
    if not selector:
        return None
    for node in doc.cssselect(selector):  # configured ones were checked when sources.yaml was read
        text = clean_text(node.text_content())
        if text:
            return text
    return None


def normalise_time(value: str) -> str | None:
    """A page's time string → ISO 8601 in 北京时间 (or ``YYYY-MM-DD`` when only the day is known)."""
    value = value.strip()
    if re.fullmatch(r"1\d{9}(\d{3})?", value):  # epoch seconds / ms
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        return datetime.fromtimestamp(seconds, SHANGHAI).isoformat()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if "T" in value or " " in value or dt.tzinfo:
            return (dt if dt.tzinfo else dt.replace(tzinfo=SHANGHAI)).isoformat()
    except ValueError:
        pass
    m = _DATE_IN_TEXT.search(value)
    if not m:
        return None
    return _match_time(m)


def _match_time(m: re.Match[str]) -> str | None:
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        if m.group(4) is None:
            return datetime(year, month, day).date().isoformat()
        return datetime(year, month, day, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), tzinfo=SHANGHAI).isoformat()
    except ValueError:
        return None


def _clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = clean_text(raw)
    parts = [p for p in _TITLE_SPLIT.split(raw) if p.strip()]
    if not parts:
        return None
    return parts[0] if len(parts[0]) >= 4 else raw


def _title(doc: Any, metas: dict[str, str]) -> str | None:
    page_title = clean_text(doc.findtext(".//title") or "")
    og = clean_text(metas.get("og:title", ""))
    candidates: list[str] = []
    for el in doc.iter("h1", "h2", "h3", "div", "span", "p"):
        if el.tag in ("div", "span", "p"):
            marker = f"{el.get('class', '')} {el.get('id', '')}".lower()
            if "title" not in marker:
                continue
        text = clean_text(el.text_content())
        if 4 <= len(text) <= 120:
            candidates.append(text)
    compact = re.sub(r"\s+", "", page_title)
    matching = [c for c in candidates if re.sub(r"\s+", "", c) in compact]
    if matching:
        return max(matching, key=len)
    if og and len(og) >= 4 and not og.endswith("="):
        return og
    if page_title:
        return _clean_title(page_title)
    h1 = [c for c in candidates if c]
    return h1[0] if h1 else None


_GOOD_MARKER = re.compile(r"artibody|article|content|post_?body|post_?text|main-?text|endtext|detail|zoom|trs_editor|"
                          r"rich_media|news_?txt|text_?con|rm_txt|js_content|ucap", re.IGNORECASE)
_BAD_MARKER = re.compile(r"side|comment|recommend|related|foot|nav|hot|rank|share|menu|banner|ad-|advert|"
                         r"copyright|login|toolbar", re.IGNORECASE)


def _marker_factor(node: Any) -> float:
    """Readability-style hint from class and id: article-like containers up, asides down."""
    marker = f"{node.get('class', '')} {node.get('id', '')}"
    factor = 1.0
    if _GOOD_MARKER.search(marker):
        factor *= 1.5
    if _BAD_MARKER.search(marker):
        factor *= 0.5
    if sum(1 for child in node if child.tag == "p") >= 2:  # paragraph structure: the mark of a body
        factor *= 1.5
    return factor


def _link_chars(el: Any) -> int:
    return sum(len(clean_text(a.text_content())) for a in el.iter("a"))


def _own_text(el: Any) -> tuple[str, int]:
    """Text directly in ``el`` (its text, inline children, tails), not in its block children."""
    parts, links = [el.text or ""], 0
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _BLOCK:
            inline = child.text_content()
            parts.append(inline)
            if child.tag == "a":
                links += len(clean_text(inline))
            else:
                links += _link_chars(child)
        parts.append(child.tail or "")
    return clean_text(" ".join(parts)), links


def _density_body(doc: Any) -> str:
    """The element with most paragraph text (link text discounted), as lines of text."""
    scores: dict[Any, float] = {}

    def credit(node: Any, weight: float) -> None:
        if node is not None:
            scores[node] = scores.get(node, 0.0) + weight

    for el in doc.iter("p", "div", "section", "td", "article", "font", "span"):
        text, links = _own_text(el) if el.tag != "p" else (clean_text(el.text_content()), _link_chars(el))
        if len(text) < 8 or links > 0.5 * len(text):
            continue
        weight = len(text) - links + 5 * len(re.findall(r"[，。；！？、,.]", text))
        if el.tag == "p" or el.tag in ("span", "font"):  # a paragraph: its container is the candidate
            parent = el.getparent()
            credit(parent, weight)
            credit(parent.getparent() if parent is not None else None, weight / 2)
        else:  # text directly in a container (text and <br>, no <p>)
            credit(el, weight)
            credit(el.getparent(), weight / 2)
    if not scores:
        return ""
    best = max(scores, key=lambda node: scores[node] * _marker_factor(node))
    if best.tag in ("body", "html"):
        return ""
    return _node_text(best)


_BYLINE = re.compile(r"来源|记者|作者|编辑|发布时间|发布日期|浏览|点击|字号")


def _trim_head(text: str, title: str | None) -> str:
    """Drop what precedes the body inside the chosen element: breadcrumb, the title, the byline."""
    lines = text.split("\n")
    if title:
        compact = re.sub(r"\s+", "", title)
        for i, line in enumerate(lines[:8]):
            if re.sub(r"\s+", "", line) == compact:
                lines = lines[i + 1:]
                break
    while lines and len(lines[0]) < 60 and (_DATE_IN_TEXT.search(lines[0]) or _BYLINE.search(lines[0])):
        lines = lines[1:]
    return "\n".join(lines)


def _trafilatura(html_text: str, url: str | None) -> dict[str, Any]:
    try:
        import trafilatura
    except ImportError:  # the reference extractor is optional at import time
        return {}
    doc = trafilatura.bare_extraction(html_text, url=url, with_metadata=True, favor_precision=True)
    if doc is None:
        return {}
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _near(text: str, anchor: str | None, span: int = 600) -> str:
    if anchor:
        pos = text.find(anchor)
        if pos >= 0:
            return text[pos + len(anchor): pos + len(anchor) + span]
    return text[:span]


# ----------------------------------------------------------------------------- extraction

def _wechat(doc: Any, html_text: str, article: Article) -> Article:
    article.is_wechat = True
    metas = _metas(doc)
    title: str | None = _first_text(doc, "#activity-name") or clean_text(metas.get("og:title", ""))
    if not title:
        m = re.search(r"var\s+msg_title\s*=\s*['\"]([^'\"]+)['\"]", html_text)
        title = clean_text(m.group(1)) if m else None
    article.title = title or None
    article.source = _first_text(doc, "#js_name")
    if not article.source:
        m = re.search(r"var\s+nickname\s*=\s*(?:htmlDecode\()?['\"]([^'\"]+)['\"]", html_text)
        article.source = clean_text(m.group(1)) if m else None
    author = _first_text(doc, "#js_author_name") or clean_text(metas.get("author", ""))
    article.author = author or article.source
    m = re.search(r"var\s+ct\s*=\s*['\"]?(\d{10})['\"]?", html_text)
    if m:
        article.published_at = normalise_time(m.group(1))
    else:
        m2 = re.search(r"var\s+publish_time\s*=\s*['\"]([^'\"]+)['\"]", html_text)
        article.published_at = normalise_time(m2.group(1)) if m2 else None
    content = doc.cssselect("#js_content")
    _strip_noise(doc)
    article.text = _node_text(content[0]) if content else ""
    return article


def extract_article(data: bytes, url: str | None = None, *, content_type: str | None = None,
                    selectors: Any = None) -> Article:
    """Extract one article page. ``selectors`` (``crawlers.sources.Selectors``) override the generic rules."""
    html_text, encoding = decode_html(data, charset_from_content_type(content_type))
    article = Article(url=url, encoding=encoding)
    try:
        doc = parse_html(html_text)
    except (ValueError, etree.ParserError) as exc:
        article.problems.append(Problem("malformed", f"not an HTML page: {exc}", url))
        return article
    if doc.cssselect("#js_content") or (url and urlsplit(url).netloc == "mp.weixin.qq.com"):
        _wechat(doc, html_text, article)
    else:
        _generic(doc, html_text, article, selectors)
    article.text = strip_navigation(article.text)
    if not article.title:
        article.problems.append(Problem("empty", "no title found", url))
    if len(article.text) < MIN_BODY:
        article.problems.append(Problem("empty", f"body too short ({len(article.text)} characters)", url))
    if not article.published_at:
        article.problems.append(Problem("empty", "no publish time found", url))
    return article


def _generic(doc: Any, html_text: str, article: Article, selectors: Any) -> None:
    metas = _metas(doc)
    sel = selectors
    article.title = _first_text(doc, getattr(sel, "title", None)) or _title(doc, metas)
    _strip_noise(doc)
    body_nodes = doc.cssselect(sel.body) if getattr(sel, "body", None) else []
    article.text = "\n".join(t for t in (_node_text(n) for n in body_nodes) if t) if body_nodes else _density_body(doc)
    article.text = _trim_head(article.text, article.title)
    page_text = _node_text(doc.find("body") if doc.find("body") is not None else doc)
    near = _near(page_text, article.title)
    stamp = _page_time(doc, metas, near, sel)
    if not stamp or len(article.text) < MIN_BODY:
        stamp = _fill_from_trafilatura(article, html_text, stamp)
    article.published_at = stamp
    article.source = _page_source(doc, metas, near, sel)
    author = metas.get("article:author") or metas.get("author") or ""
    article.author = clean_text(author) if author and not author.isdigit() else None


def _page_time(doc: Any, metas: dict[str, str], near: str, sel: Any) -> str | None:
    """Publish time: configured selector, page metadata, then the line under the title."""
    stamp = None
    sel_time = _first_text(doc, getattr(sel, "time", None))
    if sel_time:
        stamp = normalise_time(sel_time)
    if not stamp:
        for key in _META_TIME_KEYS:
            if key in metas:
                stamp = normalise_time(metas[key])
                if stamp:
                    break
    if not stamp or len(stamp) == 10:  # none yet, or only the day: the byline may say the minute
        m = _DATE_IN_TEXT.search(near)
        found = _match_time(m) if m else None
        if found and (not stamp or found.startswith(stamp)):
            stamp = found
    return stamp


def _fill_from_trafilatura(article: Article, html_text: str, stamp: str | None) -> str | None:
    """The reference extractor fills in a missing time, a too-short body, a missing title."""
    extracted = _trafilatura(html_text, article.url)
    if not stamp and extracted.get("date"):
        stamp = normalise_time(str(extracted["date"]))
    if len(article.text) < MIN_BODY and extracted.get("text"):
        article.text = "\n".join(clean_text(x) for x in str(extracted["text"]).split("\n") if clean_text(x))
    if not article.title and extracted.get("title"):
        article.title = clean_text(str(extracted["title"]))
    return stamp


def _page_source(doc: Any, metas: dict[str, str], near: str, sel: Any) -> str | None:
    """The outlet: configured selector, page metadata, then "来源：" under the title."""
    source = _first_text(doc, getattr(sel, "source", None))
    if source:
        m = _SOURCE_IN_TEXT.search(source)
        source = m.group(1) if m else source
    if not source:
        for key in _META_SOURCE_KEYS:
            if metas.get(key):
                value = clean_text(metas[key])
                m = _SOURCE_IN_TEXT.search(value)
                source = m.group(1) if m else value
                break
    if not source:
        m = _SOURCE_IN_TEXT.search(near)
        source = m.group(1) if m else None
    return source or None
