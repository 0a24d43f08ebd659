"""The words for things the site counts and names, each said here once: plural forms, the
label of a question, and what a recorded change is called (pages, feeds, the Changes list).

Pure functions returning plain text: callers encode it like any other value.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.core.model import Question
from builder.core.text import fold_whitespace
from builder.publish.labels import FIRST_CAPTURED

_IRREGULAR = {"entry": "entries", "CA owner": "CA owners", "person": "people"}


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 survey', '2 surveys', '0 entries': the count and the noun in its right form."""
    if count == 1:
        return f"{count} {one}"
    return f"{count} {many or _IRREGULAR.get(one) or one + 's'}"


def changes_in_entries(changes: int, entries: int) -> str:
    """A list of changes as counted: '6 recorded changes in 1 entry' where one entry of
    the changes page holds several (an import's first captures), else '2 recorded changes'."""
    said = plural(changes, "recorded change")
    return said if changes == entries else f"{said} in {plural(entries, 'entry')}"


def is_local_id(question_id: str) -> bool:
    """An id this tool made up (the export gave none): never shown as the question's name."""
    return question_id.startswith("local-")


def question_label(question: Question, limit: int = 90) -> str:
    """A question as a reader knows it: its own text ('ACTION 3: …'), cut at a word near
    `limit`; without a text, its number in the survey, or the CCADB's id, never a local id."""
    text = fold_whitespace(question.text)
    if not text:
        if question.order is not None:
            return f"Question {question.order}"
        return "Untitled question" if is_local_id(question.id) else f"Question {question.id}"
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def public_id(question_id: str) -> str:
    """The question's id as pages may show it: the CCADB's ('Q00028'), or '' for a local id."""
    return "" if is_local_id(question_id) else question_id


def question_title(question: Question, limit: int = 60) -> str:
    """A question page's title: 'Q00028: ACTION 12: …', or the label alone (a local id)."""
    label = question_label(question, limit)
    shown = public_id(question.id)
    return f"{shown}: {label}" if shown and shown not in label else label


@dataclass(frozen=True)
class KindWords:
    """What a change of one kind is called: as a filter label, and in an entry's sentence."""

    name: str
    """The kind in a word (filters, the downloads' `kind` column says the same key)."""
    one: str
    """'{owner}… {q}' for one answer."""
    many: str
    """The same for several answers ({n} of them, listed after the sentence)."""


KINDS: dict[str, KindWords] = {
    "added": KindWords("first captured", "{owner}’s answer to {q} " + FIRST_CAPTURED,
                       "{owner}’s answers to {n} " + FIRST_CAPTURED),
    "changed": KindWords("changed", "{owner} changed its answer to {q}",
                         "{owner} changed its answers to {n}"),
    "withdrawn": KindWords("no longer in the export",
                           "{owner} no longer has an answer to {q} in the export",
                           "{owner} no longer has answers to {n} in the export"),
}
"""Every change kind (core.snapshot's added / changed / withdrawn) and its words."""

MANY_FIRST_CAPTURED = "answers of {owners} to {q} of {survey} " + FIRST_CAPTURED
"""The first captures of one import, for several CA owners at once (one entry)."""


def change_sentence(kind: str, owner: str, questions: list[str]) -> str:
    """'X changed its answer to ACTION 3: …' or, for several, '… to 3 questions'."""
    words = KINDS[kind]
    if len(questions) == 1:
        return words.one.format(owner=owner, q=questions[0])
    return words.many.format(owner=owner, n=plural(len(questions), "question"))
