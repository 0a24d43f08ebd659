"""Render the site's generated files from the store. Pure: returns {path: text}.

The page kinds live in builder.publish.pages (one module each, a typed context per
template); this is their one entry point.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Mapping
from functools import cache
from pathlib import Path

import jinja2

from builder.core.errors import BuildFailed
from builder.core.model import Store
from builder.publish.opendata.produce import write_downloads
from builder.publish.pages.plan import Plan, plan
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page, make_environment, render_page
from builder.publish.write import FileInfo


def render_pages(store: Store, templates_dir: Path, site_url: str | None = None, *,
                 downloads: Mapping[str, FileInfo] | None = None,
                 only: Collection[str] | None = None) -> dict[str, str]:
    """All generated pages and files of the site (the Downloads page included, but not
    the downloads themselves), keyed by path relative to docs/. With the site's URL, the
    feeds link absolutely.

    `downloads`: what opendata.produce.write_downloads wrote for the same store, if the
    caller has written them (else they are made in a temporary folder when the Downloads
    page needs them). `only`: make just these
    paths (paths the site does not have are left out); each is byte for byte what a full
    render makes, since every page is a function of the whole store.
    """
    return render_site(SiteIndex.of(store, site_url), templates_dir, downloads=downloads,
                       only=only)


def render_site(site: SiteIndex, templates_dir: Path, *,
                downloads: Mapping[str, FileInfo] | None = None,
                only: Collection[str] | None = None,
                compiled: jinja2.BytecodeCache | None = None) -> dict[str, str]:
    """render_pages of an index already made (to ask pages.showing first, for example)."""
    return dict(iter_site(site, templates_dir, downloads=downloads, only=only,
                          compiled=compiled))


def iter_site(site: SiteIndex, templates_dir: Path, *,
              downloads: Mapping[str, FileInfo] | None = None,
              only: Collection[str] | None = None,
              compiled: jinja2.BytecodeCache | None = None,
              pages: Plan | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) of each page as it is made, so a build can write it and let it go.
    `compiled`: where compiled templates are kept between builds (workdir.template_cache).
    `pages`: the site's plan, if the caller made it already (its Downloads page then
    reads the downloads the plan was given, not `downloads`)."""
    env = make_environment(templates_dir, finalize=site.memo.encode, cache=compiled)
    env.globals["demo"] = site.store.demo
    if pages is None:
        files = cache(lambda: downloads_of(site.store) if downloads is None else downloads)
        pages = plan(site, files)
    for path, make in pages.items():
        if only is not None and path not in only:
            continue
        made = make()
        if isinstance(made, str):
            yield path, made
            continue
        if made.path != path:
            raise BuildFailed(f"{made.template}: planned for {path}, made for {made.path}")
        yield path, render(env, made, site)


def planned_paths(site: SiteIndex) -> list[str]:
    """Every generated file of the site, in order (cheap: nothing is made)."""
    return list(plan(site, lambda: {}))


def downloads_of(store: Store) -> Mapping[str, FileInfo]:
    """The downloads' paths, sizes and sums, made in a temporary folder (for a render
    without a work folder: tests and tools)."""
    with tempfile.TemporaryDirectory() as tmp:
        return write_downloads(store, Path(tmp)).files


def render(env: jinja2.Environment, page: Page, site: SiteIndex) -> str:
    return render_page(env, page.template, page.path, page.title, page.context, page.feed,
                       site.memo.link)
