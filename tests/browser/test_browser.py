"""End-to-end: the built site in Debian's Chromium (Playwright), served on 127.0.0.1.

Each module builds its sites once (the small demo dataset, with histories, and a site
built from hostile text); every test opens its own browser context, which records
console errors, failed requests, dialogs and every request (all must go to the test
server). Screenshots go to artifacts/screenshots/ (see README, "Browser tests").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from browser_support import HOST, SiteServer, build_demo_site, screenshot, serve, session
from builder.core.text import clean_for_display
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import build_site
from conftest import Project, make_project
from hostile_data import OWNERS, SURVEY_TITLE, hostile_export, write_hostile_export

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}

# Focusable things whose focus must be visible: links, buttons, summaries, text fields.
FOCUS_STYLE = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), type: e.type || '', cls: e.className,
          text: (e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 60),
          visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.opacity !== '0',
          focusVisible: e.matches(':focus-visible'), outlineStyle: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth) || 0, outlineColor: s.outlineColor};
}"""

# Elements inside the page content that stick out to the right of the viewport, unless a
# scrolling box (the theme's table wrapper) holds them.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 0.5) continue;
    let p = el.parentElement, scrolls = false;
    for (; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') { scrolls = true; break; }
    }
    if (!scrolls) out.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' +
                           Math.round(r.right));
  }
  return out;
}"""


# --- fixtures -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_demo_site(tmp_path_factory.mktemp("browser-demo"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("browser-hostile")
    project = make_project(root / "project")
    import_source(str(write_hostile_export(root / "hostile.json")), project.data,
                  LoadOptions(), observed_at="2026-01-01T00:00:00Z")
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


@pytest.fixture(scope="module")
def server(demo: Project):
    with serve(demo.site) as running:
        yield running


@pytest.fixture(scope="module")
def hostile_server(hostile: Project):
    with serve(hostile.site) as running:
        yield running


@pytest.fixture
def s(browser, server: SiteServer):
    with session(browser, server, accept_downloads=True) as recorder:
        yield recorder
        recorder.check_clean()  # every test: no error, no dialog, no other host


# --- finding pages in the built site --------------------------------------------------

def compare_index(site: Path) -> dict:
    return json.loads((site / "compare" / "data" / "index.json").read_text(encoding="utf-8"))


def history_question(site: Path) -> Path:
    """A question page with a sortable table and an edited answer whose history is a word
    diff: a free text (a changed choice reads "changed from A to B", no chart has one)."""
    for page in sorted(site.glob("surveys/*/*/index.html")):
        html = page.read_text(encoding="utf-8")
        if all(m in html for m in ("data-csr-sortable",
                                   'class="csr-history"', '<div class="csr-diff">',
                                   '<del class="csr-del" title="removed">',
                                   '<ins class="csr-ins" title="added">')):
            return page
    raise AssertionError("the demo site has no question page with an edited answer")


def page_path(site: Path, html: Path) -> str:
    return html.parent.relative_to(site).as_posix() + "/"


def column_texts(page, column: int = 0) -> list[str]:
    return page.eval_on_selector_all(
        "table[data-csr-sortable] tbody tr:not([hidden])",
        f"rows => rows.map(r => r.children[{column}].textContent.trim())")


def assert_sorted(page, texts: list[str], descending: bool = False) -> None:
    """Ordered as a reader expects (the browser's own collation, numbers as numbers)."""
    order = page.evaluate("""([t, desc]) => t.slice(1).every((b, i) => {
        const r = t[i].localeCompare(b, undefined, {sensitivity: 'base', numeric: true});
        return desc ? r >= 0 : r <= 0; })""", [texts, descending])
    assert order, texts


# --- the home page, the network -------------------------------------------------------

def test_home_page_loads_without_errors_and_only_from_the_test_server(s, demo) -> None:
    page = s.open("")
    page.wait_for_load_state("networkidle")
    assert page.title().endswith(" - CA Communications record")
    assert page.locator("h1").inner_text() == "CA answers to Mozilla's CA Communications"
    assert page.locator(".csr-demo").is_visible()  # demo data says so
    surveys = compare_index(demo.site)["surveys"]
    rows = page.locator("article table tbody tr")
    assert rows.count() == len(surveys) == 3
    assert rows.first.locator("a").inner_text() == surveys[0]["title"]  # newest first
    # the stylesheet and scripts really loaded (from the test server, nowhere else)
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header'))"
                         ".position") == "sticky"
    assert any(u.endswith("assets/tables.js") for u in s.requests)
    assert s.offsite == [] and all(s.is_local(u) for u in s.requests)
    screenshot(page, "home")


