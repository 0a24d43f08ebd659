"""`builder discover`: follow every CCADB CA Communication a page links to.

One public entry point, `discover`. It reads a page (a file or a URL; the real one is the
Mozilla wiki's CA/Communications page), finds every link in the page's content to a CCADB
CA Communication report on the CCADB's current or old host, and adds to data/sources.json
the summary report and the survey sample page of each communication not yet followed.

Nothing of a link but its CommunicationId is kept: the sources point at the CCADB hosts
this module names, never at a URL of the page's choosing. A survey title is kept only
when it reads exactly `<Month> <year> CA Communication[ and Survey]`; a communication
whose title cannot be found is reported and skipped (a placeholder title would make every
fetch of it fail, as the fetch checks the title the page carries).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from builder.core.errors import InputRejected, Issue
from builder.core.text import canonical_key
from builder.ingest.fetch import SOURCES_FILE, Source, _read_sources
from builder.ingest.formats import Format
from builder.ingest.formats.common import decode_text
from builder.ingest.importer import read_source
from builder.store.durable import write_files
from builder.store.records import writes_store

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


@dataclass(frozen=True)
class Followed:
    """A report of each communication that the fetch follows."""

    kind: str
    format: Format
    report: str
    param: str
    partial: bool | None


FOLLOWED = (
    # The summary report holds every CA owner's answer to every question: a complete capture.
    Followed("summary", Format.SUMMARY_HTML, "CACommSummaryReport", "CommunicationId", False),
    Followed("survey-sample", Format.SURVEY_SAMPLE_HTML, "CACommunicationSurveySample",
             "CACommunicationId", None),
)


# -- links ------------------------------------------------------------------------------

def _short_id(value: str) -> str | None:
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
    ids = {_short_id(v) for v in values}
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


# -- the sources --------------------------------------------------------------------------

@dataclass(frozen=True)
class Discovery:
    """What one run found and did."""

    origin: str
    communications: tuple[str, ...]
    """The CommunicationIds the page links to, in page order."""
    added: tuple[dict[str, object], ...]
    warnings: tuple[Issue, ...]
    written: bool

    def lines(self) -> list[str]:
        added = [f"added {s['id']}: {s['survey']} ({s['format']})" for s in self.added]
        return added + [f"{self.origin}: {len(self.communications)} CA Communication(s) "
                        f"linked; {len(self.added)} source(s) added"
                        + ("" if self.written else f"; {SOURCES_FILE} unchanged")]


def _catalog_titles(data_dir: Path) -> dict[str, str]:
    """CommunicationId -> title, from data/catalog/communications.csv (real, hand-checked)."""
    path = data_dir / "catalog" / "communications.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {cid: row["title"] for row in csv.DictReader(fh)
                if (cid := _short_id(row.get("communication_id") or "")) and row.get("title")}


def _source_entry(followed: Followed, cid: str, title: str, sid: str,
                  note: str) -> dict[str, object]:
    entry: dict[str, object] = {"id": sid, "survey": title, "format": followed.format.value}
    if followed.partial is not None:
        entry["partial"] = followed.partial
    entry.update(base_urls=list(BASE_URLS),
                 path=f"{FOLDER}/{followed.report}?{followed.param}={cid}", note=note)
    return entry


def _page_title(links: list[Link]) -> str | None | bool:
    """The title every link of one communication agrees on (None: none; False: several)."""
    found = {link.title() for link in links} - {None}
    return False if len(found) > 1 or False in found else (found.pop() if found else None)


Problem = tuple[str, str, str | None]
"""Why a communication is skipped: code, message, value."""


def _title(cid: str, links: list[Link], known: dict[str, str], catalog: dict[str, str],
           owner: dict[str, str]) -> str | Problem:
    """The survey title of a communication: the one sources.json already gives it, else the
    catalogue's, else the page's; a problem if none, several, or another one's."""
    title = known.get(cid) or catalog.get(cid) or _page_title(links)
    if title is None:
        return ("no-title", "no survey title ('<Month> <year> CA Communication') in the link "
                "text, its list item or table row, or its section heading", None)
    if title is False:
        return ("ambiguous-title", "the page names different survey titles around its links",
                None)
    other = owner.get(canonical_key(str(title)), cid)
    if other != cid:
        return ("title-taken", f"the title is that of {other} in {SOURCES_FILE}", str(title))
    return str(title)


def _plan(links: Iterable[Link], sources: list[Source], catalog: dict[str, str],
          origin: str, note: str) -> tuple[list[dict[str, object]], list[Issue]]:
    """The sources to add, and what was skipped (as warnings)."""
    followed = {(s.format, communication_id(s.urls[0], any_host=True)) for s in sources}
    known = {cid: s.survey for s in sources
             if (cid := communication_id(s.urls[0], any_host=True))}
    owner = {canonical_key(t): cid for cid, t in known.items()}
    ids = {s.id for s in sources}
    by_id: dict[str, list[Link]] = {}
    for link in links:
        by_id.setdefault(link.communication_id, []).append(link)
    added: list[dict[str, object]] = []
    warnings: list[Issue] = []
    for cid, its in by_id.items():
        missing = [f for f in FOLLOWED if (f.format, cid) not in followed]
        if not missing:
            continue
        title = _title(cid, its, known, catalog, owner)
        if isinstance(title, tuple):
            code, message, value = title
            warnings.append(Issue(origin, its[0].line, its[0].column, "href", code,
                                  f"CommunicationId {cid}: {message}; not added", value,
                                  warning=True))
            continue
        owner[canonical_key(title)] = cid
        month, year = title.split()[:2]
        for f in missing:
            sid = f"{month.lower()}-{year}-{f.kind}"
            sid = sid if sid not in ids else f"{sid}-{cid.lower()}"
            ids.add(sid)
            added.append(_source_entry(f, cid, title, sid, note))
    return added, warnings


def _note(source: str) -> str:
    """Where a source was found: a page's address without query or user, never a local path
    (which would be published with the data)."""
    if not source.startswith(("http://", "https://")):
        return "Found by builder discover in a saved copy of a page."
    parts = urlsplit(source)
    port = f":{parts.port}" if parts.port else ""
    return f"Found by builder discover on {parts.scheme}://{parts.hostname}{port}{parts.path}"


@writes_store  # sources.json is part of the store: one writer at a time
def discover(source: str, data_dir: Path) -> Discovery:
    """Add the sources of every new communication `source` links to; raises InputRejected
    (and writes nothing) for a page it cannot read."""
    sources_path = data_dir / SOURCES_FILE
    known = _read_sources(sources_path)  # a broken sources.json stops before any request
    data, origin = read_source(source)
    links = read_page(data, origin)
    added, warnings = _plan(links, known, _catalog_titles(data_dir), origin, _note(source))
    written = False
    if added:
        raw = json.loads(sources_path.read_text(encoding="utf-8"))
        raw["sources"].extend(added)
        text = json.dumps(raw, ensure_ascii=False, indent=2) + "\n"
        written = bool(write_files(data_dir, {SOURCES_FILE: text}))
    cids = tuple(dict.fromkeys(link.communication_id for link in links))
    return Discovery(origin, cids, tuple(added), tuple(warnings), written)
