"""Properties of the pure merge (builder.ingest.merge.merge) for any store and export."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.core.model import (
    FREE_TEXT,
    Answer,
    Capture,
    Change,
    Question,
    Store,
    Survey,
    SurveyData,
)
from builder.ingest.merge import merge
from builder.ingest.validate import ImportBundle

KEY = "property 2031 ca communication"
SURVEY = Survey(KEY, "Property 2031 CA Communication")
QUESTIONS = ("Q1", "Q2")
OWNERS = ("a", "b", "c", "d")
WHEN = "2031-01-01T00:00:00Z"
Exported = dict[tuple[str, str], tuple[str, ...]]
SETTINGS = settings(max_examples=150, deadline=None)

# An export: for some (question, owner) pairs, a value (drawn from few, so that a second
# export often gives the same answer again and often a different one).
exports = st.dictionaries(st.tuples(st.sampled_from(QUESTIONS), st.sampled_from(OWNERS)),
                          st.tuples(st.sampled_from(["yes", "no", "", "later"])), max_size=8)


def bundle(answers: Exported, source: str = "s") -> ImportBundle:
    questions = {q: Question(KEY, q, i, FREE_TEXT, f"text {q}") for i, q in enumerate(QUESTIONS)}
    data = SurveyData(SURVEY, questions, {
        (q, o): Answer(KEY, q, o, o.upper(), values, source=source, observed_at=WHEN)
        for (q, o), values in answers.items()})
    return ImportBundle({KEY: data}, [])


def merged(store: Store, answers: Exported, *,
           partial: bool = False) -> tuple[Store, list[Change]]:
    return merge(store, bundle(answers), partial=partial, observed_at=WHEN,
                 capture=Capture(WHEN, live=True))


# A store that one earlier export made.
stores = exports.map(lambda first: merged(Store(), first)[0])


@SETTINGS
@given(store=stores, second=exports, partial=st.booleans())
def test_the_input_store_is_not_modified(store: Store, second: Exported, partial: bool) -> None:
    before = copy.deepcopy(store)
    merged(store, second, partial=partial)
    assert store == before


@SETTINGS
@given(store=stores, second=exports, partial=st.booleans())
def test_merging_the_same_export_twice_records_nothing_new(
        store: Store, second: Exported, partial: bool) -> None:
    once, _ = merged(store, second, partial=partial)
    twice, changes = merged(once, second, partial=partial)
    assert changes == []
    assert twice == once


@SETTINGS
@given(store=stores, second=exports)
def test_after_a_complete_capture_the_answers_are_the_exports(
        store: Store, second: Exported) -> None:
    new, _ = merged(store, second)
    assert {k: a.values for k, a in new.surveys[KEY].answers.items()} == second


@SETTINGS
@given(store=stores, second=exports, partial=st.booleans())
def test_each_change_kind_matches_its_before_and_after(
        store: Store, second: Exported, partial: bool) -> None:
    new, changes = merged(store, second, partial=partial)
    old_answers = store.surveys[KEY].answers
    for c in changes:
        before = old_answers.get((c.question_id, c.owner_key))
        after = new.surveys[KEY].answers.get((c.question_id, c.owner_key))
        assert c.old == (before.values if before else None)
        assert c.new == (after.values if after else None)
        expected = ("added" if before is None else "withdrawn" if after is None else "changed")
        assert c.kind == expected
        assert before is None or after is None or before.values != after.values
    assert new.surveys[KEY].history == store.surveys[KEY].history + changes
    if partial:
        assert all(c.kind != "withdrawn" for c in changes)


def test_surveys_the_export_does_not_carry_are_shared_not_copied() -> None:
    other = SurveyData(Survey("other", "Other"))
    store = Store(surveys={"other": other})
    new, _ = merged(store, {("Q1", "a"): ("yes",)})
    assert new.surveys["other"] is other
    assert set(store.surveys) == {"other"}
