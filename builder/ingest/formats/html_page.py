"""What the CCADB's report pages have in common: their text, cells and blocks, read by a
tolerant HTML parser (report_html.py and summary_html.py read the two layouts).

Cells hold CA-written HTML, unescaped. We keep the text a browser would show in the
cell and never the markup (nor the content of `<script>` and `<style>`, which a browser
does not show): `<br>` (and block ends) become line breaks, which separate the options
of a multiple-choice answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from builder.core.errors import Issue
from builder.core.text import fold_whitespace
from builder.ingest.formats.common import Export

_BREAKS = {"br", "p", "div", "li", "tr"}
_HEADINGS = {"h1", "h2", "h3", "h4"}
_HIDDEN = {"script", "style"}
"""Elements whose content a browser does not show."""


@dataclass
class Cell:
    tag: str
    line: int
    column: int
    parts: list[str] = field(default_factory=lambda: [""])

    def lines(self, pre: bool = False) -> list[str]:
        """Text between line breaks, whitespace folded, blanks dropped.

        `pre`: the text is shown with its newlines kept (white-space: pre-wrap), so a
        newline breaks a line as `<br>` does.
        """
        parts = [line for p in self.parts for line in p.split("\n")] if pre else self.parts
        return [t for t in (fold_whitespace(p) for p in parts) if t]

    def text(self, pre: bool = False) -> str:
        return "\n".join(self.lines(pre))


@dataclass
class Block:
    """A heading or a table, in document order."""

    kind: str  # "heading" or "table"
    level: str = ""
    text: str = ""
    line: int = 0
    rows: list[list[Cell]] = field(default_factory=list)


class TolerantHTMLParser(HTMLParser):
    """HTMLParser that reads `<![anything` other than CDATA as a browser does (a bogus
    comment) instead of raising AssertionError, as Python's parser does for it."""

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i + 3)
            return -1 if end == -1 else end + 1


class PageParser(TolerantHTMLParser):
    """Collects headings and top-level tables; nested tables are read as cell text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._in_title = False
        self._heading: Block | None = None
        self._table_depth = 0
        self._table: Block | None = None
        """The top-level table being read (a heading inside one of its cells, appended
        to `blocks` meanwhile, must not take its later rows)."""
        self._cell: Cell | None = None
        self._hidden = 0
        self.ended = False
        """`</html>` was read: the page is whole (a copy cut short lacks it)."""
        self.row_closed = True
        """The last row of a top-level table ended with `</tr>`."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN:
            self._hidden += 1
        elif tag in _HEADINGS and self._heading is None:
            self._heading = Block("heading", tag, "", line)
        elif tag == "table":
            self._table_depth += 1
            if self._table_depth == 1:
                self._table = Block("table", line=line)
                self.blocks.append(self._table)
            elif self._cell is not None:
                self._cell.parts.append("")
        elif self._table_depth == 1 and self._table is not None and tag == "tr":
            self._table.rows.append([])
            self._cell = None
            self.row_closed = False
        elif self._table_depth == 1 and self._table is not None and tag in ("td", "th"):
            table = self._table
            if not table.rows:
                table.rows.append([])
            self._cell = Cell(tag, line, col + 1)
            table.rows[-1].append(self._cell)
        elif tag in _BREAKS and self._cell is not None:
            self._cell.parts.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """`<x/>`: opened and closed at once (a `<script/>` must not hide the rest)."""
        if tag in _BREAKS and self._cell is not None:
            self._cell.parts.append("")
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "html":
            self.ended = True
        elif tag == "tr" and self._table_depth == 1:
            self.row_closed = True
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _HEADINGS and self._heading is not None and tag == self._heading.level:
            self._heading.text = fold_whitespace(self._heading.text)
            self.blocks.append(self._heading)
            self._heading = None
        elif tag == "table" and self._table_depth:
            self._table_depth -= 1
            if self._table_depth == 0:
                self._cell = None
        elif self._table_depth == 1 and tag in ("td", "th"):
            self._cell = None
        elif tag in _BREAKS and self._cell is not None:
            self._cell.parts.append("")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._in_title:
            self.title += data
        if self._heading is not None:
            self._heading.text += data
        if self._cell is not None:
            self._cell.parts[-1] += data


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def question_ids_from_url(origin: str) -> tuple[str, ...]:
    """`QuestionId=Q1,Q2,` (a trailing comma occurs in real links)."""
    query = parse_qs(urlsplit(origin).query)
    ids: list[str] = []
    for value in query.get("QuestionId", []):
        ids += [part.strip() for part in value.split(",") if part.strip()]
    return tuple(ids)


def communication_id_from_url(origin: str) -> str | None:
    """`CommunicationId=`, `CACommunicationId=`; real links also spell it `CommunicationID`."""
    query = {k.lower(): v for k, v in parse_qs(urlsplit(origin).query).items()}
    for key in ("communicationid", "cacommunicationid"):
        if query.get(key):
            return query[key][0].strip() or None
    return None


def header_texts(row: list[Cell]) -> list[str]:
    return [fold_whitespace(c.text()) for c in row]


def not_a_report(origin: str, what: str, parser: PageParser) -> Export:
    seen = parser.title.strip() or next((b.text for b in parser.blocks if b.kind == "heading"), "")
    return Export([], [Issue(origin, 1, None, "-", "not-a-report",
                             f"this page is not a CCADB {what} (a login or error page?)",
                             fold_whitespace(seen) or None)])
