"""Encode untrusted text for generated Markdown pages, and the few HTML pieces we write.

Markdown, HTML, Jinja and every extension's syntax are made of ASCII punctuation, so
writing each punctuation character of untrusted text as a numeric character
reference means data can never form syntax while readers see the original text.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Mapping

import yaml
from markupsafe import Markup

from builder.core.errors import BuildFailed
from builder.core.text import clean_for_display

_PUNCTUATION = frozenset(string.punctuation)
# Line breaks other than LF (clean_for_display already made them LF): should one get
# here, it is written as a reference, so a value stays on the line the template gave it.
_LINE_SEPARATORS = frozenset("\u2028\u2029\x85\x0b\x0c\r")
_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"'`]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_SAFE_URL = re.compile(r"^(?:https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s<>\"'`\\]*)?|"
                       r"mailto:[^\s<>\"'`\\]+)$")
_TRAILING = ".,;:!?'\"*_"
_NONCHARACTERS = re.compile("[\ufdd0-\ufdef\ufffe\uffff]")
GENERATED_KEY, GENERATED_VALUE = "csr_generated", "html"
"""The front-matter mark of a generated page: its body is HTML, which the csr-html MkDocs
plugin (mkdocs_html.py) publishes without Markdown."""


_ENCODED = {ord(ch): f"&#{ord(ch)};" for ch in _PUNCTUATION | _LINE_SEPARATORS} | {
    ord("\n"): "<br>", ord("\t"): "&#9;"}
"""What encode writes for each character it changes (str.translate's table)."""


def encode(value: object) -> Markup:
    """Untrusted text -> Markup that shows the same text and can form no syntax."""
    if isinstance(value, Markup):
        return value
    text = clean_for_display(str(value))
    encoded = text.translate(_ENCODED)
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


def _title_text(value: str) -> str:
    """A page title as the theme may print it: one line, HTML-escaped (the theme prints
    it raw through `striptags`), noncharacters replaced."""
    text = _NONCHARACTERS.sub("\ufffd", clean_for_display(value)).replace("\n", " ").replace(
        "\t", " ")
    return html.escape(text, quote=True)


def _dump(meta: dict[str, str]) -> str:
    # A real YAML emitter, double-quoted and ASCII only: every character beyond ASCII
    # (U+2028, NEL, ...) is an escape, so no value can end a line or the front matter.
    return yaml.safe_dump(meta, default_style='"', allow_unicode=False, sort_keys=False,
                          width=float("inf"))


def yaml_title(value: str) -> str:
    """A page title as one double-quoted YAML scalar (see front_matter)."""
    return _dump({"t": _title_text(value)}).removeprefix('"t": ').rstrip("\n")


def front_matter(title: str, **fields: str) -> str:
    """The front matter of a generated page: its title, the mark that its body is HTML,
    and fields the builder made.

    The block is read back the way MkDocs reads it; anything else than exactly what
    was meant fails the build (MkDocs would silently render a broken block as text).
    """
    meta = {"title": _title_text(title), GENERATED_KEY: GENERATED_VALUE} | fields
    block = f"---\n{_dump(meta)}---\n"
    check_front_matter(block, meta)
    return block


def check_front_matter(page: str, meta: Mapping[str, object] | None = None) -> None:
    """Raise BuildFailed unless a page's front matter parses as MkDocs parses it (to
    `meta` when given). A page that does not begin with `---` has none to check."""
    from mkdocs.utils.meta import get_data

    if not page.startswith("---"):
        return
    _, found = get_data(page)
    if not found or (meta is not None and found != meta):
        raise BuildFailed(f"front matter does not parse back as written: {page[:200]!r}")