def test_no_page_requests_another_host(s, demo) -> None:
    index = compare_index(demo.site)
    survey, owners = index["surveys"][0]["id"], [o["id"] for o in index["owners"][:2]]
    question = history_question(demo.site)
    paths = ["", "surveys/", f"surveys/{survey}/", page_path(demo.site, question),
             index["owners"][0]["url"], "owners/", "changes/", "downloads/", "about/",
             f"compare/?survey={survey}&ca={owners[0]}&ca={owners[1]}"]
    for path in paths:
        page = s.open(path)
        page.wait_for_load_state("networkidle")
        page.close()
    assert len(s.requests) > 5 * len(paths)
    hosts = {urlsplit(u).hostname for u in s.requests if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {HOST}, s.offsite
    assert s.offsite == []


def test_the_recorder_catches_what_the_other_tests_rely_on(browser, server) -> None:
    """An outside request (seen, never sent), a dialog, a console error, a 404."""
    with session(browser, server) as recorder:
        page = recorder.open("")
        page.wait_for_load_state("networkidle")
        assert recorder.problems() == {}
        page.evaluate("""async () => {
            await fetch('https://example.invalid/x').catch(() => null);
            await fetch('missing.json').catch(() => null);
            console.error('broken');
            alert('hello'); }""")
        page.wait_for_timeout(100)
        assert recorder.offsite == ["https://example.invalid/x"]
        assert recorder.dialogs == ["alert: hello"]
        assert recorder.http_errors == [f"404 {server.url('missing.json')}"]
        assert any(e.startswith("broken") for e in recorder.console_errors)
        assert set(recorder.problems()) == {"requests to other hosts", "dialogs",
                                            "console errors", "HTTP errors"}


# --- search ---------------------------------------------------------------------------

def test_searching_a_ca_owner_by_name_leads_to_its_page(s, demo) -> None:
    owner = compare_index(demo.site)["owners"][-1]
    page = s.open("")
    page.locator("#csr-search-input").click()
    page.keyboard.type(owner["name"])
    result = page.locator(".csr-search-hit").first  # the owner comes first
    result.wait_for(state="visible", timeout=10_000)
    assert owner["url"] in (result.get_attribute("href") or "")
    assert owner["name"] in result.inner_text()
    screenshot(page, "search", full_page=False)
    result.click()
    page.wait_for_url(re.compile(rf"/{owner['url']}"))
    assert page.locator("h1").inner_text() == owner["name"]


def test_search_marks_the_words_found_even_where_folding_changes_the_text(s, demo) -> None:
    """A title cut with "…" (three characters once folded) still has the query's words
    marked, on the characters as written, whatever case the query is typed in."""
    records = [r for shard in sorted((demo.site / "search" / "d").glob("*.json"))
               for r in json.loads(shard.read_text(encoding="utf-8"))]
    title = next(r[1] for r in records if r[1].endswith("…") and r[1].startswith("Q"))
    words = re.findall(r"[A-Za-z]{5,}", title)[:2]
    page = s.open("")
    page.locator("#csr-search-input").click()
    page.keyboard.type(f"{words[0].upper()} {words[1].lower()}")
    hit = page.locator(".csr-search-hit strong", has_text=title[:-1]).first
    hit.wait_for(state="visible", timeout=10_000)
    assert hit.inner_text() == title
    assert hit.locator("mark").all_inner_texts()[:2] == words
    s.check_clean()


# --- the question page: table, chart, history ----------------------------------------

def test_question_table_sorts_and_filters(s, demo) -> None:
    page = s.open(page_path(demo.site, history_question(demo.site)))
    table = page.locator("table[data-csr-sortable]")
    names = column_texts(page)
    assert len(names) >= 5
    owner_button = table.locator("thead button.csr-sort", has_text="CA owner")
    owner_th = table.locator("thead th").first

    owner_button.click()
    assert owner_th.get_attribute("aria-sort") == "ascending"
    assert column_texts(page) == sorted(names, key=str.casefold)
    owner_button.click()
    assert owner_th.get_attribute("aria-sort") == "descending"
    assert column_texts(page) == sorted(names, key=str.casefold, reverse=True)

    answer_button = table.locator("thead button.csr-sort", has_text="Answer")
    answer_button.click()
    assert owner_th.get_attribute("aria-sort") is None  # one sorted column at a time
    assert table.locator("thead th").nth(1).get_attribute("aria-sort") == "ascending"
    assert_sorted(page, column_texts(page, 1))
    assert sorted(column_texts(page)) == sorted(names)  # rows moved whole

    word = names[0].split()[1]  # "Fictitious Aurora Trust" -> "Aurora"
    expected = [n for n in names if word.casefold() in n.casefold()]
    page.locator(".csr-filter input").fill(word)
    assert sorted(column_texts(page)) == sorted(expected)
    assert page.locator(".csr-filter-status").inner_text().strip() == \
        f"{len(expected)} of {len(names)} rows"
    screenshot(page, "question-filtered", full_page=False)
    page.locator(".csr-filter input").fill("no such text anywhere")
    assert column_texts(page) == []
    page.locator(".csr-filter input").fill("")
    assert sorted(column_texts(page)) == sorted(names)
    assert page.locator(".csr-filter-status").inner_text().strip() == f"all {len(names)} rows"


def test_history_opens_and_shows_the_marked_changes(s, demo) -> None:
    page = s.open(page_path(demo.site, history_question(demo.site)))
    # an answer of the Answers table whose timeline holds a word diff (not the legend)
    details = page.locator("table[data-csr-sortable] details.csr-history").filter(
        has=page.locator(".csr-diff del.csr-del")).filter(
        has=page.locator(".csr-diff ins.csr-ins")).first
    deleted = details.locator(".csr-diff del.csr-del").first
    inserted = details.locator(".csr-diff ins.csr-ins").first
    assert details.get_attribute("open") is None
    assert not deleted.is_visible() and not inserted.is_visible()
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert deleted.is_visible() and inserted.is_visible()
    assert deleted.inner_text().strip() and inserted.inner_text().strip()
    # readable without colour: struck through / underlined, and a legend says which is which
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    legend = details.locator(".csr-legend")
    assert legend.is_visible() and "removed text" in legend.inner_text()
    assert "Version 2" in details.inner_text()
    # the diff leads from the version before to this one: without its <ins> it reads
    # as the earlier version, without its <del> as a different, later text
    old_text, new_text, before = details.evaluate("""d => {
        const diff = [...d.querySelectorAll('ol > li')].find(li => li.querySelector(
            '.csr-diff del.csr-del')), prev = diff.previousElementSibling;
        const without = (box, tag) => { const c = box.cloneNode(true);
            c.querySelectorAll(tag).forEach(e => e.remove()); return c.textContent; };
        const box = diff.querySelector('.csr-diff');
        return [without(box, 'ins'), without(box, 'del'),
                without(prev.querySelector('div'), 'del')];
    }""")
    fold = " ".join
    assert fold(old_text.split()) == fold(before.split())
    assert fold(new_text.split()) != fold(before.split())
    details.scroll_into_view_if_needed()
    path = screenshot(page, "history-diff", full_page=False)
    assert path.exists()


# --- compare --------------------------------------------------------------------------

def test_compare_restores_its_selection_from_the_url(s, demo) -> None:
    index = compare_index(demo.site)
    survey = index["surveys"][1]
    owners = index["owners"][1:3]
    data = json.loads((demo.site / survey["data"]).read_text(encoding="utf-8"))
    page = s.open(f"compare/?survey={survey['id']}&ca={owners[0]['id']}&ca={owners[1]['id']}")
    result = page.locator("#csr-compare-result table")
    result.wait_for(state="visible")
    assert page.locator("#csr-compare-survey").input_value() == survey["id"]
    picked = page.locator(".csr-chip span").all_inner_texts()
    assert picked == [o["name"] for o in owners]
    assert page.locator("#csr-compare-result h2").inner_text() == survey["title"]
    heads = result.locator("thead th").all_inner_texts()
    assert heads == ["Question", owners[0]["name"], owners[1]["name"]]
    paired = {q["comments"] for q in data["questions"] if q["comments"]}  # beside their question
    assert result.locator("tbody tr").count() == len(data["questions"]) - len(paired)
    screenshot(page, "compare")

    # a new pick is written back into the address, ready to share
    third = index["owners"][4]
    page.locator("#csr-compare-find").fill(third["name"])
    page.locator("#csr-compare-matches [role=option]", has_text=third["name"]).click()
    page.wait_for_function("n => document.querySelectorAll("
                           "'#csr-compare-result thead th').length === n", arg=4)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"survey": [survey["id"]],
                     "ca": [owners[0]["id"], owners[1]["id"], third["id"]]}


