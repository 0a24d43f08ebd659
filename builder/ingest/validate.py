"""Turn raw records into typed surveys, questions and answers, collecting every problem."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from builder.core.comments import is_comments
from builder.core.errors import Issue
from builder.core.model import (
    FREE_TEXT,
    MAX_INTEGER,
    MAX_OPTIONS,
    MULTI,
    QUESTION_TYPES,
    UNKNOWN,
    Answer,
    Capture,
    Question,
    Store,
    Survey,
    SurveyData,
)
from builder.core.text import canonical_key, fold_whitespace, short_hash
from builder.ingest.formats.common import Export, RawRecord

QUESTION_ID = re.compile(r"^(Q\d{5,8}|local-[a-z0-9-]{1,60})$")
COMMUNICATION_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


@dataclass
class _QuestionDraft:
    id: str
    line: int | None
    order: int | None = None
    type: str | None = None
    text: str | None = None
    options: dict[int, str] = field(default_factory=dict)
    required: bool | None = None
    truncated: bool = False


@dataclass
class ImportBundle:
    """What one export says, validated; merged into the store by history.apply_import."""

    surveys: dict[str, SurveyData]
    issues: list[Issue]


def local_question_id(survey_key: str, text: str) -> str:
    """A stable id for a question the CCADB id of which is not known."""
    return f"local-{short_hash(survey_key + chr(0) + canonical_key(text), 10)}"


class _Validator:
    def __init__(self, export: Export, store: Store, observed_at: str,
                 capture: Capture) -> None:
        self.export = export
        self.store = store
        self.observed_at = observed_at
        self.capture = capture
        self.issues: list[Issue] = []

    def error(self, rec: RawRecord, name: str, code: str, message: str, value: object) -> None:
        line, column = rec.fields_at.get(name, (rec.line, rec.column))
        self.issues.append(Issue(rec.path, line, column, name, code, message,
                                 None if value is None else str(value)))

    def integer(self, rec: RawRecord, name: str, value: object) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) <= MAX_INTEGER:
                return value
            self.error(rec, name, "integer-out-of-range",
                       f"expected a whole number from -{MAX_INTEGER} to {MAX_INTEGER}", value)
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,6}\s*", value):
            return int(value)
        self.error(rec, name, "not-an-integer", "expected a whole number", value)
        return None

    def run(self) -> ImportBundle:
        surveys: dict[str, SurveyData] = {}
        drafts: dict[str, dict[str, _QuestionDraft]] = {}
        rows: dict[tuple[str, str, str], list[tuple[RawRecord, str, int | None]]] = {}
        names: dict[str, str] = {}
        spellings: dict[str, dict[str, RawRecord]] = {}
        for rec in self.export.records:
            survey = self.survey_of(rec, surveys)
            if survey is None:
                continue
            draft = self.question_of(rec, survey, drafts.setdefault(survey.key, {}))
            owner_key = canonical_key(str(rec.ca_owner or ""))
            if not owner_key:
                self.error(rec, "ca_owner", "empty-owner", "the CA owner name is empty",
                           rec.ca_owner)
            number = self.integer(rec, "option_number", rec.option_number)
            if number is not None and not 1 <= number <= MAX_OPTIONS:
                self.error(rec, "option_number", "option-out-of-range",
                           f"option numbers run from 1 to {MAX_OPTIONS}", rec.option_number)
                continue
            submitted = rec.submitted_at
            if submitted is not None and not DATE_TIME.match(str(submitted)):
                self.error(rec, "submitted_at", "invalid-date",
                           "expected an ISO 8601 date or date-time", submitted)
            if draft is None or not owner_key:
                continue
            if self.look_alike(rec, owner_key, spellings):
                continue
            names.setdefault(owner_key, str(rec.ca_owner))
            response = "" if rec.response is None else str(rec.response)
            if number is not None:
                known = draft.options.get(number)
                if known is not None and known != response:
                    self.error(rec, "option_number", "inconsistent-option",
                               f"option {number} was {known!r} on an earlier row", response)
                draft.options[number] = response
            rows.setdefault((survey.key, draft.id, owner_key), []).append(
                (rec, response, number))
        self.definitions(surveys, drafts)
        for survey_key, by_id in drafts.items():
            for draft in by_id.values():
                surveys[survey_key].questions[draft.id] = self.finish_question(survey_key, draft)
        for (survey_key, qid, owner_key), group in rows.items():
            question = surveys[survey_key].questions[qid]
            answer = self.answer(question, owner_key, names[owner_key], group)
            if answer is not None:
                surveys[survey_key].answers[(qid, owner_key)] = answer
        return ImportBundle(surveys, self.issues)

    def definitions(self, surveys: dict[str, SurveyData],
                    drafts: dict[str, dict[str, _QuestionDraft]]) -> None:
        """The questions a survey page defines (survey-sample-html): no answers."""
        for d in self.export.questions or ():
            rec = RawRecord(d.path, d.line, question_text=d.text, question_order=d.order,
                            question_type=None if d.type == UNKNOWN else d.type,
                            column=d.column)
            survey = self.survey_of(rec, surveys)
            if survey is None:
                continue
            draft = self.question_of(rec, survey, drafts.setdefault(survey.key, {}),
                                     truncated=d.truncated)
            if draft is not None:
                draft.options.update(d.options)
                draft.required, draft.truncated = d.required, d.truncated
    def look_alike(self, rec: RawRecord, owner_key: str,
                   spellings: dict[str, dict[str, RawRecord]]) -> bool:
        """A second spelling of one owner key in one export (a zero-width space, full-width
        letters): reported with both spellings and lines, its rows left out, so that it
        can neither add to another row's answer nor block the import."""
        spelling = unicodedata.normalize("NFC", fold_whitespace(str(rec.ca_owner)))
        seen = spellings.setdefault(owner_key, {spelling: rec})
        first_spelling, first = next(iter(seen.items()))
        if spelling == first_spelling:
            return False
        if spelling not in seen:
            seen[spelling] = rec
            line, column = rec.fields_at.get("ca_owner", (rec.line, rec.column))
            first_line = first.fields_at.get("ca_owner", (first.line, None))[0]
            self.issues.append(Issue(
                rec.path, line, column, "ca_owner", "look-alike-owner",
                f"one CA owner by the key rule (NFKC, invisible characters dropped) as "
                f"{str(first.ca_owner)!r} on line {first_line}; the rows with this spelling "
                "are left out", str(rec.ca_owner), warning=True))
        return True

    def survey_of(self, rec: RawRecord, surveys: dict[str, SurveyData]) -> Survey | None:
        title = fold_whitespace(str(rec.survey or self.export.survey_title or ""))
        key = canonical_key(title)
        if not key:
            self.error(rec, "survey", "missing-survey", "the survey title is empty", rec.survey)
            return None
        comm_id = rec.survey_id if rec.survey_id is not None else self.export.communication_id
        if comm_id is not None and not COMMUNICATION_ID.match(str(comm_id)):
            self.error(rec, "survey_id", "invalid-survey-id",
                       "a CCADB CommunicationId is 15 or 18 letters and digits", comm_id)
            comm_id = None
        if key not in surveys:
            origin = self.export.source or rec.path
            source = origin if "://" in origin else None
            surveys[key] = SurveyData(Survey(key, title, None if comm_id is None else str(comm_id),
                                             letter=self.export.letter,
                                             source_urls=(source,) if source else ()))
        return surveys[key].survey

    def question_of(self, rec: RawRecord, survey: Survey, drafts: dict[str, _QuestionDraft],
                    truncated: bool = False) -> _QuestionDraft | None:
        text = None if rec.question_text is None else str(rec.question_text)
        qid = rec.question_id
        if qid is None:
            qid = self.known_id_for_text(survey.key, text or "", truncated) or \
                local_question_id(survey.key, text or "")
        qid = str(qid).strip()
        if not QUESTION_ID.match(qid):
            self.error(rec, "question_id", "invalid-question-id",
                       "a question id is 'Q' and 5 digits (or a local-... id)", rec.question_id)
            return None
        qtype = rec.question_type
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(rec, "question_type", "unknown-question-type",
                       "expected one of: " + "; ".join(QUESTION_TYPES), qtype)
            qtype = None
        order = self.integer(rec, "question_order", rec.question_order)
        draft = drafts.setdefault(qid, _QuestionDraft(qid, rec.line))
        for name, value in (("question_text", text), ("question_type", qtype),
                            ("question_order", order)):
            attr = name.removeprefix("question_")
            if value is None or value == "":
                continue
            current = getattr(draft, attr)
            if current is None:
                setattr(draft, attr, value)
            elif current != value:
                self.error(rec, name, "inconsistent-question",
                           f"question {qid} had a different {attr} on line {draft.line}", value)
        return draft

    def known_id_for_text(self, survey_key: str, text: str, truncated: bool = False) -> str | None:
        """The id of the store's question with this text; a text cut short in a captured
        copy matches the full text it begins (whichever of the two was cut)."""
        key = canonical_key(text)
        data = self.store.surveys.get(survey_key)
        if data is None:
            return self.catalog_id_for_text(survey_key, key)
        known = [(q, canonical_key(q.text)) for q in data.questions.values()]
        same = next((q.id for q, k in known if k == key), None)
        if same or not key:
            return same
        return next((q.id for q, k in known if k and (q.truncated and key.startswith(k)
                                                      or truncated and k.startswith(key))),
                    None) or self.catalog_id_for_text(survey_key, key)

    def catalog_id_for_text(self, survey_key: str, key: str) -> str | None:
        """A CCADB id that data/catalog/questions.csv gives for this survey and exact text."""
        return next((row["question_id"] for row in self.store.question_catalog
                     if QUESTION_ID.match(row.get("question_id") or "")
                     and not (row.get("question_id") or "").startswith("local-")
                     and canonical_key(row.get("communication_title") or "") == survey_key
                     and key and canonical_key(row.get("question_text_verbatim") or "") == key),
                    None)

    def finish_question(self, survey_key: str, draft: _QuestionDraft) -> Question:
        known = self.store.surveys.get(survey_key)
        previous = known.questions.get(draft.id) if known else None
        qtype = draft.type or (previous.type if previous else None)
        if qtype is None or qtype == UNKNOWN:
            qtype = FREE_TEXT if is_comments(draft.text or "") else UNKNOWN
        options = list(previous.options) if previous else []
        for number, label in sorted(draft.options.items()):
            options += [""] * (number - len(options))
            if qtype != FREE_TEXT:
                options[number - 1] = label
        text = draft.text if draft.text is not None else (previous.text if previous else "")
        order = draft.order if draft.order is not None else (previous.order if previous else None)
        source = self.export.source or None
        required = draft.required if draft.required is not None else (
            previous.required if previous else None)
        truncated = draft.truncated if draft.text else bool(previous and previous.truncated)
        return Question(survey_key, draft.id, order, qtype, text,
                        tuple(options) if qtype != FREE_TEXT else (), source, required,
                        truncated)

    def answer(self, question: Question, owner_key: str, owner_name: str,
               group: list[tuple[RawRecord, str, int | None]]) -> Answer | None:
        first = group[0][0]
        if len(group) > 1 and question.type not in (MULTI, UNKNOWN):
            for rec, _, _ in group[1:]:
                self.error(rec, "ca_owner", "duplicate-answer",
                           f"{question.type} question {question.id} allows one row per CA "
                           f"owner; line {first.line} already answers it", rec.ca_owner)
            return None
        values: list[tuple[int | None, str]] = []
        for rec, response, number in group:
            if rec.html_cell and question.type == MULTI:
                values += [(question.options.index(line) + 1 if line in question.options
                            else None, line) for line in response.split("\n")]
            else:
                if number is None and response in question.options:
                    number = question.options.index(response) + 1
                if (number, response) in values:
                    self.error(rec, "response", "duplicate-row",
                               "the same option appears twice for one CA owner", response)
                    continue
                values.append((number, response))
        if question.type == MULTI or len(values) > 1:
            values.sort(key=lambda v: (v[0] is None, v[0] or 0, v[1]))
        return Answer(
            survey_key=question.survey_key, question_id=question.id, owner_key=owner_key,
            owner_name=owner_name, values=tuple(v for _, v in values),
            option_numbers=tuple(n for n, _ in values) if any(n for n, _ in values) else (),
            source=self.export.source or first.path, observed_at=self.observed_at,
            submitted_at=None if first.submitted_at is None else str(first.submitted_at),
            captured_at=self.capture.at, live=self.capture.live)


def validate_export(export: Export, store: Store, observed_at: str,
                    capture: Capture | None = None) -> ImportBundle:
    """Validate one loaded export against the store it will be merged into."""
    return _Validator(export, store, observed_at, capture or Capture()).run()
