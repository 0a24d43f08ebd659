"""The CCADB's CACommSummaryReport page: `CA Responses to <title>`, then a block per CA
owner holding its questions in survey order.

The summary report prints its answers escaped, with `white-space: pre-wrap`, and joins
the options of a multiple-choice answer with a newline: there a newline in the text is a
line break too. Its Visualforce template (CACommSummaryReport.page) nests an untitled
page block per contact inside each CA owner's block and repeats a one-row
`Action | Response` table per question; older or hand-saved copies hold one table per
owner. Both read the same: questions count in page order within an owner's block.
"""

from __future__ import annotations

import re

from builder.core.errors import Issue
from builder.core.text import fold_whitespace
from builder.ingest.formats.common import Export, RawRecord
from builder.ingest.formats.html_page import (
    Block,
    Cell,
    communication_id_from_url,
    header_texts,
    not_a_report,
    parse_page,
)


def looks_like_summary(text: str) -> bool:
    """A heading 'CA Responses to ...' (words in CA-written cells do not count)."""
    return bool(re.search(r"<[hH][1-4][^>]*>\s*CA\s+Responses\s+to\s", text))


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
        if header_texts(block.rows[0])[:2] != ["Action", "Response"]:
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
def load_summary_html(text: str, origin: str, survey: str | None,
                      question_ids: tuple[str, ...], page_url: str = "") -> Export:
    """CACommSummaryReport: 'CA Responses to <title>', a block per CA owner (Action | Response)."""
    parser = parse_page(text)
    heading = next((b.text for b in parser.blocks if b.kind == "heading"
                    and re.match(r"CA\s+Responses\s+to\s", b.text)), None)
    if heading is None:
        return not_a_report(origin, "CACommSummaryReport page", parser)
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
