"""The list of CA owners and each CA owner's page: its answers survey by survey."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import CHOICE_TYPES, FREE_TEXT, Answer, Question, SurveyData
from builder.core.text import page_name
from builder.core.timeline import Version, is_edited, is_late
from builder.publish.diff import answer_text
from builder.publish.encode import attr, encode, link
from builder.publish.history_view import diff_html, row_anchor
from builder.publish.labels import late
from builder.publish.pages.cells import given, partial_note
from builder.publish.pages.compare import owner_address
from builder.publish.pages.matrix import answer_marks
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import survey_changes_page
from builder.publish.pages.template import Page, fast_rel
from builder.publish.paths import question_page, survey_date, survey_page
from builder.store.records import survey_dir_name

OWNERS = "owners/index.md"


@dataclass(frozen=True)
class OwnerRow:
    name: str
    page: str
    answers: int
    ca_information: str
    """Its status in the CCADB CA information report, briefly."""


@dataclass(frozen=True)
class OwnersPage:
    """owners.md.j2."""

    owners: list[OwnerRow]


@dataclass(frozen=True)
class OwnerAnswer:
    q: Question
    label: str
    page: str
    answer: Markup
    source: Markup
    history: Markup


@dataclass(frozen=True)
class OwnerSurvey:
    """One survey's section of an owner page."""

    data: SurveyData
    page: str
    date: str
    rows: list[OwnerAnswer]
    given: int
    """Of its rows, the answers not left blank (cells.given: the one rule for counting)."""
    withdrawn: str | None
    partial: str | None
    changes: str
    anchor: Markup
    """The id of its heading: s-<survey folder name>, builder-made."""
    source: Markup | None
    """The source of every row, when they all share one: said once, not on every row."""


@dataclass(frozen=True)
class TopicStep:
    survey: str
    id: str
    page: str
    answer: Markup
    """What the CA owner answered in that survey."""
    change: Markup | None
    """How it differs from the previous step's answer, when the two can be compared."""
    same: bool


@dataclass(frozen=True)
class TopicEvolution:
    name: str
    steps: list[TopicStep]


@dataclass(frozen=True)
class OwnerSummary:
    """The top of an owner page: its answers in figures, across every survey."""

    surveys: int
    """Surveys with an answer of this owner in the export, not left blank."""
    answers: int
    """Its answers in the export, not left blank (cells.given)."""
    blank: int
    """Its answers in the export left blank."""
    late: int
    checkable: int
    """Answers that can show whether they were late (matrix.Marks)."""
    edited: int
    withdrawn: int


@dataclass(frozen=True)
class OwnerPage:
    """owner.md.j2."""

    name: str
    summary: OwnerSummary | None
    topics: list[TopicEvolution]
    sections: list[OwnerSurvey]
    ca_information: dict[str, object] | None
    compare: Markup | None = None
    """A link to the Compare page with this CA owner chosen, if Compare lists it."""


def owner_feed(owner_key: str) -> str:
    return f"feeds/owners/{page_name(owner_key, 'ca-owner')}.xml"


def build_owners(site: SiteIndex) -> Page:
    ca = site.ca
    names = {**ca.names, **site.owner_names}  # owners known only from the report too
    owners = sorted((OwnerRow(n, site.memo.owner_page(k), given(site.owner_answers.get(k, ())),
                              ca.short_status(k)) for k, n in names.items()),
                    key=lambda o: o.name.casefold())
    return Page(OWNERS, "owners.md.j2", "CA owners", OwnersPage(owners))


def build_owner(site: SiteIndex, owner_key: str) -> Page:
    page = site.memo.owner_page(owner_key)
    sections = []
    for data in site.surveys:
        index = site.per_survey[data.survey.key]
        rows, answers = [], []
        for q in index.questions:
            answer = data.answers.get((q.id, owner_key))
            if answer is not None:
                answers.append(answer)
                q_page = question_page(data.survey.key, q.id)
                rows.append(OwnerAnswer(q, site.memo.label(q), q_page,
                                        site.memo.answer_cell(answer),
                                        site.memo.source_cell(answer),
                                        history_marks(index.lines.get((q.id, owner_key), []),
                                                      data.survey.deadline,
                                                      fast_rel(page, q_page) + "#"
                                                      + row_anchor(owner_key))))
        gone = index.withdrawn.get(owner_key)
        sections.append(OwnerSurvey(data, survey_page(data.survey.key), survey_date(data.survey),
                                    rows, given(answers), gone if gone and not rows else None,
                                    partial_note(data),
                                    survey_changes_page(data.survey.key),
                                    Markup("s-" + survey_dir_name(data.survey.key)),
                                    rows[0].source if len({r.source for r in rows}) == 1
                                    else None))
    name = site.owner_names[owner_key]
    return Page(page, "owner.md.j2", name, OwnerPage(
        name, summary(site, owner_key), topic_evolution(site, owner_key), sections,
        site.ca.owner_section(owner_key), compare_link(site, owner_key, page)),
        feed=owner_feed(owner_key))


