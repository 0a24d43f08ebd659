"""The incremental site step: the pages that changed rendered by MkDocs' own functions
into an empty folder, whose files then replace theirs in the site.

`mkdocs build` renders every page. When only some files of the work folder changed (no
file added or removed, nothing else that MkDocs reads changed: see stamp.py), the other
pages' HTML cannot have changed either: the builder rewrites every page whose text
shows a changed value, and a page's HTML depends only on its own source, the
configuration, the theme and the navigation (whose titles mkdocs.yml gives). So this
step runs the same sequence as mkdocs.commands.build.build (the configuration's plugin
events, files, navigation, the theme's environment), reads and renders only the changed
pages and the navigation's, and writes them, the changed static files and the theme's
static templates (404.html, sitemap.xml: cheap) into `out_dir`, an empty folder: the
caller moves them into the site in one all-or-nothing save (build.publish, with
store.durable.move_files), so neither a copy of the whole site nor its removal is
paid for. The result is byte-identical to a full build
(tests/publish/test_incremental.py checks it). MkDocs is pinned (its version is in the stamp)
because this uses two of its private page functions.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection

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


def rebuild_changed(config: MkDocsConfig, changed: Collection[str]) -> None:
    """Render the work-folder files `changed` (paths relative to docs_dir) into
    config.site_dir, an empty folder: only what they change is written there."""
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
        pages = [f for f in files.documentation_pages() if f.src_uri in changed]
        for file in files.documentation_pages():
            if file.page is None:
                Page(None, file, config)
        for file in dict.fromkeys([*(p.file for p in nav.pages), *pages]):
            mkbuild._populate_page(_page(file), config, files)
        env = config.plugins.on_env(env, config=config, files=files)
        _copy_static(files, changed)
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


def _page(file: File) -> Page:
    if file.page is None:  # every documentation file got its Page above
        raise InternalError(f"{file.src_uri}: no page object")
    return file.page


def _copy_static(files: Files, changed: Collection[str]) -> None:
    """The changed files that MkDocs copies (Files.copy_static_files' selection)."""
    for file in files:
        if file.src_uri in changed and not file.is_documentation_page() \
                and file.inclusion.is_included():  # type: ignore[no-untyped-call]
            file.copy_file()
