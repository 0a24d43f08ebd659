"""`builder import`: load an export, validate it against the store, merge, save."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from builder import http
from builder.errors import BuilderError, InputRejected, Issue
from builder.history import apply_import
from builder.load import Export, LoadOptions, parse_export
from builder.model import Capture, Change
from builder.store import check_store, load_store, save_store, writes_store
from builder.validate import validate_export


@dataclass(frozen=True)
class ImportResult:
    export: Export
    changes: list[Change]
    written: list[str]
    warnings: list[Issue]


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_time(text: str) -> str:
    """An ISO 8601 time with its offset, written as UTC like now_utc(), so times sort."""
    try:
        when: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise BuilderError("--observed-at must be an ISO 8601 time with its offset, e.g. "
                           f"2030-12-02T09:00:00Z (got {text!r})")
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_source(source: str) -> tuple[bytes, str]:
    """Bytes and origin (the URL as asked for, or the file path as given)."""
    if source.startswith(("http://", "https://")):
        return http.get(source).body, source
    try:
        return Path(source).read_bytes(), source
    except OSError as exc:
        raise BuilderError(f"{source}: cannot read: {exc.strerror or exc}") from exc


def _position(issue: Issue) -> tuple[int, int]:
    """Problems of the whole input first, then by line and column."""
    return (issue.line or 0, issue.column or 0)


def capture_time(text: str) -> str:
    """--captured-at: an ISO date (2017-11-30), or a time with its offset written as UTC."""
    if len(text) == 10:
        try:
            return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
        except ValueError:
            pass
    try:
        return utc_time(text)
    except BuilderError:
        raise BuilderError("--captured-at must be an ISO 8601 date (2017-11-30) or a time "
                           f"with its offset (2017-11-30T20:56:28Z) (got {text!r})") from None


@writes_store
def import_bytes(data: bytes, origin: str, data_dir: Path, options: LoadOptions, *,
                 partial: bool = False, observed_at: str | None = None,
                 capture: Capture | None = None) -> ImportResult:
    """The import pipeline on bytes already read; data/ is untouched on any failure.

    `observed_at` is when the import happens (now by default); `capture` says when the
    copy being imported was captured, which is unknown unless told.
    """
    observed_at = utc_time(observed_at) if observed_at else now_utc()
    capture = capture or Capture()
    export = parse_export(data, origin, options)
    store = load_store(data_dir)
    bundle = validate_export(export, store, observed_at, capture)
    # The same problem at the same place (an empty owner name over several answers) once.
    issues = sorted(dict.fromkeys(export.issues + bundle.issues), key=_position)
    if any(not i.warning for i in issues):
        raise InputRejected(issues)
    changes = apply_import(store, bundle, partial=partial, observed_at=observed_at,
                           complete_owner_list=export.complete_owner_list, capture=capture)
    problems = check_store(store, data_dir)
    if problems:
        raise InputRejected(problems)
    written = save_store(store, data_dir)  # writes only files whose text changed
    return ImportResult(export, changes, written, issues)


def import_source(source: str, data_dir: Path, options: LoadOptions, *, partial: bool = False,
                  observed_at: str | None = None, source_url: str | None = None,
                  captured_at: str | None = None) -> ImportResult:
    """Import a file or URL; `source_url` names where a saved file came from.

    A URL is a live capture, taken now. A file is a copy whose capture date is unknown
    unless `captured_at` gives it (an archived copy: never a live capture).
    """
    if source_url:
        if not source_url.startswith(("http://", "https://")):
            raise BuilderError(f"--source-url must be an http(s) URL (got {source_url!r})")
        options = replace(options, source_url=source_url)
    observed_at = utc_time(observed_at) if observed_at else now_utc()
    live = source.startswith(("http://", "https://"))
    if live and captured_at:
        raise BuilderError("--captured-at is for a saved copy; a URL is captured now")
    capture = Capture(observed_at, True) if live else Capture(
        capture_time(captured_at) if captured_at else None, False)
    data, origin = read_source(source)
    return import_bytes(data, origin, data_dir, options, partial=partial,
                        observed_at=observed_at, capture=capture)
