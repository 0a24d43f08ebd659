"""CSV text read as rows, each with the line it starts on, and its problems as issues.

One set of rules for every CSV read: an import's export (builder.ingest.formats) and the
store's reference tables (data/catalog/*.csv): "unbalanced-quote", "field-too-large",
"csv-syntax" (each ends the read: what follows cannot be told apart from the field) and
"ragged-row" (a row with another number of fields than the header, left out).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from builder.core.errors import Issue

MAX_FIELD_CHARS = 1_000_000
"""A field longer than this is refused: no real answer is that long."""


def csv_rows(text: str, origin: str, issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on; parse errors become issues and end the read."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(_syntax_issue(str(exc), text, origin, start))
            return
        yield start, row
        start = reader.line_num + 1


def _syntax_issue(message: str, text: str, origin: str, start: int) -> Issue:
    if "field larger than field limit" in message:
        return Issue(origin, start, None, "-", "field-too-large",
                     f"a field is longer than {MAX_FIELD_CHARS:,} characters")
    if "unexpected end of data" in message:
        lines = text.splitlines()
        return Issue(origin, start, None, "-", "unbalanced-quote",
                     "a quoted field is never closed; every later row would be swallowed "
                     "into it", lines[start - 1] if start <= len(lines) else "")
    return Issue(origin, start, None, "-", "csv-syntax", message)


def data_rows(rows: Iterator[tuple[int, list[str]]], header: list[str], origin: str,
              issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Data rows: blank lines skipped, rows of the wrong length reported and skipped."""
    for line, row in rows:
        if not any(cell.strip() for cell in row) and len(row) <= 1:
            continue
        if len(row) != len(header):
            issues.append(Issue(origin, line, None, "-", "ragged-row",
                                f"row has {len(row)} fields, header has {len(header)}",
                                ",".join(row)))
            continue
        yield line, row
