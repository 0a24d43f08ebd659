"""The summary report as the CCADB prints it, and survey definitions from the sample page.

Real pages: tests/fixtures/ccadb/CACommSummaryReport-march-2016.html and the two
CACommunicationSurveySample pages (see SOURCE.md). Fictitious pages are built here in the
same layouts (Visualforce CACommSummaryReport.page and CACommunicationSurveySample.page).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from builder.core.model import DATE, FREE_TEXT, MULTI, SINGLE, UNKNOWN
from builder.ingest.formats import Format, detect_format
from builder.publish.build import build_site
from builder.publish.paths import question_page, survey_page, url_of
from builder.publish.render import render_pages
from builder.store.records import load_store
from conftest import CCADB, FIXTURES, ROOT, make_project
from sitecheck import main_text, read_page
from storecheck import answers, snapshot

CCADB_BASE = "https://ccadb-public.secure.force.com/mozillacommunications/"
MARCH_2016 = CCADB / "CACommSummaryReport-march-2016.html"
MARCH_2016_URL = CCADB_BASE + "CACommSummaryReport?CommunicationID=a05o000000iHdtx"
SEPT_2018 = CCADB / "CACommunicationSurveySample-september-2018.html"
SEPT_2018_URL = CCADB_BASE + "CACommunicationSurveySample?CACommunicationId=a051J00003rMGLL"
JAN_2020 = CCADB / "CACommunicationSurveySample-january-2020.html"
JAN_2020_URL = CCADB_BASE + "CACommunicationSurveySample?CACommunicationId=a051J00003waNOW"
REAL_TEXT = Path("/work/shared/ccadb/real")
SUMMARY_ONE_TABLE = FIXTURES / "formats" / "summary-report.html"
EXAMPLE_SURVEY = "Example 2030 CA Communication (fictitious)"
OBSERVED = "2030-12-02T00:00:00Z"


def url_of_html(page: str) -> str:
    return url_of(page) + "index.html"


def run(cli, data: Path, source: Path, *args: str):
    return cli("import", source, "--data", data, "--observed-at", OBSERVED, *args)


def imported(cli, data: Path, source: Path, *args: str) -> str:
    result = run(cli, data, source, *args)
    assert result.exit_code == 0, result.output
    return result.output


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- page builders in the CCADB layouts ----------------------------------------------------

def _block_header(title: str) -> str:
    inner = f'<h2 class="mainTitle">{title}</h2>' if title else ""
    return ('<div class="pbHeader"><table border="0" cellpadding="0" cellspacing="0"><tr>'
            f'<td class="pbTitle">{inner}</td><td>&nbsp;</td></tr></table></div>\n')


def summary_per_question(title: str, owners: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """CACommSummaryReport as its template prints it: owner block, untitled contact block,
    one Action | Response table per question; questions unescaped, answers escaped."""
    blocks = []
    for owner, rows in owners:
        tables = "".join(
            '<table class="list" border="0" cellpadding="0" cellspacing="0">'
            '<colgroup span="2"></colgroup><thead class="rich-table-thead">'
            '<tr class="headerRow "><th class="headerRow" scope="col"><div>Action</div></th>'
            '<th class="headerRow" scope="col"><div>Response</div></th></tr></thead>\n<tbody>'
            f'<tr class="dataRow even last first"><td class="dataCell"> {question}</td>\n'
            '<td class="dataCell"> <span style="white-space: pre-wrap; layout=\'block\'">'
            f"{html.escape(answer)}</span></td></tr>\n</tbody></table>\n"
            for question, answer in rows)
        blocks.append(
            '<div class="apexp"><div class="bPageBlock">\n' + _block_header(owner)
            + '<div class="pbBody"><div class="apexp"><div class="bPageBlock">\n'
            + _block_header("") + f'<div class="pbBody">\n{tables}</div></div></div>'
            '</div></div></div>\n')
    return ("<!DOCTYPE HTML>\n<html><head></head><body>\n"
            '<div class="bPageTitle"><div class="ptBody"><div class="content">'
            f'<h1 class="pageType noSecondHeader">CA Responses to {title}</h1>'
            '<div class="blank">&nbsp;</div></div></div></div>\n'
            + "".join(blocks) + "</body></html>\n")


def sample_page(title: str, letter: str, questions: list[dict], *,
                comm_id: str = "a05000000000001", cut: str = "") -> str:
    """CACommunicationSurveySample as its template prints it. A question: text (HTML),
    required, and one of radio / checkbox (a list of (value, label)), text, date."""
    parts = []
    for q in questions:
        required = ('<span class="requiredText">\n (Required)\n </span>'
                    if q.get("required") else "")
        controls = {"radio": "", "checkbox": "", "text": "", "dateType": ""}
        for kind in ("radio", "checkbox"):
            if kind in q:
                controls[kind] = "<fieldset><table role=\"presentation\">" + "".join(
                    f'<tr><td><input type="{kind}" disabled="disabled" id="o{v}" '
                    f'name="q" value="{v}"/><label for="o{v}"> {label}</label></td></tr>'
                    for v, label in q[kind]) + "</table></fieldset>"
        if q.get("text"):
            controls["text"] = ('<textarea cols="150" rows="10" disabled="disabled" '
                                'name="t">Default text, not an answer</textarea>')
        if q.get("date"):
            controls["dateType"] = '<input type="date" disabled="disabled" name="d"/>'
        parts.append(
            '<div id="a0B000000000001">\n<div class="apexp"><div class="bPageBlock">\n'
            + _block_header("") + '<div class="pbBody">\n'
            f'<h1 class="question">\n{q["question"]}\n{required}\n<br/><br/>\n</h1>\n'
            + "".join(f'<div id="{k}">{v}</div>\n' for k, v in controls.items())
            + "</div></div></div>\n</div>\n")
    page = (
        "<!DOCTYPE HTML>\n<html><head><style>.requiredText{color:red;}</style></head><body>\n"
        '<form id="thePage:theFrm" name="thePage:theFrm" method="post" action="/'
        f'mozillacommunications/CACommunicationSurveySample?CACommunicationId={comm_id}">\n'
        '<div id="survey_container">\n<div class="apexp"><div class="bPageBlock" '
        'id="thePage:theFrm:queTable">\n' + _block_header(title) + '<div class="pbBody">\n'
        f'<h1 class="question">\n<span>{letter}</span><p/>\n</h1>\n' + "".join(parts))
    if cut:
        return page + cut
    return page + "</div></div></div>\n</div>\n</form>\n</body>\n</html>\n"


EXAMPLE_QUESTIONS = [
    {"question": "<b>ACTION 1:</b> How do you take problem reports?", "required": True,
     "checkbox": [("0", "Email"), ("1", "Web form"), ("2", "Other (please describe below)")]},
    {"question": "ACTION 1 COMMENTS", "text": True},
    {"question": "ACTION 2: Will you meet the deadline?", "required": True,
     "radio": [("0", "Yes"), ("1", "No")]},
    {"question": "ACTION 3: When will you update your CPS?", "date": True},
]
EXAMPLE_LETTER = ("Dear Certification Authority,<br/><br/>Please read "
                  '<a href="https://example.invalid/policy">the policy</a>.<br/>'
                  "Fictitious Program Manager")


# -- summary-html: the layout as really printed --------------------------------------------

def test_real_march_2016_summary_gives_camerfirmas_two_answers(cli, tmp_path: Path) -> None:
    out = imported(cli, tmp_path, MARCH_2016, "--partial", "--source-url", MARCH_2016_URL)
    assert out == (
        f"warning: {MARCH_2016}:35:37: -: cut-short: the page stops inside this row (a copy "
        "cut short): the row is left out (got 'ACTION #1c: It has been pointed out in the "
        f"mozilla.dev.secur')\n{MARCH_2016}: summary-html, 2 record(s); answers 2 added, "
        "0 changed, 0 withdrawn; 4 file(s) written\n")
    [data] = load_store(tmp_path).surveys.values()
    assert data.survey.title == "March 2016 CA Communication"
    assert data.survey.communication_id == "a05o000000iHdtx"  # spelled CommunicationID
    assert data.survey.partial
    questions = data.sorted_questions()
    assert [q.order for q in questions] == [1, 2]
    assert [q.text[:12] for q in questions] == ["ACTION #1a: ", "ACTION #1b: "]
    stored = (REAL_TEXT / "page-text-march-2016-summary.txt").read_text(encoding="utf-8")
    for q, answer in zip(questions, ("2016 Feb 15", "2019 Feb 15"), strict=True):
        assert q.text + answer in stored  # verbatim: the stored text glued them together
        assert q.type == UNKNOWN and q.id.startswith("local-")
        [a] = [a for a in data.answers.values() if a.question_id == q.id]
        assert (a.owner_name, a.values, a.source) == ("AC Camerfirma, S.A.", (answer,),
                                                      MARCH_2016_URL)
        assert a.captured_at is None and not a.live


def test_both_summary_layouts_read_the_same(cli, tmp_path: Path) -> None:
    one_table = SUMMARY_ONE_TABLE.read_text(encoding="utf-8")
    owners = []
    for block in one_table.split('<h2 class="mainTitle">')[1:]:
        owner = html.unescape(block.split("</h2>")[0])
        rows = re.findall(r'<td class="dataCell" colspan="1">(.*?)</td>\s*<td class="dataCell" '
                          r'colspan="1"> <span[^>]*>(.*?)</span>', block, re.S)
        owners.append((owner, [(q.strip(), html.unescape(a)) for q, a in rows]))
    assert [len(rows) for _, rows in owners] == [4, 4]
    per_question = write(tmp_path, "per-question.html",
                         summary_per_question(EXAMPLE_SURVEY, owners))
    assert detect_format(per_question.read_text(encoding="utf-8")) is Format.SUMMARY_HTML
    imported(cli, tmp_path / "a", SUMMARY_ONE_TABLE)
    out = imported(cli, tmp_path / "b", per_question)
    assert ": summary-html, 8 record(s); answers 8 added, 0 changed, 0 withdrawn;" in out
    a, b = load_store(tmp_path / "a"), load_store(tmp_path / "b")
    [sa], [sb] = a.surveys.values(), b.surveys.values()
    assert [(q.id, q.order, q.text) for q in sa.sorted_questions()] == [
        (q.id, q.order, q.text) for q in sb.sorted_questions()]
    assert {k: v.values for k, v in sa.answers.items()} == {
        k: v.values for k, v in sb.answers.items()}
    # --question-ids map by position across the per-question tables of each owner.
    imported(cli, tmp_path / "c", per_question, "--question-ids", "Q09001,Q09002,Q09003,Q09004")
    found = answers(tmp_path / "c")
    assert found[("Q09003", "Fictitious Ünïcode CA")] == (("No",), ())
    assert found[("Q09004", "Fictitious Example CA")] == (("2031 Sep 30",), ())


def test_summary_maps_to_questions_a_survey_sample_defined(cli, tmp_path: Path) -> None:
    """Same text -> same id; the newline-joined options of a known Multi Select split."""
    sample = write(tmp_path, "sample.html",
                   sample_page(EXAMPLE_SURVEY, EXAMPLE_LETTER, EXAMPLE_QUESTIONS))
    imported(cli, tmp_path / "data", sample)
    defined = {q.text: q for q in load_store(tmp_path / "data").surveys[EXAMPLE_SURVEY]
               .questions.values()}
    summary = write(tmp_path, "summary.html", summary_per_question(EXAMPLE_SURVEY, [
        ("Fictitious Example CA", [
            ("<b>ACTION 1:</b> How do you take problem reports?", "Email\nWeb form"),
            ("ACTION 1 COMMENTS", "Line one\nline two"),
            ("ACTION 2: Will you meet the deadline?", "Yes"),
            ("ACTION 3: When will you update your CPS?", "2031 Sep 30")])]))
    imported(cli, tmp_path / "data", summary)
    data = load_store(tmp_path / "data").surveys[EXAMPLE_SURVEY]
    assert {q.text: q.id for q in data.questions.values()} == {
        t: q.id for t, q in defined.items()}
    by_text = {data.questions[a.question_id].text: (a.values, a.option_numbers)
               for a in data.answers.values()}
    assert by_text == {
        "ACTION 1: How do you take problem reports?": (("Email", "Web form"), (1, 2)),
        "ACTION 1 COMMENTS": (("Line one\nline two",), ()),
        "ACTION 2: Will you meet the deadline?": (("Yes",), (1,)),
        "ACTION 3: When will you update your CPS?": (("2031 Sep 30",), ()),
    }
    assert all(q.required is defined[q.text].required for q in data.questions.values())


def test_a_text_cut_short_is_completed_by_a_later_full_copy(cli, tmp_path: Path) -> None:
    imported(cli, tmp_path / "data", JAN_2020, "--partial", "--source-url", JAN_2020_URL)
    [cut] = load_store(tmp_path / "data").surveys["January 2020 CA Communication"].questions \
        .values()
    assert cut.truncated and cut.required is None
    full = cut.text.replace("\n\n", " ") + " about what is required."
    summary = write(tmp_path, "summary.html", summary_per_question(
        "January 2020 CA Communication", [("Fictitious Example CA", [(full, "Done")])]))
    imported(cli, tmp_path / "data", summary, "--partial")
    data = load_store(tmp_path / "data").surveys["January 2020 CA Communication"]
    [q] = data.questions.values()
    assert (q.id, q.text, q.truncated) == (cut.id, full, False)
    assert [a.values for a in data.answers.values()] == [("Done",)]
    # A copy cut shorter again says no more: the full text stays.
    imported(cli, tmp_path / "data", JAN_2020, "--partial", "--source-url", JAN_2020_URL)
    [q] = load_store(tmp_path / "data").surveys["January 2020 CA Communication"].questions \
        .values()
    assert (q.text, q.truncated) == (full, False)


def test_summary_maps_to_a_ccadb_id_from_the_question_catalogue(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "catalog").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "catalog" / "questions.csv", data / "catalog" / "questions.csv")
    april = next(q for q in load_store(ROOT / "data").surveys[
        "April 2017 CA Communication"].questions.values() if q.id == "Q00028")
    summary = write(tmp_path, "summary.html", summary_per_question(
        "April 2017 CA Communication",
        [("Fictitious Example CA", [(html.escape(april.text, quote=False), "By e-mail.")])]))
    imported(cli, data, summary, "--partial")
    assert answers(data) == {("Q00028", "Fictitious Example CA"): (("By e-mail.",), ())}


# -- survey-sample-html ----------------------------------------------------------------------

def test_survey_sample_defines_questions_types_options_and_required(cli, tmp_path: Path) -> None:
    sample = write(tmp_path, "sample.html",
                   sample_page(EXAMPLE_SURVEY, EXAMPLE_LETTER, EXAMPLE_QUESTIONS))
    assert detect_format(sample.read_text(encoding="utf-8")) is Format.SURVEY_SAMPLE_HTML
    out = imported(cli, tmp_path / "data", sample)
    assert out == (f"{sample}: survey-sample-html, 4 question(s); answers 0 added, 0 changed, "
                   "0 withdrawn; 3 file(s) written\n")
    [data] = load_store(tmp_path / "data").surveys.values()
    assert data.survey.communication_id == "a05000000000001"  # from CACommunicationId=
    assert data.survey.letter == ("Dear Certification Authority,\n\nPlease read the policy "
                                  "(https://example.invalid/policy).\nFictitious Program Manager")
    assert not data.answers and not data.history
    assert [(q.order, q.text, q.type, q.options, q.required, q.truncated)
            for q in data.sorted_questions()] == [
        (1, "ACTION 1: How do you take problem reports?", MULTI,
         ("Email", "Web form", "Other (please describe below)"), True, False),
        (2, "ACTION 1 COMMENTS", FREE_TEXT, (), False, False),
        (3, "ACTION 2: Will you meet the deadline?", SINGLE, ("Yes", "No"), True, False),
        (4, "ACTION 3: When will you update your CPS?", DATE, (), False, False),
    ]
    again = imported(cli, tmp_path / "data", sample)
    assert again.endswith("answers 0 added, 0 changed, 0 withdrawn; 0 file(s) written\n")


def test_option_numbers_come_from_the_values_the_page_gives(cli, tmp_path: Path) -> None:
    """The template skips empty option fields but keeps each option's own number."""
    sample = write(tmp_path, "sample.html", sample_page(EXAMPLE_SURVEY, "", [
        {"question": "ACTION 1: Pick one", "radio": [("0", "First"), ("3", "Fourth")]}]))
    imported(cli, tmp_path / "data", sample)
    [q] = load_store(tmp_path / "data").surveys[EXAMPLE_SURVEY].questions.values()
    assert q.options == ("First", "", "", "Fourth")


