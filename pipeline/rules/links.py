"""Which addresses the system treats as web links: an http:// or https:// address with a host
and no whitespace or control characters. A response's link is refused unless it is one, a page
links a post's source only when it is one (never ``javascript:``, ``data:`` or a local file),
and the API's schema states the same rule as a pattern. Pure."""

from __future__ import annotations

from urllib.parse import urlsplit

LINK_MAX = 2000
# The same rule as a JSON Schema pattern (the API's document; a host is checked by web_link).
WEB_LINK = r"^https?://[^\x00-\x20\x7f]+$"


def web_link(url: str | None) -> str | None:
    """``url`` (stripped) when it is an http(s) address with a host, at most ``LINK_MAX``
    characters, without whitespace or control characters; otherwise None."""
    text = (url or "").strip()
    if not text or len(text) > LINK_MAX or any(c.isspace() or ord(c) < 32 or ord(c) == 0x7F for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # "http://[::1" and the like
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
