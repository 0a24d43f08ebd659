"""The list of CA owners and each CA owner's page: its answers survey by survey."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import Question, SurveyData
from builder.core.text import page_name
from builder.publish.diff import answer_text
from builder.publish.history_view import diff_html
from builder.publish.pages.cells import partial_note
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import survey_changes_page
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_date, survey_page

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
    withdrawn: str | None
    partial: str | None
    changes: str


@dataclass(frozen=True)
class TopicStep:
    survey: str
    id: str
    page: str
    answer: Markup
    diff: Markup | None
    same: bool


@dataclass(frozen=True)
class TopicEvolution:
    name: str
    steps: list[TopicStep]


@dataclass(frozen=True)
class OwnerPage:
    """owner.md.j2."""

    name: str
    topics: list[TopicEvolution]
    sections: list[OwnerSurvey]
    ca_information: dict[str, object] | None


def owner_feed(owner_key: str) -> str:
    return f"feeds/owners/{page_name(owner_key, 'ca-owner')}.xml"


def build_owners(site: SiteIndex) -> Page:
    ca = site.ca
    names = {**ca.names, **site.owner_names}  # owners known only from the report too
    owners = sorted((OwnerRow(n, site.memo.owner_page(k), len(site.owner_answers.get(k, ())),
                              ca.short_status(k)) for k, n in names.items()),
                    key=lambda o: o.name.casefold())
    return Page(OWNERS, "owners.md.j2", "CA owners", OwnersPage(owners))


def build_owner(site: SiteIndex, owner_key: str) -> Page:
    page = site.memo.owner_page(owner_key)
    sections = []
    for data in site.surveys:
        index = site.per_survey[data.survey.key]
        rows = []
        for q in index.questions:
            answer = data.answers.get((q.id, owner_key))
            if answer is not None:
                rows.append(OwnerAnswer(q, site.memo.label(q), question_page(data.survey.key, q.id),
                                        site.memo.answer_cell(answer),
                                        site.memo.source_cell(answer),
                                        site.history(data, q.id, owner_key, page)))
        gone = index.withdrawn.get(owner_key)
        sections.append(OwnerSurvey(data, survey_page(data.survey.key), survey_date(data.survey),
                                    rows, gone if gone and not rows else None, partial_note(data),
                                    survey_changes_page(data.survey.key)))
    name = site.owner_names[owner_key]
    return Page(page, "owner.md.j2", name, OwnerPage(
        name, topic_evolution(site, owner_key), sections, site.ca.owner_section(owner_key)),
        feed=owner_feed(owner_key))


def build_report_only_owner(site: SiteIndex, owner_key: str) -> Page:
    """The page of a CA owner known only from the CA information report."""
    name = site.ca.names[owner_key]
    return Page(site.memo.owner_page(owner_key), "owner.md.j2", name,
                OwnerPage(name, [], [], site.ca.owner_section(owner_key)))


def topic_evolution(site: SiteIndex, owner_key: str) -> list[TopicEvolution]:
    """For each topic: this owner's answers survey after survey, each diffed with the last."""
    out = []
    dates = {d.survey.key: survey_date(d.survey) for d in site.surveys}
    for topic in site.store.topics:
        steps = []
        previous: str | None = None
        for survey_key, qid in sorted(topic.questions, key=lambda r: dates.get(r[0], "")):
            data = site.store.surveys.get(survey_key)
            answer = data.answers.get((qid, owner_key)) if data else None
            if answer is None:
                continue
            text = answer_text(answer.values)
            steps.append(TopicStep(site.titles[survey_key], qid, question_page(survey_key, qid),
                                   site.memo.answer_cell(answer),
                                   diff_html(previous, text)
                                   if previous is not None and previous != text else None,
                                   previous == text))
            previous = text
        if steps:
            out.append(TopicEvolution(topic.name, steps))
    return out
