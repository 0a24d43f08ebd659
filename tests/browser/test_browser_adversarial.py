"""The whole adversarial store in Chromium: every CA owner page opens no dialog and asks
no other host for anything.

The store holds every hostile name and value at once, imported through every layout
(tests/hostile_data.py: the fixture set of tests/publish/test_adversarial.py, front-matter
break-outs, a forged report row and a look-alike spelling included). Each owner page is
where a name reaches the page title, the front matter, headings, links and the feed link.
"""

from __future__ import annotations

import pytest

from browser_support import serve, session
from builder.publish.build import build_site
from conftest import Project, make_project
from hostile_data import NAMES, import_hostile_exports

INJECTED = """() => [...document.querySelectorAll(
    'script:not([src]):not([id="__config"]), iframe, img, style:not([data-csr]), base,'
    + ' object, embed, form:not(.csr-search):not([data-csr-change-filter]),'
    + ' article svg:not(.csr-chart),'
    + ' [onerror], [onload], [onclick], [onmouseover], [ontoggle], a[href^="javascript:" i],'
    + ' link[href*="example.invalid"], meta[http-equiv]')]
    .map(e => e.outerHTML.slice(0, 100))"""
"""Elements data could have made, anywhere on the page."""
THEME_SCRIPTS = ('<script>__md_scope=new URL(', "<script>var target=document.getElementById(")
"""The two inline scripts mkdocs-material writes on every page."""


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("browser-adversarial") / "project")
    import_hostile_exports(project.data)
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


def test_every_owner_page_of_the_adversarial_store_opens_no_dialog(browser, adversarial) -> None:
    pages = sorted(p.parent.name for p in adversarial.site.glob("owners/*/index.html"))
    assert len(pages) >= len(NAMES)
    found: dict[str, list[str]] = {}
    with serve(adversarial.site) as server, session(browser, server) as recorder:
        page = recorder.new_page()
        for name in pages:
            recorder.open(f"owners/{name}/", page)
            for history in page.locator("details.csr-history summary").all():
                history.click()
            elements = [e for e in page.evaluate(INJECTED) if not e.startswith(THEME_SCRIPTS)]
            if elements:
                found[name] = elements
        assert recorder.dialogs == []
        recorder.check_clean()  # no request to another host, no error, no dialog
    assert not found, found


def test_hostile_answers_stay_text_in_search_results(browser, adversarial) -> None:
    with serve(adversarial.site) as server, session(browser, server) as recorder:
        page = recorder.new_page()
        for query, payload in (("img onerror", "<img src=x onerror=alert(1)>"),
                               ("script alert", "</script>")):
            recorder.open("", page)  # a fresh page: no result of the last query left
            page.locator("#csr-search-input").fill(query)
            page.locator("#csr-search-input").press("Enter")
            page.locator(".csr-search-hit").first.wait_for(state="visible")
            panel = page.locator(".csr-search-panel")
            assert payload in panel.inner_text(), query  # shown as the CA wrote it
            made = panel.evaluate("p => [...p.querySelectorAll('*')].map(e => e.tagName)")
            assert set(made) <= {"P", "OL", "LI", "A", "STRONG", "SPAN", "MARK", "BUTTON"}
        assert recorder.dialogs == []
        recorder.check_clean()
