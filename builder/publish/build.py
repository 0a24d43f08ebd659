"""`builder build`: store -> Markdown pages -> MkDocs (strict) -> swap in the new site.

The project folder is the folder of mkdocs.yml: it holds the templates (site_templates/),
the theme overrides (custom_dir) and the hand-written pages (docs_dir). A build assembles
its pages in a work folder of its own (one per data folder, so two datasets never mix),
the generated pages beside a copy of the hand-written ones, and MkDocs reads that.

A failed build leaves the previous site untouched, and so does one that would lose more
than half of the site's pages (a mistyped --data, an empty store) unless allowed. When
nothing that feeds MkDocs changed, the MkDocs build is skipped entirely.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from builder.core.errors import BuilderError, BuildFailed, InternalError
from builder.core.model import Store
from builder.publish import inputs, steps, touched
from builder.publish.background import InBackground
from builder.publish.mkdocs_config import config_value
from builder.publish.opendata.pieces import Pieces
from builder.publish.opendata.produce import Downloads, code_digest, write_downloads
from builder.publish.owners import owner_names
from builder.publish.search import SEARCH_PIECES, Known, search_files
from builder.publish.site_step import FINGERPRINT, Ahead, publish, site_processes
from builder.publish.stamp import Plan
from builder.publish.workdir import (
    STORE_CACHE,
    check_work_dir,
    default_work_dir,
    handwritten_pages,
    work_dir_lock,
)
from builder.publish.write import FileInfo, StreamedFiles, write_pages
from builder.store.cache import SurveyCache
from builder.store.records import load_store

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "site_templates"
"""The checkout's templates (for tests that render without a project folder); a build
uses the site_templates/ next to its mkdocs.yml."""
NO_SITE_URL = ("no site URL (--site-url, SITE_URL or site_url in mkdocs.yml): the pages "
               "have no canonical link and sitemap.xml no absolute addresses (fine for "
               "local use; a published site needs it)")

UNCHANGED = "nothing the build reads changed since the last build"

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    pages: int
    written: list[str]
    removed: list[str]
    mkdocs_ran: bool
    site_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Things the user should know once (printed by the CLI unless --quiet)."""
    site_step: Plan = Plan("full", "")
    """What the site step did (stamp.plan): skip, incremental or full, and why."""

    def summary(self) -> str:
        site = {"skip": "unchanged, MkDocs build skipped",
                "incremental": f"built incrementally ({len(self.site_step.changed)} changed "
                               "file(s))"}.get(self.site_step.action, "built")
        return (f"{self.pages} generated page(s): {len(self.written)} written, "
                f"{len(self.removed)} removed; site {site}: {self.site_dir}")


def site_url_of(value: str, where: str) -> str:
    """An absolute http(s) URL of the site's root, ending with '/'."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment or not value.isprintable() or " " in value:
        raise BuilderError(f"{where}: site URL: expected an absolute http(s) address such as "
                           f"https://OWNER.github.io/REPOSITORY/ (got {value!r})")
    return value if value.endswith("/") else value + "/"


def resolve_site_url(option: str | None, config_file: Path) -> str | None:
    """The option (the CLI reads SITE_URL into it), else mkdocs.yml's site_url."""
    if option:
        return site_url_of(option, "--site-url")
    if from_file := config_value(config_file, "site_url"):
        return site_url_of(from_file, f"{config_file}: site_url")
    return None


def _places(data_dir: Path, site_dir: Path, config_file: Path, docs_dir: Path | None,
            templates_dir: Path | None) -> steps.Places:
    """Where a build reads and writes, each checked before anything is read or written."""
    if not config_file.is_file():
        raise BuilderError(f"{config_file}: MkDocs configuration not found")
    project = config_file.resolve().parent
    handwritten_dir = project / (config_value(config_file, "docs_dir") or "docs")
    templates_dir = templates_dir or project / "site_templates"
    if not templates_dir.is_dir():
        raise BuilderError(f"{templates_dir}: the page templates were not found (they belong "
                           f"next to {config_file.name}, in the project folder)")
    docs_dir = docs_dir or default_work_dir(config_file, data_dir)
    check_work_dir(docs_dir, handwritten_dir)
    return steps.Places(data_dir, config_file, templates_dir, handwritten_dir, docs_dir,
                        site_dir, site_dir / FINGERPRINT)


@dataclass
class _Generated:
    pages: int
    written: list[str]
    removed: list[str]


