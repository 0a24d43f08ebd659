"""Pieces of HTML and text that several page kinds show: answer cells, sources, labels."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from builder.core.model import Answer, Question, SurveyData, is_blank
from builder.core.text import public_source
from builder.publish.encode import encode, encode_lines, link, safe_external_url
from builder.publish.labels import capture, partial_capture


def choice_labels(question: Question, answers: list[Answer]) -> list[str]:
    """A choice question's options in page order: its own, then any other value answered
    (an option the captured definition lacks), in the order of the answers."""
    labels = [o for o in question.options if o]
    seen = set(labels)
    for a in answers:
        for v in a.values:
            if v not in seen:
                seen.add(v)
                labels.append(v)
    return labels


def answer_cell(answer: Answer | None) -> Markup:
    if answer is None:
        return Markup('<span class="csr-none">no answer captured</span>')
    return answer_cell_values(answer.values)


def answer_cell_values(values: tuple[str, ...] | None) -> Markup:
    if not values or is_blank(values):
        return Markup('<span class="csr-none">(left blank)</span>')
    if len(values) == 1:
        return encode_lines(values[0])
    items = "".join(f"<li>{encode_lines(v)}</li>" for v in values)
    return Markup(f'<ul class="csr-options">{items}</ul>')


def partial_note(data: SurveyData) -> str | None:
    """labels.partial_capture for a partial survey with answers; None otherwise.

    A survey of which nothing was captured is not a partial capture: its pages say that
    no answer has been captured.
    """
    if not data.survey.partial or not data.answers:
        return None
    return partial_capture(len({a.owner_key for a in data.answers.values()}))


def source_cell(answer: Answer) -> Markup:
    url = safe_external_url(answer.source)
    when = encode(capture(answer.captured_at, answer.observed_at))
    if url:
        return Markup(f"{link(url, 'source', external=True)} · {when}")
    label = "fictitious export " if answer.source.startswith("demo://") else "file "
    name = public_source(answer.source).rsplit("/", 1)[-1]
    return Markup(f"{encode(label + name)} · {when}")


def given(answers: Iterable[Answer]) -> int:
    """How many of these answers are not blank: the one rule by which every page counts
    answers (a cell left blank is no answer given; a page names blank ones apart)."""
    return sum(1 for a in answers if not is_blank(a.values))


def answered_count(data: SurveyData) -> int:
    """How many of a survey's answers are not blank."""
    return given(data.answers.values())
