"""A question's page: every CA owner's answer, options counted, identical answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from builder.core.comments import comments_question
from builder.core.model import CHOICE_TYPES, MULTI, Answer, Question, SurveyData, is_blank
from builder.publish.encode import encode
from builder.publish.history_view import row_anchor
from builder.publish.labels import capture
from builder.publish.opendata.layout import PAGE as DOWNLOADS_PAGE
from builder.publish.opendata.layout import question_file, survey_file
from builder.publish.pages.cells import answer_cell_values, choice_labels, partial_note
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import OwnerLink
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_page
from builder.publish.words import public_id, question_title


@dataclass(frozen=True)
class AnswerRow:
    name: str
    page: str
    answer: Markup
    source: Markup
    anchor: str
    history: Markup
    comment: Markup | None
    """The owner's answer to the 'ACTION n COMMENTS' question, if the question has one."""


@dataclass(frozen=True)
class GoneRow:
    """An answer no longer in the export."""

    name: str
    page: str
    anchor: str
    date: str
    last: Markup
    history: Markup


@dataclass(frozen=True)
class OptionRow:
    label: str
    label_short: str
    count: int
    share: str
    anchor: Markup
    """The id of its section, which lists the CA owners who chose it: option-N."""
    owners: list[OwnerLink]


@dataclass(frozen=True)
class IdenticalGroup:
    answer: Markup
    count: int
    owners: list[OwnerLink]


@dataclass(frozen=True)
class RelatedQuestion:
    page: str
    label: str
    survey: str


@dataclass(frozen=True)
class Related:
    """The other questions linked to this one by a topic in data/topics.json."""

    name: str
    questions: list[RelatedQuestion]


@dataclass(frozen=True)
class CommentsLink:
    q: Question
    page: str


@dataclass(frozen=True)
class QuestionPage:
    """question.md.j2."""

    data: SurveyData
    q: Question
    survey_page: str
    rows: list[AnswerRow]
    answering: int
    options: list[OptionRow]
    chart: Markup | None
    groups: list[IdenticalGroup]
    gone: list[GoneRow]
    partial: str | None
    related: Related | None
    ca_field: dict[str, str] | None
    comments: CommentsLink | None
    download_csv: str | None
    """None: no answers captured, so no file."""
    download_json: str | None
    downloads_page: str


def build_question(site: SiteIndex, data: SurveyData, question: Question) -> Page:
    page = question_page(data.survey.key, question.id)
    comments = comments_question(data, question)
    index = site.per_survey[data.survey.key]
    memo = site.memo
    answers = index.answers.get(question.id, [])
    rows = [AnswerRow(site.owner_names[a.owner_key], memo.owner_page(a.owner_key),
                      memo.answer_cell(a), memo.source_cell(a), row_anchor(a.owner_key),
                      site.history(data, question.id, a.owner_key, page),
                      memo.answer_cell(data.answers.get((comments.id, a.owner_key)))
                      if comments else None) for a in answers]
    answering = [a for a in answers if not is_blank(a.values)]
    gone = [GoneRow(site.owner_names[owner], memo.owner_page(owner), row_anchor(owner),
                    capture(versions[-1].captured_at, versions[-1].observed_at),
                    answer_cell_values(versions[-2].values if len(versions) > 1 else ()),
                    site.history(data, question.id, owner, page))
            for owner, versions in index.gone.get(question.id, [])]
    options = option_rows(site, question, answering)
    groups = [] if question.type in CHOICE_TYPES else identical_groups(site, answering)
    partial = partial_note(data) if answers else None
    title = f"Answers to {memo.label(question, 60)} by option" + (
        f" ({partial})" if partial else "")
    chart = bar_chart(options, len(answering), title) if options else None
    return Page(page, "question.md.j2", question_title(question),
                QuestionPage(
        data, question, survey_page(data.survey.key), rows, len(answering), options, chart,
        groups, gone, partial, related(site, question),
        site.ca.field_for_question(data.survey.key, question.id),
        CommentsLink(comments, question_page(data.survey.key, comments.id)) if comments
        else None,
        question_file(page) if answers else None,
        survey_file(survey_page(data.survey.key), "json") if answers else None,
        DOWNLOADS_PAGE))


