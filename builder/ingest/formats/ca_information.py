"""The CCADB's CA information report (`CAInformationReportCSVFormat`): one row per CA owner.

Its values are CCADB fields as published on a date, not survey answers, so it is read
into its own rows (`CaInformationExport.rows`), never into answer records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.core.cainfo_fields import FIELD_COLUMNS, OWNER_COLUMN
from builder.core.csvrows import data_rows
from builder.core.errors import Issue
from builder.core.text import canonical_key
from builder.ingest.formats.common import Export
from builder.ingest.formats.csv_formats import _header_and_rows, header_issues

HEADER = (OWNER_COLUMN, *FIELD_COLUMNS)
"""The report's header, verbatim, in its order (every copy of 2017-2018 has exactly it)."""


def looks_like_ca_information(first_line: str) -> bool:
    cells = [c.strip().strip('"').lower() for c in first_line.split(",")]
    return bool(cells) and cells[0] == OWNER_COLUMN.lower()


@dataclass(frozen=True)
class OwnerRow:
    """One CA owner's row, values verbatim, with the line it starts on."""

    line: int
    owner_name: str
    owner_key: str
    values: dict[str, str]
    """Column name -> value, for every column of FIELD_COLUMNS."""


@dataclass
class CaInformationExport(Export):
    """An Export whose content is CA-information rows (its `records` stay empty)."""

    rows: list[OwnerRow] = field(default_factory=list)
    archived_copy: str | None = None
    """Where this copy was preserved (a permalink), beside the report URL it came from."""


def _header_issues(header: list[str], origin: str) -> list[Issue]:
    return header_issues(header, origin, required=HEADER, known=HEADER,
                         unknown=Issue(origin, 1, None, "-", "unexpected-header",
                                       "not a column of the CCADB CA information report"))


def load_ca_information(text: str, origin: str) -> CaInformationExport:
    """Every row, or every problem: header, ragged rows, empty or repeated owners."""
    issues: list[Issue] = []
    header, rows = _header_and_rows(text, origin, issues)
    if header is None:
        return CaInformationExport([], issues)
    issues += _header_issues(header, origin)
    if any(not i.warning for i in issues):
        return CaInformationExport([], issues)
    index = {name: header.index(name) for name in HEADER}
    owners: list[OwnerRow] = []
    first_line: dict[str, int] = {}
    for line, row in data_rows(rows, header, origin, issues):
        name = row[index[OWNER_COLUMN]]
        key = canonical_key(name)
        column = index[OWNER_COLUMN] + 1
        if not key:
            issues.append(Issue(origin, line, column, OWNER_COLUMN, "empty-owner",
                                "the CA owner name is empty", name))
            continue
        if key in first_line:
            issues.append(Issue(origin, line, column, OWNER_COLUMN, "duplicate-owner",
                                f"this CA owner already has a row on line {first_line[key]}; "
                                "the report has one row per CA owner", name))
            continue
        first_line[key] = line
        owners.append(OwnerRow(line, name, key, {c: row[index[c]] for c in FIELD_COLUMNS}))
    if not owners and not any(not i.warning for i in issues):
        issues.append(Issue(origin, None, None, "-", "empty-export",
                            "the report has a header but no rows"))
    return CaInformationExport([], issues, rows=owners, complete_owner_list=True)
