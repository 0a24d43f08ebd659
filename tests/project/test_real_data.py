"""The real material: invariants that hold for whatever real data `data/` holds (a daily
fetch adds answers, other surveys are added), and exact contents checked on fixtures.

Nothing here pins what `data/` contains today: the first scheduled fetch that adds an
answer would otherwise turn every later push red.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from builder.core.model import Store
from builder.ingest.formats import LoadOptions
from builder.ingest.importer import import_source
from builder.publish.build import build_site
from builder.publish.paths import owner_page, question_page, url_of
from builder.store.records import load_store
from conftest import APRIL_2017_URL, CCADB, MAY_2020_URL, ROOT, make_project

APRIL = "April 2017 CA Communication"
APRIL_OWNERS = [
    "AC Camerfirma, S.A.", "Actalis", "Amazon Trust Services",
    "Asseco Data Systems S.A. (previously Unizeto Certum)",
    "Autoridad de Certificacion Firmaprofesional", "Buypass",
]
MAY_ANSWER = ("Our responses to the January 2020 CA Communication have not changed, and we "
              "will meet these requirements according to the dates we previously specified.")
NOVEMBER_2017 = "November 2017 CA Communication"
TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?")
AT = "2026-01-01T00:00:00Z"


def real_data_problems(store: Store) -> list[str]:
    """What would make a store not a truthful record of real CA answers."""
    problems = []
    if store.demo:
        problems.append("the store is marked as demo data")
    for data in store.surveys.values():
        title = data.survey.title
        if data.survey.demo or "(demo" in title or "fictitious" in title.lower():
            problems.append(f"{title}: a demo survey")
        if not data.questions:
            problems.append(f"{title}: no question")
        for answer in data.answers.values():
            where = f"{title} / {answer.question_id} / {answer.owner_name}"
            if not answer.source.startswith(("https://", "http://")):
                problems.append(f"{where}: no source URL ({answer.source!r})")
            if answer.owner_name.startswith("Fictitious"):
                problems.append(f"{where}: a demo CA owner")
            if answer.captured_at is not None and not TIME.fullmatch(answer.captured_at):
                problems.append(f"{where}: capture time {answer.captured_at!r}")
            if answer.live and answer.captured_at is None:
                problems.append(f"{where}: a live capture without its time")
            if not TIME.fullmatch(answer.observed_at):
                problems.append(f"{where}: import time {answer.observed_at!r}")
        for change in data.history:
            if not change.source or change.source.startswith("demo:"):
                problems.append(f"{title}: a change without a real source ({change.source!r})")
    november = [d for d in store.surveys.values() if d.survey.title == NOVEMBER_2017]
    if len(november) != 1 or len(november[0].questions) != 8:
        problems.append("the November 2017 survey does not have its 8 action items")
    return problems


def assert_every_page_builds(data: Path, root: Path) -> None:
    """A strict MkDocs build, and every answer on its question page and owner page."""
    project = make_project(root)
    build_site(data, docs_dir=project.docs, site_dir=project.site, config_file=project.config)
    store = load_store(data)
    for survey in store.surveys.values():
        for answer in survey.answers.values():
            for page in (question_page(survey.survey.key, answer.question_id),
                         owner_page(answer.owner_key)):
                html = (project.site / url_of(page) / "index.html").read_text("utf-8")
                assert answer.source in html.replace("&amp;", "&"), (page, answer.owner_name)


def test_the_real_data_is_a_truthful_record() -> None:
    assert real_data_problems(load_store(ROOT / "data")) == []


def test_the_invariants_catch_what_they_are_about(tmp_path: Path, cli) -> None:
    """The checks can fail: on the demo data and on a copy with a source removed."""
    cli("demo", "--size", "small", "--data", tmp_path / "demo")
    problems = real_data_problems(load_store(tmp_path / "demo"))
    assert "the store is marked as demo data" in problems
    assert any("a demo CA owner" in p for p in problems)
    assert "the November 2017 survey does not have its 8 action items" in problems


def test_november_2017_keeps_its_8_action_items() -> None:
    [november] = [d for d in load_store(ROOT / "data").surveys.values()
                  if d.survey.title == NOVEMBER_2017]
    assert [q.id for q in november.sorted_questions()] == [
        f"local-2017-11-action-{n}" for n in range(1, 9)]
    assert november.sorted_questions()[5].text == (
        "ACTION 6: Provide a tested email address for the CA’s Problem Reporting Mechanism.")


def test_a_fetch_that_adds_an_answer_keeps_every_invariant(tmp_path: Path) -> None:
    """What the daily fetch does to data/: a new answer arrives; every check still holds."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = load_store(data)
    export = tmp_path / "report.csv"
    export.write_text("CA Owner,Response\nTest CA added by test_real_data,We answered.\n",
                      encoding="utf-8")
    result = import_source(str(export), data,
                           LoadOptions(survey=APRIL, question_ids=("Q00028",),
                                       source_url=APRIL_2017_URL),
                           partial=True, observed_at=AT)
    assert [c.kind for c in result.changes] == ["added"]
    after = load_store(data)
    assert sum(len(d.answers) for d in after.surveys.values()) == sum(
        len(d.answers) for d in before.surveys.values()) + 1
    assert real_data_problems(after) == []
    assert_every_page_builds(data, tmp_path / "project")


