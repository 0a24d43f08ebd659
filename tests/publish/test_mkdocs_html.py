"""The csr-html MkDocs plugin: generated pages are published without Markdown, with the
same HTML, ids, toc and title as Markdown gave, and hand-written pages still get Markdown.

Each test runs a real `mkdocs build` (the project's mkdocs.yml without its navigation,
its theme and the plugin as installed)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify

from builder.publish.encode import encode, front_matter
from builder.publish.mkdocs_html import render_html
from builder.publish.site_step import run_mkdocs
from conftest import make_project

HOSTILE = '<script>alert(1)</script> ## "x" & <b>y</b>'
MARKDOWN_BODY = """<p class="lead">Before the headings.</p>

## Answers

<table>
<tbody><tr><td>a</td></tr></tbody>
</table>

## {hostile}

<p>After.</p>

### Answers
<p>Same text, so a suffix.</p>
"""
HTML_BODY = """<p class="lead">Before the headings.</p>

<h2 id="answers">Answers</h2>
<table>
<tbody><tr><td>a</td></tr></tbody>
</table>

<h2>{hostile}</h2>
<p>After.</p>

<h3>Answers</h3>
<p>Same text, so a suffix.</p>
"""


def build(tmp_path: Path, pages: dict[str, str]) -> Path:
    project = make_project(tmp_path / "project")
    config = project.config.read_text(encoding="utf-8")
    project.config.write_text(config[:config.index("\nnav:")] + "\n", encoding="utf-8")
    docs = tmp_path / "work"
    for rel, text in pages.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    site = tmp_path / "site"
    run_mkdocs(project.config, docs, site)
    return site


def generated(body: str) -> str:
    return front_matter("A page: " + HOSTILE) + "\n" + body.format(hostile=encode(HOSTILE))


def article(site: Path, rel: str) -> str:
    page = (site / rel).read_text(encoding="utf-8")
    return page[page.index("<article"):page.index("</article>")]


def test_a_generated_page_is_the_html_markdown_gave_with_the_same_toc(tmp_path: Path) -> None:
    as_markdown = generated(MARKDOWN_BODY).replace('"csr_generated": "html"\n', "")
    site_md = build(tmp_path / "md", {"index.md": "# Home\n", "html.md": as_markdown})
    site = build(tmp_path / "html", {"index.md": "# Home\n", "html.md": generated(HTML_BODY)})
    by_plugin = (site / "html/index.html").read_text()
    assert by_plugin == (site_md / "html/index.html").read_text()
    ids = re.findall(r'<h[23] id="([^"]+)"', article(site, "html/index.html"))
    assert ids == ["answers", slugify(HOSTILE, "-"), "answers_1"]
    toc = re.findall(r'<a href="#([^"]+)" class="md-nav__link">', by_plugin)
    assert toc == ids * 2  # the theme prints the toc twice: in each sidebar


def test_hostile_heading_text_stays_text_in_the_page_the_toc_and_the_title(
        tmp_path: Path) -> None:
    site = build(tmp_path, {"index.md": "# Home\n", "html.md": generated(HTML_BODY)})
    page = (site / "html/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<b>y</b>" not in page
    assert "&#60;script&#62;alert&#40;1&#41;" in article(site, "html/index.html")
    assert page.count("&#60;script&#62;alert&#40;1&#41;") >= 2  # heading and toc
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and "&lt;script&gt;alert(1)&lt;/script&gt;" in title.group(1)


def test_hand_written_pages_still_go_through_markdown(tmp_path: Path) -> None:
    site = build(tmp_path, {"index.md": "# Home\n\nSome *emphasis* and `code`.\n\n## Part\n",
                            "html.md": generated("<p>Some *emphasis*.</p>\n")})
    home = article(site, "index.html")
    assert "<em>emphasis</em>" in home and "<code>code</code>" in home
    assert '<h2 id="part">Part</h2>' in home
    assert "<p>Some *emphasis*.</p>" in article(site, "html/index.html")


def test_headings_without_ids_get_the_toc_slug_made_unique_after_given_ids() -> None:
    body = ('<h2>Across surveys</h2>\n<p>x</p>\n<h2 id="across-surveys">Across surveys</h2>\n'
            "<h3>Part &#40;2&#41;</h3>\n")
    content, tokens = render_html(body + "\n\n", slugify, "-")
    assert content == ('<h2 id="across-surveys_1">Across surveys</h2>\n<p>x</p>\n'
                       '<h2 id="across-surveys">Across surveys</h2>\n'
                       '<h3 id="part-2">Part &#40;2&#41;</h3>')
    assert [(t["id"], [c["id"] for c in t["children"]]) for t in tokens] == [
        ("across-surveys_1", []), ("across-surveys", ["part-2"])]
    assert tokens[1]["children"][0]["name"] == "Part &#40;2&#41;"


LINE_START_HEADING = re.compile(r'^<h([1-6])(?: id="([^"<>&]*)")?>(.*)</h\1>$', re.MULTILINE)
"""The heading rule as the plugin first wrote it (`^` at every line): the reference its
faster pattern is held to."""

PIECES = st.sampled_from(["<h2>", "</h2>", "<h3 id=\"a\">", "</h3>", "<h1>", "</h1>",
                          "\n", " ", "\t", 'id="', '"', "x", "Answers", "<p>", "&amp;",
                          " id=\"b\"", "<h2 id=\"answers\">", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_fast_patterns_find_what_the_line_start_patterns_found(body: str) -> None:
    """Headings found with the text before them, ids found by searching for `id="`:
    the same as `^...$` per line and `\\sid="..."` over the page."""
    from builder.publish.mkdocs_html import HEADING, anchor_ids

    assert [m.groups() for m in HEADING.finditer("\n" + body)] == \
        [m.groups() for m in LINE_START_HEADING.finditer(body)]
    assert anchor_ids(body) == set(re.findall(r'\sid="([^"]*)"', body))
