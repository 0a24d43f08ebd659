"""MkDocs' build run by its own functions over a part of the site's files: the pages
that changed (the incremental site step), or a share of every page (a full site step
in one process per core).

`mkdocs build` renders every page in one process. A page's HTML depends only on its own
source, the configuration, the theme and the navigation (whose titles mkdocs.yml gives),
so `build_part` runs the same sequence as mkdocs.commands.build.build (the
configuration's plugin events, files, navigation, the theme's environment) and reads and
renders only its part's pages, the navigation's, and those its pages link to with an
anchor (so that anchors are checked as a full build checks them), into an empty folder:
- incremental: when only some files of the work folder changed (no file added or
  removed, nothing else that MkDocs reads changed: see stamp.py), the builder rewrote
  every page whose text shows a changed value; the changed pages and static files and
  the theme's static templates (404.html, sitemap.xml: cheap) are written, and the
  caller moves them into the site in one all-or-nothing save (site_step.publish, with
  store.durable.move_files): neither a copy of the whole site nor its removal is paid.
- a share: the first copies every static file and writes the theme's templates, and
  the pages are dealt out so that each share has about as much work; site_step.run_mkdocs
  runs the shares at once and moves them into one folder.
Both are byte-identical to MkDocs' own build (tests/publish/test_incremental.py checks
it). A plugin other than the builder's own may need every page in one run (a search
index): then MkDocs' own build runs instead. MkDocs is pinned (its version is in the
stamp) because this uses private page functions of its build module.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from dataclasses import dataclass

import jinja2
from mkdocs import utils
from mkdocs.commands import build as mkbuild
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from builder.core.errors import InternalError


class VisibleThemeFiles(jinja2.FileSystemLoader):
    """The theme's folders as Files.add_files_from_theme lists them, without walking
    hidden folders: its filter drops every name with a hidden part ('.*', '*/.*'), and
    mkdocs-material's .icons/ alone holds 14,000 files (a third of this step's time)."""

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for top in self.searchpath:
            for folder, dirs, names in os.walk(top, followlinks=self.followlinks):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                rel = os.path.relpath(folder, top)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                found.update(prefix + name for name in names if not name.startswith("."))
        return sorted(found)


def theme_listing(config: MkDocsConfig) -> jinja2.Environment:
    """What add_files_from_theme reads its list from (it only calls list_templates)."""
    return jinja2.Environment(loader=VisibleThemeFiles(config.theme.dirs), autoescape=True)


STATIC_COST = 0.06
"""Copying a static file, in pages rendered (realistic site: 1,358 files copied in 0.5 s,
424 pages rendered in 2.6 s); only for sharing the work out evenly."""


@dataclass(frozen=True)
class Part:
    """Which files one run of MkDocs' page functions writes: the work-folder files
    `changed` (pages and static files, with the theme's templates), or with `changed`
    None share `index` of `count` of a whole site: the first has every static file and
    the theme's templates, and the pages are dealt so that each share has as much work."""

    changed: frozenset[str] | None = None
    index: int = 0
    count: int = 1

    def pages(self, files: Files) -> list[File]:
        pages = files.documentation_pages()
        if self.changed is not None:
            return [f for f in pages if f.src_uri in self.changed]
        # Dealt in turn to the share with the least work so far, the first starting with
        # its static files: every share computes the same deal from the same listing.
        work = [STATIC_COST * sum(1 for f in files if self._static(f))] + \
            [0.0] * (self.count - 1)
        mine = []
        for page in pages:
            share = work.index(min(work))
            work[share] += 1
            if share == self.index:
                mine.append(page)
        return mine

    @staticmethod
    def _static(file: File) -> bool:
        """Files.copy_static_files' selection."""
        return not file.is_documentation_page() \
            and bool(file.inclusion.is_included())  # type: ignore[no-untyped-call]

    def copies(self, file: File) -> bool:
        """A static file this part copies."""
        chosen = self.index == 0 if self.changed is None else file.src_uri in self.changed
        return chosen and self._static(file)

    @property
    def templates(self) -> bool:
        """Whether this part writes the theme's static templates (404.html, sitemap.xml:
        cheap, and the same whichever pages were read)."""
        return self.changed is not None or self.index == 0


KNOWN_PLUGINS = frozenset({"csr-html"})
"""Plugins whose events are the same whichever pages a run reads (this project's own).
Any other plugin (a search plugin writing one index of every page it saw, say) may need
every page in one run: with it, the site step is MkDocs' own build."""


def in_parts_allowed(config: MkDocsConfig) -> bool:
    return set(config.plugins) <= KNOWN_PLUGINS


def rebuild_changed(config: MkDocsConfig, changed: Collection[str]) -> None:
    """Render the work-folder files `changed` (paths relative to docs_dir) into
    config.site_dir, an empty folder: only what they change is written there."""
    build_part(config, Part(frozenset(changed)))


def build_part(config: MkDocsConfig, part: Part) -> None:
    """MkDocs' build (mkdocs.commands.build.build, step by step) of only `part`'s files
    into config.site_dir, an empty folder."""
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    if config.strict:
        logger.addHandler(counter)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(theme_listing(config), config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        pages = part.pages(files)
        _read_pages(files, config, [*(p.file for p in nav.pages), *pages])
        env = config.plugins.on_env(env, config=config, files=files)
        for file in files:
            if part.copies(file):
                file.copy_file()
        if part.templates:
            for name in config.theme.static_templates:
                mkbuild._build_theme_template(name, env, files, config, nav)
            for name in config.extra_templates:
                mkbuild._build_extra_template(name, files, config, nav)
        doc_files = files.documentation_pages()
        for file in pages:
            mkbuild._build_page(_page(file), config, doc_files, nav, env)
        for file in pages:
            _page(file).validate_anchor_links(files=files,
                                              log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        if counts := counter.get_counts():
            raise Abort(f"Aborted with {', '.join(f'{v} {k.lower()}s' for k, v in counts)} "
                        "in strict mode!")
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        raise
    finally:
        logger.removeHandler(counter)


def _read_pages(files: Files, config: MkDocsConfig, wanted: list[File]) -> None:
    """Every documentation file gets its Page (the sitemap and the navigation list
    them all); the pages `wanted` are read and rendered, and so is every page they link
    to with an anchor, so that those anchors are checked as a full build checks them."""
    for file in files.documentation_pages():
        if file.page is None:
            Page(None, file, config)
    for file in dict.fromkeys(wanted):
        mkbuild._populate_page(_page(file), config, files)
    for file in dict.fromkeys(wanted):
        for target in _page(file).links_to_anchors or {}:
            if target.page is not None and target.page.present_anchor_ids is None:
                mkbuild._populate_page(target.page, config, files)


def _page(file: File) -> Page:
    if file.page is None:  # every documentation file got its Page above
        raise InternalError(f"{file.src_uri}: no page object")
    return file.page