def test_a_survey_sample_never_touches_answers(cli, tmp_path: Path) -> None:
    """Not --partial, and the page lists no CA owner: still nothing is withdrawn."""
    summary = write(tmp_path, "summary.html", summary_per_question(EXAMPLE_SURVEY, [
        ("Fictitious Example CA", [("ACTION 2: Will you meet the deadline?", "Yes")])]))
    imported(cli, tmp_path / "data", summary)
    before = answers(tmp_path / "data")
    sample = write(tmp_path, "sample.html",
                   sample_page(EXAMPLE_SURVEY, EXAMPLE_LETTER, EXAMPLE_QUESTIONS))
    out = imported(cli, tmp_path / "data", sample)
    assert "answers 0 added, 0 changed, 0 withdrawn;" in out
    assert answers(tmp_path / "data") == before
    assert len(load_store(tmp_path / "data").surveys[EXAMPLE_SURVEY].history) == 1


def test_real_survey_samples_give_title_letter_and_first_questions(cli, tmp_path: Path) -> None:
    excerpts = (REAL_TEXT / "survey-sample-excerpts.md").read_text(encoding="utf-8")
    imported(cli, tmp_path, SEPT_2018, "--partial", "--source-url", SEPT_2018_URL)
    imported(cli, tmp_path, JAN_2020, "--partial", "--source-url", JAN_2020_URL)
    store = load_store(tmp_path)
    sept = store.surveys["September 2018 CA Communication"]
    jan = store.surveys["January 2020 CA Communication"]
    assert (sept.survey.communication_id, jan.survey.communication_id) == (
        "a051J00003rMGLL", "a051J00003waNOW")
    for data in (sept, jan):
        assert data.survey.letter.startswith("Dear Certification Authority,\n\nMozilla’s Root")
        assert data.survey.letter.endswith("\n\nWayne Thayer\nMozilla CA Program Manager")
        assert data.survey.letter in excerpts  # verbatim, paragraphs kept
        assert not data.answers and data.survey.partial
        assert all(q.source in (SEPT_2018_URL, JAN_2020_URL) for q in data.questions.values())
    first, second = sept.sorted_questions()
    assert (first.text, first.type, first.required, first.truncated) == (
        "ACTION 1: Review Mozilla Root Store Policy\n\nRead version 2.6.1 of Mozilla’s Root "
        "Store Policy.", UNKNOWN, True, False)
    assert second.truncated and second.required is None
    assert second.text.endswith("If your CP/CPS specifies the use of IP address")
    [action1] = jan.sorted_questions()
    assert action1.truncated and action1.text.endswith("to reduce the chance of confusion")
    for q in (first, second, action1):
        assert q.text in excerpts


