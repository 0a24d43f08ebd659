"""A survey's page: its facts, its questions, who answered and who did not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import Question, SurveyData, is_blank
from builder.publish.encode import link, safe_external_url
from builder.publish.opendata.layout import PAGE as DOWNLOADS_PAGE
from builder.publish.opendata.layout import survey_file
from builder.publish.pages.cells import partial_note
from builder.publish.pages.changes import entry_count, survey_change_list
from builder.publish.pages.matrix import Matrix, build_matrix
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_date, survey_page
from builder.publish.words import changes_in_entries, question_label
from builder.store.records import survey_dir_name

CCADB_REPORTS = "https://ccadb.my.salesforce-sites.com/mozillacommunications/"


@dataclass(frozen=True)
class QuestionRow:
    q: Question
    page: str
    label: str
    count: int
    """Answers to it that are not blank."""


@dataclass(frozen=True)
class OwnerLink:
    name: str
    page: str


@dataclass(frozen=True)
class SurveyPage:
    """survey.md.j2."""

    data: SurveyData
    date: str
    partial: str | None
    changes_page: str
    changes_label: str
    """The changes page's link text: its changes and the entries it shows them in."""
    questions: list[QuestionRow]
    answered: list[OwnerLink]
    matrix: Matrix
    """A row per CA owner of `answered`, in the same order."""
    missing: list[OwnerLink]
    sources: list[Markup]
    report: Markup | None
    download_csv: str | None
    """None: no answers captured, so no file."""
    download_json: str | None
    downloads_page: str


def survey_feed(survey_key: str) -> str:
    return f"feeds/surveys/{survey_dir_name(survey_key)}.xml"


def survey_changes_page(survey_key: str) -> str:
    return f"surveys/{survey_dir_name(survey_key)}/changes.md"


def history_label(site: SiteIndex, data: SurveyData) -> str:
    changes = survey_change_list(site, data)
    return changes_in_entries(len(changes.changes), entry_count(site, changes))


def answer_counts(data: SurveyData) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for answer in data.answers.values():
        if not is_blank(answer.values):
            counts[answer.question_id] += 1
    return counts


def owner_links(site: SiteIndex, keys: list[str]) -> list[OwnerLink]:
    return [OwnerLink(site.owner_names[k], site.memo.owner_page(k)) for k in keys]


def build_survey(site: SiteIndex, data: SurveyData) -> Page:
    page = survey_page(data.survey.key)
    counts = answer_counts(data)
    by_name = site.owner_names
    answered = sorted({a.owner_key for a in data.answers.values()},
                      key=lambda k: by_name[k].casefold())
    missing = [] if data.survey.partial else sorted(
        set(by_name) - set(answered), key=lambda k: by_name[k].casefold())
    comm = data.survey.communication_id
    report = f"{CCADB_REPORTS}CACommSummaryReport?CommunicationId={comm}" if comm else None
    return Page(page, "survey.md.j2", data.survey.title, SurveyPage(
        data, survey_date(data.survey), partial_note(data),
        survey_changes_page(data.survey.key), history_label(site, data),
        [QuestionRow(q, question_page(q.survey_key, q.id), question_label(q), counts.get(q.id, 0))
         for q in data.sorted_questions()],
        owner_links(site, answered), build_matrix(site, data, answered),
        owner_links(site, missing),
        [link(u, u, external=True) for u in data.survey.source_urls if safe_external_url(u)],
        link(report, report, external=True) if report else None,
        survey_file(page, "csv") if data.answers else None,
        survey_file(page, "json") if data.answers else None, DOWNLOADS_PAGE),
        feed=survey_feed(data.survey.key))
