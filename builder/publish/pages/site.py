"""SiteIndex: everything the pages share, computed once from the store per build."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

from builder.core.model import Answer, Change, Question, Store, SurveyData, Topic
from builder.core.timeline import (
    Lines,
    Version,
    newest_first,
    timelines,
)
from builder.publish.diff import word_diffed
from builder.publish.history_view import history_block, history_page, is_long
from builder.publish.labels import capture
from builder.publish.owners import owner_names
from builder.publish.pages.cainfo import CaPages
from builder.publish.pages.memo import Memo
from builder.publish.pages.template import fast_rel
from builder.publish.paths import surveys_newest_first


@dataclass(frozen=True, eq=False)
class SurveyIndex:
    """A survey's answers by question, answers gone from the export, withdrawal dates.
    Each is made when first asked for: a one-change build shows few pages of an
    unchanged survey (and looks at few of its answers' versions: core.timeline.Lines)."""

    data: SurveyData
    names: dict[str, str]
    """The CA owners' names (owners.owner_names), by which the answers are sorted."""

    @classmethod
    def of(cls, data: SurveyData, names: dict[str, str]) -> SurveyIndex:
        return cls(data, names)

    @cached_property
    def questions(self) -> list[Question]:
        return self.data.sorted_questions()

    @cached_property
    def answers(self) -> dict[str, list[Answer]]:
        """question id -> answers, sorted by CA owner name."""
        answers: dict[str, list[Answer]] = defaultdict(list)
        for answer in self.data.answers.values():
            answers[answer.question_id].append(answer)
        for group in answers.values():
            group.sort(key=lambda a: self.names[a.owner_key].casefold())
        return answers

    @cached_property
    def gone(self) -> dict[str, list[tuple[str, list[Version]]]]:
        """question id -> (owner key, versions) of answers no longer in the export."""
        gone: dict[str, list[tuple[str, list[Version]]]] = defaultdict(list)
        lines, answered = self.lines, self.data.answers
        for qid, owner in sorted(pair for pair, changes in lines.changes.items()
                                 if changes[-1].new is None and pair not in answered):
            gone[qid].append((owner, lines[(qid, owner)]))
        return gone

    @cached_property
    def withdrawn(self) -> dict[str, str]:
        """owner key -> when the last 'withdrawn' change was seen (labels.capture)."""
        return {c.owner_key: capture(c.captured_at, c.observed_at) for c in self.data.history
                if c.kind == "withdrawn"}

    @cached_property
    def lines(self) -> Lines:
        return timelines(self.data)

    @cached_property
    def changes(self) -> list[Change]:
        """The survey's recorded changes, newest first."""
        return newest_first(self.data.history)

    def long_histories(self) -> list[tuple[str, str]]:
        """(question id, owner key) of the shown answers whose history has a page of its
        own: an answer in the export or gone from it, to a question of the survey."""
        # Only the few long timelines are looked at (by their number of changes, one per
        # version): an answer shown is one in the export or one whose last version is
        # gone (self.gone).
        return sorted(pair for pair, changes in self.lines.changes.items()
                      if is_long(changes) and pair[0] in self.data.questions
                      and (pair in self.data.answers or changes[-1].new is None))


@dataclass(frozen=True)
class SiteIndex:
    """Everything pages share. Pure data, except `memo`: the build's one cache."""

    store: Store
    surveys: list[SurveyData]
    """Newest first."""
    owner_names: dict[str, str]
    owner_answers: dict[str, list[Answer]]
    """owner key -> its answers in the export (none: not in it)."""
    per_survey: dict[str, SurveyIndex]
    changes: list[Change]
    """Every recorded change, newest first."""
    titles: dict[str, str]
    topic_of: dict[tuple[str, str], Topic]
    ca: CaPages
    """The CCADB CA information record (not a survey)."""
    site_url: str | None = None
    """The site's absolute root URL ("https://.../"), if known: feeds link absolutely."""
    memo: Memo = field(default_factory=Memo, compare=False)

    @classmethod
    def of(cls, store: Store, site_url: str | None = None) -> SiteIndex:
        surveys = surveys_newest_first(store)
        names = owner_names(store)
        by_owner: dict[str, list[Answer]] = defaultdict(list)
        for data in surveys:
            for answer in data.answers.values():
                by_owner[answer.owner_key].append(answer)
        per_survey = {d.survey.key: SurveyIndex.of(d, names) for d in surveys}
        return cls(store, surveys, names, dict(by_owner), per_survey,
                   newest_first([c for d in surveys for c in d.history]),
                   {d.survey.key: d.survey.title for d in surveys},
                   {ref: topic for topic in store.topics for ref in topic.questions},
                   CaPages(store), site_url)

    def question_of(self, survey_key: str, question_id: str) -> Question | None:
        """change_view.QuestionOf: the question, None when the store no longer has it."""
        data = self.store.surveys.get(survey_key)
        return data.questions.get(question_id) if data else None

    def history(self, data: SurveyData, question_id: str, owner_key: str,
                page: str | None = None) -> Markup:
        """history_block of one answer: shown on its question page and its owner's page.

        Only blocks with something in them are kept: most answers were never edited, and
        their (empty) block is quicker to make again than to hold for the whole build.
        A long history also has its own page (pages.history), linked from `page`.
        """
        versions = self.per_survey[data.survey.key].lines.get((question_id, owner_key), [])
        full = None
        if page and is_long(versions):
            full = fast_rel(page, history_page(data.survey.key, question_id, owner_key))
        key = (data.survey.key, question_id, owner_key, full)
        free_text = word_diffed(data.questions.get(question_id))
        return self.memo.once("history", key, history_block, versions, data.survey.deadline,
                              full, free_text, keep=bool)