@pytest.fixture(scope="module")
def states_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Answers of every kind a Compare cell can hold: the golden fixture (an answer left
    blank, one withdrawn), May 2020 (a partial capture without the fictitious owners) and
    November 2017 (no answer captured at all)."""
    import shutil

    from conftest import CCADB, MAY_2020_URL, ROOT

    root = tmp_path_factory.mktemp("browser-states")
    project = make_project(root / "project")
    golden = Path(__file__).resolve().parents[1] / "golden" / "input"
    import_source(str(golden / "v1.json"), project.data, LoadOptions(),
                  observed_at="2099-06-10T08:00:00Z")
    import_source(str(golden / "v2.json"), project.data, LoadOptions(),
                  observed_at="2099-07-02T08:00:00Z")
    import_source(str(CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"),
                  project.data, LoadOptions(source_url=MAY_2020_URL), partial=True,
                  observed_at="2099-07-03T08:00:00Z")
    november = next((ROOT / "data" / "surveys").glob("november-2017-*"))
    shutil.copytree(november, project.data / "surveys" / november.name)
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


def test_every_owner_page_links_compare_with_that_owner_chosen(s, demo) -> None:
    index = compare_index(demo.site)
    owner, other = index["owners"][0], index["owners"][1]
    page = s.open(owner["url"])
    page.get_by_role("link", name="Compare these answers with those of other CA owners").click()
    page.locator(".csr-chip span").first.wait_for()
    assert page.locator(".csr-chip span").all_inner_texts() == [owner["name"]]
    assert page.locator("#csr-compare-error").is_hidden()
    assert page.locator("#csr-compare-status").inner_text() == "Add at least one more CA owner."
    assert parse_qs(urlsplit(page.url).query) == {"ca": [owner["id"]]}
    # every owner page's link carries the id Compare knows that owner by
    for o in index["owners"]:
        html = (demo.site / o["url"] / "index.html").read_text(encoding="utf-8")
        assert f'href="../../compare/?ca={o["id"]}"' in html, o["url"]
    # the name of an owner's page (owners/NAME/) is understood too, and the address
    # rewritten to the ids the site's links use
    names = [o["url"].split("/")[1] for o in (owner, other)]
    assert names[0] != owner["id"]
    page = s.open(f"compare/?ca={names[0]}&ca={names[1]}")
    page.locator("#csr-compare-result table").first.wait_for(state="visible")
    assert page.locator(".csr-chip span").all_inner_texts() == [owner["name"], other["name"]]
    assert page.locator("#csr-compare-error").is_hidden()
    assert parse_qs(urlsplit(page.url).query) == {"ca": [owner["id"], other["id"]]}


def _compared(page) -> dict[str, list[str]]:
    """Row by row: the question id, then each CA owner's cell as shown."""
    page.locator("#csr-compare-result table").wait_for(state="visible")
    rows = page.eval_on_selector_all("#csr-compare-result tbody tr", """rows => rows.map(r =>
        [...r.children].map(c => c.querySelector('a') && c.tagName === 'TH'
            ? c.querySelector('a').textContent : c.textContent.trim()))""")
    return {row[0]: row[1:] for row in rows}


