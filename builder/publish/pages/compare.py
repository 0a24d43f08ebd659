"""The Compare page and the JSON files its script reads (text as data, never markup)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from builder.core.comments import comments_question
from builder.core.model import SurveyData
from builder.publish.labels import capture
from builder.publish.pages.cells import partial_note
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page, fast_rel
from builder.publish.paths import owner_page, question_page, readable_slugs, url_of
from builder.publish.words import question_label
from builder.store.records import dumps, survey_dir_name

PAGE = "compare/index.md"
INDEX = "compare/data/index.json"


@dataclass(frozen=True)
class ComparePage:
    """compare.md.j2: where its script finds the data, relative to the page's URL."""

    data_index: str
    data_base: str


def survey_data_file(survey_key: str) -> str:
    return f"compare/data/{survey_dir_name(survey_key)}.json"


def stems(site: SiteIndex) -> dict[str, str]:
    """owner key -> its id in the JSON files and the page's URL (a readable slug; the
    hash only where two owners share one), once per build."""
    return site.memo.once("stems", None, _stems, site)


def _stems(site: SiteIndex) -> dict[str, str]:
    return readable_slugs(site.owner_names, "ca-owner")


def owner_address(site: SiteIndex, owner_key: str, from_page: str) -> str | None:
    """The Compare page with this CA owner chosen (`compare/?ca=ID`), relative to
    `from_page`: the one place a page makes a link into Compare for an owner, with the id
    the Compare index gives it (`stems`). None for an owner Compare does not list (one
    known only from the CA information report)."""
    owner_id = stems(site).get(owner_key)
    if owner_id is None:
        return None
    return f"{fast_rel(from_page, PAGE)}?ca={quote(owner_id, safe='')}"


def build_compare(site: SiteIndex) -> Page:
    return Page(PAGE, "compare.md.j2", "Compare CA owners",
                ComparePage("data/index.json", "../"))


def compare_index(site: SiteIndex) -> str:
    ids = stems(site)
    index = {"owners": [{"id": ids[k], "name": n, "url": url_of(owner_page(k))}
                        for k, n in sorted(site.owner_names.items(),
                                           key=lambda kv: kv[1].casefold())],
             "surveys": [{"id": survey_dir_name(d.survey.key), "title": d.survey.title,
                          "data": survey_data_file(d.survey.key)} for d in site.surveys]}
    return dumps(index) + "\n"


def compare_survey(site: SiteIndex, data: SurveyData) -> str:
    ids = stems(site)
    answers: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for answer in data.sorted_answers():
        answers[ids[answer.owner_key]][answer.question_id] = list(answer.values)
    # What the script needs to tell apart an answer that is not there: withdrawn
    # (and when it was seen gone), not captured (a partial capture, or none at all).
    withdrawn: dict[str, dict[str, str]] = defaultdict(dict)
    for qid, gone in site.per_survey[data.survey.key].gone.items():
        for owner, versions in gone:
            withdrawn[ids[owner]][qid] = capture(versions[-1].captured_at,
                                                 versions[-1].observed_at)
    survey = {"id": survey_dir_name(data.survey.key), "title": data.survey.title,
              "answers": answers, "withdrawn": withdrawn, "partial": partial_note(data),
              "captured": bool(data.answers),
              "questions": [{"id": q.id, "label": question_label(q, 70),
                             "url": url_of(question_page(data.survey.key, q.id)),
                             "comments": getattr(comments_question(data, q), "id", None)}
                            for q in data.sorted_questions()]}
    return dumps(survey) + "\n"
