"""The downloads' bytes are those of encoding every row directly, one at a time, with the
standard library (csv.writer, json.dumps, sqlite3): the column-at-a-time encoding
(`opendata.cells`), the records encoded once for a survey's files and the whole dataset
composed of pieces change nothing, for hostile text too."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from builder.core.model import (
    MULTI,
    RECORD_FIELDS,
    Answer,
    Change,
    Question,
    Store,
    Survey,
    SurveyData,
)
from builder.core.text import without_surrogates
from builder.publish.opendata.cells import csv_rows, json_objects, spreadsheet_safe, sql_rows
from builder.publish.opendata.layout import SQLITE_FILE, question_file, survey_file
from builder.publish.opendata.produce import write_downloads
from builder.publish.opendata.tables import TABLES, Columns, answer_records, table_rows
from builder.publish.paths import question_page, survey_page
from builder.store.records import load_store
from conftest import ROOT

TEXTS = ['plain', 'comma, inside', 'a "quoted" word', 'line\nbreak', 'cr\rlf\r\nend', '"',
         ',', '', ' leading and trailing ', 'tab\there', '\x0bvertical\x0cfeed\x1f', 'Ünïcode',
         '中文', 'lone \ud800 surrogate', '=SUM(A1:A2)', '-5', '+cmd', '@x', '\tTAB',
         '\rCR', 'percent %s %% sign', 'back\\slash \\u0041', '\u2028sep\x85']


def hostile_store() -> Store:
    """Two surveys whose every text field holds the TEXTS (the NUL-free control characters,
    quotes, separators, line breaks, formulas, non-ASCII and a lone surrogate)."""
    store = Store()
    for n, title in enumerate(["Hostile, \"one\"\n", "deux é"]):
        key = f"survey {n} {title}"
        data = SurveyData(Survey(key, title, communication_id=TEXTS[n + 1], sent=TEXTS[2],
                                 letter=TEXTS[3 + n], source_urls=(TEXTS[1], TEXTS[4]),
                                 note=None if n else TEXTS[5], partial=bool(n)))
        for i, text in enumerate(TEXTS):
            qid = f"Q{i:05}"
            data.questions[qid] = Question(key, qid, None if i % 5 == 0 else i, MULTI, text,
                                           options=(TEXTS[i - 1], text), source=TEXTS[i - 2])
            for j, owner in enumerate(TEXTS[i % 4: i % 4 + 3]):
                values = () if j == 2 and i % 3 == 0 else (text, TEXTS[-1 - j])
                data.answers[(qid, f"key {owner}")] = Answer(
                    key, qid, f"key {owner}", f"{owner} CA", values, (1, None)[:len(values)],
                    source=f"/local/path/{TEXTS[j]}", observed_at=TEXTS[i - 3],
                    submitted_at=None if j else text, captured_at=TEXTS[j], live=j == 1)
                data.history.append(Change(key, qid, f"key {owner}", f"{owner} CA",
                                           "changed", None if j else (TEXTS[j],), values,
                                           TEXTS[i - 4], TEXTS[j + 5], TEXTS[j], j == 0))
        store.surveys[key] = data
    return store


def cell(value: Any) -> str:
    """A CSV cell, each rule spelled out."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")) \
        if isinstance(value, list) else value
    return spreadsheet_safe(without_surrogates(text))


def as_csv(names: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([cell(row[name]) for name in names] for row in rows)
    return text.getvalue().encode("utf-8")


def as_json(rows: list[dict[str, Any]]) -> bytes:
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    text = "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"
    return text.encode("utf-8", "backslashreplace")


def as_sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return without_surrogates(value) if isinstance(value, str) else value


def expected_files(store: Store) -> dict[str, bytes]:
    """Every CSV and JSON download, encoded a row at a time from the rows as dicts."""
    tables = table_rows(store)
    records = {key: answer_records(data, data.sorted_answers())
               for key, data in store.surveys.items()}
    every = [r for data in store.sorted_surveys() for r in records[data.survey.key]]
    out = {f"downloads/tables/{t.name}.csv.gz": as_csv(t.columns.names, tables[t.name])
           for t in TABLES}
    out["downloads/answers.csv.gz"] = as_csv(RECORD_FIELDS, every)
    out["downloads/answers.json.gz"] = as_json(every) + b"\n"
    out["downloads/dataset.json.gz"] = b"{\n" + b",\n".join(
        f'"{t.name}":'.encode() + as_json(tables[t.name]) for t in TABLES) + b"\n}\n"
    for key, data in store.surveys.items():
        if not data.answers:  # no file of nothing
            continue
        out[survey_file(survey_page(key), "csv")] = as_csv(RECORD_FIELDS, records[key])
        out[survey_file(survey_page(key), "json")] = as_json(records[key]) + b"\n"
        for qid in {q for q, _ in data.answers}:
            out[question_file(question_page(key, qid))] = as_csv(
                RECORD_FIELDS, [r for r in records[key] if r["question_id"] == qid])
    return out


@pytest.mark.parametrize("which", ["hostile", "real"])
def test_every_file_is_what_encoding_its_rows_one_at_a_time_gives(
        which: str, tmp_path: Path) -> None:
    store = hostile_store() if which == "hostile" else load_store(ROOT / "data")
    files = write_downloads(store, tmp_path).files
    expected = expected_files(store)
    made = {p for p in files if p.endswith((".csv", ".csv.gz", ".json.gz"))}
    assert made == set(expected)
    for path, text in expected.items():
        data = (tmp_path / path).read_bytes()
        assert (gzip.decompress(data) if path.endswith(".gz") else data) == text, path
    with gzip.open(tmp_path / "downloads/dataset.json.gz") as fh:
        assert json.load(fh) == table_rows(store)  # exact text, lone surrogates too
    db = tmp_path / SQLITE_FILE
    db.write_bytes(gzip.decompress((tmp_path / f"downloads/{SQLITE_FILE}.gz").read_bytes()))
    with sqlite3.connect(db) as conn:
        for t in TABLES:
            names = ", ".join(t.columns.names)
            got = conn.execute(f"SELECT {names} FROM {t.name} ORDER BY rowid").fetchall()
            want = [tuple(as_sql(row[n]) for n in t.columns.names) for row in table_rows(
                store)[t.name]]
            assert got == want, t.name
    conn.close()


def test_a_column_of_numbers_with_and_without_none_and_of_each_type() -> None:
    columns = Columns(("n", "m", "b", "a", "s"),
                      ("integer", "integer", "boolean", "array", "string"))
    rows = [(1, None, True, ("x", 'y"'), None), (22, 3, False, None, "=1"),
            (-3, 3, True, (), "a,b")]
    dicts = [dict(zip(columns.names, [list(v) if isinstance(v, tuple) else v for v in row],
                      strict=True)) for row in rows]
    assert csv_rows(columns, rows) == as_csv(columns.names, dicts).split(b"\r\n", 1)[1]
    assert json_objects(columns, rows) == ",\n".join(
        json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in dicts)
    assert list(sql_rows(columns, rows)) == [tuple(map(as_sql, d.values())) for d in dicts]
    assert csv_rows(columns, []) == b"" and json_objects(columns, []) == ""
