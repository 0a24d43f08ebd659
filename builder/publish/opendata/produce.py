"""Write every download into the work folder as it is made, and only what changed.

`write_downloads(store, docs_dir)` plans the files in groups: the whole dataset (the six
tables as CSV, JSON and SQLite, all answer records) and one group per survey (its
answer records, and one CSV file per question that has answers). Each group carries a
digest of its inputs (the survey's data, or every survey's; and the builder's own code);
a group whose digest and files are those of the last run (`layout.STATE`) is kept as it
is, the others are written again through `StreamedFiles` (a file whose bytes did not
change is not rewritten). The result is the same as a build from nothing. A file with no
record in it is not made: a survey or question without answers has no download.
A survey's records are encoded once for all of its files (`records.SurveyRecords`) and
let go once its group is made (`Group.done`): one survey's records at a time in memory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import operator
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from builder import __version__
from builder.core.model import Store, SurveyData
from builder.publish.opendata.compose import (
    dataset_json_writer,
    record_writers,
    sqlite_writer,
    table_writers,
)
from builder.publish.opendata.datapackage import datapackage
from builder.publish.opendata.files import Sink
from builder.publish.opendata.layout import (
    GZ,
    RECORD_SCHEMA_FILE,
    ROOT,
    SQLITE_FILE,
    STATE,
    question_file,
    survey_file,
)
from builder.publish.opendata.pieces import CACHE, Pieces
from builder.publish.opendata.records import Part, SurveyRecords, record_parts
from builder.publish.opendata.tables import (
    RECORD_SCHEMA,
    TABLES,
    Row,
    Table,
    TableRows,
    record_rows,
)
from builder.publish.paths import question_page, survey_page
from builder.publish.write import FileInfo, StreamedFiles
from builder.store.records import survey_dir_name

Writer = Callable[[Sink], None]
STATE_VERSION = 1


@dataclass(frozen=True)
class Group:
    key: str
    inputs: str
    """Digest of everything the group's files are made from."""
    parts: list[Part]
    done: Callable[[], None] = lambda: None
    """Called once its files are made: lets go of what they were made from."""


@dataclass(frozen=True)
class Downloads:
    files: dict[str, FileInfo]
    """Every download by docs-relative path, in a fixed order."""
    written: list[str]
    """The files this run wrote (new or changed)."""


PACKAGE = Path(__file__).resolve().parents[2]
"""builder/: every module of it is code the downloads are made by."""
_CODE: list[str] = []  # code_digest(), once known in this process


def code_digest() -> str:
    """The builder's own code: a changed writer must not keep files an older one made.
    Made from the modules' SHA-256 (code_digest_of), read here unless a build gave them
    first (known_code)."""
    if not _CODE:
        _CODE.append(code_digest_of({
            path.relative_to(PACKAGE).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}))
    return _CODE[0]


def code_digest_of(modules: Mapping[str, str]) -> str:
    """The digest of the builder's code from each module's SHA-256 (hex) by its path in
    builder/ (other files are not code)."""
    digest = hashlib.sha256(f"{__version__} {STATE_VERSION}\n".encode())
    for rel, sha in sorted(modules.items()):
        if rel.endswith(".py"):
            digest.update(f"{rel}\0{sha}\n".encode())
    return digest.hexdigest()


def known_code(modules: Mapping[str, str]) -> None:
    """The SHA-256 of builder/'s files as a build's input record has them (hashed only
    where a file changed): code_digest() made from them instead of reading every module
    again, a fiftieth of a second in each of the build's processes."""
    if not _CODE:
        _CODE.append(code_digest_of(modules))


_GETTERS: dict[type, Callable[[Any], Any]] = {}


def _fields(value: object) -> tuple[object, ...]:
    """A record's fields in one C call (dataclasses.fields per value is slow)."""
    kind = type(value)
    if kind not in _GETTERS:
        if not dataclasses.is_dataclass(kind):
            raise TypeError(f"not part of a survey's data: {kind.__name__}")
        names = [f.name for f in dataclasses.fields(kind)]
        get = operator.attrgetter(*names)
        _GETTERS[kind] = get if len(names) > 1 else lambda v: (get(v),)
    fields: tuple[object, ...] = _GETTERS[kind](value)
    return fields


