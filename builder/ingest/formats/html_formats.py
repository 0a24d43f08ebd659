"""The CCADB report pages: CACommResponsesOnlyReport and CACommSummaryReport.

Cells hold CA-written HTML, unescaped. We keep the text a browser would show in the
cell and never the markup (nor the content of `<script>` and `<style>`, which a browser
does not show): `<br>` (and block ends) become line breaks, which separate the options
of a multiple-choice answer. The summary report prints its answers escaped, with
`white-space: pre-wrap`, and joins the options of a multiple-choice answer with a
newline: there a newline in the text is a line break too.

The summary report's Visualforce template (CACommSummaryReport.page) nests an untitled
page block per contact inside each CA owner's block and repeats a one-row
`Action | Response` table per question; older or hand-saved copies hold one table per
owner. Both read the same: questions count in page order within an owner's block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from builder.core.errors import Issue
from builder.core.text import canonical_key, fold_whitespace
from builder.ingest.formats.common import Export, RawRecord

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


class _PageParser(TolerantHTMLParser):
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


def _parse(text: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    return parser


def looks_like_summary(text: str) -> bool:
    """A heading 'CA Responses to ...' (words in CA-written cells do not count)."""
    return bool(re.search(r"<[hH][1-4][^>]*>\s*CA\s+Responses\s+to\s", text))


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


def _header_texts(row: list[Cell]) -> list[str]:
    return [fold_whitespace(c.text()) for c in row]


def _not_a_report(origin: str, what: str, parser: _PageParser) -> Export:
    seen = parser.title.strip() or next((b.text for b in parser.blocks if b.kind == "heading"), "")
    return Export([], [Issue(origin, 1, None, "-", "not-a-report",
                             f"this page is not a CCADB {what} (a login or error page?)",
                             fold_whitespace(seen) or None)])


class _ReportParser(_PageParser):
    """_PageParser that also notes where a report's table structure does not look printed
    by the CCADB's template, which writes every `<tr>`, `<td>`, `</td>`, `</tr>` and
    `</table>` first on its line, and closes every cell and row itself.

    The CCADB prints CA-written cell text unescaped, so a cell can close its row and
    open others (a forged row). A tag out of that layout, a start tag inside an open cell
    or an end tag with nothing to close, is such markup: the next row is marked.
    """

    _STRUCTURE = {"tr", "td", "th"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self._lines = text.split("\n")  # HTMLParser counts lines at "\n" only
        self.marked: dict[int, dict[int, int]] = {}
        """id(table) -> index of a row -> line of the markup before it."""
        self.outside: list[tuple[int, int]] = []
        """(line, column) of rows outside any table (after a forged </table>)."""
        self._pending: int | None = None
        self._row_open = False

    def _first_on_line(self) -> bool:
        line, column = self.getpos()
        return not self._lines[line - 1][:column].strip()

    def _flag(self, this_row: bool = False) -> None:
        """Mark the next row, or (a cell out of layout) the row being read."""
        if this_row and self._table is not None and self._table.rows:
            rows = self.marked.setdefault(id(self._table), {})
            rows.setdefault(len(self._table.rows) - 1, self.getpos()[0])
        elif self._pending is None:
            self._pending = self.getpos()[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and self._table_depth == 0 and not self._hidden:
            line, column = self.getpos()
            self.outside.append((line, column + 1))
        elif tag in self._STRUCTURE and self._table_depth == 1:
            if self._cell is not None or not self._first_on_line() or (
                    tag == "tr" and self._row_open):
                self._flag(this_row=tag != "tr")
        elif tag == "table" and self._table_depth == 0:
            self._pending = None
        super().handle_starttag(tag, attrs)
        if tag == "tr" and self._table_depth == 1 and self._table is not None:
            self._row_open = True
            if self._pending is not None:
                rows = self.marked.setdefault(id(self._table), {})
                rows[len(self._table.rows) - 1] = self._pending
                self._pending = None

    def handle_endtag(self, tag: str) -> None:
        if self._table_depth == 1 and tag in ("td", "tr", "table") and (
                not self._first_on_line() or (tag == "td" and self._cell is None)
                or (tag == "tr" and not self._row_open)):
            self._flag()
        super().handle_endtag(tag)
        if tag == "tr" and self._table_depth == 1:
            self._row_open = False


def load_report_html(text: str, origin: str, survey: str | None,
                     question_ids: tuple[str, ...], page_url: str = "") -> Export:
    """CACommResponsesOnlyReport: h1 title, question-text table, CA Owner | Response table."""
    parser = _ReportParser(text)
    parser.feed(text)
    parser.close()
    tables = [b for b in parser.blocks if b.kind == "table"]
    answers = next((t for t in tables if t.rows and any(
        _header_texts(r)[:1] == ["CA Owner"] for r in t.rows[:3])), None)
    h1 = next((b.text for b in parser.blocks if b.kind == "heading" and b.level == "h1"), "")
    if answers is None:
        return _not_a_report(origin, "CACommResponsesOnlyReport page", parser)
    issues: list[Issue] = []
    title = survey or h1
    if not title:
        issues.append(Issue(origin, None, None, "h1", "missing-survey",
                            "the page has no <h1> survey title; pass --survey TITLE"))
    header_index = next(i for i, r in enumerate(answers.rows)
                        if _header_texts(r)[:1] == ["CA Owner"])
    header = answers.rows[header_index]
    n = len(header) - 1
    for cell in header[1:]:
        if fold_whitespace(cell.text()) != "Response":
            issues.append(Issue(origin, cell.line, cell.column, "header", "unexpected-header",
                                "columns after 'CA Owner' must be 'Response'", cell.text()))
    texts = [c.text() for t in tables if t is not answers for r in t.rows for c in r
             if c.tag == "th" and c.text()]
    ids = question_ids_from_url(page_url or origin) or question_ids
    if not ids:
        issues.append(Issue(origin, None, None, "QuestionId", "missing-question-ids",
                            f"the page has {n} Response column(s) but the question ids are not "
                            "known: import it by its URL (QuestionId=...) or pass --question-ids"))
    elif len(ids) != n:
        issues.append(Issue(origin, header[0].line, None, "QuestionId", "question-count-mismatch",
                            f"{n} Response column(s) but {len(ids)} question id(s)",
                            ",".join(ids)))
    if issues:
        return Export([], issues)
    question_texts = dict(zip(ids, texts, strict=False)) if len(texts) == n else {}
    records = []
    issues += _forged_structure(origin, parser, tables, answers)
    marked = parser.marked.get(id(answers), {})
    rows_of: dict[str, Cell] = {}
    for index, row in enumerate(answers.rows):
        if index <= header_index or not row:
            continue
        owner = fold_whitespace(row[0].text())
        first = rows_of.setdefault(canonical_key(owner), row[0])
        if first is not row[0]:
            issues.append(Issue(origin, row[0].line, row[0].column, "ca_owner",
                                "duplicate-owner-row",
                                f"a second row for the CA owner of line {first.line} "
                                f"({first.text()!r}): a CA's cell text can close its row and "
                                "forge another; compare with the CACommSummaryReport", owner))
            continue
        if index in marked:
            issues.append(Issue(origin, row[0].line, row[0].column, "ca_owner",
                                "row-after-cell-markup",
                                f"this row follows row or table markup inside a cell (line "
                                f"{marked[index]}): CA-written text may have forged it; "
                                "compare with the CACommSummaryReport", owner, warning=True))
        if len(row) != n + 1:
            issues.append(Issue(origin, row[0].line, None, "-", "ragged-row",
                                f"row has {len(row) - 1} answer cell(s), expected {n}", owner))
            continue
        for qid, cell in zip(ids, row[1:], strict=True):
            records.append(RawRecord(origin, cell.line, survey=title, question_id=qid,
                                     question_text=question_texts.get(qid), ca_owner=owner,
                                     response=cell.text(), column=cell.column, html_cell=True,
                                     fields_at={"ca_owner": (row[0].line, row[0].column)}))
    if not records and not issues:
        issues.append(Issue(origin, None, None, "-", "no-rows",
                            "the report has no CA owner rows (cut short, or not published?)"))
    return Export(records, issues, survey_title=title,
                  communication_id=communication_id_from_url(page_url or origin),
                  question_texts=question_texts)


OwnerBlock = tuple[str, tuple[int | None, int | None], list[list[Cell]]]


def _owner_blocks(blocks: list[Block], heading: str, origin: str,
                  issues: list[Issue]) -> list[OwnerBlock]:
    """Each CA owner with its action rows, in page order, across all its tables.

    A new owner title starts a new block. An empty heading right after an owner's title
    is the template's untitled per-contact block; anywhere else it ends the owner's block
    (rows are never given to an owner whose title they do not follow). A table whose
    header is not `Action | Response` is layout, or the owner's title as a one-cell table.
    """
    found: list[OwnerBlock] = []
    owner: str | None = None
    owner_at: tuple[int | None, int | None] = (None, None)
    for block in blocks:
        if block.kind == "heading" and block.text != heading:
            if block.text:
                owner, owner_at = block.text, (block.line, None)
                found.append((owner, owner_at, []))
            elif not (owner and found and not found[-1][2]):
                owner = None
            continue
        if block.kind != "table" or not block.rows:
            continue
        if _header_texts(block.rows[0])[:2] != ["Action", "Response"]:
            if len(block.rows[0]) == 1 and block.rows[0][0].tag == "th":
                cell = block.rows[0][0]  # the owner's title as a one-cell table
                owner, owner_at = fold_whitespace(cell.text()), (cell.line, cell.column)
                found.append((owner, owner_at, []))
            continue
        if not owner:
            issues.append(Issue(origin, block.line, None, "owner", "missing-owner",
                                "an Action | Response table has no CA owner title before it"))
            continue
        found[-1][2].extend(r for r in block.rows[1:] if r)
    return found
def _forged_structure(origin: str, parser: _ReportParser, tables: list[Block],
                      answers: Block) -> list[Issue]:
    """Rows after the answers table's end: a cell that closed the table would otherwise
    hide every later CA owner (and a full import would record them withdrawn)."""
    issues = [Issue(origin, line, column, "-", "row-outside-table",
                    "a table row after the end of a table: a CA's cell text may have "
                    "closed the answers table early") for line, column in parser.outside]
    for table in tables[tables.index(answers) + 1:]:
        if any(table.rows):
            issues.append(Issue(origin, table.line, None, "-", "table-after-answers",
                                "another table with rows after the answers table: a CA's cell "
                                "text may have closed the answers table early"))
    return issues


def load_summary_html(text: str, origin: str, survey: str | None,
                      question_ids: tuple[str, ...], page_url: str = "") -> Export:
    """CACommSummaryReport: 'CA Responses to <title>', a block per CA owner (Action | Response)."""
    parser = _parse(text)
    heading = next((b.text for b in parser.blocks if b.kind == "heading"
                    and re.match(r"CA\s+Responses\s+to\s", b.text)), None)
    if heading is None:
        return _not_a_report(origin, "CACommSummaryReport page", parser)
    title = survey or re.sub(r"^CA\s+Responses\s+to\s+", "", heading).strip()
    issues: list[Issue] = []
    blocks = _owner_blocks(parser.blocks, heading, origin, issues)
    if not parser.ended and not parser.row_closed and blocks and blocks[-1][2]:
        # A copy cut short inside its last row: that row's text is not all there.
        row = blocks[-1][2].pop()
        issues.append(Issue(origin, row[0].line, row[0].column, "-", "cut-short",
                            "the page stops inside this row (a copy cut short): the row is "
                            "left out", fold_whitespace(row[0].text())[:60], warning=True))
    records: list[RawRecord] = []
    for owner, owner_at, rows in blocks:
        if question_ids and len(question_ids) != len(rows):
            issues.append(Issue(origin, owner_at[0], None, "Action", "question-count-mismatch",
                                f"{len(rows)} action row(s) but {len(question_ids)} question "
                                "id(s) given", owner))
            continue
        for pos, row in enumerate(rows):
            if len(row) != 2:
                issues.append(Issue(origin, row[0].line, None, "-", "ragged-row",
                                    f"row has {len(row)} cell(s), expected 2", owner))
                continue
            action, response = row
            records.append(RawRecord(
                origin, response.line, survey=title,
                question_id=question_ids[pos] if question_ids else None,
                question_order=pos + 1, question_text=action.text(), ca_owner=owner,
                response=response.text(pre=True), column=response.column, html_cell=True,
                fields_at={"ca_owner": owner_at}))
    if not records and not issues:
        issues.append(Issue(origin, None, None, "-", "no-rows",
                            "the summary has no CA owner blocks (cut short, or not published?)"))
    return Export(records, issues, survey_title=title,
                  communication_id=communication_id_from_url(page_url or origin))
