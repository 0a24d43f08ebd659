"""The files of one set of answer records: a survey's (gzipped CSV and JSON, and one plain
CSV per question) and the whole dataset's, as `Part`s of a group of downloads.

A survey's records are made and encoded once for all of its files (`SurveyRecords`): its
CSV file is the header and each question's lines in order, and each question's file the
header and that question's lines, so the lines are encoded once; let go after its group
is made (`clear`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from builder.core.model import RECORD_FIELDS, SurveyData
from builder.publish.opendata.cells import csv_header, csv_rows
from builder.publish.opendata.files import Sink, gz, write_json_array
from builder.publish.opendata.layout import GZ, RECORD_SCHEMA_FILE
from builder.publish.opendata.tables import RECORD_COLUMNS, Row, record_rows

Writer = Callable[[Sink], None]
QUESTION = RECORD_FIELDS.index("question_id")


@dataclass(frozen=True)
class Part:
    """One file: where it goes (docs-relative), how to write it, how the package says it."""

    path: str
    write: Writer
    resource: dict[str, Any] | None = None


class SurveyRecords:
    """One survey's answer records, made and encoded once for all of its files (CSV a
    question at a time: each question's file is a part of the survey's), until `clear`."""

    def __init__(self, data: SurveyData) -> None:
        self.data = data
        self.clear()

    def clear(self) -> None:
        self._rows: list[Row] | None = None
        self._csv: dict[str, bytes] | None = None

    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows = record_rows(self.data, self.data.sorted_answers())
        return self._rows

    def csv(self) -> dict[str, bytes]:
        """Each answered question's CSV lines (no header), in the order of the rows."""
        if self._csv is None:
            asked: dict[str, list[Row]] = {}
            for row in self.rows():
                asked.setdefault(row[QUESTION], []).append(row)
            self._csv = {q: csv_rows(RECORD_COLUMNS, rows) for q, rows in asked.items()}
        return self._csv

    def write_csv(self, sink: Sink, question: str | None = None) -> None:
        sink.write(csv_header(RECORD_COLUMNS))
        for q, text in self.csv().items():
            if question is None or q == question:
                sink.write(text)

    def write_json(self, sink: Sink) -> None:
        write_json_array(sink, RECORD_COLUMNS, self.rows())
        sink.write(b"\n")



def record_parts(name: str, path: str, title: str, records: SurveyRecords | None,
                 question: str | None = None) -> list[Part]:
    """One set of answer records as CSV and JSON (gzipped), or as a plain CSV only (one
    question's); with no `records` the parts have no writer yet (the whole dataset's)."""
    table = {"profile": "tabular-data-resource", "encoding": "utf-8",
             "schema": RECORD_SCHEMA_FILE}
    if question is not None and records is not None:
        return [Part(path, partial(records.write_csv, question=question), {
            "name": f"{name}-csv", "title": f"{title} (CSV)", "format": "csv",
            "mediatype": "text/csv"} | table)]
    zipped = {"compression": "gz"}
    as_csv, as_json = (gz(records.write_csv), gz(records.write_json)) if records else (
        _nothing, _nothing)
    return [Part(path + GZ, as_csv, {
        "name": f"{name}-csv", "title": f"{title} (CSV)", "format": "csv",
        "mediatype": "text/csv"} | zipped | table),
        Part(path.removesuffix(".csv") + ".json" + GZ, as_json, {
            "name": f"{name}-json", "title": f"{title} (JSON)", "format": "json",
            "mediatype": "application/json"} | zipped | table)]


def _nothing(sink: Sink) -> None:
    pass


