"""HTML for answer timelines and the entries of the Changes pages (builder-made markup)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from markupsafe import Markup

from builder.core.model import Change
from builder.core.text import page_name, public_source
from builder.core.timeline import Version, is_edited, is_late
from builder.publish.diff import answer_text, render_diff, word_diff
from builder.publish.encode import attr, encode, encode_lines, link, safe_external_url
from builder.publish.labels import FIRST_CAPTURED, capture, late, span
from builder.publish.paths import owner_page, question_page, survey_page

LEGEND = Markup('<p class="csr-legend">Legend: <del class="csr-del">removed text</del> '
                '<ins class="csr-ins">added text</ins></p>')


@lru_cache(maxsize=1 << 16)  # one per CA owner, asked for on many pages
def row_anchor(owner_key: str) -> Markup:
    """The id of a CA owner's row on a question page: [a-z0-9-] only, made by the builder."""
    return Markup("ca-" + page_name(owner_key, "ca-owner"))


@lru_cache(maxsize=1 << 14)
def diff_html(old: str, new: str) -> Markup:
    """render_diff(word_diff(old, new)), once per pair of texts (answers repeat a lot)."""
    return render_diff(word_diff(old, new))


def _version_text(version: Version) -> Markup:
    if version.values is None:
        return Markup('<span class="csr-none">(no longer in the export)</span>')
    text = answer_text(version.values)
    return encode_lines(text) if text.strip() else Markup(
        '<span class="csr-none">(left blank)</span>')


def _source(version: Version) -> Markup:
    url = safe_external_url(version.source)
    # A local file is named by its file name only: no paths of the importing machine.
    return link(url, "source", external=True) if url else encode(
        "file " + public_source(version.source).rsplit("/", 1)[-1])


SHOWN_DIFFS = 5
"""Consecutive diffs an answer's timeline shows inline; a longer history is on a page of
its own (history_page), so a page grows with the number of answers, not of versions."""


def history_page(survey_key: str, question_id: str, owner_key: str) -> str:
    """The page that holds every version of one answer: [a-z0-9/-] only, builder-made."""
    folder = survey_page(survey_key).removesuffix("index.md")
    return f"{folder}history/{question_id.lower()}-{page_name(owner_key, 'ca-owner')}.md"


def is_long(versions: list[Version]) -> bool:
    """More versions than the inline timeline shows (SHOWN_DIFFS diffs and the first)."""
    return len(versions) > SHOWN_DIFFS + 1


def version_items(versions: list[Version], start: int = 0) -> str:
    """`<li>`s for versions[start:], each (but the very first) as a diff with the one
    before it: linear in the number of versions."""
    items = []
    for number in range(start + 1, len(versions) + 1):
        version = versions[number - 1]
        head = (f"<strong>Version {number}</strong>, "
                f"{encode(capture(version.captured_at, version.observed_at))} · "
                f"{_source(version)}")
        if number == 1:
            body = _version_text(version)
        else:
            before = answer_text(versions[number - 2].values)
            body = diff_html(before, answer_text(version.values))
            if version.values is None:
                body = _version_text(version)
        items.append(f"<li>{head}<div>{body}</div></li>")
    return "".join(items)


def full_history(versions: list[Version]) -> Markup:
    """Every version of one answer, for its history page."""
    return Markup(f'<ol class="csr-versions">{version_items(versions)}</ol>{LEGEND}')


def history_block(versions: list[Version], deadline: str | None,
                  full_page: str | None = None) -> Markup:
    """'edited'/'late' marks, and for an edited answer its timeline with diffs.

    A long timeline (is_long) shows its last SHOWN_DIFFS diffs and links `full_page`
    (a relative link to history_page) for the rest; the version picker, one block per
    pair of versions, is kept to short timelines, where it stays small.
    """
    marks = []
    if is_late(versions, deadline) and deadline and versions[0].captured_at:
        text = late(versions[0].captured_at, deadline)
        marks.append(f'<span class="csr-tag csr-late">{encode(text)}</span>')
    if not is_edited(versions):
        return Markup(" ".join(marks))
    start = len(versions) - SHOWN_DIFFS if is_long(versions) else 0
    dated = [(v.captured_at, v.observed_at) for v in versions]
    dates = span(dated) if not start else f"{span(dated[:1])} … {span(dated[start:])}"
    earlier = ""
    if start:
        target = f'<a href="{attr(full_page)}">all {len(versions)} versions</a>' \
            if full_page else f"all {len(versions)} versions"
        earlier = (f'<p class="csr-earlier">The last {SHOWN_DIFFS} changes; versions 1 to '
                   f"{start} and every change: {target}.</p>")
    pairs = ""
    if len(versions) > 2 and not start:
        options = "".join(f'<option value="{i}">version {i}</option>'
                          for i in range(1, len(versions) + 1))
        blocks = "".join(
            f'<div data-pair="{i + 1}-{j + 1}" hidden>'
            f'{diff_html(answer_text(versions[i].values), answer_text(versions[j].values))}'
            f"</div>" for i, j in combinations(range(len(versions)), 2))
        pairs = (f'<div class="csr-pairs" data-csr-pairs hidden><p>Compare '
                 f'<select aria-label="first version">{options}</select> with '
                 f'<select aria-label="second version">{options}</select></p>{blocks}</div>')
    marks.insert(0, '<span class="csr-tag csr-edited">edited</span>')
    ol_start = f' start="{start + 1}"' if start else ""
    return Markup(
        f'{" ".join(marks)}<details class="csr-history"><summary>History: {len(versions)} '
        f"versions ({encode(dates)})</summary>{earlier}<ol{ol_start}>"
        f"{version_items(versions, start)}</ol>"
        f"{pairs}{LEGEND}</details>")


