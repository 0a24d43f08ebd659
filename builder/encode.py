"""Encode untrusted text for generated Markdown pages, and the few HTML pieces we write.

Markdown, HTML, Jinja and every extension's syntax are made of ASCII punctuation, so
writing each punctuation character of untrusted text as a numeric character
reference means data can never form syntax while readers see the original text.
"""

from __future__ import annotations

import html
import re
import string

from markupsafe import Markup

from builder.text import clean_for_display

_PUNCTUATION = frozenset(string.punctuation)
# Characters some parsers treat as line breaks; written as references so a value
# always stays on the line the template gave it.
_LINE_SEPARATORS = frozenset("\u2028\u2029\x85")
_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"'`]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SAFE_URL = re.compile(r"^(?:https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s<>\"'`\\]*)?|"
                       r"mailto:[^\s<>\"'`\\]+)$")
_TRAILING = ".,;:!?'\"*_"
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")


def _encode_char(ch: str) -> str:
    if ch in _PUNCTUATION or ch in _LINE_SEPARATORS:
        return f"&#{ord(ch)};"
    if ch == "\n":
        return "<br>"
    if ch == "\t":
        return "&#9;"
    return ch


def encode(value: object) -> Markup:
    """Untrusted text -> Markup that shows the same text and can form no syntax."""
    if isinstance(value, Markup):
        return value
    text = clean_for_display(str(value))
    encoded = "".join(_encode_char(ch) for ch in text)
    # A run of spaces at a line start could become an indented code block or a list.
    encoded = encoded.replace("  ", " &#32;")
    if encoded.startswith(" "):
        encoded = "&#32;" + encoded[1:]
    return Markup(encoded)


def encode_lines(value: str) -> Markup:
    """Like encode, but inline http(s)/mailto URLs and e-mail addresses become links."""
    text = clean_for_display(value)
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        while url and url[-1] in _TRAILING:
            url = url[:-1]
        if url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        start, end = match.start(), match.start() + len(url)
        target = url if "://" in url or url.startswith("mailto:") else "mailto:" + url
        if not _SAFE_URL.match(target):
            continue
        out.append(encode(text[pos:start]))
        out.append(link(target, url, external=True))
        pos = end
    out.append(encode(text[pos:]))
    return Markup("".join(out))


def attr(value: str) -> Markup:
    """A value for a double-quoted HTML attribute the builder writes."""
    return Markup(html.escape(clean_for_display(value), quote=True))


def link(href: str, text: object, *, external: bool = False, extra: str = "") -> Markup:
    """An <a> written by the builder; external links get rel='nofollow ugc noopener'."""
    rel = ' rel="nofollow ugc noopener"' if external else ""
    return Markup(f'<a href="{attr(href)}"{rel}{extra}>{encode(text)}</a>')


def safe_external_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) URL; anything else is not to be linked."""
    if url and _SAFE_URL.match(url) and not url.startswith("mailto:"):
        return url
    return None


def yaml_title(value: str) -> str:
    """A page title for front matter: HTML-escaped (the theme prints it raw), YAML-quoted."""
    text = _NONCHARACTERS.sub("\ufffd", clean_for_display(value)).replace("\n", " ").replace(
        "\t", " ")
    escaped = html.escape(text, quote=True)
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'
