"""`builder fetch` against a real HTTP server on 127.0.0.1: what changed is imported,
what did not is neither downloaded nor rewritten, and every failure leaves data/ byte
for byte as it was. data/sources.json itself is only read here, never fetched."""

from __future__ import annotations

import html
import json
import shutil
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from builder.ingest.fetch import STATE_FILE, Settings, fetch_all
from builder.ingest.sources import SOURCES_FILE, read_sources
from builder.store.records import load_store
from conftest import APRIL_2017_URL, CCADB, MAY_2020_URL, ROOT
from http_support import LocalServer, Reply, Sleeps

pytestmark = pytest.mark.usefixtures("network_guard")

APRIL = "April 2017 CA Communication"
MAY = "May 2020 CA Communication"
APRIL_QUERY = "CACommResponsesOnlyReport?CommunicationId=a05o000003WrzBC&QuestionId=Q00028"
MAY_QUERY = "CACommResponsesOnlyReport?CommunicationId=a051J000042AUSv&QuestionId=Q00101,Q00102,"
APRIL_PAGE = (CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html").read_bytes()
MAY_PAGE = (CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html").read_bytes()
HTML = {"Content-Type": "text/html; charset=UTF-8"}
SETTINGS = Settings(timeout=(2.0, 0.5), max_bytes=200_000, attempts=2, backoff=0.0,
                    sleep=Sleeps())
LOGIN_PAGE = (b"<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body>"
              b"<form action='/login'><input name='username'></form></body></html>")


def april_survey():  # type: ignore[no-untyped-def]
    [survey] = [d for d in load_store(ROOT / "data").surveys.values()
                if d.survey.title == APRIL]
    return survey


def april_rows() -> list[tuple[str, str]]:
    """The six real April 2017 answers, as the bundled store holds them."""
    return [(a.owner_name, a.values[0]) for a in april_survey().sorted_answers()]


def report_page(title: str, rows: list[tuple[str, str]]) -> bytes:
    """A CACommResponsesOnlyReport page for Q00028 with these CA owner rows."""
    question = html.escape(april_survey().questions["Q00028"].text)
    body = "".join(f"<tr><th scope='row'>{html.escape(owner)}</th><td>{html.escape(answer)}"
                   "</td></tr>\n" for owner, answer in rows)
    return (f"<!DOCTYPE HTML><html><head><title>{title}</title></head><body>"
            f"<h1>{title}</h1><table><tr><th>{question}</th></tr></table>"
            "<table><tr><th>CA Owner</th><th>Response</th></tr>\n"
            f"{body}</table></body></html>\n").encode()


def source(id: str, bases: list[str], path: str = APRIL_QUERY, survey: str = APRIL,
           fmt: str = "report-html", partial: bool = False) -> dict[str, object]:
    return {"id": id, "survey": survey, "format": fmt, "partial": partial,
            "base_urls": bases, "path": path}


def write_sources(data: Path, *sources: dict[str, object]) -> None:
    data.mkdir(parents=True, exist_ok=True)
    (data / SOURCES_FILE).write_text(json.dumps({"sources": list(sources)}, indent=2))


def snapshot(data: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of data/ with its bytes and modification time."""
    return {p.relative_to(data).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(data.rglob("*")) if p.is_file()}


@pytest.fixture
def real_data(tmp_path: Path) -> Path:
    """A copy of the bundled data/ (its sources.json is replaced by each test)."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / STATE_FILE).unlink(missing_ok=True)
    return data


def etag_page(body: bytes, etag: str = '"v1"'):  # type: ignore[no-untyped-def]
    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("If-None-Match") == etag:
            return Reply(304, length=None)
        return Reply(200, body, {**HTML, "ETag": etag})
    return answer


# -- importing, and not touching what did not change --------------------------------------

def test_fetch_imports_then_conditional_get_downloads_and_writes_nothing(
        tmp_path: Path, server: LocalServer) -> None:
    data = tmp_path / "data"
    url = server.route("/ccadb/" + APRIL_QUERY, etag_page(APRIL_PAGE))
    write_sources(data, source("april", [server.url("/ccadb/")], partial=True))

    first = fetch_all(data, settings=SETTINGS)
    assert first.lines() == [
        "april: 6 answer(s) changed (6 added, 0 changed, 0 withdrawn); 4 file(s) written"]
    assert json.loads((data / STATE_FILE).read_text()) == {"april": {"etag": '"v1"',
                                                                     "url": url}}
    [history] = data.glob("surveys/*/history.jsonl")
    changes = [json.loads(line) for line in history.read_text().splitlines()]
    assert [(c["kind"], c["source"]) for c in changes] == [("added", url)] * 6

    before = snapshot(data)
    second = fetch_all(data, settings=SETTINGS)
    assert second.lines() == ["april: unchanged (not modified)"]
    assert not second.state_written
    assert snapshot(data) == before
    assert server.hits("/ccadb/" + APRIL_QUERY)[1].headers["If-None-Match"] == '"v1"'


def test_last_modified_is_remembered_and_sent(tmp_path: Path, server: LocalServer) -> None:
    stamp = "Mon, 01 May 2017 10:00:00 GMT"

    def page(headers: dict[str, str]) -> Reply:
        if headers.get("If-Modified-Since") == stamp:
            return Reply(304, length=None)
        return Reply(200, APRIL_PAGE, {**HTML, "Last-Modified": stamp})

    data = tmp_path / "data"
    url = server.route("/r/" + APRIL_QUERY, page)
    write_sources(data, source("april", [server.url("/r/")]))
    fetch_all(data, settings=SETTINGS)
    assert json.loads((data / STATE_FILE).read_text()) == {
        "april": {"last_modified": stamp, "url": url}}
    before = snapshot(data)
    assert fetch_all(data, settings=SETTINGS).lines() == ["april: unchanged (not modified)"]
    assert snapshot(data) == before


def test_same_data_without_validators_writes_nothing(tmp_path: Path,
                                                     server: LocalServer) -> None:
    data = tmp_path / "data"
    server.route("/r/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
    write_sources(data, source("april", [server.url("/r/")]))
    fetch_all(data, settings=SETTINGS)
    before = snapshot(data)
    assert fetch_all(data, settings=SETTINGS).lines() == ["april: unchanged"]
    assert snapshot(data) == before
    assert not (data / STATE_FILE).exists()


def test_new_etag_on_same_data_is_not_a_change(tmp_path: Path, server: LocalServer) -> None:
    """A server whose ETag changes on every request costs a download, never a commit."""
    data = tmp_path / "data"
    server.route("/r/" + APRIL_QUERY, Reply(200, APRIL_PAGE, {**HTML, "ETag": '"a"'}),
                 Reply(200, APRIL_PAGE, {**HTML, "ETag": '"b"'}))
    write_sources(data, source("april", [server.url("/r/")]))
    fetch_all(data, settings=SETTINGS)
    before = snapshot(data)
    report = fetch_all(data, settings=SETTINGS)
    assert report.lines() == ["april: unchanged"] and not report.state_written
    assert snapshot(data) == before


def test_changed_answer_is_imported_with_history(real_data: Path,
                                                 server: LocalServer) -> None:
    rows = april_rows()
    rows[1] = (rows[1][0], "We now take problem reports at https://example.invalid/report")
    server.route("/r/" + APRIL_QUERY, etag_page(report_page(APRIL, rows), '"v2"'))
    write_sources(real_data, source("april", [server.url("/r/")]))
    report = fetch_all(real_data, settings=SETTINGS)
    assert report.lines() == [
        "april: 1 answer(s) changed (0 added, 1 changed, 0 withdrawn); 3 file(s) written"]
    [change] = report.results[0].changes
    assert (change.owner_name, change.new) == ("Actalis", (rows[1][1],))
    assert report.state_written


def test_bases_are_tried_in_order(real_data: Path, server: LocalServer) -> None:
    """The old host answers with a login page, the new one with the report."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/gone/"
    server.route("/old/" + APRIL_QUERY, Reply(200, LOGIN_PAGE, HTML))
    new = server.route("/new/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
    write_sources(real_data, source("april", [dead, server.url("/old/"),
                                              server.url("/new/")]))
    [result] = fetch_all(real_data, settings=SETTINGS).results
    assert (result.status, result.url) == ("changed", new)  # the new URL joins source_urls
    assert [s.path for s in server.seen] == ["/old/" + APRIL_QUERY, "/new/" + APRIL_QUERY]


# -- every failure leaves data/ byte for byte as it was -----------------------------------

FAILURES = {
    "login page": ("report-html", Reply(200, LOGIN_PAGE, HTML),
                   "not-a-report: this page is not a CCADB CACommResponsesOnlyReport page"),
    "error page": ("report-html", Reply(200, b"<html><body><h1>Error: An internal server "
                                             b"error has occurred</h1></body></html>", HTML),
                   "not-a-report"),
    "truncated page": ("report-html", Reply(200, APRIL_PAGE[:3000], HTML, length=None),
                       "the page does not end with </html>: truncated?"),
    "short body": ("report-html", Reply(200, APRIL_PAGE[:3000], HTML, length=len(APRIL_PAGE)),
                   "body cut short"),
    "empty body": ("report-html", Reply(200, b"", HTML), "empty body (HTTP 200)"),
    "report with no rows": ("report-html", Reply(200, report_page(APRIL, []), HTML),
                            "no-rows: the report has no CA owner rows"),
    "another survey": ("report-html", Reply(200, report_page("June 2021 CA Communication",
                                                             april_rows()), HTML),
                       "the export is for survey 'June 2021 CA Communication'"),
    "not HTML": ("report-html", Reply(200, APRIL_PAGE, {"Content-Type": "application/json"}),
                 "expected an HTML page, got Content-Type 'application/json'"),
    "HTML instead of JSON": ("json", Reply(200, LOGIN_PAGE, HTML),
                             "an HTML page where a json export was expected"),
    "empty JSON export": ("json", Reply(200, b"[]", {"Content-Type": "application/json"}),
                          "empty-export"),
    "HTML instead of CSV": ("ccadb-csv", Reply(200, LOGIN_PAGE, {"Content-Type": "text/csv"}),
                            "an HTML page where a ccadb-csv export was expected"),
    "not found": ("report-html", Reply(404, b"gone"), "HTTP 404 Not Found (not retried)"),
    "server down": ("report-html", Reply(503), "HTTP 503 Service Unavailable (gave up after "
                                               "2 attempts)"),
    "too slow": ("report-html", Reply(200, APRIL_PAGE, HTML, delay=3),
                 "no answer within the 0.5 s read timeout"),
    "too big": ("report-html", Reply(200, APRIL_PAGE + b" " * 300_000, HTML),
                "over the 200,000-byte cap"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_failure_keeps_last_good_data(real_data: Path, server: LocalServer,
                                      case: str) -> None:
    fmt, reply, reason = FAILURES[case]
    url = server.route("/r/" + APRIL_QUERY, reply)
    write_sources(real_data, source("april", [server.url("/r/")], fmt=fmt))
    before = snapshot(real_data)
    report = fetch_all(real_data, settings=SETTINGS)
    [result] = report.results
    assert result.status == "failed"
    assert result.line().startswith(f"april: failed: {url}")
    assert reason in result.line()
    assert snapshot(real_data) == before


# -- the guard against an export that suddenly lost most CA owners ------------------------

def test_shrunken_export_is_refused(real_data: Path, server: LocalServer) -> None:
    url = server.route("/r/" + APRIL_QUERY, Reply(200, report_page(APRIL, april_rows()[:2]),
                                                  HTML))
    write_sources(real_data, source("april", [server.url("/r/")]))
    before = snapshot(real_data)
    [result] = fetch_all(real_data, settings=SETTINGS).results
    assert result.line() == (
        f"april: failed: {url}: Q00028: withdraws-answers: this import would withdraw 4 "
        f"answer(s) to question Q00028 of survey '{APRIL}' at once (4 missing from the "
        "export, 0 blanked; more than 3): if the export is incomplete, import it as partial "
        "(--partial); if they are really gone, pass --allow-withdraw (and 2 more problem(s))")
    assert snapshot(real_data) == before


def test_shrunken_export_is_taken_with_allow_shrink(real_data: Path,
                                                    server: LocalServer) -> None:
    server.route("/r/" + APRIL_QUERY, Reply(200, report_page(APRIL, april_rows()[:2]), HTML))
    write_sources(real_data, source("april", [server.url("/r/")]))
    report = fetch_all(real_data, settings=SETTINGS, allow_shrink=True)
    assert report.lines()[0].startswith(
        "april: 4 answer(s) changed (0 added, 0 changed, 4 withdrawn)")


def test_half_the_owners_is_not_a_shrink(real_data: Path, server: LocalServer) -> None:
    server.route("/r/" + APRIL_QUERY, Reply(200, report_page(APRIL, april_rows()[:3]), HTML))
    write_sources(real_data, source("april", [server.url("/r/")]))
    [result] = fetch_all(real_data, settings=SETTINGS).results
    assert result.status == "changed" and len(result.changes) == 3


# -- the command ------------------------------------------------------------------------

def test_one_failure_does_not_stop_the_others_and_exits_1(real_data: Path,
                                                          server: LocalServer, cli) -> None:
    server.route("/r/" + APRIL_QUERY, Reply(404))
    may = MAY_PAGE.replace(b"we will meet these requirements", b"we WILL meet them", 1)
    server.route("/r/" + MAY_QUERY, Reply(200, may, HTML))
    write_sources(real_data, source("april", [server.url("/r/")]),
                  source("may", [server.url("/r/")], MAY_QUERY, MAY, partial=True))
    april_before = {k: v for k, v in snapshot(real_data).items() if "april-2017" in k}

    result = cli("fetch", "--data", real_data)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"april: failed: {server.url('/r/' + APRIL_QUERY)}: HTTP 404 Not Found (not retried)",
        "may: 1 answer(s) changed (0 added, 1 changed, 0 withdrawn); 3 file(s) written"]
    assert result.stderr == ("error: 1 of 2 source(s) failed; their last good data is "
                             "kept as it was\n")
    assert {k: v for k, v in snapshot(real_data).items() if "april-2017" in k} == april_before


def test_only_fetches_one_survey(real_data: Path, server: LocalServer, cli) -> None:
    server.route("/r/" + MAY_QUERY, Reply(200, MAY_PAGE, HTML))
    write_sources(real_data, source("april", [server.url("/r/")]),
                  source("may", [server.url("/r/")], MAY_QUERY, MAY, partial=True))
    result = cli("fetch", "--only", "may 2020 ca communication", "--data", real_data)
    assert (result.exit_code, result.stderr) == (0, "")  # no progress bar off a terminal
    assert result.stdout.startswith("may: ")
    assert [s.path for s in server.seen] == ["/r/" + MAY_QUERY]
    unknown = cli("fetch", "--only", "June 2021", "--data", real_data)
    assert unknown.exit_code == 1
    assert "no source in" in unknown.stderr and "(known: april, may)" in unknown.stderr


def test_progress_is_told_each_source_and_prints_nothing_itself(
        tmp_path: Path, server: LocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    server.route("/r/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
    write_sources(data, source("april", [server.url("/r/")]))
    said: list[str] = []
    fetch_all(data, settings=SETTINGS, progress=said.append)
    assert said == ["fetching 1 of 1: april"]
    assert capsys.readouterr() == ("", "")  # the library shows nothing: the CLI does


def test_bad_sources_file_lists_every_problem(tmp_path: Path, cli) -> None:
    data = tmp_path / "data"
    write_sources(data, {"id": "Bad Id", "survey": APRIL, "format": "xml",
                         "base_urls": ["ftp://x"], "path": "p"},
                  {"survey": APRIL, "format": "json", "base_urls": [], "path": 3, "extra": 1})
    result = cli("fetch", "--data", data)
    assert result.exit_code == 1
    where = f"{data / SOURCES_FILE}: sources"
    assert result.stderr.splitlines() == [
        f"{where}[0]: id: invalid-id: lower-case letters, digits and '-' (got '\"Bad Id\"')",
        f"{where}[0]: format: unknown-format: one of: ccadb-csv, report-html, summary-html, "
        "report-csv, json, survey-sample-html, ca-information-csv (got '\"xml\"')",
        f"{where}[0]: base_urls: invalid-url: a non-empty list of http(s) URLs "
        "(got '[\"ftp://x\"]')",
        f"{where}[1]: id: missing-key: required key is missing",
        f"{where}[1]: path: wrong-type: expected str (got '3')",
        f"{where}[1]: extra: unknown-key: not a known key: id, survey, format, base_urls, "
        "path, partial, question_ids, note (got 'extra')",
        "6 problems found"]


def test_damaged_state_file_stops_before_any_request(tmp_path: Path, server: LocalServer,
                                                     cli) -> None:
    data = tmp_path / "data"
    write_sources(data, source("april", [server.url("/r/")]))
    (data / STATE_FILE).write_text("{not json")
    result = cli("fetch", "--data", data)
    assert result.exit_code == 1 and server.seen == []
    assert result.stderr.startswith(f"{data / STATE_FILE}:1:2: -: json-syntax: ")
    assert "(delete the file to start over)" in result.stderr


def test_missing_sources_file(tmp_path: Path, cli) -> None:
    result = cli("fetch", "--data", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path / SOURCES_FILE}: no such file")


def test_bundled_sources_follow_both_hosts_and_match_the_store() -> None:
    """data/sources.json is read, never fetched: the test suite has no internet. (Its other
    sources, one per communication, are checked in test_discover.py.)"""
    sources = {s.id: s for s in read_sources(ROOT / "data" / SOURCES_FILE)}
    assert {"april-2017-q00028", "may-2020-q00101-q00102"} <= set(sources)
    for s, old_url in ((sources["april-2017-q00028"], APRIL_2017_URL),
                       (sources["may-2020-q00101-q00102"], MAY_2020_URL)):
        assert s.partial and s.format.value == "report-html"
        assert s.urls == (old_url.replace("ccadb-public.secure.force.com",
                                          "ccadb.my.salesforce-sites.com"), old_url)
    store = load_store(ROOT / "data")
    titles = {d.survey.title for d in store.surveys.values()}
    assert {s.survey for s in sources.values() if s.format.value == "report-html"} <= titles


# -- the guard is the import's (builder.ingest.guard): blanked answers are lost too --------------

def test_blanked_report_is_refused_even_for_a_partial_source(real_data: Path,
                                                             server: LocalServer) -> None:
    """Every cell blank: no CA owner is missing, so the old owner count saw nothing."""
    blank = [(owner, "") for owner, _ in april_rows()]
    url = server.route("/r/" + APRIL_QUERY, Reply(200, report_page(APRIL, blank), HTML))
    write_sources(real_data, source("april", [server.url("/r/")], partial=True))
    before = snapshot(real_data)
    [result] = fetch_all(real_data, settings=SETTINGS).results
    assert result.status == "failed"
    assert result.line().startswith(
        f"april: failed: {url}: Q00028: withdraws-answers: this import would withdraw 6 "
        "answer(s) to question Q00028")
    assert "(0 missing from the export, 6 blanked; more than 3)" in result.line()
    assert snapshot(real_data) == before


# -- deadlines and the run's budget ---------------------------------------------------------

def test_trickling_source_fails_at_its_deadline_and_the_others_go_on(
        real_data: Path, server: LocalServer) -> None:
    drip = server.route("/drip/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML, trickle=0.05))
    server.route("/r/" + MAY_QUERY, Reply(200, MAY_PAGE, HTML))
    write_sources(real_data, source("april", [server.url("/drip/")]),
                  source("may", [server.url("/r/")], MAY_QUERY, MAY, partial=True))
    settings = replace(SETTINGS, timeout=(2.0, 2.0), deadline=0.5)
    start = time.monotonic()
    april, may = fetch_all(real_data, settings=settings).results
    assert time.monotonic() - start < 2
    assert april.line() == (f"april: failed: {drip}: no complete answer; stopped by the 0.5 s "
                            "deadline of the request (after 1 attempt(s))")
    assert (may.status, may.changes) == ("changed", ())  # its URL joins the survey's


def test_budget_of_the_run_is_printed_when_spent(real_data: Path, server: LocalServer,
                                                 cli) -> None:
    stall = server.route("/stall/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML, delay=5))
    server.route("/r/" + MAY_QUERY, Reply(200, MAY_PAGE, HTML))
    write_sources(real_data, source("april", [server.url("/stall/")]),
                  source("may", [server.url("/r/")], MAY_QUERY, MAY, partial=True))
    before = snapshot(real_data)
    start = time.monotonic()
    result = cli("fetch", "--budget", "0.5", "--data", real_data)
    assert time.monotonic() - start < 2
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"april: failed: {stall}: no complete answer; stopped by the 0.5 s budget of the "
        "fetch run (after 1 attempt(s))",
        "may: failed: not fetched: the 0.5 s budget of the fetch run was spent"]
    assert result.stderr == ("error: 2 of 2 source(s) failed; their last good data is "
                             "kept as it was\n")
    assert server.hits("/r/" + MAY_QUERY) == []
    assert snapshot(real_data) == before


def test_import_of_a_url_has_a_deadline(real_data: Path, server: LocalServer, cli) -> None:
    url = server.route("/r/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML, delay=5))
    before = snapshot(real_data)
    start = time.monotonic()
    result = cli("import", url, "--deadline", "0.4", "--data", real_data)
    assert time.monotonic() - start < 2
    assert (result.exit_code, result.stderr) == (1, (
        f"error: {url}: no complete answer; stopped by the 0.4 s deadline of the request "
        "(after 1 attempt(s))\n"))
    assert snapshot(real_data) == before


# -- redirects: only to known hosts, and the final URL is the source -----------------------

def test_redirect_to_another_host_fails_the_source(real_data: Path,
                                                   server: LocalServer) -> None:
    with LocalServer() as other:
        elsewhere = other.route("/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
        url = server.route("/r/" + APRIL_QUERY, Reply(302, headers={"Location": elsewhere}))
        write_sources(real_data, source("april", [server.url("/r/")]))
        before = snapshot(real_data)
        [result] = fetch_all(real_data, settings=SETTINGS).results
        assert other.seen == []
    assert result.line().startswith(
        f"april: failed: {url}: redirected to another host ({elsewhere}): not followed")
    assert snapshot(real_data) == before


def test_redirect_within_the_host_records_the_final_url(tmp_path: Path,
                                                        server: LocalServer) -> None:
    data = tmp_path / "data"
    final = server.route("/new/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
    server.route("/old/" + APRIL_QUERY, Reply(301, headers={"Location": final}))
    write_sources(data, source("april", [server.url("/old/")], partial=True))
    [result] = fetch_all(data, settings=SETTINGS).results
    assert (result.status, result.url) == ("changed", final)
    [survey] = load_store(data).surveys.values()
    assert {a.source for a in survey.answers.values()} == {final}
    assert {c.source for c in survey.history} == {final}


def test_redirect_to_the_host_of_another_base_url_is_followed(
        tmp_path: Path, server: LocalServer) -> None:
    data = tmp_path / "data"
    with LocalServer() as new_host:
        final = new_host.route("/new/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
        server.route("/old/" + APRIL_QUERY, Reply(301, headers={"Location": final}))
        write_sources(data, source("april", [server.url("/old/"), new_host.url("/new/")],
                                   partial=True))
        [result] = fetch_all(data, settings=SETTINGS).results
    assert (result.status, result.url) == ("changed", final)


def test_import_of_a_redirected_url_records_the_final_url(tmp_path: Path,
                                                          server: LocalServer, cli) -> None:
    final = server.route("/new/" + APRIL_QUERY, Reply(200, APRIL_PAGE, HTML))
    old = server.route("/old/" + APRIL_QUERY, Reply(308, headers={"Location": final}))
    result = cli("import", old, "--partial", "--data", tmp_path / "data")
    assert result.exit_code == 0, result.stderr
    [survey] = load_store(tmp_path / "data").surveys.values()
    assert {a.source for a in survey.answers.values()} == {final}


# -- --base-url: every source from a mirror or a local stand-in ----------------------------

def test_base_url_fetches_the_bundled_sources_from_a_local_stand_in(
        real_data: Path, server: LocalServer, cli) -> None:
    """The report sources of data/sources.json as shipped (CCADB hosts); only 127.0.0.1
    is reachable."""
    shipped = json.loads((ROOT / "data" / SOURCES_FILE).read_text(encoding="utf-8"))
    shipped["sources"] = [s for s in shipped["sources"] if s["format"] == "report-html"]
    (real_data / SOURCES_FILE).write_text(json.dumps(shipped), encoding="utf-8")
    rows = april_rows()
    rows[0] = (rows[0][0], "Changed on the mirror")
    path = "/mozillacommunications/"
    april = server.route("/mirror" + path + APRIL_QUERY, Reply(200, report_page(APRIL, rows),
                                                              HTML))
    server.route("/mirror" + path + MAY_QUERY, Reply(200, MAY_PAGE, HTML))
    result = cli("fetch", "--base-url", server.url("/mirror/"), "--data", real_data)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "april-2017-q00028: 1 answer(s) changed (0 added, 1 changed, 0 withdrawn); "
        "3 file(s) written",
        "may-2020-q00101-q00102: 0 answer(s) changed (0 added, 0 changed, 0 withdrawn); "
        "1 file(s) written"]  # the mirror's URL joins the survey's source URLs
    # both base URLs of a source lead to the same mirror URL: asked once each
    assert [s.path for s in server.seen] == ["/mirror" + path + APRIL_QUERY,
                                             "/mirror" + path + MAY_QUERY]
    [change] = [c for d in load_store(real_data).surveys.values() for c in d.history
                if c.source == april]
    assert (change.new, change.live, change.captured_at) == (("Changed on the mirror",),
                                                             False, None)


def test_base_url_must_be_a_plain_http_url(real_data: Path, cli) -> None:
    result = cli("fetch", "--base-url", "ftp://mirror.example/x?y=1", "--data", real_data)
    assert result.exit_code == 1
    assert result.stderr == ("error: --base-url must be an http(s) URL with a host and no "
                             "query (got 'ftp://mirror.example/x?y=1')\n")


# -- only safe characters reach the terminal -----------------------------------------------

def test_escape_codes_from_the_server_are_printed_escaped(real_data: Path,
                                                          server: LocalServer, cli) -> None:
    url = server.route("/r/" + APRIL_QUERY, Reply(403, reason="\x1b[2J\x1b]0;hi\x07Denied"))
    write_sources(real_data, source("april", [server.url("/r/")]))
    result = cli("fetch", "--data", real_data)
    assert result.stdout == (f"april: failed: {url}: HTTP 403 \\x1b[2J\\x1b]0;hi\\x07Denied "
                             "(not retried)\n")


def test_escape_codes_in_a_file_name_are_printed_escaped(tmp_path: Path, cli) -> None:
    bad = tmp_path / "export\x1b[31m\u202e.json"
    bad.write_text("[1]")
    result = cli("import", bad, "--data", tmp_path / "data")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert result.stderr.startswith(f"{tmp_path}/export\\x1b[31m\\u202e.json:1:2: -: ")
