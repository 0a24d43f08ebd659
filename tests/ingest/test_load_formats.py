"""Each of the five layouts imports to exactly the answers it shows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from builder.core.model import DATE, FREE_TEXT, MULTI, SINGLE, UNKNOWN
from builder.ingest.formats import Format, detect_format
from builder.ingest.formats.html_page import question_ids_from_url
from builder.store.records import load_store
from conftest import APRIL_2017_URL, CCADB, FIXTURES, MAY_2020_URL
from storecheck import answers

FORMATS = FIXTURES / "formats"
APRIL_HTML = CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html"
APRIL_CSV = CCADB / "report-april-2017-Q00028.csv"
MAY_HTML = CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html"
MAY_CSV = CCADB / "report-may-2020-Q00101-Q00102.csv"
APRIL_OWNERS = [
    "AC Camerfirma, S.A.", "Actalis", "Amazon Trust Services",
    "Asseco Data Systems S.A. (previously Unizeto Certum)",
    "Autoridad de Certificacion Firmaprofesional", "Buypass",
]
MAY_OWNERS = ["AC Camerfirma, S.A.", "Actalis", "Amazon Trust Services"]
MAY_ANSWER = ("Our responses to the January 2020 CA Communication have not changed, and we "
              "will meet these requirements according to the dates we previously specified.")

EXAMPLE_SURVEY = "Example 2030 CA Communication (fictitious)"
EXAMPLE = "Fictitious Example CA"
UNICODE = "Fictitious Ünïcode CA"
COMMENT = 'We answer within 24 hours, "always".\nSecond line, with a comma.'
EXPECTED = {
    ("Q09001", EXAMPLE): (("Email", "Web form"), (1, 2)),
    ("Q09001", UNICODE): (("Other (please describe below)",), (3,)),
    ("Q09002", EXAMPLE): ((COMMENT,), ()),
    ("Q09002", UNICODE): (("See https://example.invalid/cps",), ()),
    ("Q09003", EXAMPLE): (("Yes",), (1,)),
    ("Q09003", UNICODE): (("No",), (2,)),
    ("Q09004", EXAMPLE): (("2031 Sep 30",), ()),
    ("Q09004", UNICODE): (("2031 Jan 15",), ()),
}
"""What tests/fixtures/formats/ccadb-export.csv and api-export.json hold."""


def values_only(found: dict) -> dict:
    return {key: values for key, (values, _) in found.items()}


def imported(cli, data: Path, source: Path, *args: str) -> str:
    result = cli("import", source, "--data", data, "--observed-at", "2030-12-02T00:00:00Z",
                 *args)
    assert result.exit_code == 0, result.output
    return result.output


# -- report-html and report-csv: the real pages -------------------------------------------

def page_answers(csv_copy: Path, ids: list[str]) -> dict:
    """The answers as the hand-made CSV copy of the page shows them, read with csv."""
    with csv_copy.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return {(qid, row[0]): ((row[i],), ()) for row in rows for i, qid in enumerate(ids, 1)}


def test_april_2017_page_imports_to_exactly_its_answers(cli, tmp_path: Path) -> None:
    out = imported(cli, tmp_path, APRIL_HTML, "--source-url", APRIL_2017_URL)
    assert out == (f"{APRIL_HTML}: report-html, 6 record(s); answers 6 added, 0 changed, "
                   "0 withdrawn; 4 file(s) written\n")
    found = answers(tmp_path)
    assert found == page_answers(APRIL_CSV, ["Q00028"])
    assert [owner for _, owner in sorted(found)] == APRIL_OWNERS
    assert found[("Q00028", "Actalis")][0] == (
        'Our problem reporting procedure is documented on out web site at the following '
        'address (see section "Problem reporting"): '
        'https://www.actalis.it/products/ssl-certificate.aspx The same procedure is also '
        'described in our CPS.',)
    [survey] = load_store(tmp_path).surveys.values()
    assert survey.survey.title == "April 2017 CA Communication"
    assert survey.survey.communication_id == "a05o000003WrzBC"
    assert survey.survey.source_urls == (APRIL_2017_URL,)
    assert list(survey.questions) == ["Q00028"]
    assert survey.questions["Q00028"].text.startswith(
        "ACTION 12: PROBLEM REPORTING MECHANISM Please explain how your CA meets")
    assert {a.source for a in survey.answers.values()} == {APRIL_2017_URL}


def test_may_2020_page_with_an_empty_second_column_imports_blank_answers(
        cli, tmp_path: Path) -> None:
    imported(cli, tmp_path, MAY_HTML, "--source-url", MAY_2020_URL)
    expected = {("Q00101", o): ((MAY_ANSWER,), ()) for o in MAY_OWNERS}
    expected |= {("Q00102", o): (("",), ()) for o in MAY_OWNERS}
    assert answers(tmp_path) == expected
    assert page_answers(MAY_CSV, ["Q00101", "Q00102"]) == expected
    [survey] = load_store(tmp_path).surveys.values()
    assert survey.questions["Q00102"].text == "ITEM 2 COMMENTS"
    assert survey.questions["Q00102"].type == FREE_TEXT  # a COMMENTS item is free text
    assert survey.questions["Q00101"].text.startswith("ITEM 2: Mozilla Root Store Policy")


@pytest.mark.parametrize(("page", "copy", "url", "ids"), [
    (APRIL_HTML, APRIL_CSV, APRIL_2017_URL, "Q00028"),
    (MAY_HTML, MAY_CSV, MAY_2020_URL, "Q00101,Q00102"),
])
def test_report_csv_copy_imports_to_the_same_answers_as_its_page(
        cli, tmp_path: Path, page: Path, copy: Path, url: str, ids: str) -> None:
    title = "April 2017 CA Communication" if "april" in page.name else "May 2020 CA Communication"
    imported(cli, tmp_path / "html", page, "--source-url", url)
    out = imported(cli, tmp_path / "csv", copy, "--survey", title, "--question-ids", ids)
    assert out.startswith(f"{copy}: report-csv, ")
    assert answers(tmp_path / "csv") == answers(tmp_path / "html")
    [survey] = load_store(tmp_path / "csv").surveys.values()
    assert survey.survey.title == title


def test_question_ids_from_a_url_with_a_trailing_comma() -> None:
    assert question_ids_from_url(MAY_2020_URL) == ("Q00101", "Q00102")
    assert question_ids_from_url(MAY_2020_URL.replace("Q00102,", "Q00102,,%20")) == (
        "Q00101", "Q00102")
    assert question_ids_from_url(APRIL_2017_URL) == ("Q00028",)
    assert question_ids_from_url("https://example.invalid/CACommResponsesOnlyReport") == ()


def test_question_ids_given_by_option_match_the_url(cli, tmp_path: Path) -> None:
    """--question-ids with a trailing comma, without the URL, gives the same answers."""
    imported(cli, tmp_path / "url", MAY_HTML, "--source-url", MAY_2020_URL)
    imported(cli, tmp_path / "ids", MAY_HTML, "--question-ids", "Q00101,Q00102,")
    assert answers(tmp_path / "ids") == answers(tmp_path / "url")


# -- ccadb-csv and json ---------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt"), [("ccadb-export.csv", "ccadb-csv"),
                                           ("api-export.json", "json")])
def test_record_layouts_import_to_exactly_the_expected_answers(
        cli, tmp_path: Path, name: str, fmt: str) -> None:
    out = imported(cli, tmp_path, FORMATS / name)
    assert out == (f"{FORMATS / name}: {fmt}, 9 record(s); answers 8 added, 0 changed, "
                   "0 withdrawn; 4 file(s) written\n")
    assert answers(tmp_path) == EXPECTED
    [data] = load_store(tmp_path).surveys.values()
    assert (data.survey.title, data.survey.communication_id) == (EXAMPLE_SURVEY,
                                                                  "a05EXAMPLE00001")
    questions = [(q.id, q.order, q.type, q.options) for q in data.sorted_questions()]
    assert questions == [
        ("Q09001", 1, MULTI, ("Email", "Web form", "Other (please describe below)")),
        ("Q09002", 2, FREE_TEXT, ()),
        ("Q09003", 3, SINGLE, ("Yes", "No")),
        ("Q09004", 4, DATE, ()),
    ]
    assert data.questions["Q09001"].text == "ACTION 1: How do you take problem reports?"
    submitted = {(a.question_id, a.owner_name): a.submitted_at for a in data.answers.values()}
    assert submitted[("Q09001", EXAMPLE)] == "2030-11-30"
    assert submitted[("Q09004", UNICODE)] == "2030-12-01T10:20:30Z"
    assert {a.observed_at for a in data.answers.values()} == {"2030-12-02T00:00:00Z"}


def test_csv_and_json_exports_of_the_same_records_give_the_same_store(
        cli, tmp_path: Path) -> None:
    imported(cli, tmp_path / "csv", FORMATS / "ccadb-export.csv")
    imported(cli, tmp_path / "json", FORMATS / "api-export.json")
    a, b = load_store(tmp_path / "csv"), load_store(tmp_path / "json")
    [sa], [sb] = a.surveys.values(), b.surveys.values()
    assert {k: v.values for k, v in sa.answers.items()} == {
        k: v.values for k, v in sb.answers.items()}
    assert [(q.id, q.type, q.options, q.text) for q in sa.sorted_questions()] == [
        (q.id, q.type, q.options, q.text) for q in sb.sorted_questions()]


# -- summary-html ---------------------------------------------------------------------------

def test_summary_page_alone_gives_stable_local_question_ids(cli, tmp_path: Path) -> None:
    out = imported(cli, tmp_path / "a", FORMATS / "summary-report.html")
    assert out.startswith(f"{FORMATS / 'summary-report.html'}: summary-html, 8 record(s); "
                          "answers 8 added, ")
    [data] = load_store(tmp_path / "a").surveys.values()
    assert data.survey.title == EXAMPLE_SURVEY
    questions = data.sorted_questions()
    assert [q.text for q in questions] == [
        "ACTION 1: How do you take problem reports?", "ACTION 1 COMMENTS",
        "ACTION 2: Will you meet the deadline?", "ACTION 3: When will you update your CPS?"]
    assert [q.type for q in questions] == [UNKNOWN, FREE_TEXT, UNKNOWN, UNKNOWN]
    assert all(q.id.startswith("local-") for q in questions)
    ids = [q.id for q in questions]
    found = {(ids.index(qid), owner): values
             for (qid, owner), values in values_only(answers(tmp_path / "a")).items()}
    # The type of ACTION 1 is not known, so its newline-joined options stay one value.
    assert found == {
        (0, EXAMPLE): ("Email\nWeb form",), (0, UNICODE): ("Other (please describe below)",),
        (1, EXAMPLE): (COMMENT,), (1, UNICODE): ("See https://example.invalid/cps",),
        (2, EXAMPLE): ("Yes",), (2, UNICODE): ("No",),
        (3, EXAMPLE): ("2031 Sep 30",), (3, UNICODE): ("2031 Jan 15",),
    }
    imported(cli, tmp_path / "b", FORMATS / "summary-report.html")
    assert [q.id for q in load_store(tmp_path / "b").surveys[EXAMPLE_SURVEY]
            .sorted_questions()] == ids


def test_summary_page_with_question_ids_by_position(cli, tmp_path: Path) -> None:
    imported(cli, tmp_path, FORMATS / "summary-report.html",
             "--question-ids", "Q09001,Q09002,Q09003,Q09004")
    assert values_only(answers(tmp_path)) == {
        **values_only(EXPECTED), ("Q09001", EXAMPLE): ("Email\nWeb form",)}


def test_summary_page_after_the_full_export_changes_nothing(cli, tmp_path: Path) -> None:
    """Questions are found by their text; the known Multi Select splits the options."""
    imported(cli, tmp_path, FORMATS / "ccadb-export.csv")
    out = imported(cli, tmp_path, FORMATS / "summary-report.html")
    assert out == (f"{FORMATS / 'summary-report.html'}: summary-html, 8 record(s); answers "
                   "0 added, 0 changed, 0 withdrawn; 0 file(s) written\n")
    assert answers(tmp_path) == EXPECTED


# -- report-html: CA-written cells ---------------------------------------------------------

def test_br_joined_options_of_a_known_multi_select_become_separate_options(
        cli, tmp_path: Path) -> None:
    imported(cli, tmp_path, FORMATS / "ccadb-export.csv")
    imported(cli, tmp_path, FORMATS / "report-multi-select.html",
             "--question-ids", "Q09001,Q09002", "--partial")
    found = answers(tmp_path)
    assert found[("Q09001", EXAMPLE)] == (("Email", "Web form"), (1, 2))
    assert found[("Q09001", "Fictitious Markup CA")] == (
        ("Web form", "Other (please describe below)"), (2, 3))
    assert found[("Q09001", UNICODE)] == EXPECTED[("Q09001", UNICODE)]  # partial: kept


def test_live_markup_in_cells_keeps_the_text_never_the_markup(cli, tmp_path: Path) -> None:
    imported(cli, tmp_path, FORMATS / "report-multi-select.html",
             "--question-ids", "Q09001,Q09002")
    found = values_only(answers(tmp_path))
    assert found[("Q09002", EXAMPLE)] == ("We answer within 24 hours.",)
    assert found[("Q09002", "Fictitious Markup CA")] == ("See our CPS & <b>not bold</b>",)
    # Without a known type the <br> still separates lines, kept in one value.
    assert found[("Q09001", "Fictitious Markup CA")] == (
        "Web form\nOther (please describe below)",)
    data_text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.jsonl"))
    for markup in ("<script", "alert(1)", "onerror", "<img", "<iframe", "javascript:", "<i>"):
        assert markup not in data_text


def test_markup_in_a_self_closed_script_does_not_hide_the_rest(cli, tmp_path: Path) -> None:
    page = (FORMATS / "report-multi-select.html").read_text(encoding="utf-8").replace(
        "Email<br>Web form", "Email<script/><br>Web form<style>p{}</style>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    imported(cli, tmp_path / "data", tmp_path / "page.html", "--question-ids", "Q09001,Q09002")
    found = values_only(answers(tmp_path / "data"))
    assert found[("Q09001", EXAMPLE)] == ("Email\nWeb form",)
    assert len(found) == 4


# -- detection and --format ---------------------------------------------------------------

@pytest.mark.parametrize(("path", "fmt"), [
    (APRIL_HTML, Format.REPORT_HTML), (MAY_HTML, Format.REPORT_HTML),
    (FORMATS / "report-multi-select.html", Format.REPORT_HTML),
    (FORMATS / "summary-report.html", Format.SUMMARY_HTML),
    (APRIL_CSV, Format.REPORT_CSV), (MAY_CSV, Format.REPORT_CSV),
    (FORMATS / "ccadb-export.csv", Format.CCADB_CSV),
    (FORMATS / "api-export.json", Format.JSON),
], ids=lambda v: v.name if isinstance(v, Path) else v.value)
def test_each_layout_is_detected_from_its_content(path: Path, fmt: Format) -> None:
    assert detect_format(path.read_text(encoding="utf-8")) is fmt


def test_detection_ignores_leading_space_and_header_order() -> None:
    assert detect_format("\n  [ ]") is Format.JSON
    assert detect_format("ca_owner,response,question_id,survey,question_text\n") is (
        Format.CCADB_CSV)
    assert detect_format('"CA Owner",Response\n') is Format.REPORT_CSV
    assert detect_format("Owner;Answer\nA;B\n") is None


def test_words_of_a_summary_inside_report_cells_do_not_make_it_a_summary(
        cli, tmp_path: Path) -> None:
    page = (FORMATS / "report-multi-select.html").read_text(encoding="utf-8").replace(
        "Email<br>Web form", "Email<br>Web form<br>CA Responses to the survey: <b>Action</b>")
    assert detect_format(page) is Format.REPORT_HTML
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    imported(cli, tmp_path / "data", tmp_path / "page.html", "--question-ids", "Q09001,Q09002")


def test_format_option_forces_the_layout(cli, tmp_path: Path) -> None:
    forced = cli("import", FORMATS / "ccadb-export.csv", "--format", "json", "--data", tmp_path)
    assert forced.exit_code == 1
    assert forced.output.startswith(f"{FORMATS / 'ccadb-export.csv'}:1:1: -: not-an-array: ")
    forced = cli("import", FORMATS / "api-export.json", "--format", "report-csv",
                 "--survey", "S", "--question-ids", "Q00001", "--data", tmp_path)
    assert forced.exit_code == 1
    assert ": missing-header: first column must be 'CA Owner'" in forced.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
    out = imported(cli, tmp_path, FORMATS / "summary-report.html", "--format", "summary-html")
    assert ": summary-html, 8 record(s);" in out


def test_unrecognised_content_asks_for_format(cli, tmp_path: Path) -> None:
    (tmp_path / "odd.txt").write_text("Owner;Answer\nA;B\n", encoding="utf-8")
    result = cli("import", tmp_path / "odd.txt", "--data", tmp_path / "data")
    assert result.exit_code == 1
    assert result.output == (
        f"{tmp_path / 'odd.txt'}:1: -: unknown-format: not a CCADB export this tool reads "
        "(report-html, summary-html, survey-sample-html, report-csv, ccadb-csv, json or "
        "ca-information-csv); use "
        "--format to force one (got 'Owner;Answer')\n1 problem found\n")
    forced = cli("import", tmp_path / "odd.txt", "--format", "report-csv", "--survey", "S",
                 "--question-ids", "Q00001", "--data", tmp_path / "data")
    assert "missing-header" in forced.output
