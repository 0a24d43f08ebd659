"""One CA owner's answer to one question, from the rows an export gives for it."""

from __future__ import annotations

from collections.abc import Callable

from builder.core.model import MULTI, UNKNOWN, Answer, Capture, Question
from builder.ingest.formats.common import RawRecord

Row = tuple[RawRecord, str, int | None]
"""One row of an answer: the record, its response text and its option number."""
ErrorAt = Callable[[RawRecord, str, str, str, object], None]
"""Reports a problem: (record, field, code, message, value)."""


def answer_of(question: Question, owner_key: str, owner_name: str, group: list[Row], *,
              source: str | None, observed_at: str, capture: Capture,
              error: ErrorAt) -> Answer | None:
    """The answer that one CA owner's rows for one question give (a multiple-choice
    answer is one row per option); None, with the problem reported, if they cannot."""
    first = group[0][0]
    if len(group) > 1 and question.type not in (MULTI, UNKNOWN):
        for rec, _, _ in group[1:]:
            error(rec, "ca_owner", "duplicate-answer",
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
                error(rec, "response", "duplicate-row",
                      "the same option appears twice for one CA owner", response)
                continue
            values.append((number, response))
    if question.type == MULTI or len(values) > 1:
        values.sort(key=lambda v: (v[0] is None, v[0] or 0, v[1]))
    return Answer(
        survey_key=question.survey_key, question_id=question.id, owner_key=owner_key,
        owner_name=owner_name, values=tuple(v for _, v in values),
        option_numbers=tuple(n for n, _ in values) if any(n for n, _ in values) else (),
        source=source or first.path, observed_at=observed_at,
        submitted_at=None if first.submitted_at is None else str(first.submitted_at),
        captured_at=capture.at, live=capture.live)
