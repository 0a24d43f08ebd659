"""What can be found: one record per CA owner, per answer, per survey, per question page and
per hand-written page, in the order results are listed (names first, answers last)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from builder.core.model import Store, SurveyData, is_blank
from builder.core.text import fold_whitespace
from builder.publish.history_view import row_anchor
from builder.publish.owners import owner_names
from builder.publish.paths import (
    owner_page,
    question_page,
    survey_page,
    surveys_newest_first,
    url_of,
)
from builder.publish.words import public_id, question_title

KINDS = ("owner", "page", "survey", "question", "answer")
"""Record kinds, in the order their results are listed."""
SHOWN_TEXT = 600
"""Characters of a record's text kept for its result (every word is still indexed)."""


@dataclass(frozen=True)
class Record:
    kind: str
    """One of KINDS."""
    title: str
    """What the result is called: a CA owner's name, a page's title."""
    context: str
    """Where it is: for an answer, the survey and the question label."""
    url: str
    """Site-root-relative URL built by the builder (never taken from the data)."""
    text: str
    """The text shown and searched (an answer's values), plain text."""
    terms_from: str = ""
    """Further plain text that is searched but not shown (e.g. an answer's question)."""


@lru_cache(maxsize=1 << 16)  # answers repeat a lot
def _answer_text(values: tuple[str, ...]) -> str:
    return " · ".join(fold_whitespace(value) for value in values)


def owner_records(names: Mapping[str, str]) -> Iterator[Record]:
    """One per CA owner, by name (`names`: publish.owners.owner_names)."""
    for key, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])):
        yield Record("owner", name, "CA owner", url_of(owner_page(key)), "")


def survey_records(surveys: Iterable[SurveyData]) -> Iterator[Record]:
    for data in surveys:
        yield Record("survey", data.survey.title, "Survey", url_of(survey_page(data.survey.key)),
                     fold_whitespace(data.survey.letter or ""))


def question_records(data: SurveyData) -> Iterator[Record]:
    """One survey's questions, in question order (made from that survey's data alone)."""
    for q in data.sorted_questions():
        yield Record("question", question_title(q, 90), data.survey.title,
                     url_of(question_page(data.survey.key, q.id)), fold_whitespace(q.text))


def answer_records(data: SurveyData, names: Mapping[str, str]) -> Iterator[Record]:
    """One survey's answers with a value, in question order (its data and the names)."""
    labels = {q.id: question_title(q, 90) for q in data.questions.values()}
    for answer in data.sorted_answers():
        if is_blank(answer.values):
            continue
        label = labels.get(answer.question_id, public_id(answer.question_id) or "a question")
        page = url_of(question_page(data.survey.key, answer.question_id))
        yield Record("answer", names.get(answer.owner_key, answer.owner_name),
                     f"{data.survey.title} · {label}",
                     f"{page}#{row_anchor(answer.owner_key)}",
                     _answer_text(answer.values), terms_from=label)


def store_records(store: Store) -> Iterator[Record]:
    """Owners, surveys, questions and answers (newest survey first, in question order)."""
    names = owner_names(store)
    surveys = surveys_newest_first(store)
    yield from owner_records(names)
    yield from survey_records(surveys)
    for data in surveys:
        yield from question_records(data)
    for data in surveys:
        yield from answer_records(data, names)


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"[*_`]+")
_MARKUP = re.compile(r"[#>|]+|^-{3,}$|^\s*[-+] ", re.MULTILINE)
_HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)


def handwritten_records(pages: Mapping[str, bytes]) -> Iterator[Record]:
    """The hand-written Markdown pages: their first heading and their text, markup removed."""
    for path, content in sorted(pages.items()):
        if not path.endswith(".md"):
            continue
        source = content.decode("utf-8", "replace")
        heading = _HEADING.search(source)
        title = heading.group(1).strip() if heading else path[:-3]
        text = fold_whitespace(_MARKUP.sub(" ", _EMPHASIS.sub("", _LINK.sub(r"\1", source))))
        yield Record("page", title, "Page", url_of(path), text)


def all_records(store: Store, handwritten: Mapping[str, bytes]) -> list[Record]:
    """Every record, in result order: KINDS order, each kind in the order made above."""
    records = [*store_records(store), *handwritten_records(handwritten)]
    return sorted(records, key=lambda record: KINDS.index(record.kind))
