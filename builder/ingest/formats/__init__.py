"""Read a survey export (file or URL) in any of the CCADB layouts into raw records.

One public entry point, `load_export`; one private module per format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from builder.core.errors import InputRejected, Issue
from builder.ingest.format_names import Format
from builder.ingest.formats.ca_information import (
    CaInformationExport,
    load_ca_information,
    looks_like_ca_information,
)
from builder.ingest.formats.common import Export, RawRecord, decode_text
from builder.ingest.formats.csv_formats import load_ccadb_csv, load_report_csv
from builder.ingest.formats.json_export import load_json_export
from builder.ingest.formats.report_html import load_report_html
from builder.ingest.formats.summary_html import load_summary_html, looks_like_summary
from builder.ingest.formats.survey_sample import load_survey_sample_html, looks_like_survey_sample

__all__ = ["CaInformationExport", "Export", "Format", "LoadOptions", "RawRecord", "detect_format",
           "load_export", "parse_export"]


@dataclass(frozen=True)
class LoadOptions:
    format: Format = Format.AUTO
    survey: str | None = None
    """--survey: the survey title, for layouts that do not carry it (report-csv)."""
    question_ids: tuple[str, ...] = ()
    """--question-ids, by position."""
    encoding: str | None = None
    """Fallback encoding used (with a warning) only when the bytes are not UTF-8."""
    source_url: str | None = None
    """Where a saved file was downloaded from; recorded as the answers' source."""
    archived_copy: str | None = None
    """Where a saved copy was preserved (a permalink); kept for ca-information-csv only."""


def detect_format(text: str) -> Format | None:
    """Guess the layout by peeking at the content, as sqlite-utils does."""
    head = text.lstrip()[:4096]
    lower = head.lower()
    if head.startswith(("[", "{")):
        return Format.JSON
    if head.startswith("<") or "<html" in lower or "<table" in lower:
        if looks_like_survey_sample(text):
            return Format.SURVEY_SAMPLE_HTML
        return Format.SUMMARY_HTML if looks_like_summary(text) else Format.REPORT_HTML
    first_line = head.splitlines()[0] if head else ""
    cells = [c.strip().strip('"').lower() for c in first_line.split(",")]
    if cells[:2] == ["survey", "survey_id"] or "question_id" in cells:
        return Format.CCADB_CSV
    if looks_like_ca_information(first_line):
        return Format.CA_INFORMATION_CSV
    if cells and cells[0] == "ca owner":
        return Format.REPORT_CSV
    return None


def load_export(data: bytes, origin: str, options: LoadOptions) -> Export:
    """Decode and parse one export. Raises InputRejected listing every problem found."""
    export = parse_export(data, origin, options)
    if any(not i.warning for i in export.issues):
        raise InputRejected(export.issues)
    return export


def parse_export(data: bytes, origin: str, options: LoadOptions) -> Export:
    """Decode and parse one export; problems in its records are left in `export.issues`.

    Raises InputRejected only when nothing can be read (not decodable, empty, unknown
    layout), so that the records that could be read can still be validated and every
    problem of the file listed at once.
    """
    text, issues = decode_text(data, origin, options.encoding)
    if text is None:
        raise InputRejected(issues)
    if not text.strip():
        raise InputRejected([*issues, Issue(origin, None, None, "-", "empty-export",
                                            "the export is empty")])
    page_url = options.source_url or origin
    fmt = _format_of(text, origin, options.format, issues)
    loaders: dict[Format, Callable[[], Export]] = {
        Format.CCADB_CSV: lambda: load_ccadb_csv(text, origin),
        Format.REPORT_CSV: lambda: load_report_csv(text, origin, options.survey,
                                                   options.question_ids),
        Format.REPORT_HTML: lambda: load_report_html(text, origin, options.survey,
                                                     options.question_ids, page_url),
        Format.SUMMARY_HTML: lambda: load_summary_html(text, origin, options.survey,
                                                       options.question_ids, page_url),
        Format.JSON: lambda: load_json_export(text, origin),
        Format.SURVEY_SAMPLE_HTML: lambda: load_survey_sample_html(text, origin, options.survey,
                                                                   page_url),
        Format.CA_INFORMATION_CSV: lambda: load_ca_information(text, origin),
    }
    export = loaders[fmt]()
    export.issues[:0] = issues
    export.format = fmt.value
    export.source = page_url
    if isinstance(export, CaInformationExport):
        export.archived_copy = options.archived_copy
    return export


def _format_of(text: str, origin: str, fmt: Format, issues: list[Issue]) -> Format:
    """The format asked for, or the one detected; InputRejected when none is."""
    if fmt is not Format.AUTO:
        return fmt
    detected = detect_format(text)
    if detected is None:
        raise InputRejected([*issues, Issue(
            origin, 1, None, "-", "unknown-format",
            "not a CCADB export this tool reads (report-html, summary-html, "
            "survey-sample-html, report-csv, ccadb-csv, json or ca-information-csv); use "
            "--format to force one",
            text.lstrip().splitlines()[0] if text.strip() else "")])
    return detected
