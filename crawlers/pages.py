"""HTML pages before extraction: bytes to text, text to an lxml document, a list page's links.

Decoding trusts the bytes over the label: a page that strictly decodes as UTF-8 is UTF-8 even
when it declares GB2312 (real pages do), otherwise the declared charset is tried with GB2312 /
GBK widened to GB18030, then GB18030 and Big5, then charset-normalizer's guess. A list page
(``news_site`` sources) yields the same-site links that look like articles, in page order.
"""

from __future__ import annotations

import codecs
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_CLOSE_ROOT = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_UNTRUSTED_LABELS = {"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "windows-1252", "cp1252"}
_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_ARTICLE_PATH = re.compile(r"/20\d{2}[-/]?\d{2}|\d{6,}|/art_\d|/content_\d|/doc-|/t20\d{6}")


# ----------------------------------------------------------------------------- decoding

def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WIDEN.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, codec)``. ``declared`` is the HTTP header's charset."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, "replace"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    meta = _META_CHARSET.search(data[:4096])
    labels = [declared, meta.group(1).decode("ascii", "ignore") if meta else None]
    tried: list[str] = []
    for label in labels:
        codec = _codec(label)
        if not codec or codec in tried or (label or "").lower() in _UNTRUSTED_LABELS or codec == "utf-8":
            continue
        tried.append(codec)
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    for name in ("gb18030", "big5"):
        if name in tried:
            continue
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best), best.encoding
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests/scrapy deps
        pass
    return data.decode("gb18030", "replace"), "gb18030"


def parse_html(text: str) -> Any:
    """An lxml document from decoded HTML (an XML declaration would make lxml refuse the str)."""
    text = _XML_DECL.sub("", text, count=1)
    # a stray "</html>" mid-page (pasted snippets, CMS includes) makes libxml2 drop the rest
    text = _CLOSE_ROOT.sub("", text)
    if not text.strip():
        raise ValueError("empty document")
    return lxml.html.document_fromstring(text)


# ----------------------------------------------------------------------------- list pages

def list_page_links(data: bytes, base_url: str, *, link_pattern: str | None = None, selector: str | None = None,
                    content_type: str | None = None) -> list[str]:
    """Article links of a list page, in page order, same site, without duplicates.

    With ``link_pattern`` only URLs matching it; otherwise links whose path looks like an
    article (``.html`` / ``.shtml`` / a date or a long number in the path)."""
    html_text, _ = decode_html(data, charset_from_content_type(content_type))
    try:
        doc = parse_html(html_text)
    except (ValueError, etree.ParserError):
        return []
    anchors = doc.iter("a")
    if selector:
        anchors = [a for node in doc.cssselect(selector) for a in ([node] if node.tag == "a" else node.iter("a"))]
    host = urlsplit(base_url).netloc.lower()
    pattern = re.compile(link_pattern) if link_pattern else None
    seen: set[str] = set()
    links: list[str] = []
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != host or url in seen:
            continue
        if pattern is not None:
            if not pattern.search(url):
                continue
        elif not _ARTICLE_PATH.search(parts.path) or url == base_url:
            continue
        seen.add(url)
        links.append(url)
    return links
