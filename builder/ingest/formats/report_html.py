"""The CCADB's CACommResponsesOnlyReport page: an h1 title, the question texts, then a
`CA Owner | Response [| Response ...]` table whose cells hold CA-written HTML.
"""

from __future__ import annotations

from builder.core.errors import Issue
from builder.core.text import canonical_key, fold_whitespace
from builder.ingest.formats.common import Export, RawRecord
from builder.ingest.formats.html_page import (
    Block,
    Cell,
    PageParser,
    communication_id_from_url,
    header_texts,
    not_a_report,
    question_ids_from_url,
)


class _ReportParser(PageParser):
    """PageParser that also notes where a report's table structure does not look printed
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
        header_texts(r)[:1] == ["CA Owner"] for r in t.rows[:3])), None)
    h1 = next((b.text for b in parser.blocks if b.kind == "heading" and b.level == "h1"), "")
    if answers is None:
        return not_a_report(origin, "CACommResponsesOnlyReport page", parser)
    issues: list[Issue] = []
    title = survey or h1
    if not title:
        issues.append(Issue(origin, None, None, "h1", "missing-survey",
                            "the page has no <h1> survey title; pass --survey TITLE"))
    header_index = next(i for i, r in enumerate(answers.rows)
                        if header_texts(r)[:1] == ["CA Owner"])
    header = answers.rows[header_index]
    n = len(header) - 1
    texts = [c.text() for t in tables if t is not answers for r in t.rows for c in r
             if c.tag == "th" and c.text()]
    ids = question_ids_from_url(page_url or origin) or question_ids
    issues += _header_issues(origin, header, ids)
    if issues:
        return Export([], issues)
    question_texts = dict(zip(ids, texts, strict=False)) if len(texts) == n else {}
    issues += _forged_structure(origin, parser, tables, answers)
    rows = answers.rows[header_index + 1:]
    marked = {i - header_index - 1: line
              for i, line in parser.marked.get(id(answers), {}).items()}
    records = _owner_records(rows, marked, origin, title, ids, question_texts, issues)
    if not records and not issues:
        issues.append(Issue(origin, None, None, "-", "no-rows",
                            "the report has no CA owner rows (cut short, or not published?)"))
    return Export(records, issues, survey_title=title,
                  communication_id=communication_id_from_url(page_url or origin),
                  question_texts=question_texts)


def _header_issues(origin: str, header: list[Cell], ids: tuple[str, ...]) -> list[Issue]:
    """A column after 'CA Owner' that is not 'Response'; question ids unknown or not one
    per Response column."""
    n = len(header) - 1
    issues = [Issue(origin, cell.line, cell.column, "header", "unexpected-header",
                    "columns after 'CA Owner' must be 'Response'", cell.text())
              for cell in header[1:] if fold_whitespace(cell.text()) != "Response"]
    if not ids:
        issues.append(Issue(origin, None, None, "QuestionId", "missing-question-ids",
                            f"the page has {n} Response column(s) but the question ids are not "
                            "known: import it by its URL (QuestionId=...) or pass --question-ids"))
    elif len(ids) != n:
        issues.append(Issue(origin, header[0].line, None, "QuestionId", "question-count-mismatch",
                            f"{n} Response column(s) but {len(ids)} question id(s)",
                            ",".join(ids)))
    return issues


def _owner_records(rows: list[list[Cell]], marked: dict[int, int], origin: str, title: str,
                   ids: tuple[str, ...], question_texts: dict[str, str],
                   issues: list[Issue]) -> list[RawRecord]:
    """A record per CA owner row and question; a second row for one owner (a forged
    row) is an error, a row after cell markup (`marked`: row index -> line) a warning."""
    rows_of: dict[str, Cell] = {}
    records: list[RawRecord] = []
    n = len(ids)
    for index, row in enumerate(rows):
        if not row:
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
    return records


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