def survey_digest(data: SurveyData) -> str:
    """A digest of everything the store holds for one survey: its records' fields (plain
    values: text, numbers, tuples) in marshal's version 0, which writes no references or
    interning marks, so that equal values always give equal bytes; C speed."""
    plain = [_fields(data.survey), [_fields(q) for q in data.sorted_questions()],
             [_fields(a) for a in data.sorted_answers()], [_fields(c) for c in data.history]]
    return hashlib.sha256(code_digest().encode() + b"\n" + marshal.dumps(plain, 0)).hexdigest()


def survey_group(data: SurveyData, files: str | None = None) -> Group:
    """A survey's answer records (gzipped CSV and JSON) and one CSV per answered question.
    `files`: the hash of the survey's data files, when known (generate.survey_files): what
    its records are read from, so its digest need not be made from the records."""
    sid, key, title = survey_dir_name(data.survey.key), data.survey.key, data.survey.title
    records = SurveyRecords(data)
    parts: list[Part] = []
    if data.answers:
        parts += record_parts(f"survey-{sid}-answers", survey_file(survey_page(key), "csv")
                               .removesuffix(GZ), f"Answers to {title}", records)
    answered = {question_id for question_id, _ in data.answers}
    for q in data.sorted_questions():
        if q.id in answered:
            parts += record_parts(
                f"survey-{sid}-{q.id.lower()}", question_file(question_page(key, q.id)),
                f"Answers to {q.id} of {title}", records, q.id)
    inputs = survey_digest(data) if files is None else hashlib.sha256(
        f"{code_digest()}\nfiles {files}".encode()).hexdigest()
    return Group(f"survey/{sid}", inputs, parts, records.clear)


def _write(sink: Sink, data: bytes) -> None:
    sink.write(data)


def _table_part(table: Table, write: Writer) -> Part:
    return Part(f"{ROOT}/tables/{table.name}.csv{GZ}", write, {
        "name": table.resource, "title": table.name, "description": table.description,
        "profile": "tabular-data-resource", "format": "csv", "compression": "gz",
        "mediatype": "text/csv", "encoding": "utf-8", "schema": table.schema()})


def dataset_group(store: Store, pieces: Pieces, surveys: list[Group]) -> Group:
    """The whole dataset: made again when anything changed, from every survey's pieces
    (`compose`), of which only those of a changed survey are made again."""
    rows = TableRows(store)
    digest = hashlib.sha256(f"{code_digest()} demo={store.demo}".encode())
    for group in surveys:
        digest.update(f"\n{group.key} {group.inputs}".encode())
    keyed = [(g.inputs, data) for g, data in zip(surveys, store.sorted_surveys(), strict=True)]

    def records(data: SurveyData) -> list[Row]:
        return record_rows(data, rows.answers_of(data))

    parts = [_table_part(t, w) for t, w in zip(TABLES, table_writers(rows, pieces, keyed),
                                               strict=True)]
    if any(data.answers for data in store.surveys.values()):
        segments = [(f"{key} records", partial(records, data)) for key, data in keyed]
        as_csv, as_json = record_parts("answers", f"{ROOT}/answers.csv",
                                        "All answers, one record per chosen option", None)
        csv_writer, json_writer = record_writers(pieces, segments)
        parts += [dataclasses.replace(as_csv, write=csv_writer),
                  dataclasses.replace(as_json, write=json_writer)]
    parts.append(Part(f"{ROOT}/dataset.json{GZ}", dataset_json_writer(rows, pieces, keyed), {
        "name": "dataset-json", "title": "All tables in one JSON file",
        "description": "An object with one key per table (surveys, questions, options, "
                       "ca_owners, answers, history); each holds an array of rows with the "
                       "fields of that table's CSV file. Text is exact.",
        "format": "json", "compression": "gz", "mediatype": "application/json",
        "encoding": "utf-8"}))
    parts.append(Part(f"{ROOT}/{SQLITE_FILE}{GZ}",
                      sqlite_writer(rows, pieces, keyed, pieces.root.parent), {
        "name": "sqlite", "title": "All tables as one SQLite database",
        "description": "The six tables with primary and foreign keys and indexes, an FTS5 "
                       "index over answers.response (answers_fts) and the view "
                       "answer_records. Opens in sqlite3 or Datasette (after gunzip).",
        "format": "sqlite", "compression": "gz", "mediatype": "application/vnd.sqlite3"}))
    schema = (json.dumps(RECORD_SCHEMA, indent=1) + "\n").encode()
    parts.append(Part(f"{ROOT}/{RECORD_SCHEMA_FILE}", lambda sink: _write(sink, schema)))
    return Group("dataset", digest.hexdigest(), parts)


