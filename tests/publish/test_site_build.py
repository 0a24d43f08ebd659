"""`builder build`: the real data, the demo data, determinism, incremental writes, failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.publish import inputs
from builder.publish.build import build_site
from builder.publish.labels import partial_capture
from builder.publish.stamp import HASHES
from builder.publish.workdir import TEMPLATE_CACHE
from conftest import APRIL_2017_URL, ROOT, Project, make_project
from sitecheck import elements, main_text, read_page


def build(project: Project, data: Path):
    return build_site(data, docs_dir=project.docs, site_dir=project.site,
                      config_file=project.config)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the records of what the build read and hashed (its files'
    inodes and times, which differ from one copy to another) and the compiled templates (named
    after each template's absolute path)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and p.name not in (inputs.RECORD, HASHES)
            and TEMPLATE_CACHE not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("real") / "project")
    build(project, ROOT / "data")
    return project


def test_every_real_answer_is_on_its_question_page_and_owner_page(real_site: Project) -> None:
    from builder.publish.paths import owner_page, question_page, url_of
    from builder.store.records import load_store

    store = load_store(ROOT / "data")
    for data in store.surveys.values():
        for answer in data.answers.values():
            q_html = real_site.site / url_of(question_page(data.survey.key, answer.question_id))
            o_html = real_site.site / url_of(owner_page(answer.owner_key))
            for html in (q_html / "index.html", o_html / "index.html"):
                text = main_text(html)
                assert answer.owner_name in text
                for value in answer.values:
                    assert " ".join(value.split()) in text
                hrefs = [a.get("href") for t, a in read_page(html).tags if t == "a"]
                assert answer.source in hrefs


def test_april_2017_answers_link_to_the_ccadb_report(real_site: Project) -> None:
    from builder.store.records import load_store

    [april] = [d for d in load_store(ROOT / "data").surveys.values()
               if d.survey.title == "April 2017 CA Communication"]
    answers = [a for a in april.answers.values() if a.question_id == "Q00028"]
    page = next(real_site.site.glob("surveys/april-2017-*/q00028/index.html"))
    links = [a for t, a in read_page(page).tags if t == "a" and a.get("href") == APRIL_2017_URL]
    assert len(links) == sum(a.source == APRIL_2017_URL for a in answers) >= 6
    assert all(a["rel"] == "nofollow ugc noopener" for a in links)


def test_a_surveys_history_link_counts_the_entries_its_changes_page_shows(
        real_site: Project) -> None:
    """'6 recorded changes' linked a page of '1 entry': the link says both, truthfully."""
    import re

    seen = {}
    for survey in sorted(real_site.site.glob("surveys/*/index.html")):
        label = re.search(r"(\d+) recorded changes?(?: in (\d+) entr(?:y|ies))?",
                          main_text(survey))
        shown = re.search(r"(\d+) entr(?:y|ies)",
                          main_text(survey.parent / "changes" / "index.html"))
        assert label and shown, survey
        assert int(label.group(2) or label.group(1)) == int(shown.group(1)), \
            (survey, label.group(0), shown.group(0))
        seen[survey.parent.name.rsplit("-", 1)[0]] = label.group(0)
    assert seen["april-2017-ca-communication"] == "6 recorded changes in 1 entry"
    assert seen["may-2020-ca-communication"] == "6 recorded changes in 1 entry"
    assert seen["march-2016-ca-communication"] == "2 recorded changes in 1 entry"


def test_november_2017_lists_its_8_action_items_and_what_is_known(real_site: Project) -> None:
    from builder.store.records import load_store

    [november] = [d for d in load_store(ROOT / "data").surveys.values()
                  if d.survey.title == "November 2017 CA Communication"]
    page = next(real_site.site.glob("surveys/november-2017-*/index.html"))
    text = main_text(page)
    # The 8 items are listed by their own words; the local ids stay in the URLs only.
    assert "local-2017-11" not in text
    for n in range(1, 9):
        assert f"ACTION {n}" in text
        assert page.parent.joinpath(f"local-2017-11-action-{n}", "index.html").is_file()
    assert "ACTION 8: Check issuance of certs to .tg domains" in text
    # Today no answer is known, and the page says so; once one is captured, it is shown.
    assert ("No answers to this survey have been captured yet." in text) == (
        not november.answers)
    for answer in november.answers.values():
        assert answer.owner_name in text
    question = next(real_site.site.glob("surveys/november-2017-*/local-2017-11-action-6/"
                                        "index.html"))
    if not any(a.question_id == "local-2017-11-action-6" for a in november.answers.values()):
        assert "No answers to this question have been captured yet." in main_text(question)


def test_november_2017_does_not_call_itself_a_partial_capture(real_site: Project) -> None:
    for page in real_site.site.glob("surveys/november-2017-*/**/index.html"):
        assert "partial capture" not in main_text(page).casefold(), page
    cells = [e.text for e in elements(real_site.site / "index.html") if e.tag == "td"]
    assert "November 2017 CA Communication no answers captured" in cells
    owner = main_text(next(real_site.site.glob("owners/actalis-*/index.html")))
    section = owner[owner.index("November 2017 CA Communication No"):]
    assert section.startswith("November 2017 CA Communication No answers to this survey have "
                              "been captured, from any CA owner. April 2017")


IMPORTED = "capture date unknown (imported 2026-11-27)"


def test_real_answers_say_their_capture_date_is_unknown_and_are_never_late(
        real_site: Project) -> None:
    """The bundled answers were imported 2026-11-27 from copies of unknown date."""
    april = next(real_site.site.glob("surveys/april-2017-*/q00028/index.html"))
    owner = next(real_site.site.glob("owners/actalis-*/index.html"))
    # the owner page says a source once for a survey whose answers all share it
    for page, count in ((april, 6), (owner, 2)):
        text = main_text(page)
        assert text.count(f"source · {IMPORTED}") == count, page
        assert "captured 2026" not in text
        assert "late" not in text.casefold().split(), page
        assert "csr-late" not in page.read_text(encoding="utf-8")


def test_partial_sentence_stands_by_the_chart_and_the_tables(real_site: Project) -> None:
    sentence = partial_capture(3)
    assert sentence == ("partial capture: only the first 3 CA owners of the CCADB's report "
                        "were captured; counts cover only those")
    page = next(real_site.site.glob("surveys/may-2020-*/q00101/index.html"))
    found = elements(page)
    tags = [e.tag for e in found]
    chart = next(e for e in found if e.tag == "svg")
    assert sentence in chart.attrs["aria-label"]
    figure = tags.index("figure")
    assert sentence in found[tags.index("figcaption", figure)].text
    options = tags.index("table", figure)
    assert found[options + 1].tag == "caption" and found[options + 1].text == sentence
    answers = next(i for i, e in enumerate(found) if e.tag == "h2" and e.text == "Answers")
    table = next(i for i, e in enumerate(found) if "data-csr-sortable" in e.attrs)
    notes = [e.text for e in found[answers:table] if e.tag == "p"]
    assert notes[0] == "P" + sentence[1:] + "."
    assert notes[1].startswith("3 CA owners answered.")
    # The survey page and the lists of surveys say it where their counts are.
    survey = main_text(next(real_site.site.glob("surveys/may-2020-*/index.html")))
    assert f"Answer counts below: {sentence}." in survey
    for listing in (real_site.site / "index.html", real_site.site / "surveys" / "index.html"):
        cells = [e.text for e in elements(listing) if e.tag == "td"]
        assert f"May 2020 CA Communication {sentence}" in cells
        assert f"April 2017 CA Communication {partial_capture(6)}" in cells


def test_home_changes_and_feeds_do_not_present_imports_as_news(real_site: Project) -> None:
    """Invariants of any real data: each entry says which kind of date it shows."""
    import re
    import xml.etree.ElementTree as ET

    dated = re.compile(r"^(imported \d{4}-\d{2}-\d{2}, capture date unknown|"
                       r"captured \d{4}-\d{2}-\d{2})")
    home = main_text(real_site.site / "index.html")
    latest = home[home.index("Latest changes recorded"):]
    assert "first captured in this record" in latest
    rows = [e.text for e in elements(real_site.site / "changes" / "index.html")
            if e.tag == "tr"]
    assert rows[0] == "DateChange" and len(rows) > 1
    assert all(dated.match(r) for r in rows[1:]), rows
    for text in (latest, *rows):
        assert "answered" not in text and "Observed" not in text
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.parse(real_site.site / "feeds" / "all.xml").getroot().findall(f"{atom}entry")
    assert entries
    for entry in entries:
        title, summary = entry.findtext(f"{atom}title"), entry.findtext(f"{atom}summary")
        assert "first captured in this record" in title or "changed" in title or \
            "withdrawn" in title or "no longer" in title, title
        assert "answered" not in title
        assert "captured" in summary


def test_home_page_has_attribution_and_no_endorsement(real_site: Project) -> None:
    text = main_text(real_site.site / "index.html")
    assert "Source: Common CA Database (CCADB), data licensed CDLA-Permissive-2.0." in text
    assert "not affiliated with or endorsed by the CCADB, Mozilla or any CA" in text
    # newest survey first
    assert text.index("May 2020 CA Communication") < text.index("November 2017 CA Communi")
    assert text.index("November 2017 CA Communi") < text.index("April 2017 CA Communication")


def test_real_site_has_no_demo_banner(real_site: Project) -> None:
    for page in real_site.site.rglob("*.html"):
        assert "Demonstration data." not in page.read_text(encoding="utf-8")


def test_demo_pages_all_carry_the_banner(tmp_path: Path, cli) -> None:
    cli("demo", "--size", "small", "--data", tmp_path / "demo")
    project = make_project(tmp_path / "p")
    build(project, tmp_path / "demo")
    import json

    from builder.publish.paths import url_of

    pages = [p for p in json.loads((project.docs / ".generated-pages.json").read_text())
             if p.endswith(".md") and not (project.handwritten / p).exists()]
    assert len(pages) > 30
    for page in (project.site / url_of(p) / "index.html" for p in pages):
        assert "Demonstration data." in page.read_text(encoding="utf-8"), page


def test_two_builds_are_byte_identical_and_a_second_build_writes_nothing(tmp_path: Path,
                                                                         cli) -> None:
    cli("demo", "--size", "small", "--data", tmp_path / "demo")
    one, two = make_project(tmp_path / "one"), make_project(tmp_path / "two")
    build(one, tmp_path / "demo")
    build(two, tmp_path / "demo")
    assert tree(one.docs) == tree(two.docs)
    assert tree(one.site) == tree(two.site)
    mtimes = {p: p.stat().st_mtime_ns for p in one.docs.rglob("*") if p.is_file()}
    site_mtimes = {p: p.stat().st_mtime_ns for p in one.site.rglob("*") if p.is_file()}
    again = build(one, tmp_path / "demo")
    assert again.written == [] and again.removed == [] and not again.mkdocs_ran
    assert {p: p.stat().st_mtime_ns for p in one.docs.rglob("*") if p.is_file()} == mtimes
    assert {p: p.stat().st_mtime_ns for p in one.site.rglob("*") if p.is_file()} == site_mtimes


def test_pages_of_things_that_disappeared_are_removed(tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    project = make_project(tmp_path / "p")
    build(project, data)
    april = next(data.glob("surveys/april-2017-*"))
    shutil.rmtree(april)
    (data / "topics.json").write_text("[]\n", encoding="utf-8")
    report = build(project, data)
    assert any(r.startswith(f"surveys/{april.name}/") for r in report.removed)
    assert not (project.docs / "surveys" / april.name).exists()
    assert not (project.site / "surveys" / april.name).exists()
    assert (project.docs / "about.md").exists()  # hand-written pages stay


def test_build_with_bad_data_leaves_the_previous_site(tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    project = make_project(tmp_path / "p")
    build(project, data)
    before = tree(project.site)
    answers = next(data.glob("surveys/april-2017-*/answers.jsonl"))
    answers.write_text(answers.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    result = cli(*project.build_args(data))
    assert result.exit_code == 1
    assert f"{answers}:7:2: -: json-syntax:" in result.output
    assert tree(project.site) == before


def test_failed_mkdocs_build_leaves_the_previous_site(tmp_path: Path, cli) -> None:
    project = make_project(tmp_path / "p")
    build(project, ROOT / "data")
    before = tree(project.site)
    # A hand-written page with a broken link fails `mkdocs build --strict`.
    (project.handwritten / "about.md").write_text("# About\n\n[gone](missing.md)\n",
                                                  encoding="utf-8")
    result = cli(*project.build_args(ROOT / "data"))
    assert result.exit_code == 1
    assert "mkdocs build --strict failed" in result.output
    assert "missing.md" in result.output
    assert tree(project.site) == before
    assert not list(project.root.glob(".site-build-*"))


HOLD_THE_WORK_FOLDER = """
import sys
from pathlib import Path
from builder.publish.workdir import work_dir_lock
with work_dir_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_build_at_once_stops_naming_the_first_and_changes_nothing(
        tmp_path: Path, cli) -> None:
    """Two builds of one work folder would write the same pages and the same site's save
    journal: the second stops at once, exit status 1, naming the first."""
    import subprocess
    import sys

    project = make_project(tmp_path / "p")
    build(project, ROOT / "data")
    site, work = tree(project.site), tree(project.docs)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_WORK_FOLDER, str(project.docs)],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = cli(*project.build_args(ROOT / "data"), "--full")
        assert result.exit_code == 1
        assert "another build is using this work folder (pid " \
            f"{holder.pid}, since " in result.output
        during = tree(project.docs)
        assert "pid" in during.pop(".build.lock").decode()  # the holder's, named in it
        assert tree(project.site) == site and during == work
    finally:
        holder.communicate("\n", timeout=30)
    assert cli(*project.build_args(ROOT / "data"), "--full").exit_code == 0
    assert not (project.docs / ".build.lock").exists()


