"""The CCADB CA information report: loader, its own record with history, and its pages.

Real copies of the report are in tests/fixtures/ca-information/ (see its README); the
pages are checked in a real mkdocs build.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from browser_support import serve
from builder.core.errors import InputRejected
from builder.core.text import canonical_key, clean_for_display, page_name
from builder.ingest.formats import Format, LoadOptions, detect_format, load_export
from builder.ingest.formats.ca_information import HEADER
from builder.ingest.importer import import_source
from builder.publish.build import build_site
from builder.store.records import load_store
from conftest import FIXTURES, ROOT, Project, make_project
from hostile_data import OWNERS, PAYLOADS
from sitecheck import _Reader, main_text, read_page

COPIES = FIXTURES / "ca-information"
REPORT = "https://ccadb-public.secure.force.com/mozilla/CAInformationReportCSVFormat"
COMMITS = {"2017-08-21": "0f6851f690b7cdcee27968bfb1b22eae946e389c",
           "2017-11-30": "42a3685098e48e5195ccc1a4e2ae8149654ed1a0",
           "2018-01-10": "8bfc1d49773e7d0b1cc720428fb7417b6ba59b1c"}
LUXTRUST_NEW = "problem[dot]reporting[at]luxtrust[dot]lu"


def copy_path(date: str) -> Path:
    return COPIES / f"CAInformationReportCSVFormat-{date}.csv"


def archived(date: str) -> str:
    return f"https://github.com/SSLMate/caa_helper/blob/{COMMITS[date]}/CAInformationReportCSVFormat"


def import_copy(data: Path, date: str, path: Path | None = None):  # type: ignore[no-untyped-def]
    return import_source(str(path or copy_path(date)), data, LoadOptions(), source_url=REPORT,
                         captured_at=date, archived_copy=archived(date) if not path else None,
                         observed_at="2026-12-01T09:00:00Z")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def report_csv(rows: list[list[str]], header: tuple[str, ...] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# -- the loader ------------------------------------------------------------------------

def test_the_real_copies_are_detected_and_read() -> None:
    text = copy_path("2017-11-30").read_text(encoding="utf-8")
    assert detect_format(text) is Format.CA_INFORMATION_CSV
    export = load_export(text.encode(), "copy.csv", LoadOptions())
    assert export.format == "ca-information-csv" and export.records == []
    assert len(export.rows) == 62 and export.issues == []
    lux = next(r for r in export.rows if r.owner_name == "LuxTrust")
    assert lux.values["Company Website"] == "https://www.luxtrust.lu"
    assert lux.values["Problem Reporting Mechanism"].startswith(
        "These information are displayed on our website")
    assert "\n" in lux.values["Primary Market / Customer Base"]  # a field with line breaks
    assert [len(load_export(copy_path(d).read_bytes(), "c", LoadOptions()).rows)
            for d in COMMITS] == [64, 62, 59]


BAD_CASES = {
    "missing-column": (
        report_csv([["A CA", "x", "y", "z", "w", "v"]], HEADER[:-1]),
        ["bad.csv:1: Problem Reporting Mechanism: missing-header: required column 'Problem "
         "Reporting Mechanism' is missing (got 'CA Owner Name,Organizational Type,Geographic "
         "Focus,Primary Market / Customer Ba…')"]),
    "extra-column": (
        report_csv([["A CA", "1", "2", "3", "4", "5", "6", "7"]], (*HEADER, "Notes")),
        ["bad.csv:1:8: Notes: unexpected-header: not a column of the CCADB CA information "
         "report (got 'Notes')"]),
    "header-only": (report_csv([]), ["bad.csv: -: empty-export: the report has a header but "
                                     "no rows"]),
    "duplicate-owner": (
        report_csv([["Dup CA", "1", "2", "3", "4", "5", "6"], ["A CA", "1", "2", "3", "4", "5",
                                                               "6"],
                    ["Dup\u200b  CA", "1", "2", "3", "4", "5", "6"]]),
        ["bad.csv:4:1: CA Owner Name: duplicate-owner: this CA owner already has a row on "
         "line 2; the report has one row per CA owner (got 'Dup\\u200b  CA')"]),
    "empty-owner-and-ragged-row": (
        report_csv([[" ", "1", "2", "3", "4", "5", "6"], ["A CA", "1", "2"]]),
        ["bad.csv:2:1: CA Owner Name: empty-owner: the CA owner name is empty (got ' ')",
         "bad.csv:3: -: ragged-row: row has 3 fields, header has 7 (got 'A CA,1,2')"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_reports_list_every_problem_and_write_nothing(case: str, tmp_path: Path,
                                                          cli) -> None:  # type: ignore[no-untyped-def]
    text, expected = BAD_CASES[case]
    data = tmp_path / "data"
    import_copy(data, "2017-08-21")
    before = tree(data)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputRejected) as caught:
        import_source(str(bad), data, LoadOptions(Format.CA_INFORMATION_CSV),
                      captured_at="2018-12-31")
    lines = [str(i).replace(str(tmp_path) + "/", "") for i in caught.value.issues]
    assert lines == expected
    assert tree(data) == before
    result = cli("import", bad, "--captured-at", "2018-12-31", "--data", data)
    assert result.exit_code == 1 and tree(data) == before


def test_an_empty_file_and_a_missing_capture_date_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputRejected, match="empty-export"):
        import_source(str(empty), data, LoadOptions(Format.CA_INFORMATION_CSV),
                      captured_at="2018-01-01")
    with pytest.raises(InputRejected) as caught:
        import_source(str(copy_path("2017-08-21")), data, LoadOptions())
    assert [i.code for i in caught.value.issues] == ["missing-capture-date"]
    assert not data.exists() or tree(data) == {}


# -- the record and its history ----------------------------------------------------------

@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("record") / "data"
    for date in COMMITS:
        import_copy(data, date)
    return data


def changes(data: Path) -> list[dict[str, object]]:
    lines = (data / "ca-information" / "history.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines()]


def test_luxtrusts_change_is_recorded_with_the_copy_it_appeared_in(record: Path) -> None:
    lux = [c for c in changes(record) if c["owner_key"] == "LuxTrust"
           and c["field"] == "problem-reporting-mechanism"]
    assert [(c["kind"], c["captured_at"]) for c in lux] == [
        ("added", "2017-08-21"), ("changed", "2017-11-30"), ("changed", "2018-01-10")]
    last = lux[-1]
    assert last["new"] == LUXTRUST_NEW and str(last["old"]).startswith("These information")
    assert last["source"] == REPORT and last["archived_copy"] == archived("2018-01-10")
    assert last["live"] is False


def test_owners_leaving_and_entering_the_report(record: Path) -> None:
    kinds = {(c["owner_key"], c["kind"], c["captured_at"]) for c in changes(record)}
    for gone in ("WoSign CA Limited", "Start Commercial (StartCom) Ltd."):
        assert (gone, "removed", "2017-11-30") in kinds
    assert ("Symantec", "removed", "2018-01-10") in kinds
    assert ("TrustCor Systems", "added", "2017-11-30") in kinds
    store = load_store(record)
    assert ("problem-reporting-mechanism", "WoSign CA Limited") not in store.ca_information.values
    assert [c.captured_at for c in store.ca_information.copies] == list(COMMITS)
    assert store.surveys == {}  # a record of its own: no survey, no answer


def test_reimport_changes_nothing_and_an_older_copy_is_refused(record: Path,
                                                               tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(record, data)
    before = tree(data)
    again = import_copy(data, "2018-01-10")
    assert again.written == [] and again.field_changes == [] and tree(data) == before
    with pytest.raises(InputRejected) as caught:
        import_copy(data, "2017-11-30")
    assert [str(i) for i in caught.value.issues] == [
        f"{copy_path('2017-11-30')}: captured_at: older-copy: the record already holds a copy "
        "of 2018-01-10; import copies oldest first (got '2017-11-30')"]
    assert tree(data) == before


def test_validate_checks_the_record(record: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(record, data)
    result = cli("validate", "--data", data)
    assert result.exit_code == 0
    assert "CCADB CA information: 3 copy(ies), 59 CA owner(s), 354 field value(s)" in \
        result.output
    values = data / "ca-information" / "values.jsonl"
    lines = values.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[0])
    edited["value"] = "edited by hand"
    edited["field"] = "favourite-colour"
    values.write_text("\n".join([json.dumps(edited)] + lines[1:]) + "\n", encoding="utf-8")
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert f"{values}:1: field: unknown-field: not a field of the CCADB CA information " \
           "report (got 'favourite-colour')" in result.output
    assert "history-mismatch" in result.output


# -- the pages -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, record: Path) -> Project:
    project = make_project(tmp_path_factory.mktemp("ca-site") / "p")
    shutil.copytree(record, project.data)
    shutil.copytree(ROOT / "data" / "surveys", project.data / "surveys")
    shutil.copy(ROOT / "data" / "topics.json", project.data / "topics.json")
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    return project


def owner_html(project: Project, name: str) -> Path:
    return project.site / "owners" / page_name(canonical_key(name), "ca-owner") / "index.html"


def test_owner_page_shows_the_fields_history_with_a_word_diff(site: Project) -> None:
    page = owner_html(site, "LuxTrust")
    text = main_text(page)
    assert "No survey answer of LuxTrust has been captured here" in text
    assert "as published in dated copies of the report (the CCADB's values, not answers to a " \
           "survey)" in text
    assert "In every copy of the report recorded here (2017-08-21 to 2018-01-10)." in text
    assert f"{LUXTRUST_NEW} changed History: 3 versions (2017-08-21 → 2017-11-30 → " \
           "2018-01-10)" in text
    assert "Version 3, as published in the copy of 2018-01-10" in text
    facts = read_page(page)
    hrefs = [a.get("href", "") for tag, a in facts.tags if tag == "a"]
    assert REPORT in hrefs and archived("2018-01-10") in hrefs
    html = page.read_text(encoding="utf-8")
    assert '<ins class="csr-ins" title="added">problem&#91;dot&#93;reporting' in html
    assert "answered" not in text  # never worded as a survey answer


def test_owner_page_shows_answers_and_fields_together(site: Project) -> None:
    text = main_text(owner_html(site, "AC Camerfirma, S.A."))
    assert "April 2017 CA Communication" in text and "Q00028" in text  # its survey answer
    assert "CCADB CA information" in text and "Problem Reporting Mechanism" in text


def test_leaving_and_entering_owners_are_worded_with_copy_dates(site: Project) -> None:
    wosign = main_text(owner_html(site, "WoSign CA Limited"))
    assert "No longer in the CCADB report since the copy of 2017-11-30 (last seen in the " \
           "copy of 2017-08-21)." in wosign
    # Its values never changed: they stopped being published, and say so (not "changed").
    assert "changed" not in wosign
    assert "no longer published History: 2 versions" in wosign
    trustcor = main_text(owner_html(site, "TrustCor Systems"))
    assert "First in the report in the copy of 2017-11-30 (not in the copy of 2017-08-21)." \
        in trustcor
    index = main_text(site.site / "ca-information" / "index.html")
    assert "WoSign CA Limited: In the earliest copy of the report recorded here, the copy of " \
           "2017-08-21. No longer in the CCADB report since the copy of 2017-11-30" in index
    owners = main_text(site.site / "owners" / "index.html")
    assert "TrustCor Systems0in the copy of 2018-01-10" in owners


def test_field_page_lists_every_owner_and_links_the_related_questions(site: Project) -> None:
    page = site.site / "ca-information" / "problem-reporting-mechanism" / "index.html"
    text = main_text(page)
    assert "These are the CCADB's field values as published in dated copies of its CA " \
           "information report, not answers to a survey." in text
    assert "(an inference)" in text and "it is an inference" in text
    assert f"LuxTrust{LUXTRUST_NEW}" in text
    assert "No longer in the CCADB report" in text and "WoSign CA Limited" in text
    hrefs = {a.get("href", "") for tag, a in read_page(page).tags if tag == "a"}
    assert any(h.endswith("/q00028/") for h in hrefs)  # April 2017 ACTION 12
    assert any(h.endswith("/local-2017-11-action-6/") for h in hrefs)
    caa = main_text(site.site / "ca-information" / "recognized-caa-domains" / "index.html")
    assert "Q00023, whose answers are not in this site's data" in caa
    website = read_page(site.site / "ca-information" / "company-website" / "index.html")
    assert ("a", {"href": "https://www.luxtrust.lu", "rel": "nofollow ugc noopener"}) in \
        website.tags


# -- hostile text ----------------------------------------------------------------------

ALLOWED_TAGS = {"a", "p", "table", "thead", "tbody", "tr", "th", "td", "strong", "code", "em",
                "details", "summary", "ol", "ul", "li", "div", "span", "del", "ins", "br",
                "section", "h1", "h2", "article", "blockquote", "input", "label", "button",
                "nav", "header", "footer"}


def test_markup_in_every_field_stays_text(tmp_path: Path) -> None:
    rows = [[owner] + [PAYLOADS[(6 * i + k) % len(PAYLOADS)] for k in range(6)]
            for i, owner in enumerate(OWNERS)]
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(report_csv(rows), encoding="utf-8")
    second.write_text(report_csv([[r[0]] + [v + " " + PAYLOADS[-1] for v in r[1:]]
                                  for r in rows[1:]]), encoding="utf-8")
    project = make_project(tmp_path / "p")
    import_copy(project.data, "2018-01-01", first)
    import_copy(project.data, "2018-02-01", second)
    build_site(project.data, docs_dir=project.docs, site_dir=project.site,
               config_file=project.config)
    pages = sorted((project.site / "ca-information").glob("*/index.html")) + [
        owner_html(project, o) for o in OWNERS]
    text = ""
    for page in pages:
        html = page.read_text(encoding="utf-8")
        article = html[html.find("<article"):html.find("</article>")]
        reader = read_fragment(article)
        for tag, attrs in reader.tags:
            assert tag in ALLOWED_TAGS, (page, tag, attrs)
            assert not any(name.startswith("on") or name == "style" for name in attrs), attrs
            href = attrs.get("href", "")
            assert not href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))
            if href.startswith(("http", "mailto")):
                assert attrs.get("rel") == "nofollow ugc noopener", (page, attrs)
        text += main_text(page) + " "
    squeezed = "".join(text.split())  # a line break is a <br>: no space in the page text
    for payload in PAYLOADS:
        assert "".join(clean_for_display(payload).split()) in squeezed, payload
    assert "{{ 7*7 }}" in text and " 49 " not in text


def read_fragment(html: str):  # type: ignore[no-untyped-def]
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.facts


def test_a_url_import_is_a_live_capture(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(COPIES) as server:
        url = server.url("CAInformationReportCSVFormat-2017-08-21.csv")
        result = import_source(url, data, LoadOptions(), observed_at="2026-12-01T09:00:00Z")
    assert result.export.format == "ca-information-csv" and len(result.field_changes) == 384
    copy = load_store(data).ca_information.copies[0]
    assert (copy.source, copy.captured_at, copy.live) == (url, "2026-12-01T09:00:00Z", True)


def test_a_question_page_links_the_field_filled_from_it(site: Project) -> None:
    page = next(site.site.glob("surveys/april-2017-*/q00028/index.html"))
    text = main_text(page)
    assert "The CCADB's field Problem Reporting Mechanism was filled from, or relates to, " \
           "the answers to this question (an inference" in text
    hrefs = {a.get("href", "") for tag, a in read_page(page).tags if tag == "a"}
    assert "../../../ca-information/problem-reporting-mechanism/" in hrefs


def test_a_change_without_its_copy_is_refused(record: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(record, data)
    copies = data / "ca-information" / "copies.jsonl"
    copies.write_text(copies.read_text(encoding="utf-8").splitlines()[0] + "\n",
                      encoding="utf-8")
    result = cli("validate", "--data", data)
    assert result.exit_code == 1 and "unknown-copy" in result.output


def test_partial_is_refused_for_the_report(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", copy_path("2017-08-21"), "--captured-at", "2017-08-21", "--partial",
                 "--data", tmp_path / "data")
    assert result.exit_code == 1 and "--partial is not for ca-information-csv" in result.output
    assert not (tmp_path / "data").exists()
