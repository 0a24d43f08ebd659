"""A survey's owner × question matrix: each CA owner's chosen options as short codes.

One row per CA owner with an answer in the export, one column per choice question; the
codes (A, B, ...) are the question's options in the order of its definition, and the legend
says what each stands for. Free-text answers are listed in the row, shown on demand.
"""

from __future__ import annotations

import string
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import CHOICE_TYPES, Question, SurveyData, is_blank
from builder.core.timeline import Lines, is_edited, is_late
from builder.publish.pages.cells import choice_labels
from builder.publish.pages.site import SiteIndex
from builder.publish.paths import question_page

CODES = string.ascii_uppercase


def code(number: int) -> str:
    """A, B, ..., Z, then 27, 28, ...: an option's code from its 0-based position."""
    return CODES[number] if number < len(CODES) else str(number + 1)


@dataclass(frozen=True)
class LegendEntry:
    code: str
    label: str


@dataclass(frozen=True)
class MatrixColumn:
    q: Question
    page: str
    label: str
    legend: list[LegendEntry]
    codes: dict[str, str]
    """option label -> its code (the legend read backwards)."""


@dataclass(frozen=True)
class Comment:
    q: Question
    page: str
    answer: Markup


@dataclass(frozen=True)
class MatrixRow:
    name: str
    page: str
    codes: list[str]
    """One per column: the codes of the chosen options, '–' left blank, '' no answer."""
    marks: Marks
    comments: list[Comment]


@dataclass(frozen=True)
class Matrix:
    columns: list[MatrixColumn]
    rows: list[MatrixRow]


def build_matrix(site: SiteIndex, data: SurveyData, owners: list[str]) -> Matrix:
    """The matrix of `owners` (keys, in the order of the rows)."""
    index = site.per_survey[data.survey.key]
    choice = [q for q in index.questions if q.type in CHOICE_TYPES]
    columns = []
    for q in choice:
        labels = choice_labels(q, index.answers.get(q.id, []))
        legend = [LegendEntry(code(i), label) for i, label in enumerate(labels)]
        columns.append(MatrixColumn(q, question_page(data.survey.key, q.id),
                                    site.memo.label(q, 60), legend,
                                    {e.label: e.code for e in legend}))
    return Matrix(columns, [_row(site, data, owner, columns) for owner in owners])


OwnerLines = dict[str, list[tuple[str, str]]]
"""owner key -> (question id, owner key) of its answers to one survey that have versions
(only the keys: an owner's page asks for its own answers' versions alone)."""


def _by_owner(lines: Lines) -> OwnerLines:
    out: OwnerLines = defaultdict(list)
    for key in lines:
        out[key[1]].append(key)
    return out


@dataclass(frozen=True)
class Marks:
    """How many of one owner's answers to one survey are late, edited, withdrawn."""

    late: int
    checkable: int
    """Answers that can show whether they were late: first captured live, deadline known.
    With none, 'late' is not known (0 would claim more than the captures show)."""
    edited: int
    withdrawn: int
    """Answers no longer in the export."""


def answer_marks(site: SiteIndex, data: SurveyData, owner: str) -> Marks:
    """Late only for a live capture after the deadline (timeline.is_late); edited: more
    than one version (timeline.is_edited) of an answer still in the export."""
    index = site.per_survey[data.survey.key]
    keys = site.memo.once("lines_by_owner", data.survey.key, _by_owner, index.lines).get(
        owner, [])
    mine = [(key, index.lines[key]) for key in keys]
    shown = [v for key, v in mine if key in data.answers]
    deadline = data.survey.deadline
    return Marks(sum(1 for v in shown if is_late(v, deadline)),
                 sum(1 for v in shown if deadline and v and v[0].live and v[0].captured_at),
                 sum(1 for v in shown if is_edited(v)),
                 sum(1 for key, v in mine if key not in data.answers and v[-1].values is None))


def _row(site: SiteIndex, data: SurveyData, owner: str,
         columns: list[MatrixColumn]) -> MatrixRow:
    index = site.per_survey[data.survey.key]
    codes = []
    for column in columns:
        answer = data.answers.get((column.q.id, owner))
        if answer is None:
            codes.append("")
        elif is_blank(answer.values):
            codes.append("–")
        else:
            codes.append(" ".join(column.codes[v] for v in answer.values if v in column.codes))
    comments = [Comment(q, question_page(data.survey.key, q.id),
                        site.memo.answer_cell(data.answers[(q.id, owner)]))
                for q in index.questions if q.type not in CHOICE_TYPES
                and (q.id, owner) in data.answers
                and not is_blank(data.answers[(q.id, owner)].values)]
    return MatrixRow(site.owner_names[owner], site.memo.owner_page(owner), codes,
                     answer_marks(site, data, owner), comments)
