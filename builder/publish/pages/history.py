"""The page of one answer's whole history (only long histories have one)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import SurveyData
from builder.publish.diff import word_diffed
from builder.publish.history_view import full_history, history_page
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_page


@dataclass(frozen=True)
class AnswerHistoryPage:
    """answer_history.md.j2."""

    name: str
    question: str
    """The question's label (words.question_label)."""
    survey: str
    """The survey's title."""
    owner_page: str
    question_page: str
    survey_page: str
    versions: int
    history: Markup


def build_answer_history(site: SiteIndex, data: SurveyData, question_id: str,
                         owner_key: str) -> Page:
    """Every version of one answer (linear in the versions)."""
    versions = site.per_survey[data.survey.key].lines[(question_id, owner_key)]
    name = site.owner_names[owner_key]
    question = data.questions.get(question_id)
    label = site.memo.label(question, 60) if question else "a question no longer in the record"
    return Page(history_page(data.survey.key, question_id, owner_key), "answer_history.md.j2",
                f"History: {name}, {label}", AnswerHistoryPage(
                    name, label, data.survey.title, site.memo.owner_page(owner_key),
                    question_page(data.survey.key, question_id), survey_page(data.survey.key),
                    len(versions), full_history(versions, word_diffed(question))))
