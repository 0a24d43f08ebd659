"""Which generated files show a given answer: what to make again when only it changed.

For an answer of a CA owner and a question the site already has. A new CA owner, a new
question or a new survey changes lists on many pages (every survey page's "did not
answer", the Compare index, the navigation): make the whole site then.
"""

from __future__ import annotations

from builder.core.comments import comments_question
from builder.publish.history_view import history_page, is_long
from builder.publish.opendata.layout import PAGE as DOWNLOADS_PAGE
from builder.publish.pages import compare, feeds
from builder.publish.pages.changes import FIRST_PAGE as CHANGES_PAGE
from builder.publish.pages.home import HOME, SURVEYS
from builder.publish.pages.owners import OWNERS, owner_feed
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import survey_changes_page, survey_feed
from builder.publish.paths import question_page, survey_page


def pages_showing(site: SiteIndex, survey_key: str, question_id: str,
                  owner_key: str) -> set[str]:
    """Every file that shows (or counts, or lists a change of) this answer, but the
    archive pages of the changes lists: those are compared by what they show
    (changes.archive_digests, in touched's state), as a change observed before others
    shifts all the newer ones."""
    data = site.store.surveys[survey_key]
    out = {question_page(survey_key, question_id), site.memo.owner_page(owner_key),
           survey_page(survey_key), HOME, SURVEYS, OWNERS, DOWNLOADS_PAGE,
           feeds.ALL, survey_feed(survey_key), owner_feed(owner_key),
           compare.survey_data_file(survey_key)}
    # A comments question's answers are shown on the page of the question they comment on.
    out |= {question_page(survey_key, q.id) for q in data.sorted_questions()
            if (c := comments_question(data, q)) is not None and c.id == question_id}
    if is_long(site.per_survey[survey_key].lines.get((question_id, owner_key), [])):
        out.add(history_page(survey_key, question_id, owner_key))
    return out | {CHANGES_PAGE, survey_changes_page(survey_key)}