def test_a_page_name_collision_fails_the_build(tmp_path: Path, monkeypatch) -> None:
    import builder.publish.paths
    from builder.core.errors import BuildFailed

    monkeypatch.setattr(builder.publish.paths, "page_name", lambda key, fallback: "same-name")
    project = make_project(tmp_path / "p")
    with pytest.raises(BuildFailed, match="two pages would share the file owners/same-name.md"):
        build(project, ROOT / "data")
    assert not project.site.exists()


def test_the_navigation_is_for_readers_and_about_links_the_benchmark(real_site: Project) -> None:
    tabs = [a.get("href") for t, a in read_page(real_site.site / "index.html").tags
            if t == "a" and "md-tabs__link" in a.get("class", "")]
    assert len(tabs) >= 6
    assert not [h for h in tabs if "performance" in (h or "")]
    about = read_page(real_site.site / "about" / "index.html")
    assert "../performance/" in [a.get("href") for t, a in about.tags if t == "a"]
    assert (real_site.site / "performance" / "index.html").is_file()


def test_the_readme_lists_the_navigation_of_the_site() -> None:
    import re

    import yaml

    nav = [next(iter(entry)) for entry in
           yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    listed = re.search(r"The navigation holds sections with index pages only \(([^)]+)\)",
                       readme)
    assert listed and listed.group(1).split(", ") == nav


def _children() -> list[int]:
    """Processes whose parent is this one (from /proc)."""
    import os

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def test_a_failed_build_from_nothing_leaves_no_process_behind(tmp_path: Path) -> None:
    """A build from nothing starts its site step's processes with it; when the build
    fails first, they end with it."""
    from builder.core.errors import BuilderError

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    answers = next(data.glob("surveys/april-2017-*/answers.jsonl"))
    answers.write_text(answers.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    project = make_project(tmp_path / "p")
    before = _children()
    with pytest.raises(BuilderError, match="json-syntax"):
        build(project, data)
    assert _children() == before
    assert not project.site.exists()
