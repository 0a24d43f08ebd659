"""The CCADB CA information record in data/ca-information/, read, checked and written.

    data/ca-information/values.jsonl    current value per CA owner x field
    data/ca-information/history.jsonl   append-only: every value added, changed, removed
    data/ca-information/copies.jsonl    append-only: every copy of the report imported

One record per line in a stable order (CA owner key, field order), like the surveys, so
a git diff of two imports shows exactly the values that changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.core.cainfo_fields import BY_ID, FIELD_IDS
from builder.core.errors import Issue
from builder.core.model import CA_INFO_KINDS, CaInformation, FieldChange, FieldValue, ReportCopy
from builder.store.jsonl import dumps, is_canonical, read_json_lines, record_dict

FOLDER = "ca-information"


def _record_issues(path: str, line: int, record: FieldValue | FieldChange) -> list[Issue]:
    issues = []
    if record.field not in BY_ID:
        issues.append(Issue(path, line, None, "field", "unknown-field",
                            "not a field of the CCADB CA information report", record.field))
    if not is_canonical(record.owner_key):
        issues.append(Issue(path, line, None, "owner_key", "not-canonical",
                            "owner_key must be the canonical form of the name",
                            record.owner_key))
    return issues


def _change_issues(path: str, line: int, change: FieldChange) -> list[Issue]:
    if change.kind not in CA_INFO_KINDS:
        return [Issue(path, line, None, "kind", "unknown-kind",
                      f"expected one of: {', '.join(CA_INFO_KINDS)}", change.kind)]
    shape = {"added": (False, True), "changed": (True, True), "removed": (True, False)}
    if ((change.old is not None), (change.new is not None)) != shape[change.kind]:
        return [Issue(path, line, None, "old", "inconsistent-change",
                      f"a '{change.kind}' change has "
                      + {"added": "no old and a new value", "changed": "an old and a new value",
                         "removed": "an old and no new value"}[change.kind],
                      f"old={change.old!r} new={change.new!r}")]
    return []


def read_ca_information(data_dir: Path, issues: list[Issue]) -> CaInformation:
    """The record (empty when the folder is absent); every problem added to `issues`.
    A check across files is left out when a file it reads had a line that could not be
    read: each record missing would be reported again as its consequence (one bad byte
    in copies.jsonl, hundreds of changes with an unknown copy)."""
    folder = data_dir / FOLDER
    record = CaInformation()
    if not folder.is_dir():
        return record
    values_path, history_path = folder / "values.jsonl", folder / "history.jsonl"
    values, values_read = _read_lines(values_path, FieldValue, issues)
    for line, value in values:
        issues += _record_issues(str(values_path), line, value)
        key = (value.field, value.owner_key)
        if key in record.values:
            issues.append(Issue(str(values_path), line, None, "-", "duplicate-record",
                                "an earlier line already holds this value; one line each",
                                " / ".join(key)))
        record.values[key] = value
    history: list[tuple[int, FieldChange]] = []
    history_read = True
    if history_path.exists():
        history, history_read = _read_lines(history_path, FieldChange, issues)
        for line, change in history:
            issues += _record_issues(str(history_path), line, change)
            issues += _change_issues(str(history_path), line, change)
        record.history = [change for _, change in history]
    copies_path = folder / "copies.jsonl"
    copies_read = True
    if copies_path.exists():
        copies, copies_read = _read_lines(copies_path, ReportCopy, issues)
        record.copies = [c for _, c in copies]
    elif record.values or record.history:
        issues.append(Issue(str(copies_path), None, None, "-", "missing-file",
                            "the record needs the list of the copies it was read from"))
    if values_read and history_read:
        issues += _replay_issues(record, str(values_path))
    if copies_read:
        issues += _copy_issues(record, history, str(history_path))
    return record


def _read_lines(path: Path, cls: type, issues: list[Issue]) -> tuple[list[tuple[int, Any]], bool]:
    """read_json_lines, and whether every line of the file was read."""
    before = len(issues)
    lines = read_json_lines(path, cls, issues)
    return lines, len(issues) == before


def copy_key(item: FieldChange | ReportCopy) -> tuple[object, ...]:
    """What ties a change to the copy that showed it (the same import of the same copy)."""
    return (item.observed_at, item.captured_at, item.live, item.source, item.archived_copy)


def _copy_issues(record: CaInformation, history: list[tuple[int, FieldChange]],
                 path: str) -> list[Issue]:
    """Every change (with its line in `path`) names a copy listed in copies.jsonl: the
    pages date it by that copy."""
    known = {copy_key(c) for c in record.copies}
    return [Issue(path, line, None, "captured_at", "unknown-copy",
                  "no copy in copies.jsonl has this change's import time, date and source",
                  f"{change.captured_at} / {change.observed_at}")
            for line, change in history if copy_key(change) not in known]


def _replay_issues(record: CaInformation, path: str) -> list[Issue]:
    """The history, replayed, must give exactly the current values (else one was edited)."""
    replayed: dict[tuple[str, str], str] = {}
    for change in record.history:
        key = (change.field, change.owner_key)
        if change.new is None:
            replayed.pop(key, None)
        else:
            replayed[key] = change.new
    issues = []
    for key in sorted(set(replayed) | set(record.values)):
        current = record.values.get(key)
        if replayed.get(key) != (current.value if current else None):
            issues.append(Issue(path, None, None, "value", "history-mismatch",
                                "the current value is not the last one history.jsonl records",
                                " / ".join(key)))
    return issues


def render_ca_information(record: CaInformation) -> dict[str, str]:
    """The record's files, keyed by path relative to data/ (none for an empty record)."""
    if not record.values and not record.history and not record.copies:
        return {}
    order = {f: i for i, f in enumerate(FIELD_IDS)}
    values = sorted(record.values.values(), key=lambda v: (v.owner_key, order.get(v.field, 99)))
    files = {f"{FOLDER}/values.jsonl": "".join(dumps(record_dict(v)) + "\n" for v in values)}
    if record.history:
        files[f"{FOLDER}/history.jsonl"] = "".join(dumps(record_dict(c)) + "\n"
                                                   for c in record.history)
    files[f"{FOLDER}/copies.jsonl"] = "".join(dumps(record_dict(c)) + "\n"
                                             for c in record.copies)
    return files
