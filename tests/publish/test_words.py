"""The words of the site (builder/publish/words.py): plurals, question labels, change kinds."""

from __future__ import annotations

from builder.core.model import Change, Question
from builder.publish.change_view import change_entries, entry_text
from builder.publish.words import (
    KINDS,
    changes_in_entries,
    plural,
    public_id,
    question_label,
    question_title,
)


def test_plural_forms() -> None:
    assert plural(1, "survey") == "1 survey"
    assert plural(0, "survey") == "0 surveys"
    assert plural(2, "entry") == "2 entries"
    assert plural(66, "CA owner") == "66 CA owners"
    assert plural(3, "person", "people") == "3 people"


def test_changes_are_counted_with_the_entries_that_show_them() -> None:
    assert changes_in_entries(6, 1) == "6 recorded changes in 1 entry"
    assert changes_in_entries(15, 4) == "15 recorded changes in 4 entries"
    assert changes_in_entries(1, 1) == "1 recorded change"
    assert changes_in_entries(0, 0) == "0 recorded changes"


def test_a_label_never_shows_a_local_id() -> None:
    november = Question("November 2017 CA Communication", "local-2017-11-action-6", 6,
                        "Unknown", "ACTION 6: Provide a tested email address for the CA's "
                        "Problem Reporting Mechanism.")
    assert question_label(november, 40) == "ACTION 6: Provide a tested email …"
    assert question_title(november) == question_label(november, 60)
    assert "local-" not in question_title(november) and public_id(november.id) == ""
    untitled = Question("S", "local-0fd969fea8", None, "Unknown", "")
    assert question_label(untitled) == "Untitled question"
    assert question_label(Question("S", "local-0fd969fea8", 4, "Unknown", "")) == "Question 4"
    ccadb = Question("S", "Q00028", 12, "Free Text (Multi line text box)", "ACTION 12: PRM")
    assert question_title(ccadb) == "Q00028: ACTION 12: PRM"


def _change(kind: str, owner: str, question: str, at: str = "2020-06-02T09:00:00Z") -> Change:
    old = None if kind == "added" else ("a",)
    new = None if kind == "withdrawn" else ("b",)
    return Change("S", question, owner.lower(), owner, kind, old, new, at, "file")


def test_one_owner_in_one_import_is_one_entry_named_by_labels() -> None:
    questions = {f"local-{n}": Question("S", f"local-{n}", n, "Unknown", f"ACTION {n}: T{n}")
                 for n in (1, 2, 10)}
    changes = [_change("withdrawn", "Gone CA", q) for q in ("local-10", "local-2", "local-1")]
    changes += [_change("changed", "Other CA", "local-2"),
                _change("added", "A", "local-1", "2020-05-01T00:00:00Z"),
                _change("added", "B", "local-2", "2020-05-01T00:00:00Z")]
    entries = change_entries(changes, {"S": "Survey S"})
    assert [(e.kind, len(e.changes)) for e in entries] == [
        ("withdrawn", 3), ("changed", 1), ("added", 2)]

    def of(survey: str, qid: str) -> Question | None:
        return questions.get(qid)

    names = {"gone ca": "Gone CA", "other ca": "Other CA"}
    assert entry_text(entries[0], of, names) == (
        "Gone CA no longer has answers to 3 questions in the export (Survey S)")
    assert entry_text(entries[1], of, names) == (
        "Other CA changed its answer to ACTION 2: T2 (Survey S)")
    assert entry_text(entries[2], of, names) == (
        "answers of 2 CA owners to 2 questions of Survey S first captured in this record")
    assert set(KINDS) == {"added", "changed", "withdrawn"}
