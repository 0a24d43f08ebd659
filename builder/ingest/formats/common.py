"""What every loader returns, and strict decoding of the bytes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from builder.core.errors import Issue
from builder.core.utf8 import decode_utf8


@dataclass
class RawRecord:
    """One CA owner x question x chosen option, as read, with where it was read."""

    path: str
    line: int | None
    survey: object = None
    survey_id: object = None
    question_id: object = None
    question_order: object = None
    question_type: object = None
    question_text: object = None
    ca_owner: object = None
    response: object = None
    option_number: object = None
    submitted_at: object = None
    column: int | None = None
    html_cell: bool = False
    """True when `response` is a whole report cell whose lines are the ticked options
    of a multiple-choice answer, or the lines of a free-text one."""
    fields_at: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    """Line and column of individual fields where they differ from the record's."""


@dataclass
class QuestionDef:
    """A question as a survey page defines it, with no answer (the survey-sample layout)."""

    path: str
    line: int | None
    order: int
    text: str
    type: str
    """One of model.QUESTION_TYPES (Unknown when the page shows no control)."""
    options: dict[int, str] = field(default_factory=dict)
    """Option number (1-12, as the CCADB numbers them) -> label."""
    required: bool | None = None
    truncated: bool = False
    """The page was cut short inside this question."""
    column: int | None = None


@dataclass
class Export:
    """The records of one export plus what the layout says about the survey."""

    records: list[RawRecord]
    issues: list[Issue]
    survey_title: str | None = None
    communication_id: str | None = None
    question_texts: dict[str, str] = field(default_factory=dict)
    format: str = ""
    source: str = ""
    """The URL or file recorded as the source of every answer."""
    complete_owner_list: bool = True
    """Report layouts list every CA owner that answered; used for 'withdrawn'."""
    questions: list[QuestionDef] | None = None
    """Question definitions without answers (survey-sample-html); None for answer layouts."""
    letter: str | None = None
    """The survey's letter as text (survey-sample-html)."""


def decode_text(data: bytes, origin: str, fallback: str | None) -> tuple[str | None, list[Issue]]:
    """UTF-8, strictly (a BOM is allowed and dropped), every line that is not UTF-8 an
    issue (builder.core.utf8); a fallback encoding only if asked."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text, bad = decode_utf8(data, origin,
                            "the export is not valid UTF-8 (use --encoding to name a fallback)")
    if not bad:
        return text, []
    if not fallback:
        return None, bad
    first = bad[0]  # where the UTF-8 reading failed first
    try:
        text = data.decode(fallback)
    except (UnicodeDecodeError, LookupError) as exc:
        return None, [replace(first, code="invalid-encoding",
                              message=f"not UTF-8, and not {fallback} either: {exc}")]
    return text, [replace(first, code="fallback-encoding",
                          message=f"not UTF-8; decoded as {fallback} as asked", warning=True)]
