"""The data model: surveys, questions, answers, and recorded changes. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field

SINGLE = "Single Select (Radio buttons)"
MULTI = "Multi Select (Check boxes)"
FREE_TEXT = "Free Text (Multi line text box)"
DATE = "Date Type"
UNKNOWN = "Unknown"
QUESTION_TYPES = (SINGLE, MULTI, FREE_TEXT, DATE, UNKNOWN)
CHOICE_TYPES = (SINGLE, MULTI)
MAX_OPTIONS = 12
MAX_INTEGER = 999_999
"""The largest number (either sign) a question order or option number may be: six digits,
as an export's text cell may hold; far inside what SQLite (64 bits) and JSON readers store."""


@dataclass(frozen=True)
class Survey:
    """One CA Communication (a survey sent to every CA owner)."""

    key: str
    """Canonical form of the title; the identity used everywhere."""
    title: str
    """Title as published, e.g. 'November 2017 CA Communication'."""
    communication_id: str | None = None
    """CCADB CA_Communication record id ('a05…'), the CommunicationId in report URLs
    (values.is_communication_id)."""
    sent: str | None = None
    """When it was sent, as known: ISO date or date-time, or year and month
    (values.is_sent_date)."""
    deadline: str | None = None
    """When answers were due, ISO date (or date-time) if known (values.is_date_time);
    answers first seen later are 'late'."""
    letter: str | None = None
    """The letter / introduction text, when known."""
    source_urls: tuple[str, ...] = ()
    """Where the survey and its answers were published (report pages, announcements)."""
    partial: bool = False
    """True when the captured answers are known to be incomplete."""
    demo: bool = False
    """True for fictitious demonstration data."""
    note: str | None = None
    """Editorial note shown on the survey page (e.g. how the data was captured)."""


@dataclass(frozen=True)
class Question:
    """One question of one survey."""

    survey_key: str
    id: str
    """CCADB question id ('Q00028'), or a local id starting 'local-' when the id is unknown."""
    order: int | None
    """Position within the survey, when known."""
    type: str
    """One of QUESTION_TYPES."""
    text: str
    """Full question text as published (may be empty when not captured)."""
    options: tuple[str, ...] = ()
    """Option labels by number (index 0 is option 1); '' where a label is unknown."""
    source: str | None = None
    """Where the text was taken from."""
    required: bool | None = None
    """The survey marks it "(Required)"; None when not known (only its sample page says)."""
    truncated: bool = False
    """The captured copy stops inside this question: `text` and `options` may be only
    their beginning."""


@dataclass(frozen=True)
class Answer:
    """The latest known answer of one CA owner to one question."""

    survey_key: str
    question_id: str
    owner_key: str
    """Canonical CA owner key (see text.canonical_key)."""
    owner_name: str
    """CA owner's name as given by the source."""
    values: tuple[str, ...]
    """Chosen option labels (one per ticked option) or the free text; verbatim."""
    option_numbers: tuple[int | None, ...] = ()
    """1-based option numbers parallel to values, where known."""
    source: str = ""
    """URL or file the answer was imported from."""
    observed_at: str = ""
    """UTC time (ISO 8601) this version of the answer was first imported into the store."""
    submitted_at: str | None = None
    """When the CA submitted it, if the export says (rarely known)."""
    captured_at: str | None = None
    """When the copy this version was read from was captured (ISO date or UTC time);
    None when unknown (an archived copy of unknown date)."""
    live: bool = False
    """True when this tool captured it from the live CCADB at `captured_at` (a fetch or an
    import by URL); False for an archived or hand-made copy. Only a live capture can
    prove an answer late."""


@dataclass(frozen=True)
class Change:
    """One recorded change to one answer (the store's append-only history)."""

    survey_key: str
    question_id: str
    owner_key: str
    owner_name: str
    kind: str
    """'added', 'changed' or 'withdrawn'."""
    old: tuple[str, ...] | None
    new: tuple[str, ...] | None
    observed_at: str
    """UTC time the change was imported."""
    source: str
    captured_at: str | None = None
    """When the copy that showed the change was captured; None when unknown."""
    live: bool = False
    """The copy was captured live from the CCADB by this tool (see Answer.live)."""


@dataclass(frozen=True)
class Capture:
    """When and how the copy being imported was captured (never the import time itself)."""

    at: str | None = None
    """ISO date or UTC time of the capture; None when unknown."""
    live: bool = False
    """Captured from the live CCADB by this tool, now."""