def compare_link(site: SiteIndex, owner_key: str, page: str) -> Markup | None:
    href = owner_address(site, owner_key, page)
    return link(href, "Compare these answers with those of other CA owners") if href else None


def history_marks(versions: list[Version], deadline: str | None, row: str) -> Markup:
    """The late and edited marks of an answer, and for an edited one a link to its row on
    the question page, which holds its history: each history is shown once in the site,
    not again on the owner page (most of an owner page's size, not its reading)."""
    marks = []
    if is_late(versions, deadline) and deadline and versions[0].captured_at:
        marks.append(Markup('<span class="csr-tag csr-late">{}</span>').format(
            encode(late(versions[0].captured_at, deadline))))
    if is_edited(versions):
        marks.append(Markup('<span class="csr-tag csr-edited">edited</span> '
                            '<a href="{}">{}</a>').format(
            attr(row), encode(f"history: {len(versions)} versions")))
    return Markup(" ").join(marks)


def summary(site: SiteIndex, owner_key: str) -> OwnerSummary:
    marks = [answer_marks(site, data, owner_key) for data in site.surveys]
    mine = site.owner_answers.get(owner_key, [])
    answers = given(mine)
    surveys = {a.survey_key for a in mine if given((a,))}
    return OwnerSummary(len(surveys), answers, len(mine) - answers,
                        sum(m.late for m in marks), sum(m.checkable for m in marks),
                        sum(m.edited for m in marks),
                        sum(m.withdrawn for m in marks))


def build_report_only_owner(site: SiteIndex, owner_key: str) -> Page:
    """The page of a CA owner known only from the CA information report."""
    name = site.ca.names[owner_key]
    return Page(site.memo.owner_page(owner_key), "owner.md.j2", name,
                OwnerPage(name, None, [], [], site.ca.owner_section(owner_key)))


def topic_evolution(site: SiteIndex, owner_key: str) -> list[TopicEvolution]:
    """For each topic: this owner's answer survey after survey, oldest first, each with how
    it changed from the one before when the two can be compared (change_note)."""
    out = []
    dates = {d.survey.key: survey_date(d.survey) for d in site.surveys}
    for topic in site.store.topics:
        steps = []
        previous: tuple[Question, Answer] | None = None
        for survey_key, qid in sorted(topic.questions, key=lambda r: dates.get(r[0], "")):
            data = site.store.surveys.get(survey_key)
            answer = data.answers.get((qid, owner_key)) if data else None
            if data is None or answer is None or qid not in data.questions:
                continue
            q = data.questions[qid]
            same = previous is not None and previous[1].values == answer.values
            steps.append(TopicStep(site.titles[survey_key], qid, question_page(survey_key, qid),
                                   site.memo.answer_cell(answer),
                                   None if previous is None or same
                                   else change_note(previous, (q, answer)), same))
            previous = (q, answer)
        if steps:
            out.append(TopicEvolution(topic.name, steps))
    return out


def change_note(before: tuple[Question, Answer], after: tuple[Question, Answer]) -> Markup:
    """A word diff only between two free-text answers; two choice answers read 'changed
    from A to B'; anything else (a date against a sentence) is only said to differ."""
    (q1, a1), (q2, a2) = before, after
    old, new = answer_text(a1.values), answer_text(a2.values)
    if q1.type == FREE_TEXT and q2.type == FREE_TEXT:
        return Markup("changes from the previous survey's answer: ") + diff_html(old, new)
    if q1.type in CHOICE_TYPES and q2.type in CHOICE_TYPES:
        return Markup("changed from {} to {}").format(_choice(a1), _choice(a2))
    return Markup("a different answer from the previous survey's (not comparable word for "
                  "word: the two questions ask for different kinds of answer)")


def _choice(answer: Answer) -> Markup:
    return Markup("“{}”").format(encode("; ".join(answer.values)))