def _folded(page, summary: str) -> dict[str, list[str]]:
    """The one survey shown has its rows folded under `summary`: hidden until it is
    opened; then its rows (_compared)."""
    folded = page.locator("#csr-compare-result details.csr-folded")
    folded.wait_for(state="attached")
    assert folded.count() == 1
    assert folded.locator("summary").inner_text() == summary
    assert folded.locator("table").is_hidden()
    folded.locator("summary").click()
    return _compared(page)


def test_compare_can_show_only_the_questions_whose_answers_differ(browser, states_site
                                                                  ) -> None:
    index = compare_index(states_site.site)
    ids = {o["name"]: o["id"] for o in index["owners"]}
    golden = next(s["id"] for s in index["surveys"] if s["title"].startswith("June 2099"))
    may = next(s["id"] for s in index["surveys"] if s["title"].startswith("May 2020"))
    alpha, beta = ids["Fictitious Alpha CA"], ids["Fictitious Beta Trust"]
    with serve(states_site.site) as server, session(browser, server) as s:
        page = s.open(f"compare/?survey={golden}&ca={alpha}&ca={beta}&differ=1")
        assert list(_compared(page)) == ["Q099001"]  # of Q099001, Q099003, Q099004
        box = page.get_by_label("Only the questions whose answers differ")
        assert box.is_checked()
        result = page.locator("#csr-compare-result").inner_text()
        assert "1 of 3 questions have differing answers" in result  # counted over all
        assert page.locator("#csr-compare-status").inner_text().endswith(
            "; only the questions whose answers differ are shown.")
        box.uncheck()
        page.wait_for_function("() => document.querySelectorAll("
                               "'#csr-compare-result tbody tr').length === 3")
        assert "differ" not in parse_qs(urlsplit(page.url).query)
        box.check()  # the choice goes into the address, to be shared
        page.wait_for_function("() => document.querySelectorAll("
                               "'#csr-compare-result tbody tr').length === 1")
        assert parse_qs(urlsplit(page.url).query)["differ"] == ["1"]
        # nothing differs: the survey keeps its heading and verdict, and no empty table
        page = s.open(f"compare/?survey={may}&ca={alpha}&ca={beta}&differ=1")
        page.locator("#csr-compare-result p.csr-verdict").wait_for()
        assert page.locator("#csr-compare-result table").count() == 0
        s.check_clean()