# -- exact contents, on the fixtures (the copies the bundled data was imported from) ------

@pytest.fixture
def fixture_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    import_source(str(CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html"), store,
                  LoadOptions(source_url=APRIL_2017_URL), partial=True, observed_at=AT)
    import_source(str(CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"), store,
                  LoadOptions(source_url=MAY_2020_URL), partial=True, observed_at=AT)
    return store


def test_the_report_fixtures_import_to_exactly_their_answers(fixture_store: Path) -> None:
    store = load_store(fixture_store)
    titles = {d.survey.title: d for d in store.surveys.values()}
    assert set(titles) == {APRIL, "May 2020 CA Communication"}
    april = titles[APRIL]
    assert [a.owner_name for a in april.sorted_answers()] == APRIL_OWNERS
    assert all(a.source == APRIL_2017_URL for a in april.answers.values())
    assert april.questions["Q00028"].text.startswith("ACTION 12: PROBLEM REPORTING MECHANISM")
    may = titles["May 2020 CA Communication"]
    assert {a.values for a in may.answers.values() if a.question_id == "Q00101"} == {
        (MAY_ANSWER,)}
    assert {a.values for a in may.answers.values() if a.question_id == "Q00102"} == {("",)}
    assert april.survey.partial and may.survey.partial


def test_html_fixture_and_csv_copy_import_to_the_same_answers(tmp_path: Path) -> None:
    """The report page and the hand-made CSV of it give identical answers."""
    html_store, csv_store = tmp_path / "html", tmp_path / "csv"
    import_source(str(CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html"), html_store,
                  LoadOptions(source_url=APRIL_2017_URL), observed_at=AT)
    import_source(str(CCADB / "report-april-2017-Q00028.csv"), csv_store,
                  LoadOptions(survey=APRIL, question_ids=("Q00028",),
                              source_url=APRIL_2017_URL), observed_at=AT)
    a, b = load_store(html_store), load_store(csv_store)
    [sa], [sb] = a.surveys.values(), b.surveys.values()
    assert sa.answers == sb.answers
    assert len(sa.answers) == 6
    assert sa.survey.communication_id == "a05o000003WrzBC"


def test_reimport_of_a_real_fixture_changes_no_file(fixture_store: Path) -> None:
    before = {p: p.read_bytes() for p in fixture_store.rglob("*") if p.is_file()}
    result = import_source(str(CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"),
                           fixture_store, LoadOptions(source_url=MAY_2020_URL), partial=True)
    assert result.changes == [] and result.written == []
    assert {p: p.read_bytes() for p in fixture_store.rglob("*") if p.is_file()} == before
