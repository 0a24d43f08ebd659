"""A page that links to CCADB CA Communications (the Mozilla wiki's CA/Communications
page, in MediaWiki's layout): every link in its content to a CCADB report on the CCADB's
current or old host, with the CommunicationId it names and the text around it, from which
a survey title is read (`builder discover` turns them into sources)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from builder.core.errors import InputRejected, Issue
from builder.ingest.formats.common import decode_text

HOSTS = ("ccadb.my.salesforce-sites.com", "ccadb-public.secure.force.com")
"""The CCADB's current host (since 2023) and its old one, tried in this order."""
BASE_URLS = tuple(f"https://{host}/" for host in HOSTS)
FOLDER = "mozillacommunications"
REPORTS = frozenset(name.casefold() for name in (
    "CACommResponsesOnlyReport", "CACommSummaryReport", "CACommunicationSurveySample",
    "CACommResponseOptionReport", "CACommRespWithTextAndTotalsReport"))
ID_PARAMS = ("CommunicationId", "CommunicationID", "CACommunicationId")
SALESFORCE_ID = re.compile(r"a05[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?", re.ASCII)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
TITLE = re.compile(r"\b(" + "|".join(MONTHS) + r") ((?:19|20)[0-9]{2}) CA Communication"
                   r"( and Survey)?\b", re.ASCII | re.IGNORECASE)
CONTENT_ID = "mw-content-text"
BLOCKS = frozenset({"li", "tr", "p", "dd", "dt"})
"""The elements whose text is "around" a link: its list item, table row or paragraph."""
MAX_BLOCKS = 8
"""Only the innermost blocks are kept (so that unclosed ones cannot make reading quadratic)."""
HEADINGS = {"h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
INLINE = frozenset({"a", "abbr", "b", "bdi", "cite", "code", "em", "i", "kbd", "mark", "q",
                    "s", "small", "span", "strong", "sub", "sup", "tt", "u", "var"})


# -- links ------------------------------------------------------------------------------

def short_id(value: str) -> str | None:
    """A CommunicationId in its 15-letter form; an 18-letter one only if its check
    letters (Salesforce's case-encoding suffix) are right."""
    if not SALESFORCE_ID.fullmatch(value):
        return None
    if len(value) == 18:
        check = "".join("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[sum(
            1 << i for i, c in enumerate(value[n:n + 5]) if "A" <= c <= "Z")]
            for n in (0, 5, 10))
        if check != value[15:]:
            return None
    return value[:15]


