"""`builder import`: load an export, validate it against the store, merge, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from builder.core.clock import utc_text
from builder.core.errors import BuilderError, InputRejected, Issue
from builder.core.limits import REQUEST_DEADLINE
from builder.core.model import Capture, Change, FieldChange, Store
from builder.ingest.formats import CaInformationExport, Export, LoadOptions, parse_export
from builder.ingest.guard import check_losses
from builder.ingest.merge import merge
from builder.ingest.validate import ImportBundle, export_survey_keys, validate_export
from builder.store.records import check_store, load_store, save_store, writes_store


@dataclass(frozen=True)
class ImportResult:
    export: Export
    changes: list[Change]
    written: list[str]
    warnings: list[Issue]
    field_changes: list[FieldChange] = field(default_factory=list)
    """For a CCADB CA information copy (its own record): the field values it changed."""


def now_utc() -> str:
    return utc_text()


def utc_time(text: str) -> str:
    """An ISO 8601 time with its offset, written as UTC like now_utc(), so times sort."""
    try:
        when: datetime | None = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise BuilderError("--observed-at must be an ISO 8601 time with its offset, e.g. "
                           f"2030-12-02T09:00:00Z (got {text!r})")
    return utc_text(when)


def read_source(source: str, deadline: float = REQUEST_DEADLINE) -> tuple[bytes, str]:
    """Bytes and origin (the URL the answer came from, after redirects, or the file path
    as given)."""
    if source.startswith(("http://", "https://")):
        # Imported here: a file needs no HTTP stack (requests is a sixth of an import).
        from builder.ingest import http

        response = http.get(source, deadline=deadline)
        return response.body, response.url
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
                 capture: Capture | None = None, allow_withdraw: bool = False,
                 progress: Callable[[str], None] | None = None) -> ImportResult:
    """The import pipeline on bytes already read; data/ is untouched on any failure.

    `observed_at` is when the import happens (now by default); `capture` says when the
    copy being imported was captured, which is unknown unless told. An import that
    would lose many answers is refused (see builder.ingest.guard) unless `allow_withdraw`.
    `progress` is told each stage (the CLI shows it on a terminal).
    """
    say = progress or (lambda message: None)
    observed_at = utc_time(observed_at) if observed_at else now_utc()
    capture = capture or Capture()
    say(f"reading {origin} ({len(data)} bytes)")
    export = parse_export(data, origin, options)
    if isinstance(export, CaInformationExport):  # not survey answers: a record of its own
        from builder.ingest.cainfo_import import import_ca_information

        return import_ca_information(export, origin, data_dir, partial=partial,
                                     observed_at=observed_at, capture=capture)
    if options.archived_copy:
        raise BuilderError("--archived-copy is recorded for ca-information-csv copies only")
    say(f"checking {len(export.records)} record(s) against the store {data_dir}")
    # Only the surveys the export touches are read (and so can be written): another
    # survey's folder is neither needed nor changed by this import.
    store = load_store(data_dir, surveys=export_survey_keys(export))
    bundle = validate_export(export, store, observed_at, capture)
    # The same problem at the same place (an empty owner name over several answers) once.
    issues = sorted(dict.fromkeys(export.issues + bundle.issues), key=_position)
    if any(not i.warning for i in issues):
        raise InputRejected(issues)
    say("merging the answers")
    store, changes = merge(store, bundle, partial=partial, observed_at=observed_at,
                           complete_owner_list=export.complete_owner_list, capture=capture)
    problems = [] if allow_withdraw else _losses(store, bundle, changes, origin, observed_at)
    problems += check_store(store, data_dir)
    if problems:
        raise InputRejected(problems)
    say(f"saving {len(changes)} change(s)")
    written = save_store(store, data_dir)  # writes only files whose text changed
    return ImportResult(export, changes, written, issues)


def _losses(store: Store, bundle: ImportBundle, changes: list[Change], origin: str,
            observed_at: str) -> list[Issue]:
    """What builder.ingest.guard finds wrong with the changes, survey by survey."""
    return [issue for key, incoming in bundle.surveys.items()
            for issue in check_losses(store.surveys[key],
                                      [c for c in changes if c.survey_key == key],
                                      incoming.questions, origin, observed_at)]


def import_source(source: str, data_dir: Path, options: LoadOptions, *, partial: bool = False,
                  observed_at: str | None = None, source_url: str | None = None,
                  captured_at: str | None = None, allow_withdraw: bool = False,
                  deadline: float = REQUEST_DEADLINE,
                  progress: Callable[[str], None] | None = None,
                  archived_copy: str | None = None) -> ImportResult:
    """Import a file or URL; `source_url` names where a saved file came from.

    A URL is a live capture, taken now. A file is a copy whose capture date is unknown
    unless `captured_at` gives it (an archived copy: never a live capture).
    """
    if source_url:
        if not source_url.startswith(("http://", "https://")):
            raise BuilderError(f"--source-url must be an http(s) URL (got {source_url!r})")
        options = replace(options, source_url=source_url)
    if archived_copy:
        if not archived_copy.startswith(("http://", "https://")):
            raise BuilderError(f"--archived-copy must be an http(s) URL (got {archived_copy!r})")
        options = replace(options, archived_copy=archived_copy)
    observed_at = utc_time(observed_at) if observed_at else now_utc()
    live = source.startswith(("http://", "https://"))
    if live and captured_at:
        raise BuilderError("--captured-at is for a saved copy; a URL is captured now")
    capture = Capture(observed_at, True) if live else Capture(
        capture_time(captured_at) if captured_at else None, False)
    data, origin = read_source(source, deadline)
    return import_bytes(data, origin, data_dir, options, partial=partial,
                        observed_at=observed_at, capture=capture, allow_withdraw=allow_withdraw,
                        progress=progress)
