"""Open data: the whole store as CSV, JSON, SQLite and a Frictionless Data Package.

Pure: `render_downloads(store)` returns every file as bytes, keyed by its path relative
to docs/. Two layouts:

- *answer records*: the ten keys of the `json` and `ccadb-csv` import formats, one record
  per CA owner x question x chosen option (`answers.json|csv`, and one pair per survey
  and per question under `surveys/`). The JSON imports back with `builder import`.
- *tables* with keys: surveys, questions, options, ca_owners, answers, history, as CSV
  (`tables/*.csv`), one JSON file (`dataset.json`) and SQLite (`ca-communications.sqlite`,
  with an FTS5 index over the answers).

JSON keeps the exact text. A CSV cell that a spreadsheet would run as a formula gets a
leading apostrophe (`spreadsheet_safe`). The same store always gives the same bytes:
rows in a fixed order, no build times, SQLite built in memory with a fixed page size.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.core.errors import BuildFailed
from builder.core.model import RECORD_FIELDS, Store
from builder.core.text import without_surrogates
from builder.publish.opendata.datapackage import datapackage
from builder.publish.opendata.layout import RECORD_SCHEMA_FILE, ROOT, SQLITE_FILE, download_stem
from builder.publish.opendata.tables import (
    ARRAY,
    BOOL,
    INT,
    RECORD_SCHEMA,
    STR,
    TABLES,
    Table,
    answer_records,
    table_rows,
)
from builder.publish.paths import question_page, survey_page
from builder.store.records import survey_dir_name

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet cannot run: `'` before a leading = + - @ TAB or CR.

    Plain numbers such as `-5` or `+1.5` stay as they are, so they stay numbers.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utf8_json(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8; written as a \\uXXXX escape it is still exact JSON.
    return text.encode("utf-8", "backslashreplace")


def json_array(rows: list[dict[str, Any]]) -> str:
    """A JSON array with one object per line (exact text, UTF-8, keys in column order)."""
    return "[\n" + ",\n".join(_json(r) for r in rows) + "\n]" if rows else "[]"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = _json(value) if isinstance(value, list) else str(value)
    return spreadsheet_safe(without_surrogates(text))


def csv_bytes(columns: Iterable[str], rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 CSV (RFC 4180, no BOM) with a header row; cells made spreadsheet-safe."""
    names = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_cell(row[name]) for name in names] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        value = _json(value)
    return without_surrogates(value) if isinstance(value, str) else value


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


def sqlite_bytes(rows: dict[str, list[dict[str, Any]]]) -> bytes:
    """The tables as one SQLite file: built in memory, fixed page size, fixed row order."""
    fts = fts5_available()
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("PRAGMA user_version = 1")
        for table in TABLES:
            for statement in _ddl(table):
                conn.execute(statement)
        for statement in SQL_EXTRAS if fts else SQL_EXTRAS[1:]:
            conn.execute(statement)
        for table in TABLES:
            names = [f.name for f in table.fields]
            conn.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' * len(names))})",
                ([_sql_value(row[n]) for n in names] for row in rows[table.name]))
        if fts:
            conn.execute("INSERT INTO answers_fts(answers_fts) VALUES ('rebuild')")
            conn.execute("INSERT INTO answers_fts(answers_fts) VALUES ('optimize')")
        conn.commit()
        conn.execute("VACUUM")
        return _serialize(conn)
    except sqlite3.IntegrityError as exc:  # two keys with one slug: refuse, never merge
        raise BuildFailed(f"{SQLITE_FILE}: {exc}") from exc
    finally:
        conn.close()


def _serialize(conn: sqlite3.Connection) -> bytes:
    if hasattr(conn, "serialize"):
        return conn.serialize()
    with tempfile.TemporaryDirectory() as tmp:  # Python built without sqlite3 serialize
        path = Path(tmp) / SQLITE_FILE
        conn.execute("VACUUM INTO ?", (str(path),))
        return path.read_bytes()


