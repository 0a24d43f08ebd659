"""The MkDocs plugin `csr-html`: pages the builder generated are HTML already, so MkDocs
renders them without Python-Markdown.

A generated page carries `GENERATED_KEY: html` in its front matter (encode.front_matter
writes it). Its body is the template's HTML: blocks of raw HTML and heading lines such
as `<h2 id="answers">Answers</h2>`. Python-Markdown would pass every such block through
unchanged and only strip the text's ends, yet parse it as HTML twice on the way (its
raw-HTML preprocessor and MkDocs' anchor pass): most of MkDocs' time. This plugin sets
`page.content` to the body and builds `page.toc` from the heading lines, with the ids
and titles the `toc` extension gives (its own slugify and unique functions, so ids stay
as they were). Every other page (the hand-written ones) goes through Markdown as before.

Data never forms a heading line: the builder writes every punctuation character of a
value as a character reference and a line break as `<br>`, so `<h2` at a line start
can only come from a template.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markdown.extensions import toc as md_toc  # type: ignore[import-untyped]
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from builder.publish.encode import GENERATED_KEY, GENERATED_VALUE
from builder.publish.workdir import is_work_dir, template_cache

HEADING = re.compile(r'\n<h([1-6])(?: id="([^"<>&]*)")?>(.*)</h\1>(?=\n|\Z)')
"""A heading line as the templates write it (an id of their own, or none: then the
toc extension's slug of its text), with the line break before it: a pattern that starts
with literal text is searched for as text, five times faster than `^` at every line
(the body is searched with a line break put before it)."""
ID = re.compile(r'id="([^"]*)"')
"""An id attribute (after white space: `anchor_ids`)."""
TOC_OPTIONS = frozenset({"permalink", "slugify", "separator"})
"""The toc settings this plugin reproduces; any other would change Markdown's output in
a way it does not, so it is refused rather than silently ignored."""

Slugify = Callable[[str, str], str]


def toc_settings(config: MkDocsConfig) -> tuple[Slugify, str]:
    """The toc extension's slugify function and separator, as mkdocs.yml sets them."""
    settings: dict[str, Any] = dict(config.mdx_configs.get("toc") or {})
    if extra := sorted(k for k, v in settings.items()
                       if k not in TOC_OPTIONS and v is not None):
        raise PluginError(f"csr-html: the toc option(s) {', '.join(extra)} are not "
                          "reproduced for generated pages: remove them from mkdocs.yml")
    if settings.get("permalink"):
        raise PluginError("csr-html: toc permalinks are not reproduced for generated pages")
    slugify: Slugify = settings.get("slugify") or md_toc.slugify
    return slugify, str(settings.get("separator") or "-")


def render_html(body: str, slugify: Slugify, separator: str) -> tuple[str, list[Any]]:
    """The page's HTML and its toc tokens (nested, as the toc extension makes them).

    A heading without an id gets the toc extension's: its text's slug, made unique on
    the page (`_1`, `_2`, ...) after the ids the templates gave."""
    text = "\n" + body
    used = {m.group(2) for m in HEADING.finditer(text) if m.group(2)}
    counters: dict[str, int] = {}
    tokens: list[dict[str, Any]] = []

    def heading(match: re.Match[str]) -> str:
        level, given, inner = int(match.group(1)), match.group(2), match.group(3)
        name = md_toc.strip_tags(inner)
        anchor = given or md_toc.unique(slugify(html.unescape(name), separator), used,
                                         counters)
        tokens.append({"level": level, "id": anchor, "name": name, "html": inner,
                       "data-toc-label": ""})
        return match.group(0) if given else f'\n<h{level} id="{anchor}">{inner}</h{level}>'

    content = HEADING.sub(heading, text).strip()
    return content, md_toc.nest_toc_tokens(tokens)


def anchor_ids(content: str) -> set[str]:
    """The values of `\\sid="..."` in content, as re.findall(r'\\sid="([^"]*)"') finds
    them, searching for the text `id="` (a pattern that starts with `\\s` is tried at
    every character: a third of this plugin's time on large pages)."""
    found: set[str] = set()
    at = content.find('id="')
    while at != -1:
        if at and content[at - 1].isspace() and (match := ID.match(content, at)):
            found.add(match.group(1))
            at = content.find('id="', match.end())
        else:
            at = content.find('id="', at + 1)
    return found


class HtmlPage(Page):
    """A generated page: `render` without Markdown (the class of a page is switched to
    this one when its front matter marks it)."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        slugify, separator = toc_settings(config)
        content, tokens = render_html(self.markdown, slugify, separator)
        self.content = content
        self.toc = get_toc(tokens)
        first = tokens[0] if tokens and content.startswith("<h1") else None
        self._title_from_render = html.unescape(first["name"]) if first else None
        # Ids a Markdown link elsewhere may point at (MkDocs checks such anchors).
        self.present_anchor_ids = anchor_ids(content)
        self.links_to_anchors = {}
        # MkDocs holds every page from reading to writing: the source is not needed
        # again (an empty one, not None, keeps the title rules), and the HTML is let go
        # once the page is written (on_post_page), so a large site is not held twice.
        self.markdown = ""


class GeneratedHtmlPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Registered as `csr-html` (pyproject.toml, entry point group mkdocs.plugins)."""

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig,
               files: Files) -> jinja2.Environment:
        # The theme's templates, compiled once and kept in the builder's work folder
        # (never in a hand-written docs folder): Jinja compiles each again only when its
        # source changed. A third of an incremental site step was compiling them.
        if is_work_dir(Path(config.docs_dir)):
            env.bytecode_cache = template_cache(Path(config.docs_dir))
        return env

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if isinstance(page, HtmlPage):
            page.content = None  # written: nothing reads it again
        return output

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if page.meta.get(GENERATED_KEY) == GENERATED_VALUE and type(page) is Page:
            page.__class__ = HtmlPage
        return markdown