# -- hostile and broken pages ----------------------------------------------------------------

HOSTILE_SAMPLE = sample_page(
    "Hostile <i>title</i> &lt;b&gt;{{ 7*7 }}",
    "Dear CA,<script>alert(1)</script><br/><img src=x onerror=alert(2)>Read "
    '<a href="javascript:alert(3)">this</a> and <a href="https://example.invalid/x">that</a>'
    "<style>p{}</style>.<br/><iframe src=https://example.invalid/></iframe>[x](javascript:y)",
    [{"question": "<svg onload=alert(4)>ACTION 1:</svg> Pick &lt;script&gt; {% raw %}",
      "required": True,
      "radio": [("0", "<b onclick=alert(5)>Yes</b>"), ("1", "No &amp; <i>never</i>")]}])


def test_markup_in_every_field_of_a_survey_sample_stays_text(cli, tmp_path: Path,
                                                              monkeypatch) -> None:
    sample = write(tmp_path, "hostile.html", HOSTILE_SAMPLE)
    imported(cli, tmp_path / "data", sample)
    store = load_store(tmp_path / "data")
    [data] = store.surveys.values()
    assert data.survey.title == "Hostile title <b>{{ 7*7 }}"
    assert data.survey.letter == ("Dear CA,\nRead this and that (https://example.invalid/x).\n"
                                  "[x](javascript:y)")
    [q] = data.questions.values()
    assert (q.text, q.options, q.type, q.required) == (
        "ACTION 1: Pick <script> {% raw %}", ("Yes", "No & never"), SINGLE, True)
    stored = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "data").rglob("*.*"))
    for markup in ("alert(", "onerror", "onload", "onclick", "<img", "<iframe", "<svg", "<i>"):
        assert markup not in stored
    pages = render_pages(store, ROOT / "site_templates")
    survey_md = pages[survey_page(data.survey.key)]
    question_md = pages[question_page(data.survey.key, q.id)]
    for text in (survey_md, question_md):
        body = text.split("\n---\n", 1)[1]  # after the front matter (titles HTML-escaped)
        for syntax in ("<script", "<b>", "<i>", "{{", "{%", "](", "javascript:alert"):
            assert syntax not in body
    assert "https://example.invalid/x" in survey_md.replace("&#47;", "/").replace(
        "&#58;", ":").replace("&#46;", ".")