def test_compare_names_what_is_not_an_answer_and_counts_only_answers(browser, states_site
                                                                      ) -> None:
    index = compare_index(states_site.site)
    ids = {o["name"]: o["id"] for o in index["owners"]}
    surveys = {s["title"]: s["id"] for s in index["surveys"]}
    golden = surveys["June 2099 CA Communication (golden fixture, fictitious)"]
    alpha, beta, gamma = (ids[f"Fictitious {n}"] for n in ("Alpha CA", "Beta Trust",
                                                            "Gamma PKI"))
    with serve(states_site.site) as server, session(browser, server) as s:
        # An id in the address that matches no CA owner is an error, not an empty column.
        page = s.open(f"compare/?survey={golden}&ca={alpha}&ca=no-such-owner&ca={beta}")
        cells = _compared(page)
        error = page.locator("#csr-compare-error")
        assert error.is_visible() and '"no-such-owner"' in error.inner_text()
        assert "No CA owner has the id" in error.inner_text()
        heads = page.locator("#csr-compare-result thead th").all_inner_texts()
        assert heads == ["Question", "Fictitious Alpha CA", "Fictitious Beta Trust"]
        # the comments (Q099002) stand beside their question; one left blank shows none
        assert "Q099002" not in cells
        assert "Comment: Write to problems@alpha.example or use our web form at " \
            "https://alpha.example/report." in cells["Q099001"][0]
        assert "Comment" not in cells["Q099001"][1]
        result = page.locator("#csr-compare-result").inner_text()
        assert "1 of 3 questions have differing answers" in result  # Q099001 only
        assert page.locator("tr.csr-differs").count() == 1

        page = s.open(f"compare/?survey={golden}&ca={alpha}&ca={gamma}")
        cells = _compared(page)
        assert page.locator("#csr-compare-error").is_hidden()
        assert cells["Q099004"][1] == ("withdrawn: no longer in the export (seen gone: "
                                       "capture date unknown (imported 2099-07-02))")
        differing = page.eval_on_selector_all(
            "tr.csr-differs th a", "links => links.map(a => a.textContent)")
        assert differing == ["Q099001"]  # not Q099004: withdrawn is no answer; comments are
        # shown, not compared
        screenshot(page, "compare-withdrawn")

        may = surveys["May 2020 CA Communication"]
        page = s.open(f"compare/?survey={may}&ca={ids['Actalis']}&ca={alpha}")
        cells = _compared(page)
        assert [c[1] for c in cells.values()] == ["not captured"]  # Q00102: its comments
        assert "partial capture: only the first 3 CA owners of the CCADB's report were " \
            "captured; counts cover only those." in page.locator("#csr-compare-result p")\
            .all_inner_texts()
        result = page.locator("#csr-compare-result").inner_text()
        assert "No question of this survey has captured answers from two or more of these " \
            "CA owners: there is nothing to compare." in result
        assert "differing answers" not in result  # one answer is not compared with anything

        # neither owner has a captured answer in a survey that has answers: no count, and
        # the rows, which would each say only "not captured", folded away
        page = s.open(f"compare/?survey={may}&ca={alpha}&ca={beta}")
        folded = _folded(page, "Show its 1 question (each “not captured” for both of these "
                               "CA owners)")
        assert all(c == ["not captured"] * 2 for c in folded.values()) and len(folded) == 1
        result = page.locator("#csr-compare-result").inner_text()
        assert "No answer to this survey has been captured for either of these CA owners: " \
            "there is nothing to compare." in result
        assert "differing answers" not in result

        november = surveys["November 2017 CA Communication"]
        page = s.open(f"compare/?survey={november}&ca={alpha}&ca={beta}&ca={gamma}")
        cells = _folded(page, "Show its 8 questions (each “not captured” for all of these CA "
                              "owners)")
        assert len(cells) == 8 and all(c == ["not captured"] * 3 for c in cells.values())
        text = page.locator("#csr-compare-result").inner_text()
        assert "No answers to this survey have been captured." in text
        assert "differing answers" not in text  # not "0 of 8": there is nothing to compare
        assert "partial capture" not in text
        assert page.locator("tr.csr-differs").count() == 0

        page = s.open(f"compare/?survey=no-such-survey&ca={alpha}&ca={beta}")
        page.locator("#csr-compare-error").wait_for(state="visible")
        assert 'No survey has the id "no-such-survey"; all surveys are shown.' in \
            page.locator("#csr-compare-error").inner_text()
        page.locator("#csr-compare-result section.csr-compared").nth(len(surveys) - 1
                                                                     ).wait_for()
        s.check_clean()


