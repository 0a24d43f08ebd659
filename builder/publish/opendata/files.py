"""The bytes of the open-data files: CSV, JSON and SQLite, written as they are made.

Every writer takes a binary sink (a file, or a gzip stream over one) and one batch of rows
(tuples in column order: a survey's share of a file, never a whole large download), which
`cells` encodes a column at a time. Two layouts:

- *answer records*: the ten keys of the `json` and `ccadb-csv` import formats, one record
  per CA owner x question x chosen option (`write_csv(RECORD_COLUMNS, ...)`,
  `write_json_array`). The JSON imports back with `builder import`.
- *tables* with keys: surveys, questions, options, ca_owners, answers, history, as CSV,
  one JSON object (`compose.dataset_json_writer`) and SQLite (`write_sqlite`, with an
  FTS5 index over the answers).

JSON keeps the exact text. A CSV cell that a spreadsheet would run as a formula gets a
leading apostrophe (`cells.spreadsheet_safe`). The same store always gives the same bytes:
rows in a fixed order, no build times, SQLite with a fixed page size, gzip without a
name or time in its header (`gzipped`).
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

from builder.core.errors import BuildFailed
from builder.publish.opendata.cells import csv_header, csv_rows, json_objects, sql_rows, utf8_json
from builder.publish.opendata.layout import SQLITE_FILE
from builder.publish.opendata.tables import (
    ARRAY,
    BOOL,
    INT,
    STR,
    TABLE,
    TABLES,
    Columns,
    Row,
    Table,
)


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def write_json_rows(sink: Sink, columns: Columns, rows: Iterable[Row],
                    first: str = "[\n") -> int:
    """The rows of a JSON array, one object per line (exact text, UTF-8, keys in column
    order), the first after `first`, the others after a comma; 0 if none."""
    text = json_objects(columns, rows)
    if text:
        sink.write(utf8_json(first + text))
    return len(text)


def write_json_array(sink: Sink, columns: Columns, rows: Iterable[Row]) -> None:
    """A JSON array with one object per line."""
    sink.write(b"\n]" if write_json_rows(sink, columns, rows) else b"[]")


def write_csv(sink: Sink, columns: Columns, rows: Iterable[Row], header: bool = True) -> None:
    """UTF-8 CSV (RFC 4180, no BOM) with a header row (unless not `header`: a part of a
    file); cells made spreadsheet-safe."""
    sink.write((csv_header(columns) if header else b"") + csv_rows(columns, rows))


class Buffer:
    """Collects small writes (a CSV row, a JSON line) into large ones: gzip and zlib cost
    a Python call per write, whatever its size."""

    SIZE = 1 << 20

    def __init__(self, sink: Sink) -> None:
        self.sink, self.data = sink, bytearray()

    def write(self, data: bytes) -> int:
        self.data += data
        if len(self.data) >= self.SIZE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.data:
            self.sink.write(bytes(self.data))
            self.data.clear()


@contextmanager
def gzipped(sink: IO[bytes] | Sink) -> Iterator[Sink]:
    """A gzip stream into sink, buffered: no file name or time in the header, so the same
    bytes always give the same file."""
    with gzip.GzipFile(filename="", mode="wb", fileobj=sink,  # type: ignore[arg-type]
                       compresslevel=6, mtime=0) as stream:
        buffer = Buffer(stream)
        yield buffer
        buffer.flush()


def gz(write: Callable[[Sink], None]) -> Callable[[Sink], None]:
    """The same writer, its output gzip-compressed."""
    def compressed(sink: Sink) -> None:
        with gzipped(sink) as stream:
            write(stream)
    return compressed


def _ddl(table: Table) -> list[str]:
    kinds = {STR: "TEXT", INT: "INTEGER", BOOL: "INTEGER", ARRAY: "TEXT"}
    lines = [f"  {f.name} {kinds[f.type]}{' NOT NULL' if f.required else ''}, -- "
             f"{f.description}" for f in table.fields]
    lines.append(f"  PRIMARY KEY ({', '.join(table.primary_key)})")
    for cols, target in table.foreign_keys:
        lines[-1] += ","
        lines.append(f"  FOREIGN KEY ({', '.join(cols)}) REFERENCES {target} "
                     f"({', '.join(cols)})")
    create = f"CREATE TABLE {table.name} ( -- {table.description}\n" + "\n".join(lines) + "\n)"
    return [create] + [f"CREATE INDEX {table.name}_by_{'_'.join(cols)} ON {table.name} "
                       f"({', '.join(cols)})" for cols in table.indexes]


SQL_EXTRAS = (
    # Datasette finds this index by its content="answers" and offers search on answers.
    'CREATE VIRTUAL TABLE answers_fts USING fts5(response, content="answers", '
    "tokenize='porter unicode61')",
    "CREATE VIEW answer_records AS -- the answers in the ten-column ccadb-csv/json layout\n"
    "SELECT s.title AS survey, s.communication_id AS survey_id, a.question_id,\n"
    "  q.question_order, NULLIF(q.question_type, 'Unknown') AS question_type,\n"
    "  q.question_text, a.ca_owner_name AS ca_owner, a.response, a.option_number,\n"
    "  a.submitted_at\n"
    "FROM answers AS a JOIN surveys AS s USING (survey_slug)\n"
    "  JOIN questions AS q USING (survey_slug, question_id)\n"
    "ORDER BY a.rowid",
)


def fts5_available() -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("PRAGMA journal_mode = OFF")  # a new file, thrown away if this fails
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def _insert(conn: sqlite3.Connection, table: Table, rows: Iterable[Row]) -> None:
    names = [f.name for f in table.fields]
    conn.executemany(
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608 (our names)
        f"VALUES ({', '.join('?' * len(names))})",
        sql_rows(table.columns, rows))


SURVEY_TABLES = tuple(t for t in TABLES if t.name != "ca_owners")
"""The tables whose rows each belong to one survey (ca_owners is made from all)."""


def write_survey_sqlite(path: Path, rows: Callable[[str], Iterable[Row]]) -> None:
    """One survey's rows of SURVEY_TABLES (`rows(table name)`) as SQL values in a new SQLite
    file, without keys: the piece `write_sqlite` assembles the database from."""
    conn = _connect(path)
    try:
        conn.execute("BEGIN")
        for table in SURVEY_TABLES:
            conn.execute(f"CREATE TABLE {table.name} ({', '.join(f.name for f in table.fields)})")
            _insert(conn, table, rows(table.name))
        conn.execute("COMMIT")
    finally:
        conn.close()


def start_sqlite(path: Path, surveys: Iterable[Path], owners: Iterable[Row]) -> None:
    """A new SQLite file at path with the tables, the ca_owners rows, then each survey's
    rows copied from its piece (`write_survey_sqlite`) in order, then their indexes and
    search index; fixed page size. `add_survey` adds a survey after that.

    The indexes are made after the rows (sorted once: twice as fast as keeping them while
    inserting, and their pages apart from the rows' compress better), which leaves no
    free page, so no VACUUM is needed for a compact file.
    """
    fts = fts5_available()
    conn = _connect(path)
    try:
        conn.execute("PRAGMA user_version = 1")
        conn.execute("BEGIN")
        ddl = [_ddl(table) for table in TABLES]
        for statements in ddl:
            conn.execute(statements[0])
        for statement in SQL_EXTRAS if fts else SQL_EXTRAS[1:]:
            conn.execute(statement)
        _insert(conn, TABLE["ca_owners"], owners)
        conn.execute("COMMIT")
        for survey in surveys:
            _add(conn, survey, fts=False)
        conn.execute("BEGIN")
        for statements in ddl:
            for statement in statements[1:]:
                conn.execute(statement)
        if fts:
            conn.execute("INSERT INTO answers_fts(answers_fts) VALUES ('rebuild')")
            conn.execute("INSERT INTO answers_fts(answers_fts) VALUES ('optimize')")
        conn.execute("COMMIT")
    except sqlite3.IntegrityError as exc:  # two keys with one slug: refuse, never merge
        raise BuildFailed(f"{SQLITE_FILE}: {exc}") from exc
    finally:
        conn.close()


def add_survey(path: Path, survey: Path) -> None:
    """One survey's rows (its piece) added to the database at path (`start_sqlite`),
    its indexes and search index kept as they go in."""
    conn = _connect(path)
    try:
        _add(conn, survey, fts5_available())
    except sqlite3.IntegrityError as exc:
        raise BuildFailed(f"{SQLITE_FILE}: {exc}") from exc
    finally:
        conn.close()


def _add(conn: sqlite3.Connection, survey: Path, fts: bool) -> None:
    conn.execute("ATTACH ? AS s", (str(survey),))
    conn.execute("BEGIN")
    (last,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM main.answers").fetchone()
    for table in SURVEY_TABLES:
        names = ", ".join(f.name for f in table.fields)
        conn.execute(f"INSERT INTO main.{table.name} ({names}) "  # noqa: S608
                     f"SELECT {names} FROM s.{table.name} ORDER BY rowid")
    if fts:  # its content is the answers table: told of the new rows, in order
        conn.execute("INSERT INTO answers_fts (rowid, response) "
                     "SELECT rowid, response FROM main.answers WHERE rowid > ?", (last,))
    conn.execute("COMMIT")
    conn.execute("DETACH s")


def copy_into(sink: Sink, path: Path) -> None:
    with path.open("rb") as fh:
        shutil.copyfileobj(fh, sink, 1 << 20)