@dataclass
class SurveyData:
    """Everything the store holds for one survey."""

    survey: Survey
    questions: dict[str, Question] = field(default_factory=dict)
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    """Keyed by (question_id, owner_key)."""
    history: list[Change] = field(default_factory=list)

    def sorted_questions(self) -> list[Question]:
        return sorted(self.questions.values(), key=question_sort_key)

    def sorted_answers(self) -> list[Answer]:
        order = {q.id: i for i, q in enumerate(self.sorted_questions())}
        return sorted(
            self.answers.values(), key=lambda a: (order.get(a.question_id, 1 << 30), a.owner_key)
        )


def question_sort_key(q: Question) -> tuple[int, str]:
    return (q.order if q.order is not None else 1 << 30, q.id)


@dataclass(frozen=True)
class Topic:
    """Questions of different surveys that ask about the same thing."""

    name: str
    questions: tuple[tuple[str, str], ...]
    """(survey key, question id) pairs."""


@dataclass
class Store:
    """The whole dataset: every survey, keyed by survey key."""

    surveys: dict[str, SurveyData] = field(default_factory=dict)
    catalog: list[dict[str, str]] = field(default_factory=list)
    """Known communications (data/catalog/communications.csv), as rows."""
    question_catalog: list[dict[str, str]] = field(default_factory=list)
    """Known question texts (data/catalog/questions.csv), as rows."""
    topics: list[Topic] = field(default_factory=list)
    """Curated links between questions of different surveys (data/topics.json)."""
    demo: bool = False
    ca_information: CaInformation = field(default_factory=lambda: CaInformation())
    """The CCADB CA information report's field values and their history (not a survey)."""
    surveys_read: frozenset[str] | None = None
    """None when every survey of data/ was read; else the keys of the only surveys asked
    for (those read, and those absent: new), as an import reads the store
    (builder.store.records.load_store(surveys=...)): the others are not in `surveys`."""

    def sorted_surveys(self) -> list[SurveyData]:
        return sorted(self.surveys.values(), key=lambda s: s.survey.key)


# -- the CCADB CA information record (builder/ingest/cainfo.py): field values, not answers ------

@dataclass(frozen=True)
class FieldValue:
    """The current value of one field of one CA owner, as published in the report."""

    field: str
    """Field id (see cainfo.FIELDS)."""
    owner_key: str
    """Canonical CA owner key (text.canonical_key), the same as for survey answers."""
    owner_name: str
    """The CA owner's name as the report writes it."""
    value: str
    """Verbatim; '' when the report left the field empty."""
    source: str
    """The report URL (or file) this version was read from."""
    archived_copy: str | None
    """Where that copy was preserved (a permalink), when known."""
    observed_at: str
    """UTC time this version was imported."""
    captured_at: str | None = None
    """Date (or UTC time) of the copy this version was first read from; None if unknown."""
    live: bool = False
    """Captured live from the CCADB by this tool."""


@dataclass(frozen=True)
class FieldChange:
    """One recorded change to one field of one CA owner (append-only history)."""

    field: str
    owner_key: str
    owner_name: str
    kind: str
    """'added' (first in the report), 'changed', or 'removed' (no longer in the report)."""
    old: str | None
    new: str | None
    observed_at: str
    source: str
    archived_copy: str | None
    captured_at: str | None = None
    live: bool = False


CA_INFO_KINDS = ("added", "changed", "removed")


@dataclass(frozen=True)
class ReportCopy:
    """One copy of the report that was imported (even one that changed nothing)."""

    source: str
    archived_copy: str | None
    observed_at: str
    owners: int
    """How many CA owners the copy lists."""
    captured_at: str | None = None
    live: bool = False


@dataclass
class CaInformation:
    """The whole record: current values and every change."""

    values: dict[tuple[str, str], FieldValue] = field(default_factory=dict)
    """Keyed by (field id, owner key)."""
    history: list[FieldChange] = field(default_factory=list)
    copies: list[ReportCopy] = field(default_factory=list)
    """Every copy imported, oldest first (a re-import of the last one is not repeated)."""

    def latest_capture(self) -> str | None:
        dates = [c.captured_at for c in self.copies if c.captured_at]
        return max(dates) if dates else None


def is_blank(values: tuple[str, ...]) -> bool:
    return not any(map(str.strip, values))  # (map: asked of every answer, every build)


RECORD_FIELDS = (
    "survey", "survey_id", "question_id", "question_order", "question_type",
    "question_text", "ca_owner", "response", "option_number", "submitted_at",
)
"""The ten fields of the ccadb-csv and json layouts, mirroring the CCADB response record."""
