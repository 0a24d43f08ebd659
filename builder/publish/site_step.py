"""The site step of `builder build`: MkDocs (strict) from the work folder into a new
folder, checked, then put in place as the site.

Skipped when nothing MkDocs reads changed since the current site was built (stamp.py);
incremental when only existing files of the work folder changed (incremental.py: the
rebuilt files moved into the site in one journaled save); else a full build, in one
fresh process per core (shares of the pages through MkDocs' page functions) or, with
`--full`, MkDocs' own build, swapped in as the site.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from builder.core.errors import BuildFailed
from builder.publish.background import FreshProcesses
from builder.publish.stamp import (
    FINGERPRINT,
    Plan,
    Stamp,
    environment,
    load_stamp,
    plan,
    work_files,
)
from builder.store.durable import DIR_MODE, FILE_MODE, complete_pending, move_files


def html_pages(site_dir: Path) -> int:
    return sum(1 for _ in site_dir.rglob("*.html")) if site_dir.is_dir() else 0


def check_shrink(current: Path, new: Path) -> None:
    """A site that loses more than half its pages is more likely a mistake than news."""
    before, after = html_pages(current), html_pages(new)
    if after * 2 < before:
        raise BuildFailed(f"{current}: the new site would have {after} page(s) instead of "
                          f"{before}; more than half would go (a mistyped --data, or an "
                          "empty store?). The current site is kept; --allow-shrink accepts it.")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


PRELOAD = ("builder.publish.site_step", "builder.publish.incremental",
           "mkdocs.commands.build", "mkdocs.config")
"""What a full site step's processes import before they are given their work."""


def site_processes(own: bool) -> FreshProcesses:
    """The processes of a full site step, started now (MkDocs' own build: one)."""
    return FreshProcesses(1 if own else site_shares(), PRELOAD)


def run_mkdocs(config_file: Path, docs_dir: Path, out_dir: Path,
               site_url: str | None = None, changed: Collection[str] | None = None,
               own: bool = False, started: FreshProcesses | None = None) -> None:
    """mkdocs build --strict into out_dir (an empty folder); raises BuildFailed with the
    first problem. With a site URL, MkDocs writes canonical links, an absolute sitemap
    and a 404 page whose assets load from the site's sub-path.

    With `changed`, only those files are built, here (incremental.py). Else the whole
    site, in fresh processes (background.py says why): with `own` (--full), MkDocs' own
    build; else its page functions in one process per core, each writing a share of the
    pages into a folder of its own, moved into out_dir after (the same files: a test
    holds the two to the same bytes); `started`: those processes (site_processes), if
    the caller started them already."""
    if changed is not None:
        mkdocs_build(config_file, docs_dir, out_dir, site_url, changed=changed)
        return
    processes = started or site_processes(own)
    count = processes.count
    outs = [out_dir, *(Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-{i}-",
                                             dir=out_dir.parent)) for i in range(1, count))]
    try:
        processes.run([partial(mkdocs_build, config_file, docs_dir, out, site_url,
                               share=None if own else (i, count))
                       for i, out in enumerate(outs)], "running mkdocs build")
        for share in outs[1:]:
            for rel, path in _files_of(share).items():
                (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, out_dir / rel)
    finally:
        for share in outs[1:]:
            shutil.rmtree(share, ignore_errors=True)


