"""The store into the work folder: the pages and the search index by the build's own
process, the downloads by a second one forked as soon as the store is read (build.py
runs `generate` when something changed; the site step follows, site_step.py)."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.core.errors import BuildFailed, InternalError
from builder.core.model import Store
from builder.publish import inputs
from builder.publish.background import InBackground
from builder.publish.deal import Deal
from builder.publish.opendata.layout import PAGE as DOWNLOADS_PAGE
from builder.publish.opendata.produce import Downloads, code_digest, known_code, write_downloads
from builder.publish.places import Places, code_files
from builder.publish.site_step import Ahead
from builder.publish.workdir import STORE_CACHE, handwritten_pages
from builder.publish.write import FileInfo, StreamedFiles, write_pages
from builder.store.cache import SurveyCache
from builder.store.records import load_store, survey_dir_name

if TYPE_CHECKING:
    from builder.publish.steps import Planned

# The page modules (steps, touched) and the search index's are imported by whichever
# process needs them, after the downloads' process is forked: that one then starts a
# fifth of a second sooner, and a one-change build is about as long as it is.

Progress = Callable[[str], None]


@dataclass
class Generated:
    pages: int
    written: list[str]
    removed: list[str]


def generate(places: Places, site_url: str | None, full: bool, say: Progress,
              timings: dict[str, float], start: float, now: inputs.Inputs,
              ahead: Ahead) -> Generated:
    """The store into the work folder: pages and search index here, the downloads by a
    second process at the same time, from as soon as the store is read; that process
    then makes the search index if this one has not begun it, and takes its share of
    the pages of a full render (deal.Deal)."""
    docs_dir = places.work_dir
    handwritten = handwritten_pages(places.handwritten_dir)
    say(f"reading the store {places.data_dir}")
    recorded = recorded_surveys(now)
    cache = SurveyCache(docs_dir / STORE_CACHE, trusted=not full,  # --full: from text
                        recorded=recorded)
    # The store lives as long as this step: the collector need not walk it again and
    # again while the pages are made (a tenth of a one-change build), and the process
    # forked next shares its memory pages untouched. It is paused until the store is
    # frozen: its first pass after the read would walk every record once (0.02 s).
    collecting = gc.isenabled()
    gc.disable()
    try:
        store = load_store(places.data_dir, must_exist=True, cache=cache)
        gc.freeze()
    finally:
        if collecting:
            gc.enable()
    try:
        files = survey_files(recorded, store)
        known_code(code_files(now))  # before the fork: both processes need it
        search = _Search(store, handwritten, docs_dir, files, full)
        deal = Deal(kept=DOWNLOADS_PAGE)
        later = InBackground(partial(_background, store, docs_dir, files, full, search,
                                     site_url, places.templates_dir, deal, cache))
        from builder.publish import steps, touched

        try:
            def listed() -> Mapping[str, FileInfo]:  # asked for by the Downloads page, last
                search.if_free()  # before the wait: the other process may still be busy
                ahead()  # what the site step can make before the work folder is done
                return later

            planned = _planned(places, store, site_url, handwritten, listed)
            gc.freeze()  # and the page modules and the plan, which live as long
            timings["load"] = time.perf_counter() - start
            say(f"rendering the pages of {len(store.surveys)} survey(s) (and writing the "
                f"downloads into {docs_dir})")
            made, state = steps.make_pages(planned, places.templates_dir, docs_dir, full,
                                           code_digest(), files, deal)
            timings["pages"] = time.perf_counter() - start - timings["load"]
            ahead()  # if the Downloads page was not made again
            index = search.if_free() or later.result().search
            background = later.result()
        finally:
            deal.abandon()  # done or failed: the other process waits for a decision
            later.close()
    finally:
        gc.unfreeze()  # collected as usual again (a long-lived caller: tests, tools)
    timings["render"] = time.perf_counter() - start - timings["load"]
    timings["downloads"] = timings["render"] - timings["pages"]  # the wait for them
    if index is None:
        raise InternalError("the search index was claimed but not made")
    downloads, rendered = background.downloads, [*made.rendered, *background.rendered]
    _no_clash(places, handwritten, downloads.files)
    say(f"writing {len(handwritten)} file(s) to {docs_dir}")
    written = write_pages(handwritten, docs_dir,
                          kept=[*downloads.files, *index[0], *rendered, *made.kept])
    touched.save(docs_dir, state)
    timings["write"] = time.perf_counter() - start - timings["load"] - timings["render"]
    return Generated(made.total, sorted(downloads.written + made.written + background.written
                                         + index[1] + written.written), written.removed)



def recorded_surveys(now: inputs.Inputs) -> dict[str, dict[str, str]]:
    """Survey folder name -> its data files' SHA-256 by file name, as this build's input
    record has them (read before the store: a file changed since is seen by the next
    build)."""
    by_folder: dict[str, dict[str, str]] = defaultdict(dict)
    for key, (_, sha) in now.files.items():
        tree, _, rel = key.partition("\0")
        parts = rel.split("/")
        if tree == "data" and len(parts) == 3 and parts[0] == "surveys":
            by_folder[parts[1]][parts[2]] = sha
    return dict(by_folder)


def survey_files(recorded: Mapping[str, Mapping[str, str]], store: Store) -> dict[str, str]:
    """Survey key -> one hash of its folder's data files (recorded_surveys)."""
    return {key: hashlib.sha256("\n".join(
                f"{name} {sha}" for name, sha in sorted(recorded[folder].items())).encode()
            ).hexdigest()
            for key in store.surveys if (folder := survey_dir_name(key)) in recorded}


