"""What a reader sees (issue #17): computed styles and element boxes in Chromium, not
only the DOM. The filter box can be seen, a phone shows every answer in full, long
tables keep their header, a link to a change opens and marks its row, and the Compare
picker filters CA owners as one types.

The small demo site is built once for the module (tests/browser_support.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from browser_support import SiteServer, build_demo_site, screenshot, serve, session
from conftest import Project

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1}

# WCAG contrast of two CSS colours (rgb()/rgba() as computed), the first over the second.
CONTRAST = """([fg, bg]) => {
  const parse = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = parse(c).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

# Text in table cells that a reader cannot see whole: a cell box outside the viewport
# (unless a scrolling box that says so holds it), or text wider than its cell.
CLIPPED = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const cell of document.querySelectorAll('.md-content table tbody > tr > *')) {
    if (cell.closest('[hidden]')) continue;
    const r = cell.getBoundingClientRect();
    const scroller = cell.closest('.csr-scroll, .csr-wide');
    const outside = r.left < -0.5 || r.right > width + 0.5;
    if ((outside && !scroller) || cell.scrollWidth > cell.clientWidth + 1)
      out.push(cell.textContent.trim().slice(0, 40) + ' ' + Math.round(r.left) + '..' +
               Math.round(r.right) + ' scroll ' + cell.scrollWidth + '/' + cell.clientWidth);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return build_demo_site(tmp_path_factory.mktemp("browser-look"))


@pytest.fixture(scope="module")
def server(demo: Project):
    with serve(demo.site) as running:
        yield running


@pytest.fixture
def s(browser, server: SiteServer):
    with session(browser, server) as recorder:
        yield recorder
        recorder.check_clean()


@pytest.fixture
def phone(browser, server: SiteServer):
    with session(browser, server, **PHONE) as recorder:
        yield recorder
        recorder.check_clean()


def compare_index(site: Path) -> dict:
    return json.loads((site / "compare" / "data" / "index.json").read_text(encoding="utf-8"))


def question_with_chart(site: Path) -> str:
    """The question page with the most answers, a chart and comments."""
    pages = [p for p in sorted(site.glob("surveys/*/*/index.html"))
             if 'class="csr-chart"' in (text := p.read_text(encoding="utf-8"))
             and '<th scope="col">Comments</th>' in text]
    assert pages, "the demo site has no question page with a chart and comments"
    best = max(pages, key=lambda p: p.read_text(encoding="utf-8").count("<tr id="))
    return best.parent.relative_to(site).as_posix() + "/"


# --- the filter box -------------------------------------------------------------------

def test_the_filter_box_can_be_seen_is_labelled_and_counts_rows(s, demo) -> None:
    page = s.open(question_with_chart(demo.site))
    box = page.locator(".csr-filter input")
    style = box.evaluate("""e => { const s = getComputedStyle(e);
        let p = e.parentElement; while (getComputedStyle(p).backgroundColor === 'rgba(0, 0, 0, 0)')
            p = p.parentElement;
        return {width: parseFloat(s.borderTopWidth), style: s.borderTopStyle,
                border: s.borderTopColor, around: getComputedStyle(p).backgroundColor}; }""")
    assert style["width"] >= 1 and style["style"] == "solid", style
    assert page.evaluate(CONTRAST, [style["border"], style["around"]]) >= 3, style
    label = page.locator(".csr-filter label")
    assert label.is_visible() and label.inner_text().strip() == "Filter rows"
    assert box.evaluate("e => e.labels[0].textContent") == "Filter rows"
    rows = page.locator("table[data-csr-sortable] tbody tr").count()
    status = page.locator(".csr-filter-status")
    assert status.is_visible() and status.inner_text() == f"all {rows} rows"
    name = page.locator("table[data-csr-sortable] tbody th").first.inner_text()
    box.fill(name)
    shown = page.locator("table[data-csr-sortable] tbody tr:not([hidden])").count()
    assert 1 <= shown < rows and status.inner_text() == f"{shown} of {rows} rows"
    box.fill("no such text in any row \u2603")
    assert page.locator("table[data-csr-sortable] tbody tr:not([hidden])").count() == 0
    assert status.inner_text() == f"no row matches ({rows} rows in all)"
    screenshot(page, "look-filter", full_page=False)


# --- a phone --------------------------------------------------------------------------

def test_a_phone_shows_answers_as_labelled_cards_nothing_cut_off(phone, demo) -> None:
    page = phone.open(question_with_chart(demo.site))
    table = page.locator("table[data-csr-sortable]")
    buttons = table.locator("thead button.csr-sort")  # the sort buttons stay, in a line
    assert buttons.all_inner_texts()[:2] == ["CA owner", "Answer"]
    assert all(b.is_visible() for b in buttons.all())
    assert table.locator("thead th").first.evaluate(
        "h => getComputedStyle(h, '::before').content") == '"Sort by: "'
    first = table.locator("tbody tr").first
    labels = first.locator("td").evaluate_all("cs => cs.map(c => c.dataset.label)")
    assert labels == ["Answer", "Comments", "Source"]
    # each cell under its column's name, one below the other, as wide as the card
    boxes = first.locator("th, td").evaluate_all("cs => cs.map(c => c.getBoundingClientRect())"
                                                 ".map(r => [r.left, r.top, r.width])")
    assert all(b[1] > a[1] for a, b in zip(boxes, boxes[1:], strict=False)), boxes
    assert all(abs(b[0] - boxes[0][0]) < 1 and b[2] > 300 for b in boxes), boxes
    before = first.locator("td").first.evaluate(
        "c => getComputedStyle(c, '::before').content")
    assert before == '"Answer"'
    assert page.evaluate(CLIPPED) == []
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    # chart labels: at least 12 px on screen, and not cut off by the drawing
    sizes = page.eval_on_selector_all("svg.csr-chart text", """ts => ts.map(t => {
        const svg = t.ownerSVGElement, r = t.getBoundingClientRect(),
              s = svg.getBoundingClientRect();
        return {px: 15 * s.width / svg.viewBox.baseVal.width, right: r.right - s.right,
                wide: !!svg.closest('.csr-wide')}; })""")
    assert sizes and all(t["px"] >= 12 for t in sizes), sizes
    assert all(t["right"] <= 1 for t in sizes), sizes
    # the heading: a smaller size, wrapped, well under a third of the first screen
    h1 = page.locator("h1").evaluate("""h => ({height: h.getBoundingClientRect().height,
        size: parseFloat(getComputedStyle(h).fontSize), wraps: h.scrollWidth <= h.clientWidth})""")
    assert h1["height"] < 740 / 4 and h1["size"] <= 24 and h1["wraps"], h1
    screenshot(page, "look-phone-cards", full_page=False)


def test_a_phone_card_leaves_out_the_empty_cells_of_a_hand_written_table(phone,
                                                                          demo) -> None:
    """The Performance page's tables have blank cells (a figure not measured); on a
    phone each row is a card, and a blank cell shows neither its column's name nor
    anything else, while every cell with text is shown under its label."""
    page = phone.open("performance/")
    cells = page.locator("table[data-csr-cards] tbody td").evaluate_all(
        """cs => cs.map(c => ({text: c.textContent.trim(), shown: getComputedStyle(c).display,
                               label: getComputedStyle(c, '::before').content}))""")
    blank = [c for c in cells if not c["text"]]
    assert blank, "the Performance page has no blank table cell left to check this with"
    assert all(c["shown"] == "none" for c in blank), blank[:3]
    filled = [c for c in cells if c["text"]]  # under their column's name (maybe blank)
    wrong = [c for c in filled if c["shown"] != "block" or c["label"] == "none"]
    assert filled and not wrong, wrong[:3]
    assert page.evaluate("document.documentElement.scrollWidth") == 375


def test_a_phone_shows_owner_and_downloads_tables_whole(phone, demo) -> None:
    owner = compare_index(demo.site)["owners"][0]["name"]
    for path in ("owners/", "downloads/", "changes/"):
        page = phone.open(path)
        assert page.evaluate(CLIPPED) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") == 375, path
    page = phone.open("owners/")
    assert page.locator("table tbody th").first.inner_text() == owner


def test_a_phone_puts_each_fact_below_its_term(phone, s, demo) -> None:
    """A survey's facts list: on a phone each value starts under its term at the left
    edge, with the whole width for a long address; at 1280 px they stand side by side."""
    survey = sorted(demo.site.glob("surveys/*/index.html"))[0].parent.name
    boxes = """() => [...document.querySelectorAll('dl.csr-facts > dt')].map(dt => {
        const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(),
              b = dd.getBoundingClientRect();
        return [a.left, a.bottom, b.left, b.top, b.width]; })"""
    facts = phone.open(f"surveys/{survey}/").evaluate(boxes)
    assert len(facts) >= 4
    for dt_left, dt_bottom, dd_left, dd_top, dd_width in facts:
        assert dd_top >= dt_bottom - 1 and dd_left < dt_left + 40 and dd_width > 280
    facts = s.open(f"surveys/{survey}/").evaluate(boxes)
    assert all(dd_left > dt_left + 100 and dd_top < dt_bottom
               for dt_left, dt_bottom, dd_left, dd_top, _ in facts)


def test_a_word_diff_is_set_in_the_type_of_the_text_around_it(s, demo) -> None:
    """A diff (an answer's history, on a question page) is in the type size of the cell
    it stands in, not a size of its own (it was larger than the table's text)."""
    question = max(demo.site.glob("surveys/*/q*/index.html"),
                   key=lambda p: p.read_text(encoding="utf-8").count('class="csr-diff"'))
    page = s.open(question.parent.relative_to(demo.site).as_posix() + "/")
    sizes = page.evaluate("""() => {
        document.querySelectorAll('article details').forEach(d => { d.open = true; });
        return [...document.querySelectorAll('.csr-diff')].map(d => [
            getComputedStyle(d).fontSize, getComputedStyle(d.closest('td')).fontSize]); }""")
    assert sizes and all(diff == cell for diff, cell in sizes), sizes


BARS = """() => { const svg = document.querySelector('svg.csr-chart'),
    k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return {total: Number(/How (\\d+) CA owner/.exec(
            svg.closest('figure').querySelector('figcaption').textContent)[1]),
          room: (svg.viewBox.baseVal.width - 20) * k,
          bars: [...svg.querySelectorAll('a')].map(a => [
            Number(a.querySelector('text').textContent.split(' ')[0]),
            a.querySelector('rect.csr-bar').getBoundingClientRect().width])}; }"""


@pytest.mark.parametrize("width", [1280, 375])
def test_a_bar_is_as_long_as_its_share_whatever_its_label(browser, server, demo,
                                                           width: int) -> None:
    """Labels stand above their bars: a bar's length is its share of the drawing's
    width (a long label once left the bar of every answer a few pixels)."""
    options = PHONE if width == 375 else {"viewport": {"width": width, "height": 900}}
    with session(browser, server, **options) as recorder:
        page = recorder.open(question_with_chart(demo.site))
        found = page.evaluate(BARS)
        assert len(found["bars"]) >= 2 and found["room"] > 250, found
        for count, shown in found["bars"]:
            assert abs(shown - max(1, found["room"] * count / found["total"])) <= 2, found
        recorder.check_clean()


# --- desktop: sticky headers, one table style -------------------------------------------

def test_a_long_table_keeps_its_header_in_sight(s, demo) -> None:
    page = s.open(question_with_chart(demo.site))
    table = page.locator("table[data-csr-sortable]")
    table.locator("tbody tr").nth(4).scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 300)")
    head, header, body = page.evaluate("""() => {
        const t = document.querySelector('table[data-csr-sortable]');
        return [t.tHead.rows[0].cells[0].getBoundingClientRect().top,
                document.querySelector('.md-header').getBoundingClientRect().bottom,
                t.tBodies[0].rows[0].getBoundingClientRect().top]; }""")
    assert body < header  # the first rows went up out of sight ...
    assert abs(head - header) < 2  # ... the header row stays right below the site header
    assert page.evaluate("document.documentElement.scrollWidth") == 1280


