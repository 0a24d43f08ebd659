"""`builder import` of a CCADB CA information report copy: check, merge, save."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from builder.core.errors import BuilderError, InputRejected, Issue
from builder.core.model import Capture, ReportCopy
from builder.ingest.cainfo import apply_copy, is_older, snapshot
from builder.ingest.formats import CaInformationExport
from builder.ingest.importer import ImportResult
from builder.store.records import check_store, load_store, save_store


def import_ca_information(export: CaInformationExport, origin: str, data_dir: Path, *,
                          partial: bool, observed_at: str, capture: Capture) -> ImportResult:
    """Merge one copy of the report into data/; data/ is untouched on any failure.

    Its values are shown as published on the copy's date, so that date must be known
    (a live capture, or --captured-at), and copies go in oldest first: an older copy
    after a newer one would record the old values as the latest.
    """
    if partial:  # the pages say which copies showed a value: a cut-short copy cannot
        raise BuilderError("--partial is not for ca-information-csv: each copy of the report "
                           "is read whole, and a CA owner missing from it is no longer in it")
    issues = list(export.issues)
    store = load_store(data_dir, surveys=())  # its own record: no survey is read or written
    newest = store.ca_information.latest_capture()
    if capture.at is None:
        issues.append(Issue(origin, None, None, "captured_at", "missing-capture-date",
                            "a CA information copy is shown as the values published on its "
                            "date: give the date of the copy with --captured-at DATE"))
    elif newest and is_older(capture.at, newest):
        issues.append(Issue(origin, None, None, "captured_at", "older-copy",
                            f"the record already holds a copy of {newest}; import copies "
                            "oldest first", capture.at))
    if any(not i.warning for i in issues):
        raise InputRejected(sorted(issues, key=lambda i: (i.line or 0, i.column or 0)))
    incoming = snapshot(export.rows, export.source, export.archived_copy, capture, observed_at)
    changes = apply_copy(store.ca_information, incoming, observed_at=observed_at,
                         source=export.source)
    copy = ReportCopy(export.source, export.archived_copy, observed_at, len(export.rows),
                      capture.at, capture.live)
    copies = store.ca_information.copies
    if not copies or replace(copies[-1], observed_at=observed_at) != copy:
        copies.append(copy)  # the same copy imported again is not a new observation
    problems = check_store(store, data_dir)
    if problems:
        raise InputRejected(problems)
    written = save_store(store, data_dir)  # writes only files whose text changed
    return ImportResult(export, [], written, issues, changes)