def _planned(places: Places, store: Store, site_url: str | None,
             handwritten: Mapping[str, bytes],
             downloads: Callable[[], Mapping[str, FileInfo]]) -> Planned:
    """The pages planned, checked against the hand-written ones and claimed."""
    from builder.publish import steps

    planned = steps.plan_pages(store, site_url, downloads)
    _no_clash(places, handwritten, planned.paths)
    steps.claim(places.work_dir, planned.paths)
    return planned


@dataclass
class _Search:
    """The search index (static files, copied by MkDocs), made by whichever of the
    build's two processes is free first: after a change the pages are made first, from
    nothing the downloads are (fork: the lock is shared with the downloads' process)."""

    store: Store
    handwritten: Mapping[str, bytes]
    work_dir: Path
    files: Mapping[str, str]
    full: bool
    lock: Any = field(default_factory=lambda: multiprocessing.get_context("fork").Lock())

    made: tuple[list[str], list[str]] | None = None

    def if_free(self) -> tuple[list[str], list[str]] | None:
        """write(), in the first process to ask (again: what it gave); None in the
        other."""
        if self.made is None and self.lock.acquire(block=False):
            self.made = self.write()
        return self.made

    def write(self) -> tuple[list[str], list[str]]:
        """Make the index and write it into the work folder (listed in its manifest
        first); (its files, those whose bytes changed)."""
        from builder.publish.opendata.pieces import Pieces
        from builder.publish.owners import owner_names
        from builder.publish.search import SEARCH_PIECES, Known, search_files

        known = Known(Pieces(self.work_dir / SEARCH_PIECES, code_digest(), fresh=self.full),
                      self.files, owner_names(self.store))
        index = search_files(self.store, self.handwritten, known)
        if clash := sorted(set(index) & set(self.handwritten)):
            raise BuildFailed(f"{clash[0]}: a hand-written page has the path of a file of "
                              "the search index")
        out = StreamedFiles(self.work_dir)
        out.plan(index)
        for path, data in index.items():
            out.put(path, data)
        return list(out.files), out.written


@dataclass(frozen=True)
class _Background:
    """What the downloads' process sends back."""

    downloads: Downloads
    search: tuple[list[str], list[str]] | None
    """The search index's files and those written, if that process was free first."""
    rendered: list[str]
    """The pages it was dealt (steps.make_share), and of those"""
    written: list[str]
    """the ones whose bytes changed."""

    @property
    def files(self) -> Mapping[str, FileInfo]:
        return self.downloads.files


def _background(store: Store, work_dir: Path, files: Mapping[str, str], full: bool,
                search: _Search, site_url: str | None, templates_dir: Path,
                deal: Deal, cache: SurveyCache) -> _Background:
    """The downloads' process, forked as soon as the store is read."""
    downloads = write_downloads(store, work_dir, files, full)
    cache.save()  # now that the work folder has its manifest (write_downloads claims)
    decided = deal.decided()
    if decided == Deal.ABANDONED:  # the build failed: write nothing more
        return _Background(downloads, None, [], [])
    index = search.if_free()  # once the pages were checked against the hand-written ones
    if decided != Deal.DEALING:
        return _Background(downloads, index, [], [])
    from builder.publish import steps

    rendered, written = steps.make_share(store, site_url, templates_dir, work_dir, deal)
    return _Background(downloads, index, rendered, written)


def _no_clash(places: Places, handwritten: Mapping[str, bytes],
              generated: Collection[str]) -> None:
    if clash := sorted(set(handwritten) & set(generated)):
        raise BuildFailed(f"{places.handwritten_dir / clash[0]}: a hand-written page has the "
                          "path of a generated one")
