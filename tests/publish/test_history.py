"""History: word diffs (pure, property-tested), timelines, Changes pages, feeds, git."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.core.text import clean_for_display
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import build_site
from builder.publish.diff import apply_diff, is_unchanged, render_diff, word_diff
from builder.store.records import load_store
from conftest import CCADB, MAY_2020_URL, Project, make_project
from sitecheck import elements, main_text, read_page

ATOM = "{http://www.w3.org/2005/Atom}"
texts = st.text(max_size=200) | st.sampled_from(
    ["<script>alert(1)</script>", "a | b", "```", "{{ 7*7 }}", "[x](javascript:y)"])


@given(texts)
def test_diff_of_a_text_with_itself_is_empty(a: str) -> None:
    assert is_unchanged(word_diff(a, a))


@given(texts, texts)
def test_applying_the_diff_of_a_to_b_to_a_gives_b(a: str, b: str) -> None:
    assert apply_diff(a, word_diff(a, b)) == b


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs |= {k for k, _ in attrs}
        if tag == "br":
            self.text += "\n"

    def handle_data(self, data: str) -> None:
        self.text += data


@settings(max_examples=200)
@given(texts, texts)
def test_rendered_diff_shows_the_text_verbatim_and_never_forms_markup(a: str, b: str) -> None:
    html = str(render_diff(word_diff(a, b)))
    assert "\n" not in html  # one physical line: nothing can start a Markdown block
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= {"div", "del", "ins", "br"}
    assert parser.attrs <= {"class", "title"}
    # every segment (kept, removed, added) is shown as text, in order
    shown = "".join(clean_for_display(t) for _, t in word_diff(a, b))
    assert parser.text == shown
    deleted = "".join(t for op, t in word_diff(a, b) if op != "insert")
    inserted = "".join(t for op, t in word_diff(a, b) if op != "delete")
    assert clean_for_display(deleted) == clean_for_display(a)
    assert clean_for_display(inserted) == clean_for_display(b)


def test_word_diff_marks_words() -> None:
    diff = word_diff("we will meet these requirements", "we will not meet the requirements")
    assert diff == [("equal", "we will "), ("insert", "not "), ("equal", "meet "),
                    ("delete", "these"), ("insert", "the"), ("equal", " requirements")]


V2 = "have changed, and we will NOT meet these requirements"


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """May 2020 imported twice: the real page, then a later version of one answer."""
    root = tmp_path_factory.mktemp("versions")
    project = make_project(root / "p")
    src = CCADB / "report-may-2020-Q00101-Q00102.csv"
    options = LoadOptions(survey="May 2020 CA Communication", question_ids=("Q00101", "Q00102"),
                          source_url=MAY_2020_URL)
    import_source(str(src), project.data, options, observed_at="2020-05-20T09:00:00Z")
    v2 = root / "v2.csv"
    v2.write_text(src.read_text(encoding="utf-8").replace(
        "Actalis,\"Our responses to the January 2020 CA Communication have not changed, and "
        "we will meet these requirements",
        f"Actalis,\"Our responses to the January 2020 CA Communication {V2}"), encoding="utf-8")
    import_source(str(v2), project.data, options, observed_at="2020-06-02T09:00:00Z")
    survey = next(project.data.glob("surveys/*/survey.json"))
    meta = json.loads(survey.read_text(encoding="utf-8"))
    meta["deadline"] = "2020-05-15"
    survey.write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


def test_second_import_records_one_change(two_versions: Project) -> None:
    [data] = load_store(two_versions.data).surveys.values()
    changed = [c for c in data.history if c.kind == "changed"]
    assert len(changed) == 1 and changed[0].owner_name == "Actalis"
    assert changed[0].observed_at == "2020-06-02T09:00:00Z"
    assert V2 in changed[0].new[0]


def test_question_page_shows_the_edit_with_a_word_diff(two_versions: Project) -> None:
    page = next(two_versions.site.glob("surveys/*/q00101/index.html"))
    html = page.read_text(encoding="utf-8")
    row = html[html.find('id="ca-actalis-'):]
    row = row[:row.find("</tr>")]
    fragment = page.parent / "row.html"
    fragment.write_text(row, encoding="utf-8")
    text = " ".join(main_text(fragment).split())
    # Saved copies of unknown date: the dates shown are the imports, and say so.
    assert "edited" in text and "History: 2 versions (imported 2020-05-20 → 2020-06-02)" in text
    assert "Version 1, capture date unknown (imported 2020-05-20)" in text
    assert "Version 2, capture date unknown (imported 2020-06-02)" in text
    assert "captured 2020" not in text
    # "have not changed, and we will meet" -> "have changed, and we will NOT meet"
    assert 'have <del class="csr-del" title="removed">not </del>changed&#44; and we will' \
        '<ins class="csr-ins" title="added">&#32;NOT</ins>&#32;meet these requirements' in row
    assert "Legend:" in main_text(page)
    # The other CA owners' answers did not change: no history block on their rows.
    assert html.count("csr-history") == 1
    # Imported after the deadline (2020-05-15), but from saved copies: an import date
    # proves nothing about when the CA answered, so nothing is marked late.
    assert "late" not in main_text(page)


def test_only_a_live_capture_after_the_deadline_is_late() -> None:
    from builder.core.timeline import Version, is_late

    def first(captured_at: str | None, live: bool) -> list[Version]:
        return [Version(("x",), "2020-06-01T00:00:00Z", "s", "added", captured_at, live)]

    assert is_late(first("2020-05-20T09:00:00Z", True), "2020-05-15")
    assert not is_late(first("2020-05-15T23:00:00Z", True), "2020-05-15")
    assert not is_late(first("2020-05-20", False), "2020-05-15")  # an archived copy
    assert not is_late(first(None, False), "2020-05-15")  # capture date unknown
    assert not is_late(first("2020-05-20T09:00:00Z", True), None)


@pytest.mark.parametrize("live", [True, False], ids=["live-fetch", "archived-copy"])
def test_a_live_capture_after_the_deadline_is_marked_late(tmp_path: Path, live: bool) -> None:
    """Served from 127.0.0.1 and imported by URL (a live capture), the answers were first
    seen five days after the deadline: late. The same page as a saved copy of that date
    is not: an archived copy proves nothing about when the CA answered."""
    from http_support import LocalServer, Reply

    project = make_project(tmp_path / "p")
    page = CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"
    path = "/mozillacommunications/CACommResponsesOnlyReport?CommunicationId=a051J000042AUSv" \
        "&QuestionId=Q00101,Q00102,"
    with LocalServer() as server:
        server.route(path, Reply(200, page.read_bytes(),
                                 {"Content-Type": "text/html; charset=utf-8"}))
        if live:
            import_source(server.url(path), project.data, LoadOptions(),
                          observed_at="2020-05-20T09:00:00Z")
        else:
            import_source(str(page), project.data, LoadOptions(), source_url=MAY_2020_URL,
                          observed_at="2020-06-01T09:00:00Z", captured_at="2020-05-20")
    survey = next(project.data.glob("surveys/*/survey.json"))
    meta = json.loads(survey.read_text(encoding="utf-8"))
    survey.write_text(json.dumps(meta | {"deadline": "2020-05-15"}), encoding="utf-8")
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    text = main_text(next(project.site.glob("surveys/*/q00101/index.html")))
    assert text.count("source · captured 2020-05-20") == 3  # a known capture date
    late = "late: first captured live 2020-05-20, after the deadline 2020-05-15"
    assert text.count(late) == (3 if live else 0)
    if not live:
        assert "late" not in text.casefold().split()
    dates = [e.text for e in elements(project.site / "changes" / "index.html")
             if e.tag == "td"][::2]
    assert dates == ["captured 2020-05-20"]  # one entry: the first captures of one import


def test_dates_say_captured_only_for_a_known_capture() -> None:
    from builder.publish.labels import capture, entry_date, partial_capture, span

    assert capture("2020-05-20T09:00:00Z", "2026-11-27T00:14:33Z") == "captured 2020-05-20"
    assert capture(None, "2026-11-27T00:14:33Z") == "capture date unknown (imported 2026-11-27)"
    assert entry_date(None, "2026-11-27T00:14:33Z") == "imported 2026-11-27, capture date unknown"
    assert span([("2020-05-20", "2020-06-01T00:00:00Z"), (None, "2020-07-01T00:00:00Z")]) == \
        "captured 2020-05-20 → imported 2020-07-01"
    assert partial_capture(1) == ("partial capture: only the first CA owner of the CCADB's "
                                  "report was captured; counts cover only that one")


def test_changes_pages_list_the_change_newest_first(two_versions: Project) -> None:
    text = main_text(two_versions.site / "changes" / "index.html")
    assert "Actalis changed its answer to Question Q00101 (May 2020 CA Communication)" in text
    assert ("answers of 3 CA owners to 2 questions of May 2020 CA Communication first captured"
            " in this record") in text
    assert text.index("2020-06-02") < text.index("2020-05-20")
    survey_changes = next(two_versions.site.glob("surveys/*/changes/index.html"))
    assert "Actalis changed its answer" in main_text(survey_changes)
    links = [a["href"] for t, a in read_page(two_versions.site / "changes" / "index.html").tags
             if t == "a" and "#ca-actalis-" in a.get("href", "")]
    assert links and links[0].startswith("../surveys/") and "/q00101/#ca-actalis-" in links[0]


def test_feeds_are_valid_atom_with_stable_ids(two_versions: Project, tmp_path: Path) -> None:
    feed = ET.parse(two_versions.site / "feeds" / "all.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the change, and the first captures of one import
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == (
        "Actalis changed its answer to Question Q00101 (May 2020 CA Communication)")
    assert "Before:\n" in first.findtext(f"{ATOM}summary")
    assert first.findtext(f"{ATOM}updated") == "2020-06-02T09:00:00Z"
    for e in entries:
        assert e.findtext(f"{ATOM}id").startswith("tag:")
        assert e.find(f"{ATOM}link").get("href").startswith("../surveys/")
    owner_feeds = [p for p in (two_versions.site / "feeds" / "owners").glob("*.xml")
                   if p.name != "sitemap.xml"]
    assert len(owner_feeds) == 3
    # Rebuilding elsewhere gives the same ids.
    again = make_project(tmp_path / "again")
    build_site(two_versions.data, docs_dir=again.docs, site_dir=again.site,
               config_file=again.config)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    again_ids = [e.findtext(f"{ATOM}id") for e in
                 ET.parse(again.site / "feeds" / "all.xml").getroot().findall(f"{ATOM}entry")]
    assert ids == again_ids


def test_pages_link_their_feed(two_versions: Project) -> None:
    for page, feed in [(two_versions.site / "index.html", "feeds/all.xml"),
                       (next(two_versions.site.glob("surveys/*/index.html")), "feeds/surveys/"),
                       (next(two_versions.site.glob("owners/actalis-*/index.html")),
                        "feeds/owners/actalis-")]:
        links = [a for t, a in read_page(page).tags if t == "link"
                 and a.get("rel") == "alternate" and a.get("type") == "application/atom+xml"]
        assert len(links) == 1 and feed in links[0]["href"], page


def test_compare_data_holds_every_answer(two_versions: Project) -> None:
    index = json.loads((two_versions.site / "compare" / "data" / "index.json").read_text())
    assert [o["name"] for o in index["owners"]] == ["AC Camerfirma, S.A.", "Actalis",
                                                     "Amazon Trust Services"]
    [survey] = index["surveys"]
    data = json.loads((two_versions.site / survey["data"]).read_text())
    actalis = next(o["id"] for o in index["owners"] if o["name"] == "Actalis")
    assert V2 in data["answers"][actalis]["Q00101"][0]
    assert data["partial"] is None and data["captured"] is True and data["withdrawn"] == {}
    assert [q["id"] for q in data["questions"]] == ["Q00101", "Q00102"]
    assert "Without it, every question page already shows the answers of all CA owners" in \
        (two_versions.site / "compare" / "index.html").read_text(encoding="utf-8")


def _git(cwd: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date} if date else {}
    import os

    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", **env})


def test_history_is_rebuilt_from_git_snapshots(two_versions: Project, tmp_path: Path,
                                               cli) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "test")
    src = CCADB / "report-may-2020-Q00101-Q00102.csv"
    args = ["--survey", "May 2020 CA Communication", "--question-ids", "Q00101,Q00102",
            "--data", repo / "data"]
    cli("import", src, *args)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1", date="2020-05-20T09:00:00+00:00")
    v2 = tmp_path / "v2.csv"
    v2.write_text(src.read_text(encoding="utf-8").replace("have not changed", "have changed"),
                  encoding="utf-8")
    cli("import", v2, *args)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v2", date="2020-06-02T09:00:00+00:00")
    recorded = load_store(repo / "data")
    for history in repo.glob("data/surveys/*/history.jsonl"):
        history.unlink()
    result = cli("history", "--from-git", "--data", repo / "data")
    assert result.exit_code == 0, result.output
    assert result.output == "history rebuilt from 2 commit(s): 9 change(s) in 1 survey(s)\n"
    [rebuilt] = load_store(repo / "data").surveys.values()
    [original] = recorded.surveys.values()
    strip = [(c.kind, c.question_id, c.owner_key, c.old, c.new) for c in original.history]
    assert [(c.kind, c.question_id, c.owner_key, c.old, c.new) for c in rebuilt.history] == strip
    assert {c.observed_at for c in rebuilt.history} == {"2020-05-20T09:00:00Z",
                                                        "2020-06-02T09:00:00Z"}


def test_importing_the_first_version_again_is_recorded_as_a_change(two_versions: Project,
                                                                  tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(two_versions.data, data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = import_source(str(CCADB / "report-may-2020-Q00101-Q00102.csv"), data, LoadOptions(
        survey="May 2020 CA Communication", question_ids=("Q00101", "Q00102"),
        source_url=MAY_2020_URL), partial=True)
    assert [(c.kind, c.owner_name) for c in result.changes] == [("changed", "Actalis")]
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} != before


def test_a_new_change_rewrites_only_the_first_changes_page(tmp_path: Path,
                                                          monkeypatch) -> None:
    """Archive pages count from the oldest entry, so they do not shift as changes arrive."""
    import builder.publish.pages.changes
    from builder.publish.build import TEMPLATES_DIR
    from builder.publish.render import render_pages

    monkeypatch.setattr(builder.publish.pages.changes, "CHANGES_PER_PAGE", 2)
    golden = Path(__file__).resolve().parents[1] / "golden" / "input"
    data = tmp_path / "data"
    import_source(str(golden / "v1.json"), data, LoadOptions(), observed_at="2099-06-10T08:00:00Z")
    import_source(str(golden / "v2.json"), data, LoadOptions(), observed_at="2099-07-02T08:00:00Z")
    before = render_pages(load_store(data), TEMPLATES_DIR)
    import_source(str(golden / "v1.json"), data, LoadOptions(), observed_at="2099-08-01T08:00:00Z")
    after = render_pages(load_store(data), TEMPLATES_DIR)
    archives = sorted(p for p in before if p.startswith("changes/page-"))
    assert archives == ["changes/page-1.md"]  # 4 entries: one full archive + the first page
    assert sorted(p for p in after if p.startswith("changes/page-")) == [
        "changes/page-1.md", "changes/page-2.md", "changes/page-3.md"]
    assert "Archive 1: entries 1–2, counted from the oldest" in main_text_of(after[archives[0]])
    # page-1 keeps its entries; only its "newer" link moves to the new archive page
    old_rows = [line for line in before[archives[0]].splitlines() if line.startswith("<tr ")]
    new_rows = [line for line in after[archives[0]].splitlines() if line.startswith("<tr ")]
    assert len(old_rows) == 2 and old_rows == new_rows


def main_text_of(markdown: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", markdown))