def test_every_table_has_the_theme_style_and_file_names_do_not_break(s, demo) -> None:
    styles = []
    for path in (question_with_chart(demo.site), "owners/", "changes/", "downloads/"):
        page = s.open(path)
        styles.append(page.locator(".md-content table").first.evaluate("""t => {
            const s = getComputedStyle(t), h = getComputedStyle(t.querySelector('th'));
            return [s.fontSize, s.borderTopStyle, s.borderRadius, h.fontWeight]; }"""))
    assert len(set(map(tuple, styles))) == 1, styles  # the Changes table had none of it
    broken = page.eval_on_selector_all(".md-content td a[href$='.csv'], .md-content td "
                                       "a[href$='.json'], .md-content td a[href$='.sqlite']",
                                       "as => as.filter(a => a.getClientRects().length > 1)"
                                       ".map(a => a.textContent)")
    assert page.locator(".md-content td a[href$='.csv']").count() > 3
    assert broken == []


# --- a link to a change ----------------------------------------------------------------

def test_a_change_link_opens_and_marks_its_row(s, demo) -> None:
    page = s.open("changes/")
    # a changed answer's entry (a withdrawal lists its questions behind a disclosure)
    link = page.locator(".md-content tr[data-kind='changed'] td a[href*='#']").first
    href = link.get_attribute("href")
    row_id = href.split("#", 1)[1]
    link.click()
    page.wait_for_url(f"**#{row_id}")
    row = page.locator(f"tr[id='{row_id}']")
    row.locator("details.csr-history").first.wait_for(state="attached")
    assert "csr-target" in row.get_attribute("class")
    assert row.locator("details.csr-history").first.evaluate("d => d.open")
    marked = row.evaluate("r => getComputedStyle(r.cells[0]).backgroundColor")
    other = page.locator("table[data-csr-sortable] tbody tr:not(.csr-target)").first
    assert marked != other.evaluate("r => getComputedStyle(r.cells[0]).backgroundColor")
    assert row.evaluate("""r => { const b = r.getBoundingClientRect();
        return b.top >= 0 && b.top < innerHeight; }""")
    assert page.locator("tr.csr-target").count() == 1
    # a new hash on the same page moves the mark
    other_id = other.get_attribute("id")
    page.evaluate("id => { location.hash = id; }", other_id)
    page.wait_for_function("id => document.getElementById(id).classList.contains('csr-target')",
                           arg=other_id)
    assert page.locator("tr.csr-target").count() == 1
    screenshot(page, "look-change-target", full_page=False)