def test_question_page_of_a_survey_without_answers_lists_its_options(tmp_path: Path,
                                                                      cli) -> None:
    sample = write(tmp_path, "sample.html",
                   sample_page(EXAMPLE_SURVEY, EXAMPLE_LETTER, EXAMPLE_QUESTIONS))
    imported(cli, tmp_path / "data", sample)
    store = load_store(tmp_path / "data")
    data = store.surveys[EXAMPLE_SURVEY]
    multi = next(q for q in data.questions.values() if q.type == MULTI)
    pages = render_pages(store, ROOT / "site_templates")
    page = pages[question_page(data.survey.key, multi.id)]
    rows = re.findall(r'<tr><td><a href="#option-\d+">([^<]*)</a></td><td>(\d+)</td>'
                      r"<td>([^<]*)</td></tr>", page)
    assert [(html.unescape(label), n, share) for label, n, share in rows] == [
        ("Email", "0", "–"), ("Web form", "0", "–"), ("Other (please describe below)", "0", "–")]
    assert "No answers to this question have been captured yet." in page
    assert "· required" in page


@pytest.mark.parametrize(("name", "page", "expected"), [
    ("no-title.html",
     sample_page("", "Dear CA", [{"question": "ACTION 1: Q", "text": True}]),
     ["{path}:4: title: missing-survey: the page has no survey title (the page block's h2); "
      "pass --survey TITLE"]),
    ("bad-options.html",
     sample_page("S", "", [{"question": "ACTION 1: Q",
                            "radio": [("0", "Yes"), ("12", "Twelve?"), ("1", " "),
                                      ("0", "Again")]}]),
     ["{path}:20:176: option_number: option-out-of-range: an option's value is its number "
      "less one, 0 to 11 (got '12')",
      "{path}:20:297: response: empty-option: option 2 of question 1 has no label (got '')",
      "{path}:20:409: option_number: duplicate-option: question 1 shows option 1 twice "
      "(got '0')"]),
    ("mixed.html",
     sample_page("S", "", [{"question": "ACTION 1: Q", "radio": [("0", "Yes")], "date": True}]),
     ["{path}:23:20: question_type: mixed-controls: question 1 shows more than one kind of "
      "control (got 'Date Type, Single Select (Radio buttons)')"]),
    ("no-questions.html", sample_page("S", "Dear CA", []),
     ["{path}: -: no-questions: the survey page shows no question (cut short before the "
      "first?)"]),
    ("empty-question.html", sample_page("S", "", [{"question": "<b> </b>", "text": True}]),
     ["{path}:15:1: question_text: empty-question: question 1 has no text (got '')"]),
    ("empty.html", "  \n", ["{path}: -: empty-export: the export is empty"]),
], ids=lambda v: v if isinstance(v, str) and v.endswith(".html") else "")
def test_broken_survey_samples_are_refused_naming_line_field_and_value(
        cli, tmp_path: Path, name: str, page: str, expected: list[str]) -> None:
    path = write(tmp_path, name, page)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = snapshot(data)
    result = run(cli, data, path, "--format", "survey-sample-html")
    assert result.exit_code == 1
    lines = [line.format(path=path) for line in expected]
    count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''} found"
    assert result.output.splitlines() == [*lines, count]
    assert snapshot(data) == before