def site_shares() -> int:
    """How many processes a full site step uses: one per core (up to four: each starts
    MkDocs and reads the navigation again)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1
    return max(1, min(4, cores))


def mkdocs_build(config_file: Path, docs_dir: Path, out_dir: Path, site_url: str | None,
                 changed: Collection[str] | None = None,
                 share: tuple[int, int] | None = None) -> None:
    """MkDocs in this process: its own `mkdocs build`, or only the files `changed`, or
    share (index, count) of the site (incremental.Part), unless a plugin it does not know
    needs MkDocs' own build (then the first share makes the whole site, the others
    nothing)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from builder.publish.incremental import Part, build_part, in_parts_allowed

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        extra = {"site_url": site_url} if site_url else {}
        config = load_config(str(config_file), docs_dir=str(docs_dir.resolve()),
                             site_dir=str(out_dir), strict=True, **extra)
        part = None if changed is None and share is None else \
            Part(None if changed is None else frozenset(changed), *(share or (0, 1)))
        with _no_build_time():
            if part is not None and in_parts_allowed(config):
                build_part(config, part)
            elif part is None or part.templates:
                build(config)
    except MkDocsException as exc:
        detail = handler.messages[0] if handler.messages else str(exc)
        raise BuildFailed(f"mkdocs build --strict failed: {detail}") from exc
    except Exception as exc:  # a theme or plugin bug must not leave a half-built site
        raise BuildFailed(f"mkdocs build failed: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(handler)


BUILD_TIME = "0"
"""SOURCE_DATE_EPOCH for MkDocs (reproducible builds): the build's own date is in no page
(overrides/sitemap.xml drops <lastmod>, which claimed a change on every page) but in the
gzip header of sitemap.xml.gz, so the same data gave another file on another day (a
build after midnight differed from one before it); 0 is gzip's "no time"."""


@contextmanager
def _no_build_time() -> Iterator[None]:
    """SOURCE_DATE_EPOCH while MkDocs builds (a caller's own value is replaced for that
    time: the site is the data's, whenever it is built), then as it was."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_TIME
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def make_public(tree: Path) -> None:
    """Folders 0755, files 0644, whatever the umask or mkdtemp chose (0700): a published
    site must be readable by any web server or artifact step."""
    os.chmod(tree, DIR_MODE)
    for folder, dirs, files in os.walk(tree):
        for name in dirs:
            if not os.path.islink(path := os.path.join(folder, name)):
                os.chmod(path, DIR_MODE)
        for name in files:
            if not os.path.islink(path := os.path.join(folder, name)):
                os.chmod(path, FILE_MODE)


def swap_in(new_dir: Path, site_dir: Path) -> None:
    """Replace site_dir by new_dir with two renames; the old tree is removed after."""
    make_public(new_dir)
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{time.time_ns()}")
        site_dir.rename(old)
    new_dir.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass
class Ahead:
    """What the site step needs that the work folder's files do not change, made while
    the build would only wait for its downloads: MkDocs imported, the hash of the
    environment (stamp.environment). Called again, it gives the same hash."""

    config_file: Path
    trees: list[Path]
    site_url: str | None
    env: str | None = None

    def __call__(self) -> str:
        if self.env is None:
            import builder.publish.incremental  # noqa: F401 - MkDocs, for the site step

            self.env = environment(self.config_file, self.trees, self.site_url)
        return self.env


def publish(docs_dir: Path, site_dir: Path, config_file: Path, site_url: str | None,
            allow_shrink: bool, timings: dict[str, float], ahead: Ahead,
            full: bool = False, started: FreshProcesses | None = None) -> Plan:
    """MkDocs into a temporary folder, checked, then put in place: skipped when nothing
    MkDocs reads changed since the current site was built; incremental when only
    existing files of the work folder changed (unless `full`): the rebuilt files moved
    into site_dir in one save; else a full build swapped in as site_dir."""
    stamp_start = time.perf_counter()
    stamp_file = site_dir / FINGERPRINT
    complete_pending(site_dir, durable=False)  # an incremental step cut short comes first
    previous = load_stamp(stamp_file) if site_dir.is_dir() else None
    current = Stamp(ahead(), work_files(docs_dir))
    step = plan(previous, current, full)
    timings["fingerprint"] = time.perf_counter() - stamp_start
    if step.action == "skip":
        return step
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-build-", dir=site_dir.parent))
    try:
        mkdocs_start = time.perf_counter()
        if step.action == "incremental":
            run_mkdocs(config_file, docs_dir, tmp, site_url, step.changed)
        else:
            run_mkdocs(config_file, docs_dir, tmp, site_url, own=full, started=started)
        timings["mkdocs"] = time.perf_counter() - mkdocs_start
        (tmp / FINGERPRINT).write_text(current.dumps())
        if step.action == "incremental":  # the same files: nothing can shrink
            move_files(site_dir, _files_of(tmp), durable=False)
        else:
            if not allow_shrink:
                check_shrink(site_dir, tmp)
            swap_in(tmp, site_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return step


def _files_of(tree: Path) -> dict[str, Path]:
    """Every file under tree, by relative path."""
    return {os.path.relpath(os.path.join(folder, name), tree).replace(os.sep, "/"):
            Path(folder, name) for folder, _, names in os.walk(tree) for name in names}
