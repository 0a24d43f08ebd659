"""HTML for answer timelines and the entries of the Changes pages (builder-made markup)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sized
from functools import lru_cache
from itertools import combinations

from markupsafe import Markup

from builder.core.model import Change
from builder.core.text import page_name, public_source
from builder.core.timeline import Version, is_edited, is_late
from builder.publish.diff import answer_text, render_diff, word_diff
from builder.publish.encode import attr, encode, encode_lines, link, safe_external_url
from builder.publish.labels import capture, late, span
from builder.publish.paths import survey_page

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


def is_long(versions: Sized) -> bool:
    """More versions than the inline timeline shows (SHOWN_DIFFS diffs and the first);
    `versions` may be an answer's changes (one version each: timeline.Lines.changes)."""
    return len(versions) > SHOWN_DIFFS + 1


def version_items(versions: list[Version], start: int = 0, free_text: bool = True) -> str:
    """`<li>`s for versions[start:], each (but the very first) as a diff with the one
    before it (or, not `free_text`, "changed from A to B"): linear in the number of versions."""
    items = []
    for number in range(start + 1, len(versions) + 1):
        version = versions[number - 1]
        when = encode(capture(version.captured_at, version.observed_at))
        if number > 1 and not free_text and version.values is not None:
            change = changed_from(versions[number - 2].values, version.values)
            items.append(f"<li><strong>Version {number}</strong>: {change} ({when}) · "
                         f"{_source(version)}</li>")
            continue
        head = f"<strong>Version {number}</strong>, {when} · {_source(version)}"
        if number == 1 or version.values is None:
            body = _version_text(version)
        else:
            before = answer_text(versions[number - 2].values)
            body = diff_html(before, answer_text(version.values))
        items.append(f"<li>{head}<div>{body}</div></li>")
    return "".join(items)


def _choice(values: tuple[str, ...] | None) -> Markup:
    if values is None:
        return Markup('<span class="csr-none">(no answer in the export)</span>')
    if not any(v.strip() for v in values):
        return Markup('<span class="csr-none">(left blank)</span>')
    return Markup("; ").join(Markup('<span class="csr-choice">“{}”</span>').format(encode_lines(v))
                             for v in values)


def changed_from(old: tuple[str, ...] | None, new: tuple[str, ...] | None) -> Markup:
    """'changed from “A” to “B”': two versions of a choice or date answer, said whole."""
    return Markup("changed from {} to {}").format(_choice(old), _choice(new))


def compared(old: tuple[str, ...] | None, new: tuple[str, ...] | None,
             free_text: bool) -> Markup:
    """Two versions side by side: a word diff of a free text, else changed_from."""
    if free_text:
        return diff_html(answer_text(old), answer_text(new))
    return Markup('<p class="csr-changed-from">{}</p>').format(changed_from(old, new))


def full_history(versions: list[Version], free_text: bool = True) -> Markup:
    """Every version of one answer, for its history page."""
    legend = LEGEND if free_text else ""
    return Markup(f'<ol class="csr-versions">{version_items(versions, 0, free_text)}</ol>'
                  f"{legend}")


def history_block(versions: list[Version], deadline: str | None,
                  full_page: str | None = None, free_text: bool = True) -> Markup:
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
            f"{compared(versions[i].values, versions[j].values, free_text)}"
            f"</div>" for i, j in combinations(range(len(versions)), 2))
        pairs = (f'<div class="csr-pairs" data-csr-pairs hidden><p>Compare '
                 f'<select aria-label="first version">{options}</select> with '
                 f'<select aria-label="second version">{options}</select></p>{blocks}</div>')
    marks.insert(0, '<span class="csr-tag csr-edited">edited</span>')
    ol_start = f' start="{start + 1}"' if start else ""
    return Markup(
        f'{" ".join(marks)}<details class="csr-history"><summary>History: {len(versions)} '
        f"versions ({encode(dates)})</summary>{earlier}<ol{ol_start}>"
        f"{version_items(versions, start, free_text)}</ol>"
        f"{pairs}{LEGEND if free_text else ''}</details>")


def changes_by_owner(changes: list[Change]) -> dict[str, list[Change]]:
    out: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        out[c.owner_key].append(c)
    return out
