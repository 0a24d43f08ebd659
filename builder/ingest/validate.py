"""Turn raw records into typed surveys, questions and answers, collecting every problem."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from builder.core.errors import InternalError, Issue
from builder.core.model import (
    MAX_INTEGER,
    MAX_OPTIONS,
    QUESTION_TYPES,
    UNKNOWN,
    Capture,
    Store,
    Survey,
    SurveyData,
)
from builder.core.text import canonical_key, fold_whitespace
from builder.core.values import (
    COMMUNICATION_ID_RULE,
    DATE_TIME_RULE,
    is_communication_id,
    is_date_time,
)
from builder.ingest.answers import Row, answer_of
from builder.ingest.formats.common import Export, RawRecord
from builder.ingest.questions import (
    QUESTION_ID,
    QuestionDraft,
    finish_question,
    known_id_for_text,
    local_question_id,
)


@dataclass
class ImportBundle:
    """What one export says, validated; merged into the store by merge.merge."""

    surveys: dict[str, SurveyData]
    issues: list[Issue]


class _Validator:
    def __init__(self, export: Export, store: Store, observed_at: str,
                 capture: Capture) -> None:
        self.export = export
        self.store = store
        self.observed_at = observed_at
        self.capture = capture
        self.issues: list[Issue] = []
        # The same few survey titles and CA owner names recur on every row: each is keyed once.
        self.key = functools.lru_cache(maxsize=None)(canonical_key)

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
        drafts: dict[str, dict[str, QuestionDraft]] = {}
        rows: dict[tuple[str, str, str], list[Row]] = {}
        names: dict[str, str] = {}
        spellings: dict[str, dict[str, RawRecord]] = {}
        for rec in self.export.records:
            survey = self.survey_of(rec, surveys)
            # A row without a survey is still checked for the rest (every problem listed).
            draft = None if survey is None else self.question_of(
                rec, survey, drafts.setdefault(survey.key, {}))
            owner_key = self.key(str(rec.ca_owner or ""))
            if not owner_key:
                self.error(rec, "ca_owner", "empty-owner", "the CA owner name is empty",
                           rec.ca_owner)
            number, in_range = self.option_and_date(rec)
            if not in_range:
                continue
            if survey is None or draft is None or not owner_key:
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
        self.complete(surveys, drafts, rows, names)
        return ImportBundle(surveys, self.issues)

    def complete(self, surveys: dict[str, SurveyData],
                 drafts: dict[str, dict[str, QuestionDraft]],
                 rows: dict[tuple[str, str, str], list[Row]],
                 names: dict[str, str]) -> None:
        """Each survey's questions from their drafts, then its answers from their rows."""
        for survey_key, by_id in drafts.items():
            for draft in by_id.values():
                surveys[survey_key].questions[draft.id] = finish_question(
                    self.store, survey_key, draft, self.export.source or None)
        for (survey_key, qid, owner_key), group in rows.items():
            question = surveys[survey_key].questions[qid]
            answer = answer_of(question, owner_key, names[owner_key], group,
                               source=self.export.source, observed_at=self.observed_at,
                               capture=self.capture, error=self.error)
            if answer is not None:
                surveys[survey_key].answers[(qid, owner_key)] = answer

    def option_and_date(self, rec: RawRecord) -> tuple[int | None, bool]:
        """The row's option number and whether it is in range; a bad date is reported."""
        number = self.integer(rec, "option_number", rec.option_number)
        submitted = rec.submitted_at
        if number is not None and not 1 <= number <= MAX_OPTIONS:
            self.error(rec, "option_number", "option-out-of-range",
                       f"option numbers run from 1 to {MAX_OPTIONS}", rec.option_number)
            return number, False
        if submitted is not None and not is_date_time(str(submitted)):
            self.error(rec, "submitted_at", "invalid-date", DATE_TIME_RULE, submitted)
        return number, True

    def definitions(self, surveys: dict[str, SurveyData],
                    drafts: dict[str, dict[str, QuestionDraft]]) -> None:
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
        title = survey_title(self.export, rec)
        key = self.key(title)
        if not key:
            self.error(rec, "survey", "missing-survey", "the survey title is empty", rec.survey)
            return None
        read = self.store.surveys_read
        if read is not None and key not in read:  # would pass for a new survey: never
            raise InternalError(f"the survey {key!r} of {rec.path} was not read from the store")
        comm_id = rec.survey_id if rec.survey_id is not None else self.export.communication_id
        if comm_id is not None and not is_communication_id(str(comm_id)):
            self.error(rec, "survey_id", "invalid-survey-id", COMMUNICATION_ID_RULE, comm_id)
            comm_id = None
        if key not in surveys:
            origin = self.export.source or rec.path
            source = origin if "://" in origin else None
            surveys[key] = SurveyData(Survey(key, title, None if comm_id is None else str(comm_id),
                                             letter=self.export.letter,
                                             source_urls=(source,) if source else ()))
        return surveys[key].survey

    def question_of(self, rec: RawRecord, survey: Survey, drafts: dict[str, QuestionDraft],
                    truncated: bool = False) -> QuestionDraft | None:
        text = None if rec.question_text is None else str(rec.question_text)
        qid = rec.question_id
        if qid is None:
            qid = known_id_for_text(self.store, survey.key, text or "", truncated) or \
                local_question_id(survey.key, text or "")
        qid = str(qid).strip()
        valid_id = bool(QUESTION_ID.match(qid))
        if not valid_id:
            self.error(rec, "question_id", "invalid-question-id",
                       "a question id is 'Q' and 5 digits (or a local-... id)", rec.question_id)
        # The row's other question fields are checked even under a bad id: every problem
        # of a file is listed in one run, not one per attempt.
        qtype = rec.question_type
        if qtype is not None and qtype not in QUESTION_TYPES:
            self.error(rec, "question_type", "unknown-question-type",
                       "expected one of: " + "; ".join(QUESTION_TYPES), qtype)
            qtype = None
        order = self.integer(rec, "question_order", rec.question_order)
        if not valid_id:
            return None
        draft = drafts.setdefault(qid, QuestionDraft(qid, rec.line))
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


def survey_title(export: Export, rec: RawRecord) -> str:
    """The title of the survey a record belongs to (its canonical key is the survey's)."""
    return _folded(str(rec.survey or export.survey_title or ""))


@functools.lru_cache(maxsize=1 << 10)  # the same few titles on every row, read twice
def _folded(title: str) -> str:
    return fold_whitespace(title)


def export_survey_keys(export: Export) -> frozenset[str]:
    """The keys of the surveys an export touches: the only ones it is validated against
    and merged into, so the only ones an import reads from the store."""
    titles = {survey_title(export, rec) for rec in export.records}
    if export.questions:  # a survey page: its questions belong to its one title
        titles.add(survey_title(export, RawRecord("", None)))
    return frozenset(key for key in map(canonical_key, titles) if key)


def validate_export(export: Export, store: Store, observed_at: str,
                    capture: Capture | None = None) -> ImportBundle:
    """Validate one loaded export against the store it will be merged into."""
    return _Validator(export, store, observed_at, capture or Capture()).run()
