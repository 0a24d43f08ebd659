"""The whole-dataset downloads, composed of one kept piece per survey (issue #16).

After a change to one survey, only the pieces of that survey (and of the survey after it,
whose dictionary changed: `deflate.GzipStream`) are compressed again; the others are
copied from the last run. A build from nothing composes the files the same way, so both
give the same bytes, and each file's text is what one stream of it would hold.

- CSV files: the header row, then each survey's rows. JSON arrays: each survey's rows,
  the first after `[`, the others after a comma; so a survey's piece is kept for that
  prefix. ca_owners is made from every survey and small: made again each time.
- The SQLite database is built from one small database per survey (kept, by the
  survey's digest): the newest survey's added to a kept database of all the others,
  then gzipped in runs of pages kept by their content (`deflate.gzip_file`): a
  one-answer change leaves most pages as they were.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from builder.core.model import SurveyData
from builder.publish.opendata.cells import csv_header
from builder.publish.opendata.deflate import GzipStream, gzip_file, gzip_stream
from builder.publish.opendata.files import (
    Sink,
    add_survey,
    start_sqlite,
    write_csv,
    write_json_array,
    write_json_rows,
    write_survey_sqlite,
)
from builder.publish.opendata.layout import SQLITE_FILE
from builder.publish.opendata.pieces import Pieces
from builder.publish.opendata.tables import RECORD_COLUMNS, TABLE, TABLES, Columns, Row, TableRows

Rows = Callable[[], Iterable[Row]]
Segment = tuple[str, Rows]
"""One survey's share of a file: the key of what it is made from, and its rows."""
Surveys = Sequence[tuple[str, SurveyData]]
"""Every survey in order, with its digest (`produce.survey_digest`)."""
Writer = Callable[[Sink], None]
PAGE = 4096  # files.start_sqlite's page size


def _csv(stream: GzipStream, columns: Columns, segments: Iterable[Segment]) -> None:
    stream.text(csv_header(columns))
    for key, rows in segments:
        stream.piece(f"{key} csv", partial(_csv_rows, columns=columns, rows=rows))


def _csv_rows(sink: Sink, columns: Columns, rows: Rows) -> None:
    write_csv(sink, columns, rows(), header=False)


def _json_array(stream: GzipStream, columns: Columns, segments: Iterable[Segment]) -> None:
    """As `files.write_json_array`."""
    first = True
    for key, rows in segments:
        prefix = "[\n" if first else ",\n"
        if stream.piece(f"{key} json {prefix!r}",
                        partial(_json_rows, columns=columns, rows=rows, prefix=prefix)):
            first = False
    stream.text(b"[]" if first else b"\n]")


def _json_rows(sink: Sink, columns: Columns, rows: Rows, prefix: str) -> None:
    write_json_rows(sink, columns, rows(), prefix)


def _gzipped(pieces: Pieces, fill: Callable[[GzipStream], None]) -> Writer:
    def write(sink: Sink) -> None:
        with gzip_stream(sink, pieces) as stream:
            fill(stream)
    return write


def _segments(rows: TableRows, table: str, surveys: Surveys) -> list[Segment]:
    return [(f"{key} {table}", partial(rows.tuples, table, data)) for key, data in surveys]


def table_writers(rows: TableRows, pieces: Pieces, surveys: Surveys) -> list[Writer]:
    """The writers of the tables' CSV files (gzipped), in TABLES order."""
    writers = []
    for table in TABLES:
        if table.name == "ca_owners":
            writers.append(_gzipped(pieces, partial(_owners_csv, rows=rows)))
        else:
            writers.append(_gzipped(pieces, partial(
                _csv, columns=table.columns, segments=_segments(rows, table.name, surveys))))
    return writers


def _owners_csv(stream: GzipStream, rows: TableRows) -> None:
    text = io.BytesIO()
    write_csv(text, TABLE["ca_owners"].columns, rows.tuples("ca_owners"))
    stream.text(text.getvalue())


def record_writers(pieces: Pieces, segments: Sequence[Segment]) -> tuple[Writer, Writer]:
    """The writers of all answer records as CSV and as JSON (gzipped)."""
    def as_json(stream: GzipStream) -> None:
        _json_array(stream, RECORD_COLUMNS, segments)
        stream.text(b"\n")
    return (_gzipped(pieces, partial(_csv, columns=RECORD_COLUMNS, segments=segments)),
            _gzipped(pieces, as_json))


def dataset_json_writer(rows: TableRows, pieces: Pieces, surveys: Surveys) -> Writer:
    """The writer of dataset.json (gzipped): the text of `files.write_dataset_json`."""
    def fill(stream: GzipStream) -> None:
        for n, table in enumerate(TABLES):
            stream.text(("{\n" if n == 0 else ",\n").encode() + f'"{table.name}":'.encode())
            if table.name == "ca_owners":
                owners = io.BytesIO()
                write_json_array(owners, table.columns, rows.tuples(table.name))
                stream.text(owners.getvalue())
            else:
                _json_array(stream, table.columns, _segments(rows, table.name, surveys))
        stream.text(b"\n}\n")
    return _gzipped(pieces, fill)


def sqlite_writer(rows: TableRows, pieces: Pieces, surveys: Surveys, work: Path) -> Writer:
    """The writer of the SQLite database (gzipped), built in a file under work: a copy of
    the database of every survey but the newest (a piece, kept between runs), with the
    newest added. A change to the newest survey's answers, the usual change, then adds
    one survey's rows instead of making the whole database again."""
    def survey_piece(key: str, data: SurveyData) -> Path:
        return pieces.made_file(pieces.key(key, "sqlite"), partial(
            write_survey_sqlite, rows=partial(rows.tuples, data=data)))

    def write(sink: Sink) -> None:
        owners = list(rows.tuples("ca_owners"))
        earlier = pieces.key("sqlite without the newest survey", repr(owners),
                             *(key for key, _ in surveys[:-1]))
        # The older surveys' pieces are read only to make that database again; until
        # then they are kept unread (checking each one's bytes cost a fiftieth of a
        # second after every change).
        for key, _ in surveys[:-1]:
            pieces.hold(pieces.key(key, "sqlite"))
        start = pieces.made_file(earlier, lambda path: start_sqlite(
            path, [survey_piece(key, data) for key, data in surveys[:-1]], owners))
        # Built on disk beside the downloads (a large database is never in memory).
        with tempfile.TemporaryDirectory(prefix=".sqlite-", dir=work) as tmp:
            path = Path(tmp) / SQLITE_FILE
            shutil.copyfile(start, path)
            if surveys:
                add_survey(path, survey_piece(*surveys[-1]))
            gzip_file(sink, path, pieces, PAGE)
    return write