def test_a_page_that_is_not_a_survey_sample_is_refused(cli, tmp_path: Path) -> None:
    result = run(cli, tmp_path / "data", SUMMARY_ONE_TABLE, "--format", "survey-sample-html")
    assert result.exit_code == 1
    assert result.output.startswith(
        f"{SUMMARY_ONE_TABLE}:1: -: not-a-report: this page is not a CCADB "
        "CACommunicationSurveySample page (a login or error page?)")
    assert not (tmp_path / "data").exists()


def test_a_sample_page_inside_a_report_cell_does_not_make_it_a_sample(cli,
                                                                      tmp_path: Path) -> None:
    report = (FIXTURES / "formats" / "report-multi-select.html").read_text(encoding="utf-8")
    page = report.replace("Email<br>Web form",
                          'Email<br>Web form<div id="survey_container"><h1 class="question">'
                          "x</h1></div>")
    assert page != report
    assert detect_format(page) is Format.REPORT_HTML


# -- the real data in data/ ------------------------------------------------------------------

def test_data_holds_the_three_new_real_surveys_as_imported(cli, tmp_path: Path) -> None:
    """Re-importing the fixtures into data/ changes nothing: data/ is what they give."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = snapshot(data)
    for source, url in ((MARCH_2016, MARCH_2016_URL), (SEPT_2018, SEPT_2018_URL),
                        (JAN_2020, JAN_2020_URL)):
        out = imported(cli, data, source, "--partial", "--source-url", url)
        assert out.endswith("answers 0 added, 0 changed, 0 withdrawn; 0 file(s) written\n")
    assert snapshot(data) == before
    store = load_store(data)
    march = store.surveys["March 2016 CA Communication"]
    assert [(a.owner_name, a.values) for a in march.sorted_answers()] == [
        ("AC Camerfirma, S.A.", ("2016 Feb 15",)), ("AC Camerfirma, S.A.", ("2019 Feb 15",))]
    assert all(a.captured_at is None and not a.live for a in march.answers.values())
    for title in ("September 2018 CA Communication", "January 2020 CA Communication"):
        assert not store.surveys[title].answers and store.surveys[title].survey.letter


def test_real_data_builds_with_the_new_surveys(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    build_site(ROOT / "data", docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    store = load_store(ROOT / "data")
    march = store.surveys["March 2016 CA Communication"]
    for q in march.sorted_questions():
        text = main_text(project.site / url_of_html(question_page(march.survey.key, q.id)))
        assert "AC Camerfirma, S.A." in text and q.text[:60] in text
    sept = store.surveys["September 2018 CA Communication"]
    page = project.site / url_of_html(survey_page(sept.survey.key))
    text = main_text(page)
    assert "Wayne Thayer" in text and "No answers to this survey have been captured yet." in text
    assert "Please enter your response by 30-September 2018." in text
    assert not any(tag == "script" and "alert" in attrs.get("src", "")
                   for tag, attrs in read_page(page).tags)
    first, second = sept.sorted_questions()
    text = main_text(project.site / url_of_html(question_page(sept.survey.key, first.id)))
    assert "· required" in text and "No answers to this question have been captured yet." in text
    assert "stops inside this question" not in text
    text = main_text(project.site / url_of_html(question_page(sept.survey.key, second.id)))
    assert "The captured copy of the page stops inside this question" in text


def test_rows_after_an_owner_title_with_no_text_belong_to_no_owner(cli, tmp_path: Path) -> None:
    """A title whose text is empty is never read as the previous owner's."""
    page = summary_per_question(EXAMPLE_SURVEY, [
        ("Fictitious Example CA", [("ACTION 2: Will you meet the deadline?", "Yes")]),
        ("<img src=x>", [("ACTION 2: Will you meet the deadline?", "No")])])
    path = write(tmp_path, "summary.html", page)
    result = run(cli, tmp_path / "data", path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path}:19: owner: missing-owner: an Action | Response table has no CA owner title "
        "before it", "1 problem found"]


