"""Merge a validated import into the store and record what changed.

"Latest submission wins", as in the CCADB, but every change is kept as a Change in
the survey's append-only history, so the site can show each answer's timeline.
"""

from __future__ import annotations

from dataclasses import replace

from builder.model import UNKNOWN, Answer, Capture, Change, Question, Store, Survey, SurveyData
from builder.validate import ImportBundle


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
    assert ref is not None
    return Change(ref.survey_key, ref.question_id, ref.owner_key, ref.owner_name, kind,
                  old.values if old else None, new.values if new else None, at, source,
                  capture.at, capture.live)


def apply_import(store: Store, bundle: ImportBundle, *, partial: bool, observed_at: str,
                 complete_owner_list: bool = True,
                 capture: Capture | None = None) -> list[Change]:
    """Merge `bundle` into `store` in place; returns the changes it recorded.

    A full import replaces the answers of each question it carries: CA owners that
    answered before but are missing now are recorded as 'withdrawn'. A partial import
    (a page cut short) only adds and updates.
    """
    capture = capture or Capture()
    changes: list[Change] = []
    for key, incoming in bundle.surveys.items():
        target = store.surveys.get(key)
        if target is None:
            target = store.surveys[key] = SurveyData(
                replace(incoming.survey, partial=partial, demo=store.demo))
        else:
            target.survey = _merge_survey(target.survey, incoming.survey)
        for qid, question in incoming.questions.items():
            target.questions[qid] = _merge_question(target.questions.get(qid), question)
        survey_changes: list[Change] = []
        found: dict[str, set[str]] = {qid: set() for qid in incoming.questions}
        for (qid, owner), answer in sorted(incoming.answers.items()):
            found[qid].add(owner)
            old = target.answers.get((qid, owner))
            if old is not None and old.values == answer.values:
                continue  # unchanged: keep the record (and its first-seen time) as it is
            kind = "added" if old is None else "changed"
            survey_changes.append(_change(kind, old, answer, observed_at, answer.source,
                                          capture))
            target.answers[(qid, owner)] = answer
        if not partial and complete_owner_list:
            source = next(iter(incoming.answers.values())).source if incoming.answers else ""
            for (qid, owner), old in sorted(target.answers.items()):
                if qid in found and owner not in found[qid]:
                    survey_changes.append(_change("withdrawn", old, None, observed_at,
                                                  source, capture))
                    del target.answers[(qid, owner)]
        target.history.extend(survey_changes)
        changes.extend(survey_changes)
    return changes