# --- downloads and feeds --------------------------------------------------------------

def test_a_download_link_returns_the_file(s, demo) -> None:
    question = history_question(demo.site)
    page = s.open(page_path(demo.site, question))
    link = page.get_by_role("link", name="CSV", exact=True)
    href = link.get_attribute("href")
    assert href and href.endswith(".csv")
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    on_disk = (question.parent / href).resolve()
    assert on_disk.is_file()
    got = Path(download.path()).read_bytes()
    assert got == on_disk.read_bytes()
    assert got.startswith(b"survey,survey_id,question_id,")
    assert download.suggested_filename == on_disk.name


def test_the_atom_feed_link_returns_the_feed(s) -> None:
    page = s.open("")
    with page.expect_navigation() as waiting:
        page.get_by_role("link", name="Atom feed").click()
    response = waiting.value
    assert response.ok and urlsplit(page.url).path == "/feeds/all.xml"
    body = response.body()
    assert body.startswith(b"<?xml") and b'<feed xmlns="http://www.w3.org/2005/Atom">' in body


# --- hostile data ---------------------------------------------------------------------

def test_hostile_data_is_shown_as_text_and_opens_no_dialog(browser, hostile,
                                                           hostile_server) -> None:
    site = hostile.site
    index = compare_index(site)
    questions = sorted(site.glob("surveys/*/q*/index.html"))
    assert len(questions) == 7
    survey = questions[0].parent.parent.name
    owners = "&".join(f"ca={o['id']}" for o in index["owners"])
    paths = (["", "owners/", f"surveys/{survey}/", "changes/", f"compare/?survey={survey}&"
              + owners] + [page_path(site, q) for q in questions]
             # three owner pages: the same template for all, with these names in it
             + [o["url"] for o in index["owners"]
                if o["name"] in (OWNERS[0], OWNERS[8], OWNERS[11])])
    assert len(paths) == 5 + len(questions) + 3
    texts = []
    with session(browser, hostile_server) as recorder:
        page = recorder.new_page()
        for path in paths:
            recorder.open(path, page)
            if path.startswith("compare/"):
                page.locator("#csr-compare-result table").wait_for(state="visible")
            for history in page.locator("details.csr-history summary").all():
                history.click()
            texts.append(page.locator("article").inner_text())
            # nothing from the data became an element, even after the scripts ran
            injected = page.evaluate("""() => [...document.querySelectorAll(
                'article script, article iframe, article img, article style, article base,'
                + ' article meta, article object, article embed,'
                + ' article form:not([data-csr-change-filter]),'
                + ' article svg:not(.csr-chart), article [onerror], article [onload],'
                + ' article [onclick], article a[href^="javascript:" i]')]
                .map(e => e.outerHTML.slice(0, 80))""")
            assert injected == [], (path, injected)
            if path == page_path(site, questions[0]):
                screenshot(page, "hostile-question")
        # the search shows result snippets too
        page.locator("#csr-search-input").click()
        page.keyboard.type("alert")
        page.locator(".csr-search-hit").first.wait_for(state="visible")
        page.wait_for_timeout(300)
        screenshot(page, "hostile-search", full_page=False)
        assert recorder.dialogs == []
        recorder.check_clean()
    shown = " ".join(" ".join(t.split()) for t in texts)
    values = {str(row[key]) for row in hostile_export()
              for key in ("survey", "question_text", "ca_owner", "response")}
    assert len(values) > 20 and set(OWNERS) <= values and SURVEY_TITLE in values
    for value in sorted(values):  # every payload that reached a page, shown as text
        assert " ".join(clean_for_display(value).split()) in shown, value
    assert " 49 " not in f" {shown} "  # no template ran


