"""Open data: the whole store as CSV, JSON, SQLite and a Frictionless Data Package.

Pure: `render_downloads(store)` returns every file as bytes, keyed by its path relative
to docs/; `render_downloads_page` renders the Downloads page that lists them. Two layouts:

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

import jinja2
from markupsafe import Markup

from builder.encode import front_matter, link
from builder.errors import BuildFailed
from builder.labels import CAPTURED_AT, IMPORTED_AT, LIVE
from builder.load.common import RECORD_FIELDS
from builder.model import QUESTION_TYPES, UNKNOWN, Answer, Store, SurveyData
from builder.pages import owner_page, question_page, rel, survey_page, url_of
from builder.render import make_environment
from builder.store import survey_dir_name
from builder.text import page_name, public_source

ROOT = "downloads"
PAGE = "downloads/index.md"
SQLITE_FILE = "ca-communications.sqlite"
RECORD_SCHEMA_FILE = "schemas/answer-records.json"
LICENSE = {"name": "CDLA-Permissive-2.0", "path": "https://cdla.dev/permissive-2-0/",
           "title": "Community Data License Agreement - Permissive - Version 2.0"}
SOURCES = [{"title": "Common CA Database (CCADB)", "path": "https://www.ccadb.org/"},
           {"title": "Mozilla CA Communications",
            "path": "https://wiki.mozilla.org/CA/Communications"}]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet cannot run: `'` before a leading = + - @ TAB or CR.

    Plain numbers such as `-5` or `+1.5` stay as they are, so they stay numbers.
    """
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def download_stem(page: str) -> str:
    """Where the data of a survey or question page (a path made by builder.pages) goes.

    `surveys/<dir>/index.md` -> `surveys/<dir>/answers`; `surveys/<dir>/<qid>.md` ->
    `surveys/<dir>/<qid>` (relative to downloads/; add `.csv` or `.json`). The survey and
    question templates build the same paths from their own `page`.
    """
    stem = page.removesuffix(".md")
    return stem.removesuffix("index") + "answers" if stem.endswith("/index") else stem


def page_download(page: str, ext: str) -> str:
    """The docs-relative path of a survey or question page's CSV or JSON file."""
    return f"{ROOT}/{download_stem(page)}.{ext}"


# -- what the tables hold --------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    name: str
    type: str
    """Table Schema type: string, integer, boolean or array (JSON text in CSV and SQLite)."""
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def schema(self) -> dict[str, Any]:
        constraints: dict[str, Any] = {"required": True} if self.required else {}
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        out: dict[str, Any] = {"name": self.name, "type": self.type,
                               "description": self.description}
        return out | ({"constraints": constraints} if constraints else {})


@dataclass(frozen=True)
class Table:
    name: str
    """SQLite table and CSV file name; the Data Package resource is `name` with '-'."""
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str], ...] = ()
    """(columns, referenced table): the referenced table's key has the same column names."""
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def resource(self) -> str:
        return self.name.replace("_", "-")

    def schema(self) -> dict[str, Any]:
        return {"fields": [f.schema() for f in self.fields], "missingValues": [""],
                "primaryKey": list(self.primary_key),
                "foreignKeys": [{"fields": list(cols), "reference": {
                    "resource": TABLE[target].resource, "fields": list(cols)}}
                    for cols, target in self.foreign_keys]}


STR, INT, BOOL, ARRAY = "string", "integer", "boolean", "array"
SURVEY = Field("survey_slug", STR, "The survey: its key in the surveys table (a readable slug "
               "of the title plus a hash; the survey's folder name on this site).", True)
QUESTION = Field("question_id", STR, "CCADB question id (Q00028), or local-... where the CCADB "
                 "id is not known.", True)
