"""The builder's side of an incremental build (generate.py runs these).

Whether there is anything to do is known before this module is loaded (places.py).
`plan_pages` / `claim`: the pages the site will have, listed in the work folder first.
`make_pages`: every generated page, or only those a change touches (touched.py), each
written as it is made; the others keep their bytes in the work folder and are reported
to the writer as kept.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.core.errors import InternalError
from builder.core.model import Store
from builder.publish import inputs, touched
from builder.publish.pages.plan import DOWNLOADS_PAGE, Plan, plan
from builder.publish.pages.site import SiteIndex
from builder.publish.render import iter_site
from builder.publish.stamp import hash_trees
from builder.publish.workdir import template_cache
from builder.publish.write import FileInfo, StreamedFiles
from builder.store.records import survey_dir_name


def survey_files(now: inputs.Inputs, store: Store) -> dict[str, str]:
    """Survey key -> one hash of its folder's data files, as this build's input record
    has them (read before the store: a file changed since is seen by the next build)."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for key, (_, sha) in sorted(now.files.items()):
        tree, _, rel = key.partition("\0")
        parts = rel.split("/")
        if tree == "data" and len(parts) == 3 and parts[0] == "surveys":
            by_folder[parts[1]].append(f"{parts[2]} {sha}")
    return {key: hashlib.sha256("\n".join(by_folder[folder]).encode()).hexdigest()
            for key in store.surveys if (folder := survey_dir_name(key)) in by_folder}


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


class Deal(Collection[str]):
    """The pages of a full render, dealt to the build's two processes as they ask: both
    go through the plan in order and a page is rendered by the first to ask for it, so
    the downloads' process, once its own work is done, takes pages until none is left
    (from nothing, the pages are most of the build's time). The Downloads page stays
    with the build's process, which holds the downloads' sums. Made before the fork: the
    counter is shared, each process's place in the plan is its own."""

    UNDECIDED, DEALING, NOT_DEALING, ABANDONED = 0, 1, 2, 3

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._next = context.Value("l", 0)
        self._state = context.Value("b", Deal.UNDECIDED)
        self._asked = 0
        self.in_child = False

    def decide(self, dealing: bool) -> None:
        """The build's process says whether it renders every page (then it deals them)
        or a few (then it makes them alone); a build that fails first says no."""
        with self._state.get_lock():
            if self._state.value == Deal.UNDECIDED:
                self._state.value = Deal.DEALING if dealing else Deal.NOT_DEALING

    def abandon(self) -> None:
        """The build's process failed (or is done): the other takes nothing more."""
        self._state.value = Deal.ABANDONED

    def decided(self) -> int:
        """In the downloads' process: wait for the decision, made once the pages are
        planned and checked against the hand-written ones (soon after the store is read;
        a build that fails first abandons the deal, so there is always one)."""
        parent = os.getppid()
        while (state := self._state.value) == Deal.UNDECIDED and os.getppid() == parent:
            time.sleep(0.005)
        return int(state)

    def __contains__(self, path: object) -> bool:
        if path == DOWNLOADS_PAGE:
            return not self.in_child
        at, self._asked = self._asked, self._asked + 1
        with self._next.get_lock():
            if self._next.value != at or (self.in_child
                                          and self._state.value == Deal.ABANDONED):
                return False
            self._next.value = at + 1
            return True

    def __iter__(self) -> Iterator[str]:
        raise InternalError("a deal is asked page by page")

    def __len__(self) -> int:
        raise InternalError("a deal is asked page by page")


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