BENIGN_TWIN = sample_page(
    "Benign title of the same shape",
    "Dear CA,<br/>Read <a href=\"https://example.invalid/y\">this</a> and "
    '<a href="https://example.invalid/x">that</a>.<br/>Plain closing line',
    [{"question": "ACTION 1: Pick one of two", "required": True,
      "radio": [("0", "Yes"), ("1", "No and never")]}])


def test_a_site_built_from_a_hostile_survey_sample_holds_no_element_from_it(
        cli, tmp_path: Path) -> None:
    from site_checker import Baseline, assert_clean

    sites = {}
    for name, page in (("benign", BENIGN_TWIN), ("hostile", HOSTILE_SAMPLE)):
        imported(cli, tmp_path / name / "data", write(tmp_path, f"{name}.html", page))
        project = make_project(tmp_path / name / "project")
        build_site(tmp_path / name / "data", docs_dir=project.docs, site_dir=project.site,
                   config_file=project.config)
        sites[name] = project.site
    assert_clean(sites["hostile"], Baseline.from_sites(sites["benign"]))
    store = load_store(tmp_path / "hostile" / "data")
    [data] = store.surveys.values()
    [q] = data.questions.values()
    text = main_text(sites["hostile"] / url_of_html(question_page(data.survey.key, q.id)))
    assert "ACTION 1: Pick <script> {% raw %}" in text and "No & never" in text
