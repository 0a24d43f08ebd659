"""The builder's side of an incremental build (generate.py runs these).

Whether there is anything to do is known before this module is loaded (places.py).
`plan_pages` / `claim`: the pages the site will have, listed in the work folder first.
`make_pages`: every generated page, or only those a change touches (touched.py), each
written as it is made; the others keep their bytes in the work folder and are reported
to the writer as kept.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.core.model import Store
from builder.publish import touched
from builder.publish.deal import Deal
from builder.publish.pages.plan import Plan, plan
from builder.publish.pages.site import SiteIndex
from builder.publish.render import iter_site
from builder.publish.stamp import hash_trees
from builder.publish.workdir import template_cache
from builder.publish.write import FileInfo, StreamedFiles


def render_extra(templates_dir: Path, site_url: str | None, code: str) -> str:
    """What the pages depend on besides the store: templates, site URL, the builder's
    code (`code`: opendata.produce.code_digest, passed in by build.py)."""
    digest = hashlib.sha256(f"{code}\nsite_url {site_url}\n".encode())
    hash_trees(digest, [templates_dir])
    return digest.hexdigest()


@dataclass(frozen=True)
class Planned:
    """The site's index and every generated page it will have, each with its maker
    (nothing made yet: the pages to render are made from this plan, not a second one)."""

    site: SiteIndex
    pages: Plan

    @property
    def paths(self) -> list[str]:
        return list(self.pages)


def plan_pages(store: Store, site_url: str | None,
               downloads: Callable[[], Mapping[str, FileInfo]]) -> Planned:
    """`downloads`: what the Downloads page lists (asked for only when that page is
    made, by the build's own process: Deal)."""
    site = SiteIndex.of(store, site_url)
    return Planned(site, plan(site, downloads))


def make_share(store: Store, site_url: str | None, templates_dir: Path, work_dir: Path,
               deal: Deal) -> tuple[list[str], list[str]]:
    """In the downloads' process: the pages it is dealt, written; (rendered, written).
    It plans the site itself (the same plan, in the same order, as the build's process:
    it was forked before that was made, so that the downloads start at once)."""
    deal.in_child = True
    if deal.decided() != Deal.DEALING:
        return [], []
    planned = plan_pages(store, site_url, dict)  # its Downloads page is never made here
    out = StreamedFiles(work_dir)
    _write(out, iter_site(planned.site, templates_dir, only=deal, pages=planned.pages,
                          compiled=template_cache(work_dir)))
    return list(out.files), out.written


def _write(out: StreamedFiles, pages: Iterator[tuple[str, str]]) -> None:
    for path, text in pages:
        with out.open(path) as sink:  # written and let go: a large site is never held
            sink.write(text.encode("utf-8"))


def claim(work_dir: Path, paths: list[str]) -> None:
    """List the pages in the work folder's manifest before any is written (the
    downloads' process lists its own meanwhile, each under the manifest's lock): a page
    left by a run cut short is still the builder's, and the next build removes it if it
    is no longer made."""
    StreamedFiles(work_dir).plan(paths)


@dataclass(frozen=True)
class Made:
    rendered: list[str]
    """The pages rendered this time (each written as it was made, if its bytes changed)."""
    written: list[str]
    """Those whose bytes changed."""
    kept: list[str]
    """Pages of the site not rendered: the work folder holds them already."""
    total: int
    """How many pages the site has."""


def make_pages(planned: Planned, templates_dir: Path, work_dir: Path, full: bool, code: str,
               files: Mapping[str, str] | None = None,
               deal: Deal | None = None) -> tuple[Made, touched.RenderState]:
    """Write the pages: all of them (`full`, no state, anything but answers changed),
    else those the changed answers touch. Returns the state to save once all is written.
    `files`: survey_files of this build (the answers of a survey whose files did not
    change are not digested again). `deal`: all of them are shared with the downloads'
    process (make_share; the pages it made are not in Made: the caller adds them)."""
    site, paths = planned.site, planned.paths
    previous = None if full else touched.load(work_dir)
    state = touched.state_of(site, render_extra(templates_dir, site.site_url, code), paths,
                             files, previous)
    only = None if full else touched.to_render(site, previous, state)
    root = str(work_dir)  # (os.path: a stat for each of the site's files, not a Path)
    if only is not None and not all(os.path.isfile(os.path.join(root, p)) for p in paths
                                    if p not in only):
        only = None  # a page the state counts on is gone from the work folder
    if deal is not None:
        deal.decide(only is None)
    touched.forget(work_dir)
    kept = [] if only is None else [p for p in paths if p not in only]
    out = StreamedFiles(work_dir)
    _write(out, iter_site(site, templates_dir, only=deal if only is None else only,
                          pages=planned.pages, compiled=template_cache(work_dir)))
    return Made(list(out.files), out.written, kept, len(paths)), state