def communication_id(url: str, *, any_host: bool = False) -> str | None:
    """The CommunicationId of a link to a CCADB CA Communication report, else None.

    Only http(s) on the CCADB's two hosts exactly (no user, no port), under
    /mozillacommunications/, naming one of its report pages, with one id (any of the
    three spellings of the parameter). `any_host` is for the sources' own URLs.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if not any_host and (parts.scheme.lower() not in ("http", "https")
                         or parts.hostname not in HOSTS or port is not None
                         or parts.username is not None or parts.password is not None):
        return None
    segments = parts.path.split("/")
    if len(segments) < 3 or segments[-2] != FOLDER or segments[-1].casefold() not in REPORTS:
        return None
    if not any_host and segments[:-2] != [""]:
        return None
    try:
        values = {v for k, v in parse_qsl(parts.query, keep_blank_values=True)
                  if k in ID_PARAMS}
    except ValueError:
        return None
    ids = {short_id(v) for v in values}
    return ids.pop() if len(ids) == 1 and None not in ids else None


def survey_title(text: str) -> str | None | bool:
    """The one title in `text`, written as the CCADB writes it; None if there is none,
    False if there are different ones."""
    found = {f"{m.group(1).capitalize()} {m.group(2)} CA Communication"
             + (" and Survey" if m.group(3) else "")
             for m in TITLE.finditer(" ".join(text.split()))}
    if len(found) > 1:
        return False
    return found.pop() if found else None


# -- the page -----------------------------------------------------------------------------

@dataclass(eq=False)
class Text:
    """The text of one element, as it is read; its title is looked for once, after the
    page is read (many links share a list item or a heading)."""

    parts: list[str] = field(default_factory=list)
    _title: str | None | bool = field(default=None, init=False)
    _done: bool = field(default=False, init=False)

    def title(self) -> str | None | bool:
        if not self._done:
            self._title, self._done = survey_title("".join(self.parts)), True
        return self._title


@dataclass
class Link:
    communication_id: str
    line: int
    column: int
    text: Text = field(default_factory=Text)
    around: list[Text] = field(default_factory=list)
    """The blocks around the link, innermost first, then the section headings above it,
    deepest first (filled in as they are read)."""

    def title(self) -> str | None | bool:
        """From the link text, else the innermost block around it that names a title,
        else the nearest section heading that does."""
        for text in (self.text, *self.around):
            title = text.title()
            if title is not None:
                return title
        return None


class _WikiPage(HTMLParser):
    """The CCADB links inside a MediaWiki page's <div id="mw-content-text">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.content_at: tuple[int, int] | None = None
        self.content_closed = False
        self.title: list[str] = []
        self._depth = 0  # <div> nesting inside the content
        self._blocks: list[tuple[str, Text]] = []
        self._headings: dict[int, Text] = {}
        self._heading: tuple[int, Text] | None = None
        self._link: Link | None = None
        self._hidden: str | None = None  # inside <script> / <style> / <title>

    @property
    def _inside(self) -> bool:
        return self._depth > 0

    def _text(self, data: str) -> None:
        for _, block in self._blocks:
            block.parts.append(data)
        if self._heading:
            self._heading[1].parts.append(data)
        if self._link:
            self._link.text.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._hidden = tag
        if tag == "div" and self._inside:
            self._depth += 1
        elif tag == "div" and self.content_at is None and [
                v for k, v in attrs if k == "id"] == [CONTENT_ID]:
            self.content_at, self._depth = self.getpos(), 1
        if not self._inside:
            return
        if tag not in INLINE:
            self._text(" ")
        if tag in BLOCKS:
            self._blocks = [*self._blocks[1 - MAX_BLOCKS:], (tag, Text())]
        elif tag in HEADINGS:
            self._heading = (HEADINGS[tag], Text())
        elif tag == "a" and self._link is None:
            cid = communication_id(next((v for k, v in attrs if k == "href" and v), ""))
            if cid:
                line, col = self.getpos()
                blocks = [b for _, b in reversed(self._blocks)]
                headings = [h for _, h in sorted(self._headings.items(), reverse=True)]
                self._link = Link(cid, line, col + 1, around=blocks + headings)
                self.links.append(self._link)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            self._hidden = None
        if not self._inside:
            return
        if tag == "div":
            self._depth -= 1
            self.content_closed = not self._inside
        if tag not in INLINE:
            self._text(" ")
        if tag in BLOCKS and any(t == tag for t, _ in self._blocks):
            while self._blocks.pop()[0] != tag:
                pass
        elif tag in HEADINGS and self._heading and self._heading[0] == HEADINGS[tag]:
            level, text = self._heading
            self._headings = {k: v for k, v in self._headings.items() if k < level}
            self._headings[level] = text
            self._heading = None
        elif tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._hidden == "title" and not self._inside:
            self.title.append(data)
        elif self._inside and self._hidden is None:
            self._text(data)


def read_page(data: bytes, origin: str) -> list[Link]:
    """Every CCADB communication link of a MediaWiki page; InputRejected lists every problem."""
    text, issues = decode_text(data, origin, None)
    if text is None:
        raise InputRejected([replace(i, message="the page is not valid UTF-8") for i in issues])
    if not text.strip():
        raise InputRejected([Issue(origin, None, None, "-", "empty-page", "the page is empty")])
    page = _WikiPage()
    page.feed(text)
    page.close()
    if page.content_at is None:
        issues.append(Issue(origin, None, None, "-", "not-a-wiki-page",
                            f'no <div id="{CONTENT_ID}">: not a MediaWiki page (a login or '
                            "error page?)", " ".join("".join(page.title).split())))
    elif not page.content_closed:
        line, col = page.content_at
        issues.append(Issue(origin, line, col + 1, "-", "truncated",
                            f'the <div id="{CONTENT_ID}"> opened here is never closed: '
                            "the page was cut short"))
    if "</html>" not in text.rstrip()[-2048:].lower():
        issues.append(Issue(origin, None, None, "-", "truncated",
                            "the page does not end with </html>: cut short?"))
    if not issues and not page.links:
        issues.append(Issue(origin, None, None, "-", "no-communications",
                            "the page links to no CCADB CA Communication report (on "
                            + " or ".join(HOSTS) + ")"))
    if issues:
        raise InputRejected(issues)
    return page.links
