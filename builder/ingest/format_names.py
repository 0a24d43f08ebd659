"""The names of the input formats (`builder import --format`), apart from their parsers:
the CLI lists them without loading any parser (formats/ re-exports them)."""

from __future__ import annotations

import enum


class Format(enum.Enum):
    AUTO = "auto"
    CCADB_CSV = "ccadb-csv"
    REPORT_HTML = "report-html"
    SUMMARY_HTML = "summary-html"
    REPORT_CSV = "report-csv"
    JSON = "json"
    SURVEY_SAMPLE_HTML = "survey-sample-html"
    """CACommunicationSurveySample: a survey's title, letter and questions, no answers."""
    CA_INFORMATION_CSV = "ca-information-csv"
    """CAInformationReportCSVFormat: CCADB field values per CA owner (not survey answers)."""
