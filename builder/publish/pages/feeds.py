"""The Atom feeds (files, not pages): all changes, each survey's, each CA owner's."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from functools import partial

from builder.core.model import Change
from builder.core.text import page_name
from builder.publish.change_view import Entry, latest_entries
from builder.publish.feeds import FEED_LENGTH, atom_feed
from builder.publish.history_view import changes_by_owner, row_anchor
from builder.publish.pages.cells import partial_note
from builder.publish.pages.owners import owner_feed
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.survey import survey_feed
from builder.publish.paths import question_page, survey_page, url_of
from builder.store.records import survey_dir_name

ALL = "feeds/all.xml"
EMPTY_SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n')
# The theme fetches sitemap.xml next to every <link rel="alternate"> (it expects language
# versions there); an empty sitemap in each feeds folder answers it.
SITEMAPS = tuple(f"{folder}/sitemap.xml" for folder in ("feeds", "feeds/surveys", "feeds/owners"))


def feed_files(site: SiteIndex) -> dict[str, Callable[[], str]]:
    """path -> a function making that feed's XML (so that a caller can make a few)."""
    out: dict[str, Callable[[], str]] = {path: partial(str, EMPTY_SITEMAP) for path in SITEMAPS}
    out[ALL] = partial(feed, site, ALL, "all", "CA Communications record: all changes",
                       "changes/index.md", site.changes)
    for data in site.surveys:
        key = data.survey.key
        out[survey_feed(key)] = partial(
            feed, site, survey_feed(key), f"survey:{survey_dir_name(key)}",
            f"Changes: {data.survey.title}", survey_page(key), site.per_survey[key].changes)
    by_owner = changes_by_owner(site.changes)
    for owner_key, name in site.owner_names.items():
        out[owner_feed(owner_key)] = partial(
            feed, site, owner_feed(owner_key), f"owner:{page_name(owner_key, 'ca-owner')}",
            f"Changes: {name}", site.memo.owner_page(owner_key), by_owner.get(owner_key, []))
    return out


def partial_notes(site: SiteIndex) -> dict[str, str]:
    return site.memo.once("partial_notes", None, _partial_notes, site)


def _partial_notes(site: SiteIndex) -> dict[str, str]:
    return {d.survey.key: note for d in site.surveys if (note := partial_note(d)) is not None}


def feed(site: SiteIndex, path: str, feed_id: str, title: str, page: str,
         changes: list[Change]) -> str:
    base = path.rsplit("/", 1)[0]

    def from_feed(page: str) -> str:  # feeds are files: links are relative to their folder
        if site.site_url:  # a feed reader needs absolute links
            return site.site_url + url_of(page)
        return posixpath.relpath(url_of(page), base) + "/"

    def link_for(entry: Entry) -> str:
        """One answer: its row; one CA owner's answers: its page; else the survey's."""
        owners, questions = entry.owners, entry.question_ids
        if len(owners) == 1 and len(questions) == 1:
            target = question_page(entry.survey_key, questions[0])
            return from_feed(target) + "#" + row_anchor(owners[0][0])
        if len(owners) == 1:
            return from_feed(site.memo.owner_page(owners[0][0]))
        return from_feed(survey_page(entry.survey_key))

    self_href = site.site_url + path if site.site_url else path.rsplit("/", 1)[1]
    entries = latest_entries(changes, site.titles, FEED_LENGTH)
    return atom_feed(feed_id, title, self_href, from_feed(page), entries, site.question_of,
                     site.owner_names, link_for, partial_notes(site))