# --- phone width ----------------------------------------------------------------------

def test_phone_width_has_no_horizontal_overflow_and_the_nav_is_reachable(browser, server,
                                                                         demo) -> None:
    index = compare_index(demo.site)
    survey, owners = index["surveys"][0]["id"], [o["id"] for o in index["owners"][:3]]
    paths = ["", f"surveys/{survey}/", page_path(demo.site, history_question(demo.site)),
             index["owners"][0]["url"], "changes/", "downloads/",
             f"compare/?survey={survey}&ca={owners[0]}&ca={owners[1]}&ca={owners[2]}"]
    with session(browser, server, **PHONE) as recorder:
        page = recorder.new_page()
        for path in paths:
            recorder.open(path, page)
            if path.startswith("compare/"):
                page.locator("#csr-compare-result table").wait_for(state="visible")
            width = page.evaluate("[document.documentElement.scrollWidth, "
                                  "document.body.scrollWidth, window.innerWidth]")
            assert width == [375, 375, 375], (path, width)
            assert page.evaluate(OVERFLOWING) == [], path
            if path == page_path(demo.site, history_question(demo.site)):
                screenshot(page, "phone-question", full_page=False)
        # the navigation: tabs are hidden at this width; the menu button opens it
        recorder.open("", page)
        assert not page.locator(".md-tabs").is_visible()
        page.locator('label.md-header__button[for="__drawer"]').click()
        link = page.locator(".md-nav--primary").get_by_role("link", name="CA owners",
                                                            exact=True)
        link.wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('.md-sidebar--primary')"
                               ".getBoundingClientRect().left >= 0")  # slid in
        page.wait_for_timeout(300)  # the theme's transition (.25s) has ended
        screenshot(page, "phone-menu", full_page=False)
        link.click()
        page.wait_for_url(re.compile(r"/owners/$"))
        assert page.locator("h1").inner_text().strip()
        recorder.check_clean()


# --- keyboard -------------------------------------------------------------------------

