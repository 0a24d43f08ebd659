"""Every generated file of the site, by path, each with the function that makes it.

The plan is cheap (paths only); a page's context is built, and its template rendered,
only when asked for, so a caller can make a chosen few (see showing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from builder.core.errors import BuildFailed
from builder.publish.history_view import history_page
from builder.publish.opendata import layout
from builder.publish.pages import compare, feeds
from builder.publish.pages.cainfo import INDEX as CA_INDEX
from builder.publish.pages.changes import build_changes, change_lists, page_names
from builder.publish.pages.downloads import build_downloads
from builder.publish.pages.history import build_answer_history
from builder.publish.pages.home import HOME, SURVEYS, build_home, build_surveys
from builder.publish.pages.owners import (
    OWNERS,
    build_owner,
    build_owners,
    build_report_only_owner,
)
from builder.publish.pages.question import build_question
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import build_survey
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_page
from builder.publish.write import FileInfo

DOWNLOADS_PAGE = layout.PAGE
"""The Downloads page (for the build's steps, which do not import the open data)."""

Maker = Callable[[], Page | str]
"""Makes one file: a Page (rendered through its template) or the file's text."""
Downloads = Callable[[], Mapping[str, FileInfo]]
"""The open-data files (opendata.produce.write_downloads), made when first needed."""


class Plan(dict[str, Maker]):
    """path -> Maker, in the order of the site; a path planned twice is an error."""

    def add(self, path: str, make: Maker) -> None:
        if path in self:  # two names whose slug and key hash agree: never overwrite
            raise BuildFailed(f"two pages would share the file {path}; rename one of them")
        self[path] = make


def plan(site: SiteIndex, downloads: Downloads) -> Plan:
    out = Plan()
    out.add(HOME, partial(build_home, site))
    out.add(SURVEYS, partial(build_surveys, site))
    for data in site.surveys:
        out.add(survey_page(data.survey.key), partial(build_survey, site, data))
        for question in data.sorted_questions():
            out.add(question_page(data.survey.key, question.id),
                    partial(build_question, site, data, question))
        for qid, owner in site.per_survey[data.survey.key].long_histories():
            out.add(history_page(data.survey.key, qid, owner),
                    partial(build_answer_history, site, data, qid, owner))
    out.add(OWNERS, partial(build_owners, site))
    for owner_key in site.owner_names:
        out.add(site.memo.owner_page(owner_key), partial(build_owner, site, owner_key))
    _plan_ca_information(site, out)
    for changes in change_lists(site):
        for k, path in enumerate(page_names(site, changes), start=1):
            out.add(path, partial(build_changes, site, changes, k))
    for path, make in feeds.feed_files(site).items():
        out.add(path, make)
    for data in site.surveys:
        out.add(compare.survey_data_file(data.survey.key),
                partial(compare.compare_survey, site, data))
    out.add(compare.INDEX, partial(compare.compare_index, site))
    out.add(compare.PAGE, partial(compare.build_compare, site))
    out.add(DOWNLOADS_PAGE, lambda: build_downloads(site, downloads()))
    return out


def _plan_ca_information(site: SiteIndex, out: Plan) -> None:
    ca = site.ca
    out.add(CA_INDEX, ca.index)  # always: the navigation names it
    for path, field_id in ca.field_pages():
        out.add(path, partial(ca.field, field_id))
    for owner_key in ca.report_only_owners(site.owner_names):
        out.add(site.memo.owner_page(owner_key), partial(build_report_only_owner, site,
                                                         owner_key))
