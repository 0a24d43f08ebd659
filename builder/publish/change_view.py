"""The entries of the Changes pages, the home page's latest changes and the feeds.

One entry is what one import did to one CA owner's answers in one survey, of one kind
(every question it changed, listed in it), so that a CA owner leaving fills one entry, not
one per question. First captures of one import are one entry for the whole survey: a new
survey's first import is one line, whatever the number of CA owners.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markupsafe import Markup

from builder.core.model import Change, Question
from builder.publish.encode import attr, encode, link
from builder.publish.history_view import row_anchor
from builder.publish.paths import owner_page, question_page, survey_page
from builder.publish.words import KINDS, MANY_FIRST_CAPTURED, plural, question_label

QuestionOf = Callable[[str, str], "Question | None"]
"""(survey key, question id) -> the question, None when the store no longer has it."""

SHOWN_OWNERS = 8
LISTED_INLINE = 3
"""An entry lists up to this many questions in the open; more are behind a disclosure."""


@dataclass
class Entry:
    """One line of a Changes page: changes of one import, survey and kind (see above)."""

    date: str
    """When it was imported (the record's order)."""
    captured_at: str | None
    """When the copy that showed it was captured; None when unknown."""
    kind: str
    survey_key: str
    survey_title: str
    changes: list[Change] = field(default_factory=list)
    """Complete once change_entries returns: `owners` and `question_ids` are kept."""

    @cached_property
    def owners(self) -> list[tuple[str, str]]:
        """(owner_key, owner_name), each once, by name (asked by every sort, page and
        digest of the entries: made once)."""
        found = {c.owner_key: c.owner_name for c in self.changes}
        return sorted(found.items(), key=lambda o: (o[1].casefold(), o[0]))

    @cached_property
    def question_ids(self) -> list[str]:
        return list(dict.fromkeys(c.question_id for c in self.changes))


def change_entries(changes: list[Change], titles: dict[str, str]) -> list[Entry]:
    """Newest first; grouped as the module says."""
    grouped: dict[tuple[str, ...], Entry] = {}
    for c in changes:
        owner = "" if c.kind == "added" else c.owner_key
        key = (c.observed_at, c.captured_at or "", c.survey_key, owner, c.kind)
        if key not in grouped:
            grouped[key] = Entry(c.observed_at, c.captured_at, c.kind, c.survey_key,
                                 titles[c.survey_key])
        grouped[key].changes.append(c)
    return newest_entries_first(list(grouped.values()))


def newest_entries_first(entries: list[Entry]) -> list[Entry]:
    """Entries in the order of change_entries: (an entry's survey is part of its key)
    the entries of several surveys' lists merged are those of all their changes."""
    entries.sort(key=lambda e: (e.date, e.survey_key, e.kind, [o[1] for o in e.owners]),
                 reverse=True)
    return entries


def latest_entries(changes: list[Change], titles: dict[str, str], count: int) -> list[Entry]:
    """The newest `count` entries, each whole: read from the newest changes only, but to
    the end of the last import they reach (an entry never counts part of its import)."""
    end = min(len(changes), 20 * count)
    while 0 < end < len(changes) and changes[end].observed_at == changes[end - 1].observed_at:
        end += 1
    return change_entries(changes[:end], titles)[:count]


def entry_text(entry: Entry, question_of: QuestionOf, names: dict[str, str]) -> str:
    """The entry as one sentence of plain text (feed titles; the page says the same)."""
    questions = _questions(entry, question_of)
    owners = entry.owners
    if entry.kind == "added" and len(owners) > 1:
        what = questions[0][1] if len(questions) == 1 else plural(len(questions), "question")
        return MANY_FIRST_CAPTURED.format(owners=plural(len(owners), "CA owner"), q=what,
                                          survey=entry.survey_title)
    key, name = owners[0]
    words = KINDS[entry.kind]
    sentence = words.one if len(questions) == 1 else words.many
    return sentence.format(owner=names.get(key, name), q=questions[0][1],
                           n=plural(len(questions), "question")) + f" ({entry.survey_title})"


def _questions(entry: Entry, question_of: QuestionOf) -> list[tuple[str, str]]:
    """(question id, label) of the entry's questions, in the survey's order."""
    found = [(qid, question_of(entry.survey_key, qid)) for qid in entry.question_ids]
    found.sort(key=lambda f: (f[1] is None or f[1].order is None,
                              f[1].order if f[1] and f[1].order is not None else 0, f[0]))
    return [(qid, question_label(q, 60) if q else "a question no longer in the record")
            for qid, q in found]


@lru_cache(maxsize=1 << 16)
def _rel(from_page: str, to: str) -> str:
    from builder.publish.paths import rel

    return rel(from_page, to)


# typed: a Markup text and a str of the same characters are different links
_link = lru_cache(maxsize=1 << 16, typed=True)(link)


def entry_html(entry: Entry, from_page: str, names: dict[str, str],
               question_of: QuestionOf) -> Markup:
    """The entry's sentence with links: to the CA owner, the survey, and each question's
    page at the CA owner's row (the row a link to a change opens)."""
    rel = _rel
    survey = _link(rel(from_page, survey_page(entry.survey_key)), entry.survey_title)
    questions = _questions(entry, question_of)
    owners = entry.owners
    many_owners = entry.kind == "added" and len(owners) > 1
    anchor = "" if many_owners else "#" + row_anchor(owners[0][0])

    def q_link(qid: str, label: str) -> Markup:
        target = rel(from_page, question_page(entry.survey_key, qid)) + anchor
        return Markup(f'<a href="{attr(target)}">{encode(label)}</a>')

    links = [q_link(qid, label) for qid, label in questions]
    if many_owners:
        shown = ", ".join(str(_link(rel(from_page, owner_page(k)), names.get(k, n)))
                          for k, n in owners[:SHOWN_OWNERS])
        more = f" and {len(owners) - SHOWN_OWNERS} more" if len(owners) > SHOWN_OWNERS else ""
        what = links[0] if len(links) == 1 else encode(plural(len(links), "question"))
        head = Markup(MANY_FIRST_CAPTURED).format(
            owners=plural(len(owners), "CA owner"), q=what, survey=survey) + Markup(
            f": {shown}{more}")
    else:
        key, name = owners[0]
        owner = _link(rel(from_page, owner_page(key)), names.get(key, name))
        words = KINDS[entry.kind]
        sentence = Markup(words.one if len(links) == 1 else words.many)
        head = sentence.format(owner=owner, q=links[0], n=plural(len(links), "question")) + \
            Markup(f" ({survey})")
    return head + _question_list(links) if len(links) > 1 else head


def _question_list(links: list[Markup]) -> Markup:
    items = Markup('<ul class="csr-change-questions">{}</ul>').format(
        Markup("").join(Markup("<li>{}</li>").format(item) for item in links))
    if len(links) <= LISTED_INLINE:
        return items
    return Markup('<details class="csr-change-list"><summary>The {}</summary>{}</details>'
                  ).format(plural(len(links), "question"), items)
