"""The real material in data/ and tests/fixtures/ccadb imports to exactly what it shows."""

from __future__ import annotations

import shutil
from pathlib import Path

from builder.importer import import_source
from builder.load import LoadOptions
from builder.store import load_store
from conftest import APRIL_2017_URL, CCADB, MAY_2020_URL, ROOT

APRIL_OWNERS = [
    "AC Camerfirma, S.A.", "Actalis", "Amazon Trust Services",
    "Asseco Data Systems S.A. (previously Unizeto Certum)",
    "Autoridad de Certificacion Firmaprofesional", "Buypass",
]
MAY_ANSWER = ("Our responses to the January 2020 CA Communication have not changed, and we "
              "will meet these requirements according to the dates we previously specified.")


def test_bundled_store_is_valid_and_complete() -> None:
    store = load_store(ROOT / "data")
    titles = {d.survey.title: d for d in store.surveys.values()}
    assert set(titles) == {"April 2017 CA Communication", "May 2020 CA Communication",
                           "November 2017 CA Communication", "March 2016 CA Communication",
                           "September 2018 CA Communication", "January 2020 CA Communication"}
    nov = titles["November 2017 CA Communication"]
    assert len(nov.questions) == 8 and not nov.answers
    assert nov.sorted_questions()[5].text == (
        "ACTION 6: Provide a tested email address for the CA’s Problem Reporting Mechanism.")
    april = titles["April 2017 CA Communication"]
    assert [a.owner_name for a in april.sorted_answers()] == APRIL_OWNERS
    assert all(a.source == APRIL_2017_URL for a in april.answers.values())
    may = titles["May 2020 CA Communication"]
    assert {a.values for a in may.answers.values() if a.question_id == "Q00101"} == {
        (MAY_ANSWER,)}
    assert {a.values for a in may.answers.values() if a.question_id == "Q00102"} == {("",)}
    assert april.survey.partial and may.survey.partial
    assert len(store.catalog) == 12


def test_html_fixture_and_csv_copy_import_to_the_same_answers(tmp_path: Path) -> None:
    """The report page and the hand-made CSV of it give identical answers."""
    html_store, csv_store = tmp_path / "html", tmp_path / "csv"
    import_source(str(CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html"), html_store,
                  LoadOptions(source_url=APRIL_2017_URL), observed_at="2026-01-01T00:00:00Z")
    import_source(str(CCADB / "report-april-2017-Q00028.csv"), csv_store,
                  LoadOptions(survey="April 2017 CA Communication", question_ids=("Q00028",),
                              source_url=APRIL_2017_URL), observed_at="2026-01-01T00:00:00Z")
    a, b = load_store(html_store), load_store(csv_store)
    [sa], [sb] = a.surveys.values(), b.surveys.values()
    assert sa.answers == sb.answers
    assert len(sa.answers) == 6
    assert sa.questions["Q00028"].text.startswith("ACTION 12: PROBLEM REPORTING MECHANISM")
    assert sa.survey.communication_id == "a05o000003WrzBC"


def test_reimport_of_real_fixtures_changes_no_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = import_source(str(CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"),
                           data, LoadOptions(source_url=MAY_2020_URL), partial=True)
    assert result.changes == [] and result.written == []
    after = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert after == before
