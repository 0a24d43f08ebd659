"""What a reader sees of the question, survey and CA owner views (issue #17), in Chromium.

The expected values come from the store the site was built from, never from the page
under test: an option's section must list exactly the CA owners whose answer holds it,
the matrix a row per CA owner with an answer, the owner page its newest survey open.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import build_demo_site, screenshot, serve, session
from builder.core.model import CHOICE_TYPES, MULTI, Store, is_blank
from builder.publish.paths import (
    owner_page,
    question_page,
    survey_page,
    surveys_newest_first,
    url_of,
)
from builder.store.records import load_store
from conftest import Project


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-views")


@pytest.fixture(scope="module")
def demo(root: Path) -> Project:
    return build_demo_site(root)


@pytest.fixture(scope="module")
def store(demo: Project, root: Path) -> Store:
    return load_store(root / "demo")  # where build_demo_site wrote it


@pytest.fixture
def s(browser, demo: Project):
    with serve(demo.site) as server, session(browser, server) as recorder:
        yield recorder
        recorder.check_clean()


def names_of(store: Store, keys: set[str]) -> list[str]:
    names = {a.owner_key: a.owner_name for d in store.surveys.values()
             for a in d.answers.values()}
    return sorted(names[k] for k in keys)


def a_choice_question(store: Store):
    """A choice question with answers from several CA owners and at least two options."""
    for data in sorted(store.surveys.values(), key=lambda d: d.survey.key):
        for q in data.sorted_questions():
            answers = [a for a in data.answers.values()
                       if a.question_id == q.id and not is_blank(a.values)]
            if q.type in CHOICE_TYPES and len(answers) >= 3 and len(
                    {v for a in answers for v in a.values}) >= 2:
                return data, q, answers
    raise AssertionError("the demo has no choice question with answers")


def test_clicking_an_option_shows_exactly_the_ca_owners_who_chose_it(s, store) -> None:
    data, q, answers = a_choice_question(store)
    page = s.open(url_of(question_page(data.survey.key, q.id)))
    bars = page.locator("svg.csr-chart a")
    assert bars.count() >= 2
    for number in range(bars.count()):
        bars.nth(number).click()
        section = page.locator(".csr-option:target")
        section.wait_for(state="visible")
        label = section.locator("h3").inner_text().strip()
        expected = names_of(store, {a.owner_key for a in answers if label in a.values})
        shown = sorted(section.locator("li").all_inner_texts())
        assert shown == expected, label
        # in view, and told apart from the other sections (its left border is coloured)
        box = section.bounding_box()
        assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
        border = section.evaluate("e => getComputedStyle(e).borderLeftColor")
        other = page.locator(".csr-option:not(:target)").first
        assert border != other.evaluate("e => getComputedStyle(e).borderLeftColor")
    screenshot(page, "question-option-chosen", full_page=False)
    if q.type == MULTI:  # a CA owner choosing two options is in both sections
        assert sum(len(a.values) for a in answers) == page.locator(".csr-option li").count()


def test_the_survey_matrix_has_a_row_per_owner_and_a_legend(s, store) -> None:
    data, q, answers = a_choice_question(store)
    page = s.open(url_of(survey_page(data.survey.key)))
    matrix = page.locator("table[data-csr-matrix]")
    owners = {a.owner_key for a in data.answers.values()}
    rows = matrix.locator("tbody tr")
    assert rows.count() == len(owners)
    assert sorted(rows.locator("th").all_inner_texts()) == names_of(store, owners)
    choice = [x for x in data.sorted_questions() if x.type in CHOICE_TYPES]
    heads = [t.strip() for t in matrix.locator("thead th").all_inner_texts()]
    assert heads[1:1 + len(choice)] == [x.id for x in choice]
    legend = page.locator(".csr-legend-matrix dt")
    assert legend.count() == len(choice)
    # the code in a CA owner's cell stands, in the legend, for the option it chose
    column = [x.id for x in choice].index(q.id)
    entry = page.locator(".csr-legend-matrix dd").nth(column).inner_text()
    legend_of = dict(line.split(" ", 1) for line in entry.splitlines() if line.strip())
    for answer in answers:
        row = rows.filter(has=page.get_by_role("link", name=answer.owner_name, exact=True))
        codes = row.locator("td").nth(column).inner_text().split()
        assert sorted(legend_of[c] for c in codes) == sorted(answer.values), answer.owner_name
    # sortable with the table script: the owner column sorts both ways
    page.locator("table[data-csr-matrix] thead button.csr-sort", has_text="CA owner").click()
    page.locator("table[data-csr-matrix] thead button.csr-sort", has_text="CA owner").click()
    assert rows.locator("th").all_inner_texts() == sorted(names_of(store, owners),
                                                         key=str.casefold, reverse=True)
    screenshot(page, "survey-matrix", full_page=False)


def test_on_a_phone_the_matrix_scrolls_but_its_filter_box_stays_in_view(browser, demo,
                                                                       store) -> None:
    """The matrix is wider than a phone and scrolls sideways in the theme's wrapper; the
    filter box above it once sat inside that wrapper, its field cut off at the edge."""
    data, _, _ = a_choice_question(store)
    with serve(demo.site) as server, session(browser, server,
                                             viewport={"width": 375, "height": 800}) as phone:
        page = phone.open(url_of(survey_page(data.survey.key)))
        field = page.locator(".csr-filter input").first
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert field.evaluate("e => e.closest('.md-typeset__scrollwrap') === null")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        phone.check_clean()


def test_the_owner_page_starts_with_its_summary_and_the_newest_survey_open(s, store) -> None:
    owner = max(sorted({a.owner_key for d in store.surveys.values()
                        for a in d.answers.values()}),
                key=lambda k: sum(1 for d in store.surveys.values()
                                  if any(a.owner_key == k for a in d.answers.values())))
    page = s.open(url_of(owner_page(owner)))
    headings = [h.strip() for h in page.locator(".md-content h2").all_inner_texts()]
    assert headings[0] == "Summary"
    answered = [d for d in store.surveys.values()
                if any(a.owner_key == owner for a in d.answers.values())]
    facts = page.locator(".csr-summary").inner_text()
    assert f"Surveys answered\n{len(answered)} of {len(store.surveys)} surveys" in facts
    folds = page.locator("details.csr-survey")
    assert folds.count() == len(answered) >= 2
    assert folds.first.get_attribute("open") is not None
    assert all(folds.nth(i).get_attribute("open") is None for i in range(1, folds.count()))
    assert folds.first.locator("table").is_visible()
    assert not folds.nth(1).locator("table").is_visible()
    # the open one is the newest survey: the first survey heading after the summary
    newest = next(d for d in surveys_newest_first(store) if d in answered)
    assert headings[1] == newest.survey.title
    folds.nth(1).locator("summary").click()
    assert folds.nth(1).locator("table").is_visible()
    screenshot(page, "owner-summary", full_page=False)


def test_the_pages_read_without_script(browser, demo: Project, store) -> None:
    """The option sections and the folded surveys are plain HTML: no script needed."""
    data, q, answers = a_choice_question(store)
    with serve(demo.site) as server, session(browser, server,
                                             java_script_enabled=False) as recorder:
        page = recorder.open(url_of(question_page(data.survey.key, q.id)) + "#option-1")
        label = page.locator("#option-1 h3").inner_text().strip()
        shown = sorted(page.locator("#option-1 li").all_inner_texts())
        assert shown == names_of(store, {a.owner_key for a in answers if label in a.values})
        recorder.check_clean()


def test_owner_summary_counts_match_the_store(store, demo: Project) -> None:
    """Without a browser: every owner page's summary counts its answers in the export."""
    for key in sorted({a.owner_key for d in store.surveys.values()
                       for a in d.answers.values()}):
        html = (demo.site / Path(url_of(owner_page(key))) / "index.html").read_text(
            encoding="utf-8")
        mine = [a for d in store.surveys.values() for a in d.answers.values()
                if a.owner_key == key]
        count = sum(1 for a in mine if not is_blank(a.values))
        assert f"{count} answer{'s' if count != 1 else ''} in the export" in html
        blank = len(mine) - count
        if blank:  # a blank answer is named apart, never counted as given
            assert f"and {blank} question{'s' if blank != 1 else ''} left blank" in html
        else:
            assert "left blank)" not in html
