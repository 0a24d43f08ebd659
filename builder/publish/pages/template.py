"""The one way a page is rendered: template + typed context -> front matter and Markdown.

Every value printed by a template goes through `encode` (Jinja's finalize hook), so a
forgotten filter cannot emit raw text; only HTML built in Python is marked safe. Links
between pages are made in the template with `a(target, text)`, relative to the page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from builder.core.errors import BuildFailed
from builder.publish.encode import encode, front_matter, link
from builder.publish.paths import rel, url_of
from builder.publish.words import plural, public_id

Linker = Callable[[str, object], Markup]
"""(href, text) -> an <a> element: builder.publish.encode.link, or a memo of it."""


def make_environment(templates_dir: Path, finalize: Callable[[object], Markup] = encode,
                     cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=cache,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(plural=plural, public_id=public_id)  # the words of every template
    return env


def render_template(env: jinja2.Environment, template: str, page: str,
                    **context: object) -> str:
    """`template` rendered for `page`; any template error is a BuildFailed naming the
    template file and line where it happened (the one rule for every generated page)."""
    try:
        return env.get_template(template).render(page=page, **context)
    except jinja2.TemplateError as exc:
        where = template_position(env, exc, template)
        raise BuildFailed(f"{where}: {exc} (while rendering {page})") from exc


def template_position(env: jinja2.Environment, exc: jinja2.TemplateError,
                      template: str) -> str:
    """`file:line` of a template error. A syntax error carries its own; an error while
    rendering (an undefined name, a failed filter) carries none, but Jinja rewrites the
    traceback so that its frames are the template lines: the deepest one is where."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        return f"{exc.name or template}:{exc.lineno}"
    roots = [Path(p).resolve() for p in getattr(env.loader, "searchpath", ())]
    found = f"{template}:?"
    tb = exc.__traceback__
    while tb is not None:
        file = Path(tb.tb_frame.f_code.co_filename)
        for root in roots:
            if file.is_absolute() and file.resolve().is_relative_to(root):
                found = f"{file.resolve().relative_to(root).as_posix()}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found


def context_fields(context: object) -> dict[str, object]:
    """A context dataclass's fields as template variables (shallow: rows stay objects,
    which Jinja reads by attribute just as it read dict keys)."""
    if not dataclasses.is_dataclass(context) or isinstance(context, type):
        raise TypeError(f"a page context must be a dataclass instance, not {context!r}")
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def render_page(env: jinja2.Environment, template: str, page_path: str, title: str,
                context: object, feed: str | None = None, linker: Linker = link) -> str:
    """The Markdown file of one generated page: front matter (title, feed) and body.

    The template sees the context's fields, `page` (its docs-relative path), `feed` and
    `a(target, text)`, a link to another generated page or site file relative to this
    page; `demo` comes from the environment's globals (builder.publish.pages.site).
    """
    hrefs: dict[str, str] = {}  # a page links to the same pages many times

    def a(target: str, text: object) -> Markup:
        href = hrefs.get(target)
        if href is None:
            href = hrefs[target] = fast_rel(page_path, target)
        return linker(href, text)

    body = render_template(env, template, page_path, a=a, feed=feed,
                           **context_fields(context))
    # `feed` is a docs-relative path the builder made; the theme override links it.
    meta = front_matter(title, **({"feed": feed} if feed else {}))
    return f"{meta}\n{body}"


@lru_cache(maxsize=1 << 12)
def _url_parts(url: str) -> tuple[str, ...]:
    return tuple(part for part in url.split("/") if part)


def fast_rel(from_page: str, to: str) -> str:
    """The same as paths.rel, without posixpath.relpath's two abspath calls per link.

    The builder's paths are already normal (no '.', '..' or empty parts); any other
    path goes through paths.rel.
    """
    base = _url_parts(url_of(from_page))
    target = _url_parts(url_of(to) if to.endswith(".md") else to)
    if "." in base or ".." in base or "." in target or ".." in target:
        return rel(from_page, to)
    common = 0
    for mine, theirs in zip(base, target, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(base) - common) + list(target[common:])
    path = "/".join(parts) if parts else "."
    if to.endswith(".md"):
        path = "./" if path == "." else path + "/"
    return path


@dataclasses.dataclass(frozen=True)
class Page:
    """One generated page before rendering: where it goes, its template, title, context."""

    path: str
    template: str
    title: str
    context: object
    """A frozen dataclass: the template's variables are its fields."""
    feed: str | None = None
