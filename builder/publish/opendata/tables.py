"""What the open-data tables hold (their Table Schema) and their rows, from the store. Pure.

Rows are tuples in column order (what `cells` encodes a column at a time); the dicts of
`of`, `table_rows` and `answer_records` are made from them, for tests and tools.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from builder.core.errors import InternalError
from builder.core.model import QUESTION_TYPES, RECORD_FIELDS, UNKNOWN, Answer, Store, SurveyData
from builder.core.text import page_name, public_source
from builder.publish.labels import CAPTURED_AT, IMPORTED_AT, LIVE
from builder.publish.owners import owner_names
from builder.publish.paths import owner_page, question_page, survey_page, url_of
from builder.store.records import survey_dir_name

Row = tuple[Any, ...]
"""One row of a table: its cells in column order."""


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
class Columns:
    """What `cells` needs of a table to encode its rows: the names and the types."""

    names: tuple[str, ...]
    kinds: tuple[str, ...]


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
    def columns(self) -> Columns:
        return Columns(tuple(f.name for f in self.fields), tuple(f.type for f in self.fields))

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
if tuple(f["name"] for f in RECORD_SCHEMA["fields"]) != RECORD_FIELDS:
    raise InternalError("the answer-record schema does not list the ten record fields")


def _chosen(answer: Answer) -> list[tuple[str | None, int | None]]:
    """(response, option number) per chosen option; one (None, None) for an empty answer."""
    values, numbers = answer.values, answer.option_numbers
    if len(values) == 1:  # most: one free text, or one option
        return [(values[0], numbers[0] if numbers else None)]
    if not values:
        return [(None, None)]
    # numbers beyond the values are not shown; missing ones are None
    return list(zip(values, numbers + (None,) * (len(values) - len(numbers)), strict=False))


RECORD_COLUMNS = Columns(RECORD_FIELDS, tuple(f["type"] for f in RECORD_SCHEMA["fields"]))


def record_rows(data: SurveyData, answers: Iterable[Answer]) -> list[Row]:
    """The `json` import format as tuples (RECORD_FIELDS): one per CA owner x question x
    chosen option."""
    survey, out = data.survey, []
    asked: dict[str, Row] = {}  # each question's six cells, made once
    for answer in answers:
        head = asked.get(answer.question_id)
        if head is None:
            q = data.questions[answer.question_id]
            head = asked[q.id] = (survey.title, survey.communication_id, q.id, q.order,
                                  None if q.type == UNKNOWN else q.type, q.text)
        name, at = answer.owner_name, answer.submitted_at
        out += [(*head, name, response, number, at) for response, number in _chosen(answer)]
    return out


def answer_records(data: SurveyData, answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """The `json` import format: one record per CA owner x question x chosen option."""
    return [dict(zip(RECORD_FIELDS, row, strict=True)) for row in record_rows(data, answers)]


def table_rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, in a fixed order, as Python values (all at once: for tests)."""
    rows = TableRows(store)
    return {t.name: list(rows.of(t.name)) for t in TABLES}


class TableRows:
    """One table's rows at a time, in a fixed order, as tuples in column order (`tuples`,
    arrays as tuples) or as dicts (`of`): made as they are written, so that no table of a
    large store is ever held whole in memory."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.names = owner_names(store)
        self.slug = {key: page_name(key, "ca-owner") for key in self.names}
        self.source = cache(public_source)  # a few sources, each of many answers
        self._sorted: dict[str, list[Answer]] = {}

    def answers_of(self, data: SurveyData) -> list[Answer]:
        """data.sorted_answers(), sorted once for every table and file made from them."""
        key = data.survey.key
        if key not in self._sorted:
            self._sorted[key] = data.sorted_answers()
        return self._sorted[key]

    def of(self, table: str) -> Iterator[dict[str, Any]]:
        names = TABLE[table].columns.names
        arrays = [n for n, kind in enumerate(TABLE[table].columns.kinds) if kind == ARRAY]
        for row in self.tuples(table) if table == "ca_owners" else (
                row for data in self.store.sorted_surveys() for row in self.tuples(table, data)):
            cells = list(row)
            for n in arrays:
                cells[n] = None if cells[n] is None else list(cells[n])
            yield dict(zip(names, cells, strict=True))

    def tuples(self, table: str, data: SurveyData | None = None) -> Iterator[Row]:
        """The rows of ca_owners, or of one survey in another table, in their order."""
        if table == "ca_owners":
            return self._owners()
        if data is None:
            raise InternalError(f"the rows of {table} belong to a survey")
        rows: Iterator[Row] = getattr(self, f"_{table}")(data)
        return rows

    def _owners(self) -> Iterator[Row]:
        for key, name in sorted(self.names.items(),
                                key=lambda kv: (kv[1].casefold(), self.slug[kv[0]])):
            yield self.slug[key], name, key, url_of(owner_page(key))

    def _surveys(self, data: SurveyData) -> Iterator[Row]:
        s = data.survey
        yield (survey_dir_name(s.key), s.title, s.communication_id, s.sent, s.deadline,
               s.partial, s.demo, tuple(s.source_urls), s.note, s.letter,
               url_of(survey_page(s.key)))

    def _questions(self, data: SurveyData) -> Iterator[Row]:
        sid = survey_dir_name(data.survey.key)
        for q in data.sorted_questions():
            yield (sid, q.id, q.order, q.type, q.text,
                   None if q.source is None else self.source(q.source),
                   url_of(question_page(data.survey.key, q.id)))

    def _options(self, data: SurveyData) -> Iterator[Row]:
        sid = survey_dir_name(data.survey.key)
        for q in data.sorted_questions():
            for n, label in enumerate(q.options, start=1):
                yield sid, q.id, n, label

    def _answers(self, data: SurveyData) -> Iterator[Row]:
        sid, slug, source = survey_dir_name(data.survey.key), self.slug, self.source
        for a in self.answers_of(data):
            head = (sid, a.question_id, slug[a.owner_key])
            tail = (a.owner_name, a.submitted_at, a.observed_at, a.captured_at, a.live,
                    source(a.source))
            for position, (response, number) in enumerate(_chosen(a), start=1):
                yield (*head, position, number, response, *tail)

    def _history(self, data: SurveyData) -> Iterator[Row]:
        sid, slug, source = survey_dir_name(data.survey.key), self.slug, self.source
        for sequence, c in enumerate(data.history, start=1):
            yield (sid, sequence, c.question_id, slug[c.owner_key], c.owner_name, c.kind,
                   None if c.old is None else tuple(c.old),
                   None if c.new is None else tuple(c.new),
                   c.observed_at, c.captured_at, c.live, source(c.source))
