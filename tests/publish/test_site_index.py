"""The site's index made lazily (pages.site, core.timeline.Lines): each part equals what
the eager definitions it replaced give, on a store with long, withdrawn and gone
histories; an answer's versions are made only when asked for."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import pytest

from builder.core import timeline
from builder.core.model import Answer, Change, Store, SurveyData
from builder.core.timeline import Version, newest_first, timelines
from builder.publish.history_view import is_long
from builder.publish.labels import capture
from builder.publish.owners import owner_names
from builder.publish.pages.site import SiteIndex
from builder.store.records import load_store
from builder.tools.demo import write_demo


def _eager_lines(data: SurveyData) -> dict[tuple[str, str], list[Version]]:
    """timelines as it was: every version made at once."""
    out: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for c in data.history:
        out[(c.question_id, c.owner_key)].append(
            Version(c.new, c.observed_at, c.source, c.kind, c.captured_at, c.live))
    return dict(out)


def _edits(data: SurveyData, pair: tuple[str, str], count: int, last: tuple[str, ...] | None,
           ) -> list[Change]:
    qid, owner = pair
    out = []
    for n in range(count):
        new = last if n == count - 1 else (f"edit {n}",)
        out.append(Change(data.survey.key, qid, owner, owner.upper(),
                          "withdrawn" if new is None else "changed", (f"edit {n - 1}",), new,
                          f"2030-01-{n + 1:02d}T00:00:00Z", "demo://edits"))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The small demo, with a long history still answered, a long one whose answer is
    gone and a short gone one added to its newest survey."""
    root: Path = tmp_path_factory.mktemp("index") / "data"
    write_demo(root, "small")
    store = load_store(root)
    key, data = next(iter(store.surveys.items()))
    (long_pair, answer), (gone_pair, _), (short_pair, _) = list(data.answers.items())[:3]
    answers = {p: a for p, a in data.answers.items() if p not in (gone_pair, short_pair)}
    history = [*data.history, *_edits(data, long_pair, 9, answer.values),
               *_edits(data, gone_pair, 8, None), *_edits(data, short_pair, 2, None)]
    store.surveys[key] = dataclasses.replace(data, answers=answers, history=history)
    return store


def test_every_part_of_a_surveys_index_is_what_the_eager_one_gave(store: Store) -> None:
    names = owner_names(store)
    site = SiteIndex.of(store)
    longs = 0
    for key, data in store.surveys.items():
        index, lines = site.per_survey[key], _eager_lines(data)
        assert dict(index.lines.items()) == lines and list(index.lines) == list(lines)
        answers: dict[str, list[Answer]] = defaultdict(list)
        for a in data.answers.values():
            answers[a.question_id].append(a)
        for group in answers.values():
            group.sort(key=lambda a: names[a.owner_key].casefold())
        assert index.answers == answers
        gone: dict[str, list[tuple[str, list[Version]]]] = defaultdict(list)
        for (qid, owner), versions in sorted(lines.items()):
            if versions[-1].values is None and (qid, owner) not in data.answers:
                gone[qid].append((owner, versions))
        assert index.gone == gone
        assert index.withdrawn == {c.owner_key: capture(c.captured_at, c.observed_at)
                                   for c in data.history if c.kind == "withdrawn"}
        assert index.changes == newest_first(data.history)
        shown = [*data.answers, *((q, o) for q, g in gone.items() for o, _ in g)]
        assert index.long_histories() == sorted(
            {p for p in shown if p[0] in data.questions and is_long(lines.get(p, []))})
        longs += len(index.long_histories())
    assert longs == 2  # the one answered and the one gone; the short one is not long


def test_an_answers_versions_are_made_only_when_asked_for(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    class Counted(Version):
        def __init__(self, *fields: object) -> None:
            super().__init__(*fields)  # type: ignore[arg-type]
            made.append(self)

    monkeypatch.setattr(timeline, "Version", Counted)
    data = next(iter(store.surveys.values()))
    lines = timelines(data)
    pair = next(iter(lines))
    assert pair in lines and ("no such question", "owner") not in lines
    assert len(lines) == len(_eager_lines(data)) and made == []
    assert lines.get(("no such question", "owner")) is None and made == []
    first = lines[pair]
    assert lines[pair] is first and len(made) == len(first) > 0
