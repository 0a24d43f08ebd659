"""The changes pages: every recorded change, newest first, in blocks of CHANGES_PER_PAGE.

Archive pages are numbered from the oldest entry and hold full blocks, so a new change
rewrites the first page only (and, once per block, adds an archive page).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.core.model import Change
from builder.publish.history_view import Entry, change_entries, entry_html
from builder.publish.labels import entry_date
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.store.records import survey_dir_name

CHANGES_PER_PAGE = 200


@dataclass(frozen=True)
class ChangeEntry:
    date: str
    kind: str
    html: Markup


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
    out = [ChangeList("changes/index.md", "changes/page-{n}.md", "Changes", "feeds/all.xml",
                      site.changes)]
    for data in site.surveys:
        folder = f"surveys/{survey_dir_name(data.survey.key)}"
        out.append(ChangeList(f"{folder}/changes.md", f"{folder}/changes-{{n}}.md",
                              f"Changes: {data.survey.title}",
                              f"feeds/{folder}.xml", site.per_survey[data.survey.key].changes))
    return out


def oldest_first(site: SiteIndex, changes: ChangeList) -> list[Entry]:
    return site.memo.once("entries", changes.first, _oldest_first, site, changes)


def _oldest_first(site: SiteIndex, changes: ChangeList) -> list[Entry]:
    return change_entries(changes.changes, site.titles)[::-1]


def page_names(site: SiteIndex, changes: ChangeList) -> list[str]:
    """The list's pages, the oldest block first; the first page (newest) comes last."""
    archives = max(0, (len(oldest_first(site, changes)) - 1) // CHANGES_PER_PAGE)
    return [changes.other.format(n=k) for k in range(1, archives + 1)] + [changes.first]


def build_changes(site: SiteIndex, changes: ChangeList, k: int) -> Page:
    """Block k (from 1, the oldest) of a change list."""
    entries = oldest_first(site, changes)
    names = page_names(site, changes)
    page = names[k - 1]
    is_first = page == changes.first
    block = entries[(k - 1) * CHANGES_PER_PAGE:] if is_first else \
        entries[(k - 1) * CHANGES_PER_PAGE:k * CHANGES_PER_PAGE]
    return Page(page, "changes.md.j2",
                changes.title if is_first else f"{changes.title} (archive {k})", ChangesPage(
        [ChangeEntry(entry_date(e.captured_at, e.date), e.kind,
                     entry_html(e, page, site.owner_names)) for e in reversed(block)],
        is_first, k, f"{(k - 1) * CHANGES_PER_PAGE + 1}–{(k - 1) * CHANGES_PER_PAGE + len(block)}",
        None if is_first else names[k], names[k - 2] if k > 1 else None, changes.feed,
        len(entries)), feed=changes.feed)
