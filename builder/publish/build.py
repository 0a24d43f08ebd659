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

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from builder.core.errors import BuilderError
from builder.publish import inputs, places
from builder.publish.mkdocs_config import config_value, theme_dir
from builder.publish.stamp import FINGERPRINT, Plan
from builder.publish.workdir import (
    check_site_dir,
    check_work_dir,
    default_work_dir,
    work_dir_lock,
)

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
            templates_dir: Path | None) -> places.Places:
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
    theme = theme_dir(config_file)
    check_site_dir(site_dir, {"data folder": data_dir, "work folder": docs_dir,
                              "hand-written pages": handwritten_dir, "templates": templates_dir,
                              **({"theme overrides": theme} if theme else {})}, project)
    return places.Places(data_dir, config_file, templates_dir, handwritten_dir, docs_dir,
                        site_dir, site_dir / FINGERPRINT)


def build_site(data_dir: Path, *, site_dir: Path, config_file: Path,
               docs_dir: Path | None = None, templates_dir: Path | None = None,
               site_url: str | None = None, allow_shrink: bool = False,
               progress: Progress | None = None, full: bool = False) -> BuildReport:
    """Build the site of data_dir into site_dir. docs_dir is the work folder (default: one
    of its own under the project folder); site_url overrides mkdocs.yml's site_url; `full`
    forbids the incremental site step (and the skip)."""
    start = time.perf_counter()
    where = _places(data_dir, site_dir, config_file, docs_dir, templates_dir)
    with work_dir_lock(where.work_dir):
        return _build(where, resolve_site_url(site_url, config_file), allow_shrink,
                      progress or (lambda message: None), full, start)


def _build(where: places.Places, site_url: str | None, allow_shrink: bool, say: Progress,
           full: bool, start: float) -> BuildReport:
    timings: dict[str, float] = {}
    notes = [] if site_url else [NO_SITE_URL]
    last, now = places.inputs_now(where, site_url)
    timings["inputs"] = time.perf_counter() - start
    if not full and last is not None and places.nothing_changed(last, now):
        timings["total"] = time.perf_counter() - start
        return BuildReport(last.pages, [], [], False, where.site_dir, timings, notes,
                           Plan("skip", UNCHANGED))
    # Loaded only now: a build with nothing to do spent most of its time importing them.
    from builder.publish.generate import generate
    from builder.publish.site_step import Ahead, publish, site_processes

    inputs.forget(where.work_dir)
    # A site with no stamp (a build from nothing: every build of a fresh checkout) or
    # --full gets a full site step: its processes start now, on the core the store's
    # reading leaves idle, and are ready when the pages are.
    started = site_processes(full) if full or not where.stamp.is_file() else None
    try:
        ahead = Ahead(where.config_file, [where.handwritten_dir], site_url)
        made = generate(where, site_url, full, say, timings, start, now, ahead)
        say(f"mkdocs build --strict, unless nothing changed ({made.pages} generated page(s))")
        # The templates reach MkDocs only as the pages, which the stamp compares file by
        # file.
        step = publish(where.work_dir, where.site_dir, where.config_file, site_url,
                       allow_shrink, timings, ahead, full, started)
    finally:
        if started is not None:
            started.close()
    places.record_success(where, now, made.pages)
    timings["total"] = time.perf_counter() - start
    return BuildReport(made.pages, made.written, made.removed, step.action != "skip",
                       where.site_dir, timings, notes, step)
