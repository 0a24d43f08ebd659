"""What a person sees of the changes: entries named by question labels and grouped per CA
owner and import, the filter of the Changes page, and a choice answer's history.

The small demo site in Chromium (Playwright), served on 127.0.0.1, as in test_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_support import build_demo_site, screenshot, serve, session
from conftest import Project

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}
ROWS = "table[data-csr-changes] tbody tr"
VISIBLE = ROWS + ":not([hidden])"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_demo_site(tmp_path_factory.mktemp("browser-changes"))


@pytest.fixture(scope="module")
def server(demo: Project):
    with serve(demo.site) as running:
        yield running


@pytest.fixture
def s(browser, server):
    with session(browser, server) as recorder:
        yield recorder
        recorder.check_clean()


def choice_history_question(site: Path) -> Path:
    """A question page where an edited answer's history says 'changed from'."""
    for page in sorted(site.glob("surveys/*/*/index.html")):
        if 'Version 2</strong>: changed from <span class="csr-choice">' in page.read_text(
                encoding="utf-8"):
            return page
    raise AssertionError("the demo site has no choice answer that was changed")


def test_a_change_entry_names_its_questions_and_groups_one_import(s) -> None:
    page = s.open("changes/")
    grouped = page.locator(ROWS).filter(has=page.locator("ul.csr-change-questions")).first
    text = grouped.inner_text()
    count = int(re.search(r"answers to (\d+) questions", text).group(1))
    listed = grouped.locator("ul.csr-change-questions > li > a")
    if count > 3:  # a long list is behind a disclosure that says how many
        summary = grouped.locator("details.csr-change-list > summary")
        assert summary.inner_text().strip() == f"The {count} questions"
        assert not listed.first.is_visible()
        summary.click()
    assert listed.count() == count and listed.first.is_visible()
    labels = listed.all_inner_texts()
    assert all(re.match(r"ACTION \d+", label) for label in labels), labels
    every = " ".join(page.locator(ROWS).all_inner_texts())
    assert "local-" not in every and "question Q9" not in every
    assert "(s)" not in page.locator("article").inner_text()
    # each question's link lands on the CA owner's row of the question page
    href = listed.first.get_attribute("href")
    assert "#ca-" in href
    page.goto(listed.first.evaluate("a => a.href"))
    row = page.locator(f"tr#{href.split('#')[1]}")
    assert row.is_visible()


def test_the_filter_narrows_the_list_by_kind_owner_and_survey(s) -> None:
    page = s.open("changes/")
    form = page.locator("form.csr-change-filter")
    assert form.is_visible()
    for name in ("Survey", "CA owner", "Kind"):  # every control has a visible label
        assert page.get_by_label(name, exact=True).is_visible()
    total = page.locator(ROWS).count()
    assert page.locator(VISIBLE).count() == total
    page.get_by_label("Kind", exact=True).select_option("withdrawn")
    kinds = page.locator(VISIBLE).evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds and set(kinds) == {"withdrawn"} and len(kinds) < total
    assert form.locator("output").inner_text() == (
        f"{len(kinds)} {'entry' if len(kinds) == 1 else 'entries'} of {total} shown")
    assert all("no longer" in t for t in page.locator(VISIBLE).all_inner_texts())
    page.get_by_label("Kind", exact=True).select_option("")
    name = page.locator(ROWS).first.locator("a[href*='owners/']").first.inner_text()
    page.get_by_label("CA owner", exact=True).fill(name[3:12].lower())
    shown = page.locator(VISIBLE).all_inner_texts()
    assert shown and len(shown) < total and all(name[3:12] in t for t in shown)
    page.get_by_label("CA owner", exact=True).fill("")
    survey = page.get_by_label("Survey", exact=True)
    title = survey.locator("option").nth(1).inner_text()
    survey.select_option(label=title)
    shown = page.locator(VISIBLE).all_inner_texts()
    assert shown and all(title in t for t in shown)
    assert page.locator(VISIBLE).count() < total
    screenshot(page, "changes-filtered", full_page=False)


