"""The fields of the CCADB CA information record: ids, the report's columns, the title.

Shared by the import (which reads the report), the store (which names files by field id)
and the pages (which label each field), so it sits with the model, below all three.
"""

from __future__ import annotations

from dataclasses import dataclass

OWNER_COLUMN = "CA Owner Name"
FIELD_COLUMNS = ("Organizational Type", "Geographic Focus", "Primary Market / Customer Base",
                 "Company Website", "Recognized CAA Domains", "Problem Reporting Mechanism")

TITLE = "CCADB CA information"
REPORT_URL = "https://ccadb-public.secure.force.com/mozilla/CAInformationReportCSVFormat"
"""Where the report was published until 2023 (the copies of 2017-2018 came from here)."""


@dataclass(frozen=True)
class Field:
    """One column of the report."""

    id: str
    """Stable id, used in the store and in page names: [a-z-] only."""
    column: str
    """The report's column name, verbatim."""


FIELDS = tuple(Field(i, c) for i, c in zip(
    ("organizational-type", "geographic-focus", "primary-market", "company-website",
     "recognized-caa-domains", "problem-reporting-mechanism"), FIELD_COLUMNS, strict=True))
FIELD_IDS = tuple(f.id for f in FIELDS)
BY_ID = {f.id: f for f in FIELDS}