OWNER = Field("ca_owner_slug", STR, "The CA owner: its key in the ca_owners table.", True)
PAGE_FIELD = Field("page", STR, "Its page on this site, relative to the site's root URL.", True)
TABLES = (
    Table("surveys", "One row per survey (CA Communication).", (
        SURVEY,
        Field("title", STR, "Title as published.", True),
        Field("communication_id", STR, "CCADB CommunicationId (CA_Communication record id)."),
        Field("sent", STR, "When it was sent, as known (ISO date or a short phrase)."),
        Field("deadline", STR, "When answers were due, as known."),
        Field("partial", BOOL, "True when only part of the published answers was captured.",
              True),
        Field("demo", BOOL, "True for fictitious demonstration data.", True),
        Field("source_urls", ARRAY, "Where the survey and its answers were published."),
        Field("note", STR, "Editorial note of this site about the survey."),
        Field("letter", STR, "The text of the communication, when known."),
        PAGE_FIELD), ("survey_slug",)),
    Table("questions", "One row per question of each survey.", (
        SURVEY, QUESTION,
        Field("question_order", INT, "Position within the survey, when known."),
        Field("question_type", STR, "CCADB question type ('Unknown' when not known).", True,
              QUESTION_TYPES),
        Field("question_text", STR, "Full question text as published (empty if not captured)."),
        Field("source", STR, "Where the text was taken from."),
        PAGE_FIELD), ("survey_slug", "question_id"), ((("survey_slug",), "surveys"),)),
    Table("options", "The options of single- and multiple-choice questions, by number.", (
        SURVEY, QUESTION,
        Field("option_number", INT, "CCADB option number (1 is the first option).", True,
              minimum=1),
        Field("label", STR, "Option label as published (empty where not known).")),
        ("survey_slug", "question_id", "option_number"),
        ((("survey_slug", "question_id"), "questions"),)),
    Table("ca_owners", "One row per CA owner that has answered or had an answer withdrawn.", (
        OWNER,
        Field("name", STR, "Name as shown on this site (from its latest captured answer).",
              True),
        Field("ca_owner_key", STR, "Canonical identity: the name in Unicode NFKC, invisible "
              "characters removed, whitespace folded.", True),
        PAGE_FIELD), ("ca_owner_slug",)),
    Table("answers", "The latest answer of each CA owner to each question: one row per chosen "
          "option (one row for a free-text answer).", (
        SURVEY, QUESTION, OWNER,
        Field("position", INT, "1 for the first chosen option (or the free text), 2 for the "
              "second, ...", True, minimum=1),
        Field("option_number", INT, "CCADB option number of the chosen option, when known.",
              minimum=1),
        Field("response", STR, "The chosen option's label or the free text, verbatim (empty: "
              "left blank)."),
        Field("ca_owner_name", STR, "CA owner name as given by the source.", True),
        Field("submitted_at", STR, "When the CA submitted it, if the export says."),
        Field("observed_at", STR, IMPORTED_AT),
        Field("captured_at", STR, CAPTURED_AT),
        Field("live", BOOL, LIVE, True),
        Field("source", STR, "URL or file the answer was imported from.")),
        ("survey_slug", "question_id", "ca_owner_slug", "position"),
        ((("survey_slug",), "surveys"), (("survey_slug", "question_id"), "questions"),
         (("ca_owner_slug",), "ca_owners")), (("ca_owner_slug",),)),
    Table("history", "Every recorded change to an answer, in the order recorded "
          "(append-only).", (
        SURVEY,
        Field("sequence", INT, "Position in the survey's history (1 is the first change).",
              True, minimum=1),
        QUESTION, OWNER,
        Field("ca_owner_name", STR, "CA owner name as given by the source.", True),
        Field("kind", STR, "What happened to the answer.", True,
              ("added", "changed", "withdrawn")),
        Field("old", ARRAY, "The answer before (chosen options or the free text)."),
        Field("new", ARRAY, "The answer after (chosen options or the free text)."),
        Field("observed_at", STR, IMPORTED_AT),
        Field("captured_at", STR, CAPTURED_AT),
        Field("live", BOOL, LIVE, True),
        Field("source", STR, "URL or file the change was imported from.")),
        ("survey_slug", "sequence"),
        ((("survey_slug",), "surveys"), (("survey_slug", "question_id"), "questions"),
         (("ca_owner_slug",), "ca_owners")),
        (("ca_owner_slug",), ("survey_slug", "question_id", "ca_owner_slug"))),
)
TABLE = {t.name: t for t in TABLES}
RECORD_SCHEMA: dict[str, Any] = {"fields": [f.schema() for f in (
    Field("survey", STR, "Survey title.", True),
    Field("survey_id", STR, "CCADB CommunicationId, when known."),
    Field("question_id", STR, QUESTION.description, True),
    Field("question_order", INT, "Position within the survey, when known."),
    Field("question_type", STR, "CCADB question type (empty or null when not known).",
          enum=tuple(t for t in QUESTION_TYPES if t != UNKNOWN)),
    Field("question_text", STR, "Full question text as published."),
    Field("ca_owner", STR, "CA owner name as given by the source.", True),
    Field("response", STR, "The chosen option's label or the free text, verbatim."),
    Field("option_number", INT, "CCADB option number of the chosen option, when known.",
          minimum=1, maximum=12),
    Field("submitted_at", STR, "When the CA submitted it, if the export says."),
)], "missingValues": [""]}
assert tuple(f["name"] for f in RECORD_SCHEMA["fields"]) == RECORD_FIELDS