def _generate(places: steps.Places, site_url: str | None, full: bool, say: Progress,
              timings: dict[str, float], start: float, now: inputs.Inputs,
              ahead: Ahead) -> _Generated:
    """The store into the work folder: pages and search index here, the downloads by a
    second process at the same time, from as soon as the store is read; that process
    then makes the search index if this one has not begun it, and takes its share of
    the pages of a full render (steps.Deal)."""
    docs_dir = places.work_dir
    handwritten = handwritten_pages(places.handwritten_dir)
    say(f"reading the store {places.data_dir}")
    cache = SurveyCache(docs_dir / STORE_CACHE, trusted=not full)  # --full: from text
    store = load_store(places.data_dir, must_exist=True, cache=cache)
    files = steps.survey_files(now, store)
    # The store lives as long as this step: the collector need not walk it again and
    # again while the pages are made (a tenth of a one-change build), and the process
    # forked next shares its memory pages untouched.
    gc.freeze()
    try:
        search, deal = _Search(store, handwritten, docs_dir, files, full), steps.Deal()
        later = InBackground(partial(_background, store, docs_dir, files, full, search,
                                     site_url, places.templates_dir, deal, cache))
        try:
            def listed() -> Mapping[str, FileInfo]:  # asked for by the Downloads page, last
                search.if_free()  # before the wait: the other process may still be busy
                ahead()  # what the site step can make before the work folder is done
                return later

            planned = _planned(places, store, site_url, handwritten, listed)
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
    return _Generated(made.total, sorted(downloads.written + made.written + background.written
                                         + index[1] + written.written), written.removed)


def _planned(places: steps.Places, store: Store, site_url: str | None,
             handwritten: Mapping[str, bytes],
             downloads: Callable[[], Mapping[str, FileInfo]]) -> steps.Planned:
    """The pages planned, checked against the hand-written ones and claimed."""
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
                deal: steps.Deal, cache: SurveyCache) -> _Background:
    """The downloads' process, forked as soon as the store is read."""
    downloads = write_downloads(store, work_dir, files, full)
    cache.save()  # now that the work folder has its manifest (write_downloads claims)
    if deal.decided() == steps.Deal.ABANDONED:  # the build failed: write nothing more
        return _Background(downloads, None, [], [])
    index = search.if_free()  # once the pages were checked against the hand-written ones
    rendered, written = steps.make_share(store, site_url, templates_dir, work_dir, deal)
    return _Background(downloads, index, rendered, written)


def _no_clash(places: steps.Places, handwritten: Mapping[str, bytes],
              generated: Collection[str]) -> None:
    if clash := sorted(set(handwritten) & set(generated)):
        raise BuildFailed(f"{places.handwritten_dir / clash[0]}: a hand-written page has the "
                          "path of a generated one")


def build_site(data_dir: Path, *, site_dir: Path, config_file: Path,
               docs_dir: Path | None = None, templates_dir: Path | None = None,
               site_url: str | None = None, allow_shrink: bool = False,
               progress: Progress | None = None, full: bool = False) -> BuildReport:
    """Build the site of data_dir into site_dir. docs_dir is the work folder (default: one
    of its own under the project folder); site_url overrides mkdocs.yml's site_url; `full`
    forbids the incremental site step (and the skip)."""
    start = time.perf_counter()
    places = _places(data_dir, site_dir, config_file, docs_dir, templates_dir)
    with work_dir_lock(places.work_dir):
        return _build(places, resolve_site_url(site_url, config_file), allow_shrink,
                      progress or (lambda message: None), full, start)


def _build(places: steps.Places, site_url: str | None, allow_shrink: bool, say: Progress,
           full: bool, start: float) -> BuildReport:
    timings: dict[str, float] = {}
    site_dir, config_file = places.site_dir, places.config_file
    notes = [] if site_url else [NO_SITE_URL]
    last, now = steps.inputs_now(places, site_url)
    timings["inputs"] = time.perf_counter() - start
    if not full and last is not None and steps.nothing_changed(last, now):
        timings["total"] = time.perf_counter() - start
        return BuildReport(last.pages, [], [], False, site_dir, timings, notes,
                           Plan("skip", UNCHANGED))
    inputs.forget(places.work_dir)
    # A site with no stamp (a build from nothing: every build of a fresh checkout) or
    # --full gets a full site step: its processes start now, on the core the store's
    # reading leaves idle, and are ready when the pages are.
    started = site_processes(full) if full or not places.stamp.is_file() else None
    try:
        ahead = Ahead(config_file, [places.handwritten_dir], site_url)
        made = _generate(places, site_url, full, say, timings, start, now, ahead)
        say(f"mkdocs build --strict, unless nothing changed ({made.pages} generated page(s))")
        # The templates reach MkDocs only as the pages, which the stamp compares file by
        # file.
        step = publish(places.work_dir, site_dir, config_file, site_url, allow_shrink,
                       timings, ahead, full, started)
    finally:
        if started is not None:
            started.close()
    steps.record_success(places, now, made.pages)
    timings["total"] = time.perf_counter() - start
    return BuildReport(made.pages, made.written, made.removed, step.action != "skip",
                       site_dir, timings, notes, step)