@dataclass
class _Files:
    files: dict[str, bytes] = field(default_factory=dict)
    resources: list[dict[str, Any]] = field(default_factory=list)

    def add(self, path: str, data: bytes, resource: dict[str, Any] | None = None) -> None:
        if path in self.files:
            raise BuildFailed(f"two downloads would be written to {ROOT}/{path}")
        self.files[path] = data
        if resource is not None:
            resource = resource | {"path": path}
            if resource.get("format") != "json" or "schema" not in resource:
                # frictionless 5 measures no JSON table as it reads it, and would report
                # every size as wrong: JSON tables go without (the Downloads page has them).
                digest = hashlib.sha256(data).hexdigest()
                resource |= {"bytes": len(data), "hash": f"sha256:{digest}"}
            self.resources.append(resource)

    def records(self, name: str, stem: str, title: str, records: list[dict[str, Any]]) -> None:
        """One set of answer records as CSV and JSON, each described by the shared schema."""
        table = {"profile": "tabular-data-resource", "encoding": "utf-8",
                 "schema": RECORD_SCHEMA_FILE}
        self.add(f"{stem}.csv", csv_bytes(RECORD_FIELDS, records), {
            "name": f"{name}-csv", "title": f"{title} (CSV)", "format": "csv",
            "mediatype": "text/csv"} | table)
        # An empty array is no table to frictionless (it finds no keys), so `[]` is plain JSON.
        self.add(f"{stem}.json", _utf8_json(json_array(records) + "\n"), {
            "name": f"{name}-json", "title": f"{title} (JSON)", "format": "json",
            "mediatype": "application/json"} | (table if records else {
                "description": "Empty: no answers captured."}))


def render_downloads(store: Store) -> dict[str, bytes]:
    """Every download, keyed by path relative to docs/ (all under downloads/)."""
    out = _Files()
    rows = table_rows(store)
    for table in TABLES:
        out.add(f"tables/{table.name}.csv", csv_bytes((f.name for f in table.fields),
                                                      rows[table.name]), {
            "name": table.resource, "title": table.name, "description": table.description,
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "schema": table.schema()})
    surveys = store.sorted_surveys()
    out.records("answers", "answers", "All answers, one record per chosen option",
                [r for d in surveys for r in answer_records(d, d.sorted_answers())])
    dataset = "{\n" + ",\n".join(f'"{t.name}":{json_array(rows[t.name])}' for t in TABLES)
    out.add("dataset.json", _utf8_json(dataset + "\n}\n"), {
        "name": "dataset-json", "title": "All tables in one JSON file",
        "description": "An object with one key per table (surveys, questions, options, "
                       "ca_owners, answers, history); each holds an array of rows with the "
                       "fields of that table's CSV file. Text is exact.",
        "format": "json", "mediatype": "application/json", "encoding": "utf-8"})
    out.add(SQLITE_FILE, sqlite_bytes(rows), {
        "name": "sqlite", "title": "All tables as one SQLite database",
        "description": "The six tables with primary and foreign keys and indexes, an FTS5 "
                       "index over answers.response (answers_fts) and the view "
                       "answer_records. Opens in sqlite3 or Datasette.",
        "format": "sqlite", "mediatype": "application/vnd.sqlite3"})
    for data in surveys:
        sid = survey_dir_name(data.survey.key)
        answers = data.sorted_answers()
        out.records(f"survey-{sid}-answers", download_stem(survey_page(data.survey.key)),
                    f"Answers to {data.survey.title}", answer_records(data, answers))
        for q in data.sorted_questions():
            out.records(f"survey-{sid}-{q.id.lower()}",
                        download_stem(question_page(data.survey.key, q.id)),
                        f"Answers to {q.id} of {data.survey.title}",
                        answer_records(data, [a for a in answers if a.question_id == q.id]))
    out.add(RECORD_SCHEMA_FILE, (json.dumps(RECORD_SCHEMA, indent=1) + "\n").encode())
    out.add("datapackage.json", datapackage(store, out.resources))
    return {f"{ROOT}/{path}": data for path, data in out.files.items()}
