"""The site's search (builder/publish/search, docs/assets/search.js): a real build of the
small demo, then Chromium: names first, a phrase lands on its answer's row, only a few
index files per query, nothing asked of another host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser_support import build_demo_site, serve, session
from builder.publish.search.index import FOLDER, runs, terms
from builder.store.records import load_store
from conftest import Project

INDEX_FILE = re.compile(r"^search/(meta\.json|t/[0-9a-f]+\.json|p/[0-9]+\.json|d/[0-9]+\.json)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_demo_site(tmp_path_factory.mktemp("search-demo"))


def ask(recorder, query: str, path: str = ""):  # type: ignore[no-untyped-def]
    page = recorder.open(path)
    page.locator("#csr-search-input").fill(query)
    page.locator("#csr-search-input").press("Enter")
    page.wait_for_function("document.querySelector('.csr-search-status').textContent")
    return page


def test_runs_encode_consecutive_ids_and_terms_fold_case_and_accents() -> None:
    assert runs([]) == []
    assert runs([0, 1, 2, 7, 9, 10]) == [0, 3, 4, 1, 1, 2]
    assert terms("Ünïcode CA, the CP/CPS 4.9.3") == ("unicode", "ca", "cp", "cps", "4", "9", "3")


def test_the_index_is_static_files_named_by_the_builder(demo: Project) -> None:
    files = sorted(p.relative_to(demo.site).as_posix()
                   for p in (demo.site / FOLDER).rglob("*") if p.is_file())
    assert files and all(INDEX_FILE.match(f) for f in files), files
    assert not (demo.site / "search" / "search_index.json").exists()  # no theme search
    meta = json.loads((demo.site / FOLDER / "meta.json").read_text("utf-8"))
    store = load_store(demo.root / "demo")
    answers = sum(1 for d in store.surveys.values() for a in d.answers.values()
                  if any(v.strip() for v in a.values))
    assert meta["records"] > answers  # one per answer, plus owners, surveys, questions
    # generated into the work folder before MkDocs ran, which copied it
    assert (demo.docs / FOLDER / "meta.json").read_bytes() == \
        (demo.site / FOLDER / "meta.json").read_bytes()


@pytest.mark.parametrize(("front", "last"), [
    ("search:\n  boost: 0.5\n", True), ("search:\n  boost: 0\n", True),
    ("search:\n  boost: 1\n", False), ("search:\n  boost: 2.5\n", False),
    ("search:\n  boost: '0.5'\n", False), ("search:\n  boost: true\n", False),
    ("search:\n  exclude: true\n", False), ("search: 0.5\n", False), ("", False)])
def test_a_page_is_listed_last_when_its_front_matter_boost_is_below_one(
        front: str, last: bool) -> None:
    from builder.publish.search.records import listed_last

    assert listed_last(f"---\ntitle: A page\n{front}---\n\n# A page\n".encode()) is last


def test_the_pages_listed_last_come_after_every_answer_others_before_the_surveys(
        demo: Project) -> None:
    """The developers' pages (docs/architecture.md, docs/performance.md give a boost
    below 1): a search for "SHA-1" listed three of their sections before the SHA-1
    questions. In the built index, record order is result order."""
    records = [r for path in sorted((demo.site / FOLDER / "d").iterdir(),
                                    key=lambda p: int(p.stem))
               for r in json.loads(path.read_text("utf-8"))]
    kinds = json.loads((demo.site / FOLDER / "meta.json").read_text("utf-8"))["kinds"]
    where = [(kinds[r[0]], r[3].split("/")[0].split("#")[0]) for r in records]
    last_answer = max(n for n, (kind, _) in enumerate(where) if kind == "answer")
    first_survey = min(n for n, (kind, _) in enumerate(where) if kind == "survey")
    for n, (kind, top) in enumerate(where):
        if top in ("architecture", "performance"):
            assert kind == "page" and n > last_answer, (n, top)
        elif kind == "page":
            assert n < first_survey, (n, top)
    assert {"architecture", "performance", "about"} <= {top for kind, top in where
                                                        if kind == "page"}


def test_a_name_query_lists_the_owner_first(browser, demo: Project) -> None:
    with serve(demo.site) as server, session(browser, server) as recorder:
        page = ask(recorder, "Fictitious Aurora Trust", "surveys/")
        first = page.locator(".csr-search-hit").first
        assert "/owners/fictitious-aurora-trust-" in (first.get_attribute("href") or "")
        assert first.locator("strong").inner_text() == "Fictitious Aurora Trust"
        assert "CA owner" in first.inner_text()
        loaded = [u for u in recorder.requests if "/search/" in u]
        assert len(loaded) <= 10, loaded  # meta, a shard per word, the records shown
        recorder.check_clean()


def test_enter_after_typing_draws_the_results_once(browser, demo: Project) -> None:
    """Typed, then Enter at once: the search typing had scheduled does not run after it
    and draw the results again (that took the focus from a result chosen with the arrow
    keys, and two searches at once could list a result twice)."""
    with serve(demo.site) as server, session(browser, server) as recorder:
        page = recorder.new_page()
        page.clock.install()
        page = recorder.open("", page)
        # From here the page's timers wait for the test: the typing's 250 ms included.
        page.clock.pause_at(page.evaluate("Date.now()") + 1000)
        page.locator("#csr-search-input").fill("informed our auditors")
        page.locator("#csr-search-input").press("Enter")
        page.locator(".csr-search-hit").first.wait_for()
        page.locator("#csr-search-input").focus()
        page.keyboard.press("ArrowDown")
        page.evaluate("document.activeElement.dataset.chosen = 'yes'")
        page.clock.run_for(1000)
        page.wait_for_timeout(300)  # anything that timer started (fetches) is done
        assert page.evaluate("document.activeElement.dataset.chosen") == "yes"
        hrefs = page.locator(".csr-search-hit").evaluate_all(
            "hs => hs.map(h => h.getAttribute('href'))")
        assert hrefs and len(hrefs) == len(set(hrefs)), hrefs
        recorder.check_clean()


def test_a_phrase_query_lands_on_the_answers_row(browser, demo: Project) -> None:
    phrase = "informed our auditors"
    with serve(demo.site) as server, session(browser, server) as recorder:
        page = ask(recorder, phrase)
        hit = page.locator(".csr-search-answer").first
        assert phrase in hit.locator(".csr-search-text").inner_text()
        assert hit.locator("mark").first.inner_text().lower() in phrase
        owner = hit.locator("strong").inner_text()
        page.locator("#csr-search-input").focus()
        page.keyboard.press("ArrowDown")  # keyboard: into the results, then follow one
        focused = page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == page.locator(".csr-search-hit").first.get_attribute("href")
        hit.click()
        page.wait_for_url(re.compile(r"/surveys/[^/]+/[^/]+/#ca-"))
        row = page.locator("tr:target")
        assert row.locator("th").inner_text() == owner
        assert phrase in row.inner_text()
        recorder.check_clean()


def test_the_search_box_works_at_a_phone_width(browser, demo: Project) -> None:
    with serve(demo.site) as server, \
            session(browser, server, viewport={"width": 375, "height": 700}) as recorder:
        page = ask(recorder, "Fictitious")
        box = page.locator(".csr-search-panel").bounding_box()
        field = page.locator("#csr-search-input").bounding_box()
        assert box is not None and field is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert field["x"] >= 0 and field["x"] + field["width"] <= 375, field
        recorder.check_clean()


def test_unknown_words_say_so(browser, demo: Project) -> None:
    with serve(demo.site) as server, session(browser, server) as recorder:
        page = ask(recorder, "zzqxj")
        assert page.locator(".csr-search-status").inner_text() == "No results."
        assert page.locator(".csr-search-hit").count() == 0
        recorder.check_clean()


def test_the_index_for_a_store_without_answers_is_still_served(tmp_path: Path) -> None:
    from builder.core.model import Store
    from builder.publish.search import search_files

    files = search_files(Store(), {"about.md": b"# About\n\nThe [record](x.md) of **CAs**."})
    meta = json.loads(files["search/meta.json"])
    assert meta["records"] == 2  # the page, and the CA information index (always made)
    records = json.loads(files["search/d/0.json"])
    assert records[0][1:4] == ["CCADB CA information", "Page", "ca-information/"]
    assert records[1][1:] == ["About", "Page", "about/", "The record of CAs."]


def test_a_handwritten_pages_front_matter_is_not_in_its_result() -> None:
    from builder.publish.search.records import handwritten_records

    page = (b"---\ntitle: The guide\ndescription: Not shown\n---\n\n# The guide\n\n"
            b"Read `owner_names` and *the* [notes](n.md).\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n"
            b"\n```text\nsome -> code\n```\n\nThe end.\n")
    (record,) = handwritten_records({"guide.md": page})
    assert record.title == "The guide"
    assert record.text == "Read owner_names and the notes. a b 1 2 The end."
    assert "code" in record.terms_from  # searched, not shown


def test_a_handwritten_pages_result_shows_its_text(browser, demo: Project) -> None:
    with serve(demo.site) as server, session(browser, server) as recorder:
        page = ask(recorder, "Architecture")
        hit = page.locator(".csr-search-hit", has_text="Page").first
        assert hit.locator("strong").inner_text() == "Architecture"
        text = hit.locator(".csr-search-text").inner_text()
        assert "title:" not in text and not text.startswith("Architecture"), text
        assert text.startswith("builder/ is laid out"), text
        recorder.check_clean()


def test_a_handwritten_page_has_a_result_per_section_with_the_id_markdown_gives() -> None:
    from builder.publish.search.records import handwritten_records

    page = (b"# Guide\n\nThe intro.\n\n## Set up\n\nInstall *it*.\n\n```text\n## not a heading\n"
            b"```\n\n### Set up\n\nAgain, with [a link](x.md).\n\n#### Deeper\n\nStill in "
            b"the section above.\n\n## Issue #16: `fast` builds ##\n\nThe end.\n\n## Q &amp; A\n")
    records = list(handwritten_records({"guide.md": page}))
    assert [(r.title, r.context, r.url, r.text) for r in records] == [
        ("Guide", "Page", "guide/", "The intro."),
        ("Set up", "Guide", "guide/#set-up", "Install it."),
        ("Set up", "Guide", "guide/#set-up_1",
         "Again, with a link. Deeper Still in the section above."),
        ("Issue #16: fast builds", "Guide", "guide/#issue-16-fast-builds", "The end."),
        ("Q & A", "Guide", "guide/#q-a", "")]
    import markdown

    rendered = markdown.markdown(page.decode(),  # with MkDocs' built-in extensions
                                 extensions=["toc", "tables", "fenced_code"])
    assert [r.url.partition("#")[2] for r in records[1:]] == re.findall(
        r'<h[23] id="([^"]+)"', rendered)
    assert "not a heading" in records[1].terms_from  # the code block: searched, not shown
    assert all(r.terms_from.startswith("Guide") for r in records[1:])  # the page's title


def test_every_section_result_lands_on_a_heading_of_the_built_page(demo: Project) -> None:
    """The ids the index computes are those MkDocs' Markdown gave the headings."""
    from builder.publish.search.records import KINDS

    records = [r for shard in sorted((demo.site / FOLDER / "d").glob("*.json"))
               for r in json.loads(shard.read_text(encoding="utf-8"))]
    sections = [r for r in records if r[0] == KINDS.index("page") and "#" in r[3]]
    assert len(sections) >= 10
    for _kind, title, _context, url, _text in sections:
        path, _, anchor = url.partition("#")
        html = (demo.site / path / "index.html").read_text(encoding="utf-8")
        heading = re.search(rf'<h([23]) id="{re.escape(anchor)}">(.*?)</h\1>', html)
        assert heading is not None, url
        assert re.sub(r"<[^>]+>", "", heading.group(2)) == title, url