# -- rows -------------------------------------------------------------------------------

def owner_names(store: Store) -> dict[str, str]:
    """Name per CA owner key: from its latest captured answer, else its latest change."""
    best: dict[str, tuple[tuple[int, str], str]] = {}

    def offer(key: str, rank: tuple[int, str], name: str) -> None:
        if key not in best or rank > best[key][0]:
            best[key] = (rank, name)

    for data in store.sorted_surveys():
        for change in data.history:
            offer(change.owner_key, (0, change.observed_at), change.owner_name)
        for answer in data.sorted_answers():
            offer(answer.owner_key, (1, answer.observed_at), answer.owner_name)
    return {key: name for key, (_, name) in sorted(best.items())}


def _chosen(answer: Answer) -> list[tuple[str | None, int | None]]:
    """(response, option number) per chosen option; one (None, None) for an empty answer."""
    numbers = answer.option_numbers
    if not answer.values:
        return [(None, None)]
    return [(v, numbers[i] if i < len(numbers) else None) for i, v in enumerate(answer.values)]


def answer_records(data: SurveyData, answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """The `json` import format: one record per CA owner x question x chosen option."""
    survey = data.survey
    out = []
    for answer in answers:
        q = data.questions[answer.question_id]
        for response, number in _chosen(answer):
            out.append(dict(zip(RECORD_FIELDS, (
                survey.title, survey.communication_id, q.id, q.order,
                None if q.type == UNKNOWN else q.type, q.text, answer.owner_name, response,
                number, answer.submitted_at), strict=True)))
    return out


def table_rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, in a fixed order, as Python values."""
    names = owner_names(store)
    slug = {key: page_name(key, "ca-owner") for key in names}
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    for key, name in sorted(names.items(), key=lambda kv: (kv[1].casefold(), slug[kv[0]])):
        rows["ca_owners"].append({"ca_owner_slug": slug[key], "name": name, "ca_owner_key": key,
                                  "page": url_of(owner_page(key))})
    for data in store.sorted_surveys():
        s = data.survey
        sid = survey_dir_name(s.key)
        rows["surveys"].append({
            "survey_slug": sid, "title": s.title, "communication_id": s.communication_id,
            "sent": s.sent, "deadline": s.deadline, "partial": s.partial, "demo": s.demo,
            "source_urls": list(s.source_urls), "note": s.note, "letter": s.letter,
            "page": url_of(survey_page(s.key))})
        for q in data.sorted_questions():
            rows["questions"].append({
                "survey_slug": sid, "question_id": q.id, "question_order": q.order,
                "question_type": q.type, "question_text": q.text,
                "source": None if q.source is None else public_source(q.source),
                "page": url_of(question_page(s.key, q.id))})
            rows["options"] += [{"survey_slug": sid, "question_id": q.id, "option_number": n,
                                 "label": label} for n, label in enumerate(q.options, start=1)]
        for a in data.sorted_answers():
            for position, (response, number) in enumerate(_chosen(a), start=1):
                rows["answers"].append({
                    "survey_slug": sid, "question_id": a.question_id,
                    "ca_owner_slug": slug[a.owner_key], "position": position,
                    "option_number": number, "response": response,
                    "ca_owner_name": a.owner_name, "submitted_at": a.submitted_at,
                    "observed_at": a.observed_at, "captured_at": a.captured_at,
                    "live": a.live, "source": public_source(a.source)})
        for sequence, c in enumerate(data.history, start=1):
            rows["history"].append({
                "survey_slug": sid, "sequence": sequence, "question_id": c.question_id,
                "ca_owner_slug": slug[c.owner_key], "ca_owner_name": c.owner_name,
                "kind": c.kind, "old": None if c.old is None else list(c.old),
                "new": None if c.new is None else list(c.new), "observed_at": c.observed_at,
                "captured_at": c.captured_at, "live": c.live, "source": public_source(c.source)})
    return rows


# -- file formats -----------------------------------------------------------------------

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
    return spreadsheet_safe(_SURROGATE.sub("\ufffd", text))


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
    return _SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value


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


# -- the files and the Data Package -----------------------------------------------------

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


def datapackage(store: Store, resources: list[dict[str, Any]]) -> bytes:
    demo = " This is fictitious demonstration data (builder demo)." if store.demo else ""
    package = {
        "profile": "data-package",
        "name": "ca-communications-record" + ("-demo" if store.demo else ""),
        "title": "CA Communications record" + (" (demonstration data)" if store.demo else ""),
        "description": (
            "CA owners' answers to Mozilla's CA Communications (surveys), with every "
            "version seen. Source: Common CA Database (CCADB), licensed CDLA-Permissive-2.0; "
            "not affiliated with or endorsed by the CCADB, Mozilla or any CA. JSON files "
            "keep the exact text; in CSV files a cell that begins with =, +, -, @, TAB or CR "
            "(and is not a plain number) is prefixed with an apostrophe (') so that "
            "spreadsheets do not run it as a formula." + demo),
        "licenses": [LICENSE],
        "sources": SOURCES,
        "keywords": ["CCADB", "Mozilla", "certificate authorities", "CA Communications",
                     "WebPKI"],
        "resources": resources,
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- the Downloads page -----------------------------------------------------------------

DATASET_FILES = (
    ("answers.csv", "Every answer, one row per CA owner × question × chosen option, in the "
                    "ten-column ccadb-csv layout."),
    ("answers.json", "The same records in the json import format (exact text)."),
    ("dataset.json", "All six tables in one JSON file (exact text)."),
    (SQLITE_FILE, "All six tables in one SQLite database, with keys, indexes, full-text "
                  "search over answers (answers_fts) and the view answer_records."),
    *((f"tables/{t.name}.csv", t.description) for t in TABLES),
    ("datapackage.json", "Frictionless Data Package: every file's fields, types, keys, "
                         "size and checksum; licence and sources."),
    (RECORD_SCHEMA_FILE, "Table Schema of the answer records (all answers.* and per-question "
                         "files)."),
)


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "kB"
    if value >= 1000:
        value, unit = value / 1000, "MB"
    return f"{value:.1f} {unit}"


def render_downloads_page(files: dict[str, bytes], store: Store,
                          templates_dir: Path) -> dict[str, str]:
    """The Downloads page: every file with its size and SHA-256."""
    def entry(path: str, **extra: object) -> dict[str, object]:
        data = files[path]
        return {"path": path, "name": path.rsplit("/", 1)[-1], "size": human_size(len(data)),
                "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} | extra

    dataset = [entry(f"{ROOT}/{name}", what=what, name=name) for name, what in DATASET_FILES]
    surveys = []
    for data in sorted(store.surveys.values(), key=lambda d: d.survey.title.casefold()):
        page = survey_page(data.survey.key)
        rows = [entry(page_download(page, ext), question=None) for ext in ("csv", "json")]
        for q in data.sorted_questions():
            q_page = question_page(data.survey.key, q.id)
            rows += [entry(page_download(q_page, ext), question=q.id, question_page=q_page)
                     for ext in ("csv", "json")]
        surveys.append({"title": data.survey.title, "page": page, "files": rows})
    return {PAGE: _render(make_environment(templates_dir), "downloads.md.j2", "Downloads",
                          demo=store.demo, dataset=dataset, surveys=surveys,
                          total=human_size(sum(len(d) for d in files.values())),
                          count=len(files))}


def _render(env: jinja2.Environment, template: str, title: str, **context: object) -> str:
    def a(target: str, text: object) -> Markup:
        """A link from the Downloads page to a page or file (a docs-relative path)."""
        return link(rel(PAGE, target), text)

    try:
        body = env.get_template(template).render(page=PAGE, a=a, feed=None, **context)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise BuildFailed(f"{template}:{line}: {exc} (while rendering {PAGE})") from exc
    return f"{front_matter(title)}\n{body}"
