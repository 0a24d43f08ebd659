"""The home page and the list of surveys."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import SurveyData
from builder.core.text import fold_whitespace
from builder.publish.change_view import entry_html, latest_entries
from builder.publish.labels import entry_date
from builder.publish.pages.cells import answered_count, partial_note
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.paths import survey_date, survey_page

LATEST_ON_HOME = 10
HOME = "index.md"
SURVEYS = "surveys/index.md"


@dataclass(frozen=True)
class SurveyRow:
    data: SurveyData
    page: str
    date: str
    answers: int
    """Answers that are not blank."""
    owners: int
    questions: int
    partial: str | None


@dataclass(frozen=True)
class LatestChange:
    date: str
    html: Markup


@dataclass(frozen=True)
class HomePage:
    """home.md.j2."""

    surveys: list[SurveyRow]
    owners: int
    catalog: list[dict[str, str]]
    latest: list[LatestChange]


@dataclass(frozen=True)
class SurveysPage:
    """surveys.md.j2: the surveys captured, then the known ones not captured."""

    surveys: list[SurveyRow]
    catalog: list[dict[str, str]]


def survey_rows(site: SiteIndex) -> list[SurveyRow]:
    """The rows of the home page and of the list of surveys (made once for both)."""
    return site.memo.once("survey_rows", None, _survey_rows, site)


def _survey_rows(site: SiteIndex) -> list[SurveyRow]:
    return [SurveyRow(d, survey_page(d.survey.key), survey_date(d.survey), answered_count(d),
                      len({a.owner_key for a in d.answers.values()}), len(d.questions),
                      partial_note(d))
            for d in site.surveys]


def build_home(site: SiteIndex) -> Page:
    latest = latest_entries(site.changes, site.titles, LATEST_ON_HOME)
    return Page(HOME, "home.md.j2", "CA answers to Mozilla's CA Communications", HomePage(
        survey_rows(site), len(site.owner_names), site.store.catalog,
        [LatestChange(entry_date(e.captured_at, e.date),
                      entry_html(e, HOME, site.owner_names, site.question_of)) for e in latest]),
        feed="feeds/all.xml")


def build_surveys(site: SiteIndex) -> Page:
    known = {d.survey.key for d in site.surveys}
    catalog = [row for row in site.store.catalog
               if fold_whitespace(row.get("title", "")) not in known]
    return Page(SURVEYS, "surveys.md.j2", "Surveys", SurveysPage(survey_rows(site), catalog))