def test_keyboard_alone_reaches_and_uses_the_table_and_shows_focus(s, demo) -> None:
    page = s.open(page_path(demo.site, history_question(demo.site)))
    names = column_texts(page)
    seen = []

    def tab_to(predicate, limit: int = 80) -> dict:
        for _ in range(limit):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_STYLE)
            seen.append(focus)
            if predicate(focus):
                return focus
        raise AssertionError(f"not reached with Tab: {[f['text'] for f in seen]}")

    first = tab_to(lambda f: True)
    assert first["text"] == "Skip to content"
    tab_to(lambda f: f["tag"] == "a" and f["text"] == "CA owners")  # the top navigation
    field = tab_to(lambda f: f["tag"] == "input" and f["type"] == "search"
                   and "md-search" not in f["cls"])
    assert field["visible"]
    page.keyboard.type(names[-1])
    assert column_texts(page) == [names[-1]]
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    assert sorted(column_texts(page)) == sorted(names)

    button = tab_to(lambda f: f["tag"] == "button")
    assert button["text"] == "CA owner" and "csr-sort" in button["cls"]
    page.keyboard.press("Enter")
    assert column_texts(page) == sorted(names, key=str.casefold)
    page.keyboard.press("Enter")
    assert column_texts(page) == sorted(names, key=str.casefold, reverse=True)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # a button works with Space too: "Answer", ascending
    assert page.locator("table[data-csr-sortable] thead th").nth(1).get_attribute(
        "aria-sort") == "ascending"
    screenshot(page, "keyboard-sort-focus", full_page=False)

    summary = tab_to(lambda f: f["tag"] == "summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open") is True

    interactive = [f for f in seen if f["visible"] and (
        f["tag"] in ("a", "button", "summary") or f["type"] == "search")]
    assert len(interactive) >= 15
    for focus in interactive:
        assert focus["focusVisible"], focus
        assert focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2, focus
    assert summary["outlineWidth"] >= 2


CHART_LABELS = """() => [...document.querySelectorAll('svg.csr-chart')].map(svg => {
  const s = svg.getBoundingClientRect(), k = s.width / svg.viewBox.baseVal.width;
  return {wide: !!svg.closest('.csr-wide'), scrolls: svg.closest('figure').scrollWidth >
            svg.closest('figure').clientWidth + 1,
          labels: [...svg.querySelectorAll('a')].map(a => ({
            name: a.textContent, lines: a.querySelectorAll('tspan').length,
            px: 15 * k, right: Math.max(...[...a.querySelectorAll('tspan')].map(t =>
              t.getBoundingClientRect().right)) - s.right}))}; })"""


@pytest.fixture(scope="module")
def may_2020_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The bundled record's May 2020 survey alone: real questions, options and answers."""
    import shutil

    from conftest import ROOT

    project = make_project(tmp_path_factory.mktemp("browser-may-2020") / "project")
    may = next((ROOT / "data" / "surveys").glob("may-2020-*"))
    shutil.copytree(may, project.data / "surveys" / may.name)
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


@pytest.mark.parametrize("width", [1280, 375])
def test_a_long_option_label_wraps_and_the_chart_fits_a_phone(browser, may_2020_site,
                                                              width: int) -> None:
    """May 2020's Q00101 has one option of 70 characters (the CCADB's options are
    sentences). Its label takes two lines above its bar, letters at least 12 px, nothing
    cut off, and the chart no longer scrolls sideways on a phone (it did: one line was
    wider than the screen at 12 px); the link's name is still the label as written."""
    options = PHONE if width == 375 else {"viewport": {"width": width, "height": 900}}
    site = may_2020_site.site
    page_path = next(site.glob("surveys/may-2020-*/q00101/index.html"))
    with serve(site) as server, session(browser, server, **options) as s:
        page = s.open(page_path.parent.relative_to(site).as_posix() + "/")
        (chart,) = page.evaluate(CHART_LABELS)
        assert not chart["wide"] and not chart["scrolls"], chart
        (label,) = chart["labels"]
        assert label["lines"] == 2 and label["px"] >= 12 and label["right"] <= 1, chart
        table = page.locator("figure + * table, figure ~ table").first
        assert label["name"].startswith("3 · Our responses to the January 2020 CA "
                                        "Communication"), label
        # the label as written, shortened as before (the table gives it whole)
        assert label["name"].partition(" · ")[2].removesuffix("…") in table.inner_text()
        # the lines are underlined, not the space between them (it ended the first line)
        assert page.evaluate("""() => {
          const a = document.querySelector('svg.csr-chart a');
          return [getComputedStyle(a).textDecorationLine,
                  ...[...a.querySelectorAll('tspan')].map(t =>
                    getComputedStyle(t).textDecorationLine + '|' + t.textContent.endsWith(' '))];
        }""") == ["none", "underline|false", "underline|false"]
        screenshot(page, f"chart-long-label-{width}", full_page=False)
        s.check_clean()
