"""CSV text read as rows, each with the line it starts on, and its problems as issues.

One set of rules for every CSV read: an import's export (builder.ingest.formats) and the
store's reference tables (data/catalog/*.csv): "unbalanced-quote", "field-too-large",
"csv-syntax" (each ends the read: what follows cannot be told apart from the field) and
"ragged-row" (a row with another number of fields than the header, left out).
"""

from __future__ import annotations

import csv
import io
import itertools
import sys
from collections.abc import Iterator

from builder.core.errors import Issue, shorten

MAX_FIELD_CHARS = 1_000_000
"""A field longer than this is refused: no real answer is that long."""


def csv_rows(text: str, origin: str, issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Rows with the line each starts on; parse errors become issues and end the read."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start, header = 1, None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(_syntax_issue(str(exc), text, origin, start, header))
            return
        yield start, row
        header = row if header is None else header
        start = reader.line_num + 1


def _syntax_issue(message: str, text: str, origin: str, start: int,
                  header: list[str] | None) -> Issue:
    if "field larger than field limit" in message:
        return _too_large(text, origin, start, header)
    if "unexpected end of data" in message:
        line = next(_lines_from(text, start), "").rstrip("\r\n")
        return Issue(origin, start, None, "-", "unbalanced-quote",
                     "a quoted field is never closed; every later row would be swallowed "
                     "into it", line)
    return Issue(origin, start, None, "-", "csv-syntax", message)


def _too_large(text: str, origin: str, start: int, header: list[str] | None) -> Issue:
    """The field-too-large issue with the column, its header name and the field's start:
    the row that starts on line `start` read again without the limit (once, on error)."""
    lines = _lines_from(text, start)
    limit = csv.field_size_limit(sys.maxsize)
    try:
        row = next(csv.reader(lines, strict=True), [])
    except csv.Error:  # the row has another problem after the long field
        row = []
    finally:
        csv.field_size_limit(limit)
    message = f"a field is longer than {MAX_FIELD_CHARS:,} characters"
    for column, cell in enumerate(row, start=1):
        if len(cell) > MAX_FIELD_CHARS:
            name = header[column - 1] if header and column <= len(header) else "-"
            return Issue(origin, start, column, name, "field-too-large",
                         f"{message} (this one has {len(cell):,})", shorten(cell))
    return Issue(origin, start, None, "-", "field-too-large", message)


def _lines_from(text: str, start: int) -> Iterator[str]:
    """The lines of text from line `start` on, split as the reader splits them (only at
    CR, LF and CRLF, unlike str.splitlines)."""
    lines = io.StringIO(text, newline="")
    for _ in itertools.islice(lines, start - 1):
        pass
    return lines


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
