"""The whole-dataset .gz files, composed of one compressed piece per survey (issue #16).

After a change to one survey, only that survey's pieces are compressed again; the others
are copied from the last run (`pieces.Pieces`). A build from nothing composes the files
the same way, so both give the same bytes.

- CSV and JSON files are several gzip members one after the other (RFC 1952 allows it;
  gzip, Python, pandas, curl and browsers read them as one text): a small member for
  the text between surveys (a header row, `[`, a table's key), one member per survey.
  The text is byte for byte what one stream held before; a survey's member starts with
  the `[` or `,` before its first row, so it is stored for that prefix.
- The SQLite file cannot be cut by survey, and a one-answer change leaves most of its
  pages as they were: it is cut where a page's CRC says (content-defined, so pages that
  moved still match), each run of pages deflated with the 32 KiB before it as the
  dictionary (as pigz does) and kept by its content; the runs make one gzip member.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from builder.core.model import RECORD_FIELDS, SurveyData
from builder.publish.opendata.files import (
    Sink,
    copy_into,
    gz,
    gzipped,
    write_csv,
    write_json_array,
    write_json_rows,
    write_sqlite,
    write_survey_sqlite,
)
from builder.publish.opendata.layout import SQLITE_FILE
from builder.publish.opendata.pieces import Pieces
from builder.publish.opendata.tables import TABLES, TableRows

Rows = Callable[[], Iterable[dict[str, Any]]]
Writer = Callable[[Sink], None]
Segment = tuple[str, Rows]
"""One survey's share of a file: the key of what it is made from, and its rows."""
Item = bytes | Path
"""Text written as it is (compressed at once), or a stored piece copied as it is."""
LEVEL = 6
WINDOW = 32768  # deflate's window: what a run of pages may refer back to
PAGE = 4096  # the database's page size (files.write_sqlite)
CUT = 31  # a run ends after a page whose CRC-32 has these bits clear: about 128 KiB
MAX_RUN = 1 << 20


class _Counted:
    """A binary sink that counts what it passes on."""

    def __init__(self, target: Sink) -> None:
        self.target, self.size = target, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return self.target.write(data)


def _member(sink: Sink, write: Callable[[Sink], None]) -> int:
    """Write one gzip member of what `write` writes; how many bytes that was."""
    with gzipped(sink) as stream:
        counted = _Counted(stream)
        write(counted)
    return counted.size


def _piece(pieces: Pieces, key: str, write: Callable[[Sink], None]) -> Path:
    """A stored gzip member of what `write` writes (an empty file if it writes nothing)."""
    def made(path: Path) -> None:
        with path.open("wb") as fh:
            empty = _member(fh, write) == 0
        if empty:
            path.write_bytes(b"")
    return pieces.made_file(key, made)


def compose(sink: Sink, items: Iterable[Item]) -> None:
    """The gzip members of items in order: consecutive texts in one member."""
    text = bytearray()
    for item in items:
        if isinstance(item, bytes):
            text += item
            continue
        if text:
            _member(sink, partial(_put, data=bytes(text)))
            text.clear()
        copy_into(sink, item)
    if text:
        _member(sink, partial(_put, data=bytes(text)))


def _put(sink: Sink, data: bytes) -> None:
    sink.write(data)


def csv_items(pieces: Pieces, columns: list[str], segments: Iterable[Segment]) -> Iterator[Item]:
    """A CSV file: the header row, then each survey's rows."""
    yield from _header(columns)
    for key, rows in segments:
        yield _piece(pieces, pieces.key(key, "csv", *columns),
                     partial(_csv_rows, columns=columns, rows=rows))


def _header(columns: list[str]) -> Iterator[bytes]:
    text = io.BytesIO()
    write_csv(text, columns, ())
    yield text.getvalue()


def _csv_rows(sink: Sink, columns: list[str], rows: Rows) -> None:
    write_csv(sink, columns, rows(), header=False)


def json_items(pieces: Pieces, segments: Iterable[Segment]) -> Iterator[Item]:
    """A JSON array (`files.write_json_array`): each survey's rows, then its end."""
    first = True
    for key, rows in segments:
        prefix = "[\n" if first else ",\n"
        path = _piece(pieces, pieces.key(key, "json", prefix),
                      partial(_json_rows, rows=rows, prefix=prefix))
        first = first and path.stat().st_size == 0
        yield path
    yield b"[]" if first else b"\n]"


