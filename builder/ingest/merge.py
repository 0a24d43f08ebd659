"""Merge a validated import into the store and record what changed.

"Latest submission wins", as in the CCADB, but every change is kept as a Change in
the survey's append-only history, so the site can show each answer's timeline.
"""

from __future__ import annotations

from dataclasses import replace

from builder.core.errors import InternalError
from builder.core.model import UNKNOWN, Answer, Capture, Change, Question, Store, Survey, SurveyData
from builder.core.snapshot import snapshot_changes
from builder.ingest.validate import ImportBundle


def _merge_survey(old: Survey, new: Survey) -> Survey:
    urls = list(old.source_urls) + [u for u in new.source_urls if u not in old.source_urls]
    return replace(old, communication_id=old.communication_id or new.communication_id,
                   letter=new.letter or old.letter, source_urls=tuple(urls))


def _merge_question(old: Question | None, new: Question) -> Question:
    if old is None:
        return new
    options = list(old.options)
    for i, label in enumerate(new.options):
        if i >= len(options):
            options.append(label)
        elif label:
            options[i] = label
    text, truncated = (new.text, new.truncated) if new.text else (old.text, old.truncated)
    if new.truncated and len(old.text) >= len(new.text):
        text, truncated = old.text, old.truncated  # a copy cut shorter says no more
    return replace(
        old,
        text=text,
        truncated=truncated,
        required=new.required if new.required is not None else old.required,
        type=new.type if new.type != UNKNOWN else old.type,
        order=new.order if new.order is not None else old.order,
        options=tuple(options),
        source=old.source or new.source,
    )


def _change(kind: str, old: Answer | None, new: Answer | None, at: str, source: str,
            capture: Capture) -> Change:
    ref = new or old
    if ref is None:
        raise InternalError("a change without an old or a new answer")
    return Change(ref.survey_key, ref.question_id, ref.owner_key, ref.owner_name, kind,
                  old.values if old else None, new.values if new else None, at, source,
                  capture.at, capture.live)


def merge(store: Store, bundle: ImportBundle, *, partial: bool, observed_at: str,
          complete_owner_list: bool = True,
          capture: Capture | None = None) -> tuple[Store, list[Change]]:
    """`store` with `bundle` merged in, and the changes recorded. Pure: `store` is unchanged.

    A full import replaces the answers of each question it carries: CA owners that
    answered before but are missing now are recorded as 'withdrawn'. A partial import
    (a page cut short) only adds and updates. Only what changes is copied: each survey the
    export carries gets new dicts and a new history list; every other survey, and every
    record, is shared with `store`.
    """
    capture = capture or Capture()
    surveys = dict(store.surveys)
    changes: list[Change] = []
    for key, incoming in bundle.surveys.items():
        merged, survey_changes = _merge_survey_data(
            store.surveys.get(key), incoming, partial=partial, demo=store.demo,
            full=not partial and complete_owner_list, observed_at=observed_at, capture=capture)
        surveys[key] = merged
        changes.extend(survey_changes)
    return replace(store, surveys=surveys), changes


def _merge_survey_data(old: SurveyData | None, incoming: SurveyData, *, partial: bool,
                       demo: bool, full: bool, observed_at: str,
                       capture: Capture) -> tuple[SurveyData, list[Change]]:
    """A new SurveyData: `old` (not modified) with `incoming` merged in; its changes."""
    if old is None:
        old = SurveyData(replace(incoming.survey, partial=partial, demo=demo))
        survey = old.survey
    else:
        survey = _merge_survey(old.survey, incoming.survey)
    questions = dict(old.questions)
    for qid, question in incoming.questions.items():
        questions[qid] = _merge_question(questions.get(qid), question)
    answers = dict(old.answers)
    changes: list[Change] = []
    gone_source = next(iter(incoming.answers.values())).source if incoming.answers else ""
    for kind, ref, before, after in snapshot_changes(
            old.answers, incoming.answers, same=lambda a, b: a.values == b.values,
            full_groups=incoming.questions if full else None):
        changes.append(_change(kind, before, after, observed_at,
                               after.source if after else gone_source, capture))
        if after is None:
            del answers[ref]
        else:
            answers[ref] = after
    return SurveyData(survey, questions, answers, old.history + changes), changes
