"""What the open-data tables hold (their Table Schema) and their rows, from the store. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from builder.core.errors import InternalError
from builder.core.model import QUESTION_TYPES, RECORD_FIELDS, UNKNOWN, Answer, Store, SurveyData
from builder.core.text import page_name, public_source
from builder.publish.labels import CAPTURED_AT, IMPORTED_AT, LIVE
from builder.publish.owners import owner_names
from builder.publish.paths import owner_page, question_page, survey_page, url_of
from builder.store.records import survey_dir_name


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
if tuple(f["name"] for f in RECORD_SCHEMA["fields"]) != RECORD_FIELDS:
    raise InternalError("the answer-record schema does not list the ten record fields")


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
    """Every table's rows, in a fixed order, as Python values (all at once: for tests)."""
    rows = TableRows(store)
    return {t.name: list(rows.of(t.name)) for t in TABLES}


class TableRows:
    """One table's rows at a time, in a fixed order: made as they are written, so that
    no table of a large store is ever held whole in memory."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.names = owner_names(store)
        self.slug = {key: page_name(key, "ca-owner") for key in self.names}

    def of(self, table: str) -> Iterator[dict[str, Any]]:
        if table == "ca_owners":
            return self._owners()
        return (row for data in self.store.sorted_surveys()
                for row in self.of_survey(table, data))

    def of_survey(self, table: str, data: SurveyData) -> Iterator[dict[str, Any]]:
        """The rows of one survey in a table other than ca_owners, in their order."""
        rows: Iterator[dict[str, Any]] = getattr(self, f"_{table}")(data)
        return rows

    def _owners(self) -> Iterator[dict[str, Any]]:
        for key, name in sorted(self.names.items(),
                                key=lambda kv: (kv[1].casefold(), self.slug[kv[0]])):
            yield {"ca_owner_slug": self.slug[key], "name": name, "ca_owner_key": key,
                   "page": url_of(owner_page(key))}

    def _surveys(self, data: SurveyData) -> Iterator[dict[str, Any]]:
        s = data.survey
        yield {"survey_slug": survey_dir_name(s.key), "title": s.title,
               "communication_id": s.communication_id, "sent": s.sent,
               "deadline": s.deadline, "partial": s.partial, "demo": s.demo,
               "source_urls": list(s.source_urls), "note": s.note, "letter": s.letter,
               "page": url_of(survey_page(s.key))}

    def _questions(self, data: SurveyData) -> Iterator[dict[str, Any]]:
        sid = survey_dir_name(data.survey.key)
        for q in data.sorted_questions():
            yield {"survey_slug": sid, "question_id": q.id, "question_order": q.order,
                   "question_type": q.type, "question_text": q.text,
                   "source": None if q.source is None else public_source(q.source),
                   "page": url_of(question_page(data.survey.key, q.id))}

    def _options(self, data: SurveyData) -> Iterator[dict[str, Any]]:
        sid = survey_dir_name(data.survey.key)
        for q in data.sorted_questions():
            for n, label in enumerate(q.options, start=1):
                yield {"survey_slug": sid, "question_id": q.id, "option_number": n,
                       "label": label}

    def _answers(self, data: SurveyData) -> Iterator[dict[str, Any]]:
        sid = survey_dir_name(data.survey.key)
        for a in data.sorted_answers():
            for position, (response, number) in enumerate(_chosen(a), start=1):
                yield {"survey_slug": sid, "question_id": a.question_id,
                       "ca_owner_slug": self.slug[a.owner_key], "position": position,
                       "option_number": number, "response": response,
                       "ca_owner_name": a.owner_name, "submitted_at": a.submitted_at,
                       "observed_at": a.observed_at, "captured_at": a.captured_at,
                       "live": a.live, "source": public_source(a.source)}

    def _history(self, data: SurveyData) -> Iterator[dict[str, Any]]:
        sid = survey_dir_name(data.survey.key)
        for sequence, c in enumerate(data.history, start=1):
            yield {"survey_slug": sid, "sequence": sequence, "question_id": c.question_id,
                   "ca_owner_slug": self.slug[c.owner_key], "ca_owner_name": c.owner_name,
                   "kind": c.kind, "old": None if c.old is None else list(c.old),
                   "new": None if c.new is None else list(c.new),
                   "observed_at": c.observed_at, "captured_at": c.captured_at,
                   "live": c.live, "source": public_source(c.source)}