# --- compare ---------------------------------------------------------------------------

def _pick(page, typed: str) -> None:
    field = page.locator("#csr-compare-find")
    field.fill(typed)
    page.locator("#csr-compare-matches [role=option]").first.wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")


def test_the_compare_picker_filters_by_typing_and_keeps_a_readable_address(s, demo) -> None:
    index = compare_index(demo.site)
    owners = index["owners"]
    page = s.open("compare/")
    page.locator("#csr-compare-survey option").nth(1).wait_for(state="attached")
    assert page.locator("#csr-compare-survey").input_value() == ""  # all surveys
    word = owners[0]["name"].split()[1].lower()  # typed in lower case
    page.locator("#csr-compare-find").click()
    page.keyboard.type(word)
    shown = page.locator("#csr-compare-matches [role=option]").all_inner_texts()
    assert shown == [o["name"] for o in owners if word in o["name"].lower()]
    assert page.locator("#csr-compare-find").get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")  # the first match
    assert page.locator(".csr-chip span").all_inner_texts() == [shown[0]]
    assert page.locator("#csr-compare-status").inner_text() == "Add at least one more CA owner."
    for other in (owners[1], owners[2]):
        _pick(page, other["name"])
    chips = page.locator(".csr-chip span").all_inner_texts()
    assert chips == [shown[0], owners[1]["name"], owners[2]["name"]]
    ids = [o["id"] for o in owners if o["name"] in chips]
    assert all(re.fullmatch(r"[a-z0-9-]+", i) and not re.search(r"-[0-9a-f]{8}$", i)
               for i in ids), ids  # readable: no hash where no two owners share a slug
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"ca": [next(o["id"] for o in owners if o["name"] == c) for c in chips]}
    # all surveys at once, each with its own table of three owners
    sections = page.locator("#csr-compare-result section.csr-compared")
    sections.nth(len(index["surveys"]) - 1).wait_for(state="attached")
    assert sections.locator("h2").all_inner_texts() == [x["title"] for x in index["surveys"]]
    assert page.locator("#csr-compare-result table").first.locator(
        "thead th").all_inner_texts() == ["Question", *chips]
    # one survey; a chip removed with its button
    page.locator("#csr-compare-survey").select_option(index["surveys"][1]["id"])
    page.get_by_role("button", name=f"Remove {owners[1]['name']}").click()
    page.wait_for_function("() => document.querySelectorAll("
                           "'#csr-compare-result thead th').length === 3")
    assert page.locator("#csr-compare-result h2").all_inner_texts() == [
        index["surveys"][1]["title"]]
    query = parse_qs(urlsplit(page.url).query)
    assert query["survey"] == [index["surveys"][1]["id"]] and len(query["ca"]) == 2
    screenshot(page, "look-compare")


