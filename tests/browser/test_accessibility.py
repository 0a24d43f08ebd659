"""Accessibility: axe-core (the pinned tests/vendor/axe.min.js) on every kind of page.

No serious or critical violation is allowed. A rule may be set aside only for a named
element of the theme (THEME_EXCEPTIONS, empty today); everything else that axe found was
fixed in our templates and docs/assets/site.css. Charts must have a text alternative and every
table header cells with scope.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from browser_support import AXE, SiteServer, build_demo_site, run_axe, serve, session
from conftest import Project

# The pinned copy (tests/vendor/README.md says where it comes from).
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

# (rule, CSS target) pairs that come from mkdocs-material itself and cannot be fixed from
# our templates, CSS or scripts. Only these exact nodes are set aside, never the rule.
# None today: the theme's search overlay (an unnamed role="dialog") is gone with its plugin.
THEME_EXCEPTIONS: set[tuple[str, str]] = set()
BLOCKING = ("serious", "critical")

TABLE_HEADERS = """() => [...document.querySelectorAll('article table')].map(t => ({
  headers: t.querySelectorAll('th').length,
  withoutScope: [...t.querySelectorAll('th')].filter(th =>
      !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope')))
    .map(th => th.textContent.trim()),
  headRowScopes: [...t.querySelectorAll('thead th')].map(th => th.getAttribute('scope')),
  bodyHeaderScopes: [...t.querySelectorAll('tbody th')].map(th => th.getAttribute('scope')),
  rows: t.tBodies.length ? t.tBodies[0].rows.length : 0}))"""

CHARTS = """() => [...document.querySelectorAll('article svg.csr-chart')].map(svg => {
  const byId = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
  const title = svg.querySelector(':scope > title');
  const figure = svg.closest('figure');
  // the first table after the figure (the theme may wrap it in a scrolling box)
  let table = figure;
  while (table && table.tagName !== 'TABLE' && !table.querySelector('table'))
    table = table.nextElementSibling;
  if (table && table.tagName !== 'TABLE') table = table.querySelector('table');
  const name = svg.getAttribute('aria-label') || byId || (title && title.textContent) || '';
  return {role: svg.getAttribute('role'), name: name.trim(),
          caption: figure && figure.querySelector('figcaption') ?
                   figure.querySelector('figcaption').textContent.trim() : '',
          bars: [...svg.querySelectorAll('text')].map(t => t.textContent.trim()),
          links: [...svg.querySelectorAll('a')].map(a => [a.getAttribute('href'),
                   a.textContent.trim(), !!document.getElementById(
                     (a.getAttribute('href') || '').slice(1))]),
          table: table ? [...table.tBodies[0].rows].map(r =>
                   [...r.cells].map(c => c.textContent.trim())) : []};
})"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_demo_site(tmp_path_factory.mktemp("a11y-demo"))


@pytest.fixture(scope="module")
def server(demo: Project):
    with serve(demo.site) as running:
        yield running


@pytest.fixture(scope="module")
def pages(demo: Project) -> dict[str, str]:
    """One address per kind of page, chosen where there is most to check."""
    site = demo.site
    index = json.loads((site / "compare" / "data" / "index.json").read_text(encoding="utf-8"))
    survey = index["surveys"][0]["id"]
    owners = [o["id"] for o in index["owners"]]

    def rel(html: Path) -> str:
        return html.parent.relative_to(site).as_posix() + "/"

    def most(glob: str, marker: str) -> Path:
        return max(sorted(site.glob(glob)),
                   key=lambda p: p.read_text(encoding="utf-8").count(marker))

    return {
        "home": "",
        "surveys": "surveys/",
        "survey": f"surveys/{survey}/",
        "question": rel(most("surveys/*/q*/index.html", 'class="csr-diff"')),
        "owners": "owners/",
        "owner": rel(most("owners/*/index.html", 'class="csr-diff"')),
        "changes": "changes/",
        "compare": f"compare/?survey={survey}&" + "&".join(f"ca={o}" for o in owners[:3]),
        "downloads": "downloads/",
        "about": "about/",
    }


def blocking_violations(result: dict) -> list[str]:
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            if (violation["id"], target) in THEME_EXCEPTIONS:
                continue
            found.append(f"{violation['impact']} {violation['id']} at {target}: "
                         f"{node['failureSummary']} ({node['html'][:120]})")
    return found


def open_everything(page) -> None:
    """Show what is folded or drawn by script, so that axe checks it too."""
    if page.url.split("?")[0].endswith("/compare/"):
        page.locator("#csr-compare-result table").wait_for(state="visible")
    for summary in page.locator("article details > summary").all():
        summary.click()


@pytest.mark.parametrize("kind", ["home", "surveys", "survey", "question", "owners", "owner",
                                  "changes", "compare", "downloads", "about"])
def test_no_serious_or_critical_violation(browser, server: SiteServer, pages, kind) -> None:
    with session(browser, server) as recorder:
        page = recorder.open(pages[kind])
        open_everything(page)
        result = run_axe(page)
        assert blocking_violations(result) == []
        # axe really looked at the page: dozens of rules found something to pass
        passed = {r["id"] for r in result["passes"]}
        assert len(passed) > 20 and {"color-contrast", "landmark-one-main"} <= passed
        recorder.check_clean()


def test_the_pinned_axe_core_is_the_one_injected(browser, server: SiteServer) -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE_VERSION in (AXE.parent / "README.md").read_text(encoding="utf-8")
    with session(browser, server) as recorder:
        page = recorder.open("")
        assert page.evaluate("typeof window.axe") == "undefined"  # the site never ships it
        run_axe(page, {"runOnly": ["document-title"]})
        assert page.evaluate("window.axe.version") == AXE_VERSION


def test_an_unnamed_dialog_fails_the_scan(browser, server: SiteServer, pages) -> None:
    """A rule once set aside for the theme's search overlay fails the scan again."""
    with session(browser, server) as recorder:
        page = recorder.open(pages["home"])
        page.evaluate("""() => { const d = document.createElement('div');
            d.setAttribute('role', 'dialog'); d.textContent = 'x';
            document.querySelector('article').appendChild(d); }""")
        found = blocking_violations(run_axe(page))
        assert len(found) == 1 and found[0].startswith("serious aria-dialog-name at "), found
        assert '<div role="dialog">x</div>' in found[0]


def test_charts_have_text_alternatives(browser, server: SiteServer, demo: Project) -> None:
    with session(browser, server) as recorder:
        page = recorder.new_page()
        charts = 0
        survey = sorted(demo.site.glob("surveys/*/index.html"))[0].parent
        for html in sorted(survey.glob("q*/index.html")):
            if 'class="csr-chart"' not in html.read_text(encoding="utf-8"):
                continue
            recorder.open(html.parent.relative_to(demo.site).as_posix() + "/", page)
            for chart in page.evaluate(CHARTS):
                charts += 1
                # a named group, not an img: its bars are links (an img's children are
                # presentational, so links inside one would be hidden from assistive tech)
                assert chart["role"] == "group" and len(chart["name"]) > 10, chart
                # each bar is a link, named by its text, to its option's section
                assert [text for _, text, _ in chart["links"]] == chart["bars"], chart
                assert all(href.startswith("#option-") and target
                           for href, _, target in chart["links"]), chart
                assert "table below gives the same figures" in chart["caption"], chart
                # every bar's figure and label is in the table beside it, as text
                rows = {(cells[0], cells[1]) for cells in chart["table"]}
                for bar in chart["bars"]:
                    count, _, label = bar.partition(" · ")
                    assert (label, count) in rows, (bar, chart["table"])
                assert len(chart["bars"]) == len(chart["table"]) >= 2
            result = run_axe(page, {"runOnly": ["link-name", "nested-interactive",
                                                "aria-allowed-attr"],
                                    "resultTypes": ["passes", "violations"]})
            assert result["violations"] == []
            assert any("#option-" in n["html"] for r in result["passes"] for n in r["nodes"])
        assert charts >= 3
        recorder.check_clean()


@pytest.mark.parametrize("kind", ["home", "survey", "question", "owner", "changes", "compare",
                                  "downloads"])
def test_tables_have_header_cells_with_scope(browser, server: SiteServer, pages, kind) -> None:
    with session(browser, server) as recorder:
        page = recorder.open(pages[kind])
        if kind == "compare":
            page.locator("#csr-compare-result table").wait_for(state="visible")
        tables = page.evaluate(TABLE_HEADERS)
        assert tables, f"no table on the {kind} page"
        for table in tables:
            assert table["headers"] and table["rows"], table
            assert table["withoutScope"] == [], table
            assert set(table["headRowScopes"]) == {"col"}, table
            assert set(table["bodyHeaderScopes"]) <= {"row"}, table
        result = run_axe(page, {"runOnly": ["scope-attr-valid", "th-has-data-cells",
                                            "td-headers-attr", "table-duplicate-name"]})
        assert result["violations"] == []
        recorder.check_clean()


FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, label: e.getAttribute('aria-label') || e.textContent.trim(),
          inDrawer: !!e.closest('.md-sidebar--primary'),
          visible: e.getBoundingClientRect().right > 0 &&
                   getComputedStyle(e).visibility !== 'hidden'}; }"""
DRAWER_OPEN = "() => document.getElementById('__drawer').checked"


def test_the_menu_button_works_from_the_keyboard_on_a_phone(browser, server: SiteServer,
                                                           pages) -> None:
    """At 375 px the navigation is behind ☰: Tab must reach it (and no link of the closed
    drawer), Enter and Space open the drawer with the focus inside, Escape closes it."""
    with session(browser, server, viewport={"width": 375, "height": 800}) as recorder:
        page = recorder.open(pages["survey"])
        seen = []
        for _ in range(4):
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUSED))
        assert not [f for f in seen if f["inDrawer"]], seen  # the closed drawer is skipped
        assert all(f["visible"] for f in seen), seen
        assert [f["label"] for f in seen][:2] == ["Skip to content", "Navigation"], seen
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUSED)["label"] == "Navigation"
        menu = page.locator('.md-header__button[for="__drawer"]')
        assert menu.get_attribute("aria-expanded") == "false"
        for key in ("Enter", "Space"):
            page.keyboard.press(key)
            assert page.evaluate(DRAWER_OPEN), key
            assert menu.get_attribute("aria-expanded") == "true"
            # the focus moves into the drawer, which slides in (0.25 s)
            page.wait_for_function(f"() => {{ const f = ({FOCUSED})(); "
                                   "return f.inDrawer && f.visible; }", timeout=3000)
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED)["inDrawer"]  # Tab moves through its links
            page.keyboard.press("Escape")
            assert not page.evaluate(DRAWER_OPEN), key
            assert page.evaluate(FOCUSED)["label"] == "Navigation"
        recorder.check_clean()