def _json_rows(sink: Sink, rows: Rows, prefix: str) -> None:
    write_json_rows(sink, rows(), prefix)


def _runs(path: Path) -> Iterator[bytes]:
    """The file in runs of whole pages, cut after a page chosen by its content alone."""
    run = bytearray()
    with path.open("rb") as fh:
        while page := fh.read(PAGE):
            run += page
            if zlib.crc32(page) & CUT == 0 or len(run) >= MAX_RUN:
                yield bytes(run)
                run.clear()
    if run:
        yield bytes(run)


def _deflated(sink: Sink, run: bytes, window: bytes) -> None:
    # A raw deflate run that may refer to the window before it, ended on a byte boundary
    # and not final: runs written one after the other make one deflate stream.
    if window:
        stream = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, window)
    else:
        stream = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    sink.write(stream.compress(run) + stream.flush(zlib.Z_SYNC_FLUSH))


def _composed(items: Callable[[], Iterable[Item]]) -> Writer:
    return lambda sink: compose(sink, items())


def _dataset_json(rows: TableRows, pieces: Pieces, surveys: list[tuple[str, SurveyData]],
                  ) -> Iterator[Item]:
    for n, table in enumerate(TABLES):
        yield ("{\n" if n == 0 else ",\n").encode() + f'"{table.name}":'.encode()
        if table.name == "ca_owners":
            owners = io.BytesIO()
            write_json_array(owners, rows.of(table.name))
            yield owners.getvalue()
        else:
            yield from json_items(pieces, [(f"{key} {table.name}", partial(
                rows.of_survey, table.name, data)) for key, data in surveys])
    yield b"\n}\n"


def sqlite_writer(rows: TableRows, pieces: Pieces, surveys: list[tuple[str, SurveyData]],
                   work: Path) -> Writer:
    def write(sink: Sink) -> None:
        parts = [pieces.made_file(pieces.key(key, "sqlite"), partial(
            write_survey_sqlite, rows=partial(rows.of_survey, data=data)))
            for key, data in surveys]
        # Built on disk beside the downloads (a large database is never in memory).
        with tempfile.TemporaryDirectory(prefix=".sqlite-", dir=work) as tmp:
            path = Path(tmp) / SQLITE_FILE
            write_sqlite(path, parts, rows.of("ca_owners"))
            gzip_by_runs(sink, path, pieces)
    return write


def table_writers(rows: TableRows, pieces: Pieces, surveys: list[tuple[str, SurveyData]],
                  ) -> list[Writer]:
    """The writers of the tables' CSV files, in TABLES order."""
    writers = []
    for table in TABLES:
        columns = [f.name for f in table.fields]
        if table.name == "ca_owners":  # made from every survey, and small: made again
            writers.append(gz(partial(write_csv, columns=columns, rows=rows.of(table.name))))
            continue
        writers.append(_composed(partial(csv_items, pieces, columns, [
            (f"{key} {table.name}", partial(rows.of_survey, table.name, data))
            for key, data in surveys])))
    return writers


def record_writers(pieces: Pieces, segments: Sequence[Segment]) -> tuple[Writer, Writer]:
    """The writers of all answer records as CSV and as JSON."""
    return (_composed(partial(csv_items, pieces, list(RECORD_FIELDS), segments)),
            _composed(lambda: itertools.chain(json_items(pieces, segments), [b"\n"])))


def dataset_json_writer(rows: TableRows, pieces: Pieces,
                        surveys: list[tuple[str, SurveyData]]) -> Writer:
    """The writer of dataset.json (`files.write_dataset_json`), composed."""
    return _composed(partial(_dataset_json, rows, pieces, surveys))


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time (as gzipped)
_LAST_BLOCK = b"\x03\x00"  # an empty final block


def gzip_by_runs(sink: Sink, path: Path, pieces: Pieces) -> None:
    """The file at path as one gzip member, made of deflate runs kept by their content."""
    sink.write(_GZIP_HEADER)
    crc, size, window = 0, 0, b""
    for run in _runs(path):
        crc, size = zlib.crc32(run, crc), size + len(run)
        key = pieces.key("deflate", hashlib.sha256(window).hexdigest(),
                         hashlib.sha256(run).hexdigest())
        copy_into(sink, pieces.make(key, partial(_deflated, run=run, window=window)))
        window = (window + run)[-WINDOW:]
    sink.write(_LAST_BLOCK + struct.pack("<II", crc, size & 0xFFFFFFFF))