def related(site: SiteIndex, question: Question) -> Related | None:
    topic = site.topic_of.get((question.survey_key, question.id))
    if topic is None:
        return None
    newest = {key: i for i, key in enumerate(site.titles)}  # site.surveys' order
    return Related(topic.name, [
        RelatedQuestion(question_page(s, q), site.memo.label(found, 60) if (
            found := site.store.surveys[s].questions.get(q)) else public_id(q) or "a question",
            site.titles[s])
        for s, q in sorted(topic.questions, key=lambda ref: newest.get(ref[0], len(newest)))
        if (s, q) != (question.survey_key, question.id) and s in site.titles])


def option_rows(site: SiteIndex, question: Question, answers: list[Answer]) -> list[OptionRow]:
    """Each option with the CA owners who chose it (answers are sorted by owner name)."""
    if question.type not in CHOICE_TYPES:
        return []
    labels = choice_labels(question, answers)
    total = len(answers)
    rows = []
    for number, label in enumerate(labels, start=1):
        chose = [a.owner_key for a in answers if label in a.values]
        rows.append(OptionRow(label, label if len(label) < 70 else label[:67] + "…",
                              len(chose), f"{100 * len(chose) / total:.0f}%" if total else "–",
                              Markup(f"option-{number}"),
                              [OwnerLink(site.owner_names[k], site.memo.owner_page(k))
                               for k in chose]))
    if question.type == MULTI:
        rows.sort(key=lambda r: -r.count)
    return rows


def identical_groups(site: SiteIndex, answers: list[Answer]) -> list[IdenticalGroup]:
    groups: dict[tuple[str, ...], list[Answer]] = defaultdict(list)
    for a in answers:
        groups[a.values].append(a)
    found = [IdenticalGroup(site.memo.answer_cell(members[0]), len(members),
                            [OwnerLink(site.owner_names[m.owner_key],
                                       site.memo.owner_page(m.owner_key)) for m in members])
             for members in groups.values() if len(members) > 1]
    return sorted(found, key=lambda g: -g.count)


CHART_WIDTH, BAR_WIDTH, ROW, LINE = 640, 620, 44, 18
"""The chart's drawing: its width, the width of a bar for every answer (docs/assets/
tables.js scales both to the screen), the height of one option's row with a label of
one line, and of each further line."""
LABEL_CHARACTERS = 40
"""A label's line at most (a word longer stays whole): at 15 units a character is about
7.5, so a line fits a phone's screen with its letters at 12 px (tables.js fitChart)."""


def label_lines(text: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """text cut at spaces into lines of at most `width` characters; the lines joined with
    one space give text back exactly (a screen reader reads the label as written)."""
    lines: list[str] = []
    current: str | None = None
    for word in text.split(" "):
        if current is None:
            current = word
        elif len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current += " " + word
    lines.append(current or "")
    return lines


def bar_chart(rows: list[OptionRow], total: int, title: str) -> Markup:
    """A horizontal bar chart as inline SVG; the table beside it is the text alternative.
    Each option's label stands above its bar, on as many lines as it needs, so that a
    long label (CCADB options are often sentences) leaves the bar the whole width: a
    bar's length is its share; and the chart fits a phone's screen."""
    bars, y = [], 8
    for row in rows:
        width = 0 if total == 0 else round(BAR_WIDTH * row.count / total)
        lines = label_lines(f"{row.count} · {row.label_short}")
        height = ROW + LINE * (len(lines) - 1)
        # A space between the lines, outside them: the text reads as one (the link's
        # name), and only the lines are underlined (site.css), not a space at a line's end.
        label = " ".join(f'<tspan x="0" y="{y + 14 + LINE * n}">{encode(line)}</tspan>'
                         for n, line in enumerate(lines))
        # Each bar links to its option's section: who chose it, readable without script.
        # The row's whole box is the link's (a click between label and bar is not lost).
        bars.append(
            f'<a href="#{row.anchor}">'
            f'<rect x="0" y="{y}" width="100%" height="{height - 4}" class="csr-hit"></rect>'
            f'<text>{label}</text>'
            f'<rect x="0" y="{y + height - 24}" width="{max(width, 1)}" height="16" '
            'class="csr-bar"></rect></a>')
        y += height
    return Markup(
        f'<svg class="csr-chart" role="group" aria-label="{encode(title)}" viewBox="0 0 '
        f'{CHART_WIDTH} {y}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f'{"".join(bars)}</svg>')