def test_compare_puts_comments_beside_their_question(s, demo) -> None:
    index = compare_index(demo.site)
    survey = next(x for x in index["surveys"] if any(
        q["comments"] for q in json.loads((demo.site / x["data"]).read_text())["questions"]))
    data = json.loads((demo.site / survey["data"]).read_text(encoding="utf-8"))
    paired = {q["comments"]: q["id"] for q in data["questions"] if q["comments"]}
    owner = next(o for o, answers in data["answers"].items()
                 if any("".join(answers.get(c, [])).strip() for c in paired))
    other = next(o["id"] for o in index["owners"] if o["id"] != owner)
    page = s.open(f"compare/?survey={survey['id']}&ca={owner}&ca={other}")
    page.locator("#csr-compare-result table").wait_for(state="visible")
    rows = page.eval_on_selector_all("#csr-compare-result tbody th a",
                                     "as => as.map(a => a.textContent)")
    assert not set(rows) & set(paired) and set(paired.values()) <= set(rows)
    cid, qid = next((c, q) for c, q in paired.items()
                    if "".join(data["answers"][owner].get(c, [])).strip())
    cell = page.locator("#csr-compare-result tbody tr").filter(
        has=page.locator(f"th a:text-is('{qid}')")).locator("td").first
    comment = cell.locator(".csr-comment")
    assert comment.is_visible()
    assert comment.inner_text().startswith("Comment: ")
    assert " ".join(data["answers"][owner][cid]).split()[0] in comment.inner_text()