def test_without_the_script_the_filter_is_hidden_and_every_entry_listed(browser,
                                                                        server) -> None:
    with session(browser, server, java_script_enabled=False) as s:
        page = s.open("changes/")
        assert not page.locator("form.csr-change-filter").is_visible()
        assert page.locator(VISIBLE).count() == page.locator(ROWS).count() > 0


def test_a_changed_choice_reads_changed_from_a_to_b(s, demo) -> None:
    html = choice_history_question(demo.site)
    page = s.open(html.parent.relative_to(demo.site).as_posix() + "/")
    details = page.locator("details.csr-history").filter(
        has=page.locator("li", has_text="changed from")).first
    item = details.locator("ol > li").filter(has_text="changed from").first
    assert not item.is_visible()
    details.locator("summary").click()
    assert item.is_visible()
    text = item.inner_text()
    assert re.match(r"Version \d+: changed from “.+” to “.+” \((captured|capture date) ", text), \
        text
    assert item.locator(".csr-diff").count() == 0  # no word diff of two option labels
    choices = item.locator(".csr-choice").all_inner_texts()
    assert len(choices) >= 2 and choices[0] != choices[-1]
    details.scroll_into_view_if_needed()
    screenshot(page, "history-choice", full_page=False)


def test_changes_and_a_history_at_phone_width(browser, server, demo) -> None:
    html = choice_history_question(demo.site)
    with session(browser, server, **PHONE) as s:
        page = s.open("changes/")
        assert page.locator("form.csr-change-filter").is_visible()
        width = page.evaluate("() => document.documentElement.clientWidth")
        boxes = page.locator("form.csr-change-filter > span").evaluate_all(
            "ls => ls.map(l => l.getBoundingClientRect().right)")
        assert boxes and max(boxes) <= width + 0.5  # the controls wrap, none off-screen
        screenshot(page, "changes-375", full_page=False)
        page = s.open(html.parent.relative_to(demo.site).as_posix() + "/")
        details = page.locator("details.csr-history").filter(has_text="changed from").first
        details.locator("summary").click()
        details.scroll_into_view_if_needed()
        screenshot(page, "history-choice-375", full_page=False)
        s.check_clean()



DATE_LINES = r"""() => [...document.querySelectorAll(
  'table[data-csr-changes] tbody td:first-child')]
  .slice(0, 40).map(td => {
    const text = td.firstChild, m = /\d{4}-\d{2}-\d{2}/.exec(td.textContent);
    if (!text || !m) return [td.textContent, -1];
    const range = document.createRange();
    range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return [td.textContent, tops.size]; })"""
REPORT = Path(__file__).resolve().parents[1] / "fixtures" / "ccadb" / \
    "CACommResponsesOnlyReport-april-2017-Q00028.html"


@pytest.fixture(scope="module")
def undated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A real CCADB report imported from a file of unknown capture date: its Changes
    entries read "imported DATE, capture date unknown", the longest date there is."""
    from click.testing import CliRunner

    from builder.cli import main
    from builder.publish.build import build_site
    from conftest import make_project

    root = tmp_path_factory.mktemp("undated")
    result = CliRunner().invoke(main, ["import", str(REPORT), "--data", str(root / "data"),
                                       "--observed-at", "2026-12-01T00:00:00Z",
                                       "--question-ids", "Q00028"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    project = make_project(root / "project")
    build_site(root / "data", docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


@pytest.mark.parametrize("width", [1280, 375])
def test_a_change_date_stays_on_one_line(browser, undated, width) -> None:
    """"imported 2026-12-01, capture date unknown" broke inside the date at 1280 px."""
    survey = sorted(undated.site.glob("surveys/*/changes/index.html"))[0]
    with serve(undated.site) as server, \
            session(browser, server, viewport={"width": width, "height": 900}) as recorder:
        for path in ("changes/", survey.parent.relative_to(undated.site).as_posix() + "/"):
            page = recorder.open(path)
            lines = page.evaluate(DATE_LINES)
            assert lines and all(text.startswith("imported 2026-12-01") for text, _ in lines)
            assert all(n == 1 for _, n in lines), [x for x in lines if x[1] != 1][:3]
        recorder.check_clean()
