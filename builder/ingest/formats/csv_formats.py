"""The two CSV layouts: ccadb-csv (one row per response record) and report-csv."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace

from builder.core.csvrows import csv_rows, data_rows
from builder.core.errors import Issue
from builder.core.model import RECORD_FIELDS
from builder.ingest.formats.common import Export, RawRecord

REQUIRED_CCADB_FIELDS = ("survey", "question_id", "question_text", "ca_owner", "response")


def _header_and_rows(text: str, origin: str, issues: list[Issue]
                     ) -> tuple[list[str] | None, Iterator[tuple[int, list[str]]]]:
    """The header (None for an empty export, with the issue added) and the rows after it."""
    rows = csv_rows(text, origin, issues)
    first = next(rows, None)
    if first is None:
        issues.append(Issue(origin, None, None, "-", "empty-export", "the export is empty"))
        return None, iter(())
    return [h.strip() for h in first[1]], rows


def _check_header(header: list[str], origin: str, allowed_repeats: set[str]) -> list[Issue]:
    issues = []
    seen: set[str] = set()
    for col, name in enumerate(header, start=1):
        if name in seen and name not in allowed_repeats:
            issues.append(Issue(origin, 1, col, name, "duplicate-header",
                                "this column name appears more than once", name))
        seen.add(name)
    return issues


def header_issues(header: list[str], origin: str, *, required: Iterable[str],
                  known: Collection[str], unknown: Issue) -> list[Issue]:
    """A repeated, missing or unknown column; `unknown` is the issue for the last, whose
    field, column and value are filled in for each such column."""
    issues = _check_header(header, origin, set())
    for name in required:
        if name not in header:
            issues.append(Issue(origin, 1, None, name, "missing-header",
                                f"required column {name!r} is missing", ",".join(header)))
    for col, name in enumerate(header, start=1):
        if name not in known:
            issues.append(replace(unknown, column=col, field=name or "-", value=name))
    return issues


def load_ccadb_csv(text: str, origin: str) -> Export:
    issues: list[Issue] = []
    header, rows = _header_and_rows(text, origin, issues)
    if header is None:
        return Export([], issues)
    issues += header_issues(header, origin, required=REQUIRED_CCADB_FIELDS, known=RECORD_FIELDS,
                            unknown=Issue(origin, 1, None, "-", "unknown-header",
                                          "column is not part of the ccadb-csv layout and is "
                                          "ignored", warning=True))
    if any(not i.warning for i in issues):
        return Export([], issues)
    index = {name: header.index(name) for name in RECORD_FIELDS if name in header}
    records = []
    for line, row in data_rows(rows, header, origin, issues):
        rec = RawRecord(origin, line)
        for name, i in index.items():
            value: str | None = row[i]
            if name not in ("response", "question_text") and value == "":
                value = None
            setattr(rec, name, value)
            rec.fields_at[name] = (line, i + 1)
        records.append(rec)
    if not records and not any(not i.warning for i in issues):  # a warning is no row
        issues.append(Issue(origin, None, None, "-", "empty-export",
                            "the export has a header but no rows"))
    return Export(records, issues)


def load_report_csv(text: str, origin: str, survey: str | None,
                    question_ids: tuple[str, ...]) -> Export:
    """The hand-made copy of a report page: `CA Owner,Response[,Response...]`."""
    issues: list[Issue] = []
    header, rows = _header_and_rows(text, origin, issues)
    if header is None:
        return Export([], issues)
    if not header or header[0] != "CA Owner":
        issues.append(Issue(origin, 1, 1, header[0] if header else "-", "missing-header",
                            "first column must be 'CA Owner'", ",".join(header)))
    for col, name in enumerate(header[1:], start=2):
        if name != "Response":
            issues.append(Issue(origin, 1, col, name, "unexpected-header",
                                "every column after 'CA Owner' must be 'Response'", name))
    n_questions = len(header) - 1
    if not survey:
        issues.append(Issue(origin, None, None, "survey", "missing-survey",
                            "report-csv does not name its survey: pass --survey TITLE"))
    if not question_ids:
        issues.append(Issue(origin, None, None, "question_id", "missing-question-ids",
                            f"report-csv has {n_questions} Response column(s) but no question "
                            "ids: pass --question-ids Q1,Q2,..."))
    elif len(question_ids) != n_questions:
        issues.append(Issue(origin, 1, None, "Response", "question-count-mismatch",
                            f"{n_questions} Response column(s) but {len(question_ids)} "
                            "question id(s) given", ",".join(question_ids)))
    if any(not i.warning for i in issues):
        return Export([], issues)
    records = []
    for line, row in data_rows(rows, header, origin, issues):
        for col, qid in enumerate(question_ids, start=2):
            records.append(RawRecord(origin, line, survey=survey, question_id=qid,
                                     ca_owner=row[0], response=row[col - 1], column=col))
    if not records and not issues:
        issues.append(Issue(origin, None, None, "-", "empty-export",
                            "the export has a header but no rows"))
    return Export(records, issues, survey_title=survey)
