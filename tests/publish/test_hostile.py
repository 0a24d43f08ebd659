"""A site built from hostile text: no element, attribute or URL from data; text visible."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.core.text import clean_for_display
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import build_site
from builder.publish.stamp import HASHES
from builder.publish.workdir import STORE_CACHE, TEMPLATE_CACHE
from builder.publish.write import MANIFEST_LOCK
from conftest import ROOT, Project, make_project
from hostile_data import OWNERS, PAYLOADS, SURVEY_TITLE, write_hostile_export
from sitecheck import main_text, read_page

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "form", "img", "svg", "style",
                  "meta"}
BAD_URL = re.compile(r"^\s*(javascript|data|vbscript):", re.IGNORECASE)


def build(project: Project, data: Path) -> None:
    build_site(data, docs_dir=project.docs, site_dir=project.site, config_file=project.config)


def signature(site: Path) -> dict[str, set[tuple[str, str]]]:
    """Per page kind: every (tag, attribute) pair of dangerous kinds, for comparison."""
    found: set[tuple[str, str]] = set()
    for page in site.rglob("*.html"):
        for tag, attrs in read_page(page).tags:
            if tag in DANGEROUS_TAGS:
                found.add((tag, attrs.get("src", "") or attrs.get("name", "") or
                           attrs.get("http-equiv", "")))
    return {"all": found}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Project]:
    root = tmp_path_factory.mktemp("hostile")
    hostile = make_project(root / "hostile")
    import_source(str(write_hostile_export(root / "hostile.json")), hostile.data,
                  LoadOptions(), observed_at="2026-01-01T00:00:00Z")
    build(hostile, hostile.data)
    benign = make_project(root / "benign")
    build(benign, ROOT / "data")
    return hostile, benign


def test_no_dangerous_element_beyond_what_the_theme_writes(sites) -> None:
    hostile, benign = sites
    assert signature(hostile.site) == signature(benign.site)


def test_no_event_handler_style_or_dangerous_url_from_data(sites) -> None:
    hostile, _ = sites
    for page in hostile.site.rglob("*.html"):
        for tag, attrs in read_page(page).tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not BAD_URL.match(value), (page, tag, value)
            if tag == "a" and "example.invalid" in attrs.get("href", ""):
                # a URL inside an answer: linked by the builder itself, marked as such
                assert attrs.get("rel") == "nofollow ugc noopener", (page, attrs)
                assert attrs["href"].startswith(("http://", "https://", "mailto:"))


def test_nothing_written_outside_the_output_folders(sites, tmp_path: Path) -> None:
    hostile, _ = sites
    outside = {p.name for p in hostile.root.parent.iterdir()}
    assert outside == {"hostile", "benign", "hostile.json"}
    assert not Path("/tmp/x").exists() or Path("/tmp/x").is_dir()
    for path in hostile.docs.rglob("*"):
        # Hidden files are the builder's own: its manifest, its downloads' state and kept
        # pieces, the search index's pieces (named by digests only), the record of what
        # the build read, the digests of what it rendered, the compiled templates, the
        # surveys as read and the work files' hashes.
        if path.parent.name in (".downloads-pieces", ".search-pieces"):
            assert re.fullmatch(r"[0-9a-f]{40}\.[0-9a-f]{32}", path.name), path
            continue
        if path.parent.name == STORE_CACHE:  # the surveys as read, named by a digest
            assert re.fullmatch(r"[0-9a-f]{32}\.pickle", path.name), path
            continue
        assert not path.name.startswith(".") or path.name in {
            ".generated-pages.json", ".downloads-state.json", ".build-inputs.json",
            ".render-state.json", ".downloads-pieces", ".search-pieces", TEMPLATE_CACHE,
            STORE_CACHE, HASHES, MANIFEST_LOCK}


def test_payloads_are_visible_as_text(sites) -> None:
    hostile, _ = sites
    question_pages = sorted(hostile.site.glob("surveys/*/q0900*/index.html"))
    assert len(question_pages) == 7
    text = " ".join(main_text(p) for p in question_pages)
    for payload in PAYLOADS[:10]:
        shown = " ".join(clean_for_display(payload).split())
        assert shown in text, payload
    owner_text = main_text(hostile.site / "owners" / "index.html")
    for owner in OWNERS:
        assert " ".join(clean_for_display(owner).split()) in owner_text or \
            owner == "evil\u202eAC tsurT"
    assert "evilAC tsurT" in owner_text  # the bidi override is dropped, the text kept


def test_titles_are_escaped_in_the_head(sites) -> None:
    hostile, _ = sites
    for page in hostile.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        title = html[html.find("<title>"):html.find("</title>")]
        assert "<script" not in title.lower(), page
    owner_pages = list((hostile.site / "owners").glob("*/index.html"))
    assert len(owner_pages) == len(OWNERS) - 0  # Ünïcode CA and Unicode CA are two owners
    survey = next(hostile.site.glob("surveys/*/index.html"))
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in survey.read_text(
        encoding="utf-8") or "&lt;script&gt;alert(&#x27;title&#x27;)" in survey.read_text(
        encoding="utf-8")
    assert SURVEY_TITLE.split("}}")[0] in main_text(survey) or "Hostile | Survey" in main_text(
        survey)


def test_template_syntax_in_data_is_not_evaluated(sites) -> None:
    hostile, _ = sites
    text = " ".join(main_text(p) for p in hostile.site.rglob("*.html"))
    assert "{{ 7*7 }}" in text
    assert " 49 " not in f" {text} "
    for page in hostile.site.rglob("*.html"):
        assert "site_name:" not in page.read_text(encoding="utf-8")  # no snippet inclusion
