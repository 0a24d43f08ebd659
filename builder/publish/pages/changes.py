"""The changes pages: every recorded change, newest first, in blocks of CHANGES_PER_PAGE.

Archive pages are numbered from the oldest entry and hold full blocks, so a new change
rewrites the first page only (and, once per block, adds an archive page); a change
observed before others (an import with an earlier --observed-at) shifts every block
from its own to the newest: `archive_digests` tells which archive pages show other
entries than last time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import Change, SurveyData
from builder.core.text import fold_whitespace
from builder.publish.change_view import Entry, change_entries, entry_html, newest_entries_first
from builder.publish.encode import encode
from builder.publish.labels import entry_date
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.words import KINDS
from builder.store.records import survey_dir_name

CHANGES_PER_PAGE = 200
FIRST_PAGE = "changes/index.md"
"""The newest entries of every survey (each survey has its own list too)."""


@dataclass(frozen=True)
class ChangeEntry:
    date: str
    kind: str
    html: Markup
    survey: Markup
    """The survey's title, for the filter (a data- attribute: encoded, on one line)."""
    owners: Markup
    """The CA owners' names, one per line of the filter's text (encoded like `survey`)."""


@dataclass(frozen=True)
class Choice:
    """One option of a filter's <select>: the value the script compares, and its words."""

    value: str
    label: str


@dataclass(frozen=True)
class ChangesPage:
    """changes.md.j2: one block of entries."""

    entries: list[ChangeEntry]
    is_first: bool
    archive: int
    span: str
    newer: str | None
    older: str | None
    feed_path: str
    total: int
    surveys: list[Choice]
    """The surveys of the page's entries, newest first (the survey filter; one: none)."""
    kinds: list[Choice]


@dataclass(frozen=True)
class ChangeList:
    """One list of changes and the pages that show it: the site's or a survey's."""

    first: str
    """The first page (the newest entries)."""
    other: str
    """The archive pages, with {n}."""
    title: str
    feed: str
    changes: list[Change]


def change_lists(site: SiteIndex) -> list[ChangeList]:
    out = [ChangeList(FIRST_PAGE, "changes/page-{n}.md", "Changes", "feeds/all.xml",
                      site.changes)]
    out.extend(survey_change_list(site, data) for data in site.surveys)
    return out


def survey_change_list(site: SiteIndex, data: SurveyData) -> ChangeList:
    """One survey's list of changes (surveys/<survey>/changes/ and its archive pages)."""
    folder = f"surveys/{survey_dir_name(data.survey.key)}"
    return ChangeList(f"{folder}/changes.md", f"{folder}/changes-{{n}}.md",
                      f"Changes: {data.survey.title}",
                      f"feeds/{folder}.xml", site.per_survey[data.survey.key].changes)


def entry_count(site: SiteIndex, changes: ChangeList) -> int:
    """How many entries the list's pages show (several changes of one import can be one
    entry): the count its first page gives."""
    return len(oldest_first(site, changes))


def oldest_first(site: SiteIndex, changes: ChangeList) -> list[Entry]:
    return site.memo.once("entries", changes.first, _oldest_first, site, changes)


def _oldest_first(site: SiteIndex, changes: ChangeList) -> list[Entry]:
    if changes.first == FIRST_PAGE:  # every survey's entries, merged: made once
        merged = [e for survey in change_lists(site)[1:]
                  for e in reversed(oldest_first(site, survey))]
        return newest_entries_first(merged)[::-1]
    return change_entries(changes.changes, site.titles)[::-1]


def page_names(site: SiteIndex, changes: ChangeList) -> list[str]:
    """The list's pages, the oldest block first; the first page (newest) comes last."""
    archives = max(0, (len(oldest_first(site, changes)) - 1) // CHANGES_PER_PAGE)
    return [changes.other.format(n=k) for k in range(1, archives + 1)] + [changes.first]


def archive_digests(site: SiteIndex) -> dict[str, str]:
    """Every archive page of every change list -> a digest of the entries it shows, by
    what an entry names (date, capture, kind, survey, CA owners, questions; their names,
    titles and labels are in touched's digest of everything but the answers)."""
    out = {}
    for changes in change_lists(site):
        entries = oldest_first(site, changes)
        for k, page in enumerate(page_names(site, changes)[:-1], start=1):
            block = entries[(k - 1) * CHANGES_PER_PAGE:k * CHANGES_PER_PAGE]
            shown = repr([(e.date, e.captured_at, e.kind, e.survey_key, e.owners,
                           e.question_ids) for e in block])
            out[page] = hashlib.blake2b(shown.encode("utf-8", "surrogatepass"),
                                        digest_size=12).hexdigest()
    return out


def build_changes(site: SiteIndex, changes: ChangeList, k: int) -> Page:
    """Block k (from 1, the oldest) of a change list."""
    entries = oldest_first(site, changes)
    names = page_names(site, changes)
    page = names[k - 1]
    is_first = page == changes.first
    block = entries[(k - 1) * CHANGES_PER_PAGE:] if is_first else \
        entries[(k - 1) * CHANGES_PER_PAGE:k * CHANGES_PER_PAGE]
    shown = [change_entry(site, e, page) for e in reversed(block)]
    in_block = {e.survey_key for e in block}
    surveys = [Choice(fold_whitespace(d.survey.title), d.survey.title) for d in site.surveys
               if d.survey.key in in_block]
    kinds = [Choice(kind, words.name) for kind, words in KINDS.items()]
    return Page(page, "changes.md.j2",
                changes.title if is_first else f"{changes.title} (archive {k})", ChangesPage(
        shown, is_first, k,
        f"{(k - 1) * CHANGES_PER_PAGE + 1}–{(k - 1) * CHANGES_PER_PAGE + len(block)}",
        None if is_first else names[k], names[k - 2] if k > 1 else None, changes.feed,
        entry_count(site, changes), surveys if len(surveys) > 1 else [], kinds), feed=changes.feed)


def change_entry(site: SiteIndex, entry: Entry, page: str) -> ChangeEntry:
    owners = "\n".join(site.owner_names.get(key, name) for key, name in entry.owners)
    return ChangeEntry(entry_date(entry.captured_at, entry.date), entry.kind,
                       entry_html(entry, page, site.owner_names, site.question_of),
                       _one_line(entry.survey_title), _one_line(owners, keep_lines=True))


def _one_line(text: str, keep_lines: bool = False) -> Markup:
    """Text for a data- attribute: every punctuation character a reference (encode), and
    line breaks as '&#10;' (encode would write <br>)."""
    lines = text.split("\n") if keep_lines else [text]
    return Markup("&#10;").join(encode(fold_whitespace(line)) for line in lines)