def test_compare_names_an_unknown_owner_and_works_on_a_phone(phone, demo) -> None:
    owners = [o["id"] for o in compare_index(demo.site)["owners"][:3]]
    page = phone.open(f"compare/?ca={owners[0]}&ca=no-such-owner&ca={owners[1]}&ca={owners[2]}")
    page.locator("#csr-compare-result table").first.wait_for(state="visible")
    error = page.locator("#csr-compare-error")
    assert error.is_visible() and '"no-such-owner"' in error.inner_text()
    assert page.locator(".csr-chip").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    assert page.evaluate(CLIPPED) == []
    cell = page.locator("#csr-compare-result tbody td").first
    assert cell.evaluate("c => getComputedStyle(c, '::before').content").strip('"') == \
        page.locator(".csr-chip span").first.inner_text()
    page.locator("#csr-compare-find").fill("fict")
    box = page.locator("#csr-compare-matches").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot(page, "look-compare-phone", full_page=False)


def test_axe_finds_nothing_serious_on_phone_cards_and_the_open_picker(browser, server,
                                                                       demo) -> None:
    from test_accessibility import blocking_violations

    from browser_support import run_axe

    owners = compare_index(demo.site)["owners"]
    with session(browser, server, **PHONE) as recorder:
        page = recorder.open(question_with_chart(demo.site))
        assert blocking_violations(run_axe(page)) == []
        page = recorder.open(f"compare/?ca={owners[0]['id']}&ca={owners[1]['id']}")
        page.locator("#csr-compare-result table").first.wait_for(state="visible")
        page.locator("#csr-compare-find").fill(owners[2]["name"][:5])
        page.locator("#csr-compare-matches [role=option]").first.wait_for(state="visible")
        assert blocking_violations(run_axe(page)) == []
        recorder.check_clean()