def _described(resource: dict[str, Any], info: FileInfo) -> dict[str, Any]:
    out = resource | {"path": info.path.removeprefix(f"{ROOT}/")}
    if out.get("format") != "json" or "schema" not in out:
        # frictionless 5 measures no JSON table as it reads it, and would report every
        # size as wrong: JSON tables go without (the Downloads page has them).
        out |= {"bytes": info.size, "hash": f"sha256:{info.sha256}"}
    return out


def _kept(out: StreamedFiles, group: Group, saved: Any) -> list[list[Any]] | None:
    """The saved entries of a group made from the same inputs, if its files are there."""
    if not isinstance(saved, dict) or saved.get("inputs") != group.inputs:
        return None
    entries = saved.get("files")
    if not isinstance(entries, list) or [e[0] for e in entries] != [
            p.path for p in group.parts]:
        return None
    infos = [FileInfo(path, size, sha256) for path, size, sha256, _ in entries]
    return entries if out.keep(infos) else None


def _made(out: StreamedFiles, group: Group) -> list[list[Any]]:
    entries = []
    for part in group.parts:
        with out.open(part.path) as sink:
            part.write(sink)
        info = out.files[part.path]
        entries.append([info.path, info.size, info.sha256, part.resource])
    return entries


def _saved_state(docs_dir: Path) -> dict[str, Any]:
    """The groups of the last run, by key (empty when there is no readable state)."""
    try:
        state = json.loads((docs_dir / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return {}
    groups = state.get("groups")
    return groups if isinstance(groups, dict) else {}


def write_downloads(store: Store, docs_dir: Path,
                    files: Mapping[str, str] | None = None, fresh: bool = False) -> Downloads:
    """Every download, written into docs_dir (under downloads/) as it is made. `files`:
    survey key -> the hash of its data files (generate.survey_files), where known.
    `fresh` (--full): every file made again, none kept from the last run."""
    files = files or {}
    surveys = [survey_group(data, files.get(data.survey.key))
               for data in store.sorted_surveys()]
    pieces = Pieces(docs_dir / CACHE, code_digest(), fresh)
    groups = [dataset_group(store, pieces, surveys), *surveys]
    package = f"{ROOT}/datapackage.json"
    out = StreamedFiles(docs_dir)
    out.plan([p.path for g in groups for p in g.parts] + [package])
    saved = {} if fresh else _saved_state(docs_dir)
    entries = {g.key: e for g in groups if (e := _kept(out, g, saved.get(g.key)))}
    state_file = docs_dir / STATE
    if len(entries) < len(groups):
        # Gone until this run has finished: a run cut short leaves no claim about files
        # it may have half replaced, and the next one makes them all again.
        state_file.unlink(missing_ok=True)
    for group in groups:
        if group.key not in entries:
            entries[group.key] = _made(out, group)
            group.done()
            if group.key == "dataset":
                pieces.gc()  # only what this whole dataset is made of is kept
    resources = [_described(resource, out.files[path]) for g in groups
                 for path, _, _, resource in entries[g.key] if resource is not None]
    with out.open(package) as sink:
        sink.write(datapackage(store, resources))
    state = json.dumps({"version": STATE_VERSION, "groups": {
        g.key: {"inputs": g.inputs, "files": entries[g.key]} for g in groups}})
    if not state_file.exists() or state_file.read_text(encoding="utf-8") != state:
        state_file.write_text(state, encoding="utf-8")
    paths = [p.path for g in groups for p in g.parts] + [package]
    return Downloads({path: out.files[path] for path in paths}, out.written)


def render_downloads(store: Store) -> dict[str, bytes]:
    """Every download as bytes, by docs-relative path: written into a temporary folder and
    read back (for tests and tools; the build writes into its work folder)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = write_downloads(store, Path(tmp)).files
        return {path: (Path(tmp) / path).read_bytes() for path in files}