@dataclass
class Entry:
    """One line of a Changes page (first answers of one import are grouped)."""

    date: str
    """When it was imported (the record's order)."""
    captured_at: str | None
    """When the copy that showed it was captured; None when unknown."""
    kind: str
    survey_key: str
    survey_title: str
    question_id: str
    owners: list[tuple[str, str]] = field(default_factory=list)
    """(owner_key, owner_name)"""


def change_entries(changes: list[Change], titles: dict[str, str]) -> list[Entry]:
    """Newest first; 'added' changes of one question and day become one entry."""
    grouped: dict[tuple[str, str, str, str], Entry] = {}
    entries: list[Entry] = []
    for c in changes:
        if c.kind == "added":
            key = (c.observed_at, c.captured_at or "", c.survey_key, c.question_id)
            if key not in grouped:
                grouped[key] = Entry(c.observed_at, c.captured_at, "added", c.survey_key,
                                     titles[c.survey_key], c.question_id)
                entries.append(grouped[key])
            grouped[key].owners.append((c.owner_key, c.owner_name))
        else:
            entries.append(Entry(c.observed_at, c.captured_at, c.kind, c.survey_key,
                                 titles[c.survey_key],
                                 c.question_id, [(c.owner_key, c.owner_name)]))
    entries.sort(key=lambda e: (e.date, e.survey_key, e.question_id, e.kind), reverse=True)
    for entry in entries:
        entry.owners.sort(key=lambda o: (o[1].casefold(), o[0]))
    return entries


@lru_cache(maxsize=1 << 16)
def _rel(from_page: str, to: str) -> str:
    from builder.publish.paths import rel

    return rel(from_page, to)


# typed: a Markup text and a str of the same characters are different links
_link = lru_cache(maxsize=1 << 16, typed=True)(link)


def entry_html(entry: Entry, from_page: str, names: dict[str, str]) -> Markup:
    """'CA owner X changed its answer to question Q of survey S', with links."""
    rel, link = _rel, _link  # memoised: a page of changes links the same pages many times

    q_page = question_page(entry.survey_key, entry.question_id)
    survey = link(rel(from_page, survey_page(entry.survey_key)), entry.survey_title)
    if entry.kind == "added" and len(entry.owners) > 1:
        owners = ", ".join(str(link(rel(from_page, owner_page(k)), names.get(k, n)))
                           for k, n in entry.owners[:8])
        more = f" and {len(entry.owners) - 8} more" if len(entry.owners) > 8 else ""
        question = link(rel(from_page, q_page), f"question {entry.question_id}")
        return Markup(f"answers of {len(entry.owners)} CA owners to {question} of {survey} "
                      f"{FIRST_CAPTURED}: {owners}{more}")
    key, name = entry.owners[0]
    owner = link(rel(from_page, owner_page(key)), names.get(key, name))
    target = rel(from_page, q_page) + "#" + row_anchor(key)
    question = Markup(f'<a href="{attr(target)}">question {encode(entry.question_id)}</a>')
    verb = {"added": "answer to {q} of {s} " + FIRST_CAPTURED,
            "changed": "changed its answer to {q} of {s}",
            "withdrawn": "no longer has an answer to {q} of {s} in the export"}[entry.kind]
    joiner = "’s " if entry.kind == "added" else " "  # "X’s answer to Q … first captured"
    return Markup(f"{owner}{joiner}" + verb.format(q=question, s=survey))


def changes_by_owner(changes: list[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        out[c.owner_key].append(c)
    return out
