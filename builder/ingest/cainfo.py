"""The CCADB CA information record: field values per CA owner, with their history. No I/O.

A record of its own, never a survey: its values are CCADB fields as published in a
copy of the `CAInformationReportCSVFormat` report on a date, not answers a CA gave to
a question. Each import is a full snapshot, classified as survey exports are
(`builder.core.snapshot.snapshot_changes`): a new or different value is recorded, and
the fields of a CA owner missing from the report are recorded as 'removed' (no longer in
the report).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from builder.core.cainfo_fields import FIELD_IDS, FIELDS
from builder.core.errors import InternalError
from builder.core.model import CaInformation, Capture, FieldChange, FieldValue
from builder.core.snapshot import snapshot_changes
from builder.ingest.formats.ca_information import CaInformationExport, OwnerRow

if TYPE_CHECKING:
    from builder.ingest.importer import ImportResult


def is_older(capture: str, newest: str) -> bool:
    """A copy captured before the newest one recorded (dates compare by day)."""
    if len(capture) == 10 or len(newest) == 10:
        return capture[:10] < newest[:10]
    return capture < newest


def snapshot(rows: list[OwnerRow], source: str, archived_copy: str | None, capture: Capture,
             observed_at: str) -> dict[tuple[str, str], FieldValue]:
    """The rows of one copy as field values."""
    return {(f.id, row.owner_key): FieldValue(
        f.id, row.owner_key, row.owner_name, row.values[f.column], source, archived_copy,
        observed_at, capture.at, capture.live) for row in rows for f in FIELDS}


def apply_copy(record: CaInformation, incoming: dict[tuple[str, str], FieldValue], *,
               observed_at: str, source: str) -> list[FieldChange]:
    """Merge one copy into `record` in place; returns the changes recorded.

    A value counts as changed when its text or the owner's spelling of its name changed.
    """
    changes = []
    for kind, key, old, new in snapshot_changes(
            record.values, incoming, same=lambda a, b: (a.value, a.owner_name) == (
                b.value, b.owner_name), full_groups=FIELD_IDS):
        ref = new or old
        if ref is None:
            raise InternalError("a field change without an old or a new value")
        gone = new is None
        first = next(iter(incoming.values()), None)
        at = new or first
        changes.append(FieldChange(
            ref.field, ref.owner_key, ref.owner_name, "removed" if gone else kind,
            old.value if old else None, new.value if new else None, observed_at,
            at.source if at else source, at.archived_copy if at else None,
            at.captured_at if at else None, at.live if at else False))
        if new is None:
            del record.values[key]
        else:
            record.values[key] = new
    record.history.extend(changes)
    return changes


def summary(result: ImportResult) -> str:
    """The CLI's line for one imported copy: values, and owners that came or went."""
    changes, export = result.field_changes, result.export
    if not isinstance(export, CaInformationExport):
        raise InternalError(f"a CA information summary of a {export.format} import")
    counts = {k: sum(c.kind == k for c in changes) for k in ("added", "changed", "removed")}
    came = {c.owner_key for c in changes if c.kind == "added"}
    went = {c.owner_key for c in changes if c.kind == "removed"}
    return (f"{export.format}, {len(export.rows)} CA owner(s); field values "
            f"{counts['added']} added, {counts['changed']} changed, {counts['removed']} removed "
            f"({len(came)} CA owner(s) new in the report, {len(went)} no longer in it); "
            f"{len(result.written)} file(s) written")
