"""`builder discover` on pages in the MediaWiki layout, from a file and from a real HTTP
server on 127.0.0.1: every CCADB CA Communication linked is followed once, a second run
changes nothing, look-alike and other links are ignored, titles are checked, and a page
that cannot be read is refused with every problem listed and data/ left as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_fetch import snapshot

from builder.core.utf8 import SKIPPED
from builder.ingest.sources import SOURCES_FILE, read_sources
from builder.ingest.wikipage import communication_id, survey_title
from conftest import FIXTURES, ROOT
from http_support import LocalServer, Reply
from workflow_support import load, steps

pytestmark = pytest.mark.usefixtures("network_guard")

WIKI = FIXTURES / "wiki" / "ca-communications.html"
HTML = {"Content-Type": "text/html; charset=UTF-8"}
CURRENT = "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
OLD = "https://ccadb-public.secure.force.com/mozillacommunications/"
NEW_ID = "a051J00009JUNE1"
NEW_ID_18 = NEW_ID + "QAP"  # Salesforce's check letters (upper case in a051J, 00009, JUNE1)
NEW = "June 2031 CA Communication"
KNOWN = {"a05o000000iHdtx": "March 2016 CA Communication",
         "a05o000003WrzBC": "April 2017 CA Communication",
         "a051J00003rMGLL": "September 2018 CA Communication",
         "a051J00003waNOW": "January 2020 CA Communication",
         "a051J000042AUSv": "May 2020 CA Communication"}


def wiki_page(content: str, title: str = "CA/Communications") -> bytes:
    """A page in MediaWiki's layout: `content` is what the wiki text renders to."""
    return (f'<!DOCTYPE html>\n<html class="client-nojs" lang="en" dir="ltr">\n<head>\n'
            f'<meta charset="UTF-8"/>\n<title>{title} - MozillaWiki</title>\n</head>\n'
            '<body class="mediawiki ltr skin-vector">\n<div id="content" class="mw-body">\n'
            f'<h1 id="firstHeading" class="firstHeading">{title}</h1>\n'
            '<div id="bodyContent" class="vector-body">\n'
            '<div id="mw-content-text" class="mw-body-content mw-content-ltr" lang="en" '
            f'dir="ltr"><div class="mw-parser-output">{content}\n</div></div>\n'
            "</div>\n</div>\n</body>\n</html>\n").encode()


def link(href: str, text: str) -> str:
    return f'<a rel="nofollow" class="external text" href="{href}">{text}</a>'


def section(title: str, *items: str) -> str:
    anchor = title.replace(" ", "_")
    return (f'<h2><span class="mw-headline" id="{anchor}">{title}</span></h2>\n<ul>'
            + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled data/, with its sources.json."""
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    return folder


def sources_of(data: Path) -> dict[str, dict[str, object]]:
    return {s["id"]: s for s in json.loads((data / SOURCES_FILE).read_text())["sources"]}


def page_file(tmp_path: Path, body: bytes) -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(body)
    return path


# -- the known communications --------------------------------------------------------------

def test_the_wiki_page_gives_the_bundled_sources_and_a_second_run_changes_nothing(
        data: Path, cli) -> None:
    bundled = sources_of(ROOT / "data")
    reports = [s for s in bundled.values() if s["format"] == "report-html"]
    (data / SOURCES_FILE).write_text(json.dumps({"sources": reports}, indent=2) + "\n")

    result = cli("discover", WIKI, "--data", data)
    assert result.exit_code == 0 and result.stderr == ""
    order = ["may-2020", "january-2020", "september-2018", "april-2017", "march-2016"]
    titles = {t.split()[0].lower() + "-" + t.split()[1]: t for t in KNOWN.values()}
    assert result.stdout.splitlines() == [
        f"added {m}-{kind}: {titles[m]} ({fmt})" for m in order
        for kind, fmt in (("summary", "summary-html"), ("survey-sample", "survey-sample-html"))
    ] + [f"{WIKI}: 5 CA Communication(s) linked; 10 source(s) added"]
    # What discover writes is what data/sources.json holds, bar the hand-written notes.
    found = sources_of(data)
    assert all(s.pop("note") == "Found by builder discover in a saved copy of a page."
               for s in found.values() if s not in reports)
    expected = {k: {n: v for n, v in s.items() if n != "note" or s in reports}
                for k, s in bundled.items() if s["format"] != "ca-information-csv"}
    assert found == expected
    read_sources(data / SOURCES_FILE)  # fetch reads it

    before = snapshot(data)
    again = cli("discover", WIKI, "--data", data)
    assert again.exit_code == 0 and snapshot(data) == before
    assert again.stdout.splitlines() == [
        f"{WIKI}: 5 CA Communication(s) linked; 0 source(s) added; sources.json unchanged"]


def test_bundled_sources_follow_every_known_communication_under_its_real_title() -> None:
    sources = read_sources(ROOT / "data" / SOURCES_FILE)
    by_format: dict[str, set[tuple[str | None, str]]] = {}
    for s in sources:
        assert [u.split("/")[2] for u in s.urls] == ["ccadb.my.salesforce-sites.com",
                                                     "ccadb-public.secure.force.com"]
        assert s.urls[0].split("/", 3)[3] == s.urls[1].split("/", 3)[3]
        cid = communication_id(s.urls[0])
        assert cid is None or KNOWN[cid] == s.survey
        by_format.setdefault(s.format.value, set()).add((cid, s.survey))
    assert by_format["summary-html"] == by_format["survey-sample-html"] == set(KNOWN.items())
    assert {s.partial for s in sources if s.format.value == "summary-html"} == {False}
    [info] = [s for s in sources if s.format.value == "ca-information-csv"]
    assert info.urls[1] == "https://ccadb-public.secure.force.com/mozilla/CAInformationReportCSVFormat"
    # The titles are those of the catalogue of known communications.
    catalog = (ROOT / "data" / "catalog" / "communications.csv").read_text()
    assert all(f"\n{title}," in catalog for title in KNOWN.values())
    # In the layout discover writes, so that an addition shows in a diff as just that.
    text = (ROOT / "data" / SOURCES_FILE).read_text()
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


# -- a new communication, by URL -----------------------------------------------------------

def test_a_new_communication_on_a_served_page_is_added_once(data: Path, server: LocalServer,
                                                            cli) -> None:
    page = wiki_page(section(
        NEW, link(f"{CURRENT}CACommunicationSurveySample?CACommunicationId={NEW_ID_18}",
                  "Read-only copy"),
        "Responses: " + link(f"{OLD}CACommResponsesOnlyReport?CommunicationID={NEW_ID}"
                             "&amp;QuestionId=Q09001", "ITEM 1")))
    url = server.route("/CA/Communications", Reply(200, page, HTML))
    before = (data / SOURCES_FILE).read_text()

    result = cli("discover", url, "--data", data)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"added june-2031-summary: {NEW} (summary-html)",
        f"added june-2031-survey-sample: {NEW} (survey-sample-html)",
        f"{url}: 1 CA Communication(s) linked; 2 source(s) added"]
    after = (data / SOURCES_FILE).read_text()
    assert after.startswith(before[:before.rindex("\n  ]")])  # appended, nothing else moved
    sources = {s.id: s for s in read_sources(data / SOURCES_FILE)}
    summary, sample = sources["june-2031-summary"], sources["june-2031-survey-sample"]
    assert summary.urls == tuple(f"{base}CACommSummaryReport?CommunicationId={NEW_ID}"
                                 for base in (CURRENT, OLD))
    assert sample.urls == tuple(f"{base}CACommunicationSurveySample?CACommunicationId={NEW_ID}"
                                for base in (CURRENT, OLD))
    assert not summary.partial and summary.survey == sample.survey == NEW
    assert sources_of(data)["june-2031-summary"]["note"] == (
        f"Found by builder discover on {server.url('/CA/Communications')}")

    again = snapshot(data)
    assert cli("discover", url, "--data", data).exit_code == 0
    assert snapshot(data) == again


# -- what is not followed ------------------------------------------------------------------

HOSTILE_HREFS = [
    "https://ccadb.my.salesforce-sites.com.evil.example/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://evilccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://other.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://evil.example/ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com@evil.example/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://someone@ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com:8443/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com./mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "javascript:alert('https://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}')",
    "ftp://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "//ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "/mozillacommunications/CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com/x/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com/mozilla/CACommSummaryReport?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com/mozillacommunications/TakeSurvey?id={id}",
    "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?SurveyId={id}",
    "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}&CommunicationID=a05HOSTILEOTHER",
    "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}%3Cscript%3E",
    "https://ccadb.my.salesforce-sites.com/mozillacommunications/"
    "CACommSummaryReport?CommunicationId={id}ZZZ",  # 18 letters, wrong check letters
    "https://blog.mozilla.org/security/?CommunicationId={id}",
    "https://ccadb.my.salesforce-sites.com/mozilla/PrintViewForCase?CaseNumber={id}",
]


@pytest.mark.parametrize("n", range(len(HOSTILE_HREFS)))
def test_a_link_that_is_not_a_ccadb_communication_is_not_one(n: int) -> None:
    assert communication_id(HOSTILE_HREFS[n].format(id=f"a05HOSTILE{n:05d}"[:15])) is None


@pytest.mark.parametrize(("url", "cid"), [
    (f"{CURRENT}CACommSummaryReport?CommunicationId={NEW_ID}", NEW_ID),
    (f"{OLD}CACommSummaryReport?CommunicationID={NEW_ID}", NEW_ID),
    (f"{OLD}CACommunicationSurveySample?CACommunicationId={NEW_ID_18}", NEW_ID),
    (f"http://ccadb-public.secure.force.com/mozillacommunications/cacommsummaryreport"
     f"?CommunicationId={NEW_ID}", NEW_ID),
    (f"HTTPS://CCADB.my.salesforce-sites.com/mozillacommunications/CACommResponsesOnlyReport"
     f"?CommunicationId={NEW_ID}&QuestionId=Q00101,Q00102,#top", NEW_ID),
    (f"{CURRENT}CACommRespWithTextAndTotalsReport?QuestionId=Q1&CommunicationId={NEW_ID}"
     f"&QuestionIdForText=Q2", NEW_ID),
])
def test_links_to_a_ccadb_communication(url: str, cid: str) -> None:
    assert communication_id(url) == cid


def test_hostile_links_and_text_around_them_are_ignored(data: Path, tmp_path: Path,
                                                        cli) -> None:
    hostile = [link(html.format(id=f"a05HOSTILE{n:05d}"[:15]).replace("&", "&amp;"), NEW)
               for n, html in enumerate(HOSTILE_HREFS)]
    content = section(
        NEW, *hostile,
        # Only the title's own words are kept from the text around a link.
        '&lt;script&gt;alert(1)&lt;/script&gt;"&gt;<b>' + NEW + "</b>{{7*7}} "
        + link(f"{CURRENT}CACommSummaryReport?CommunicationId={NEW_ID}", "Responses"))
    content += ("<script>var u='" + CURRENT + "CACommSummaryReport?CommunicationId="
                "a05HOSTILE99999';</script>")
    page = wiki_page(content).replace(b"</body>", (
        f'<div id="mw-navigation"><a href="{CURRENT}CACommSummaryReport?CommunicationId='
        'a05HOSTILE99998">May 2031 CA Communication</a></div></body>').encode())
    result = cli("discover", page_file(tmp_path, page), "--data", data)
    assert result.exit_code == 0, result.stderr
    added = [line for line in result.stdout.splitlines() if line.startswith("added ")]
    assert added == [f"added june-2031-summary: {NEW} (summary-html)",
                     f"added june-2031-survey-sample: {NEW} (survey-sample-html)"]
    text = (data / SOURCES_FILE).read_text()
    assert "HOSTILE" not in text and "script" not in text and "{{" not in text
    assert {s["survey"] for s in sources_of(data).values() if "june" in str(s["id"])} == {NEW}


@pytest.mark.parametrize(("text", "title"), [
    ("Read-only copy of the May 2020 CA Communication", "May 2020 CA Communication"),
    ("february 2025 ca communication AND SURVEY", "February 2025 CA Communication and Survey"),
    ("May\u00a02020\n CA   Communication", "May 2020 CA Communication"),
    ("May 2020 CA Communications", None),
    ("Mayday 2020 CA Communication", None),
    ("May 20201 CA Communication", None),
    ("\uff2day 2020 CA Communication", None),  # full-width M
    ("May \u0662\u0660\u0662\u0660 CA Communication", None),  # Arabic-Indic digits
    ("May 2020 CA Communication, like the April 2021 CA Communication", False),
])
def test_survey_titles_are_read_strictly(text: str, title: str | None | bool) -> None:
    assert survey_title(text) == title


@pytest.mark.parametrize(("content", "code", "message"), [
    (section("Other surveys", link(f"{CURRENT}CACommSummaryReport?CommunicationId={NEW_ID}",
                                   "Responses")),
     "no-title", "no survey title ('<Month> <year> CA Communication') in the link text, its "
     "list item or table row, or its section heading"),
    (section("Other surveys", link(f"{CURRENT}CACommSummaryReport?CommunicationId={NEW_ID}",
                                   "Responses") + f" to {NEW} and May 2031 CA Communication"),
     "ambiguous-title", "the page names different survey titles around its links"),
    (section("April 2017 CA Communication",
             link(f"{CURRENT}CACommSummaryReport?CommunicationId={NEW_ID}", "Responses")),
     "title-taken", "the title is that of a05o000003WrzBC in sources.json"),
])
def test_a_communication_without_a_clear_title_is_reported_and_skipped(
        data: Path, tmp_path: Path, cli, content: str, code: str, message: str) -> None:
    path = page_file(tmp_path, wiki_page(content))
    line, col = next((n, text.index("<a ") + 1)
                     for n, text in enumerate(path.read_text().splitlines(), 1) if NEW_ID in text)
    before = snapshot(data)
    result = cli("discover", path, "--data", data)
    assert result.exit_code == 0 and snapshot(data) == before
    got = (f" (got {'April 2017 CA Communication'!r})" if code == "title-taken" else "")
    assert result.stderr.splitlines() == [
        f"warning: {path}:{line}:{col}: href: {code}: CommunicationId {NEW_ID}: {message}; "
        f"not added{got}"]
    assert result.stdout.splitlines() == [
        f"{path}: 1 CA Communication(s) linked; 0 source(s) added; sources.json unchanged"]


# -- pages that cannot be read ---------------------------------------------------------------

WIKI_TEXT = WIKI.read_bytes()
CUT = WIKI_TEXT.index(b"<h2><span class=\"mw-headline\" id=\"April")
PAGES = {
    "login page": (b"<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body>"
                   b"<form action='/login'><input name='username'></form></body></html>",
                   ["{p}: -: not-a-wiki-page: no <div id=\"mw-content-text\">: not a MediaWiki "
                    "page (a login or error page?) (got 'Login | Salesforce')"]),
    "cut short": (WIKI_TEXT[:CUT],
                  ["{p}:26:3: -: truncated: the <div id=\"mw-content-text\"> opened here is "
                   "never closed: the page was cut short",
                   "{p}: -: truncated: the page does not end with </html>: cut short?"]),
    "not UTF-8": (wiki_page("<p>caf\xe9</p>").replace("é".encode(), b"\xe9"),
                  ["{p}:11:122: -: invalid-utf8: the page is not valid UTF-8 (got 'e9')"]),
    "empty": (b" \n", ["{p}: -: empty-page: the page is empty"]),
    "no links": (wiki_page(section(NEW, link("https://blog.mozilla.org/", NEW))),
                 ["{p}: -: no-communications: the page links to no CCADB CA Communication "
                  "report (on ccadb.my.salesforce-sites.com or ccadb-public.secure.force.com)"]),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_that_cannot_be_read_is_refused_and_data_is_unchanged(
        data: Path, tmp_path: Path, cli, name: str) -> None:
    body, lines = PAGES[name]
    path = page_file(tmp_path, body)
    before = snapshot(data)
    result = cli("discover", path, "--data", data)
    assert result.exit_code == 1 and result.stdout == "" and snapshot(data) == before
    count = f"{len(lines)} problem{'s' if len(lines) > 1 else ''} found"
    assert result.stderr.splitlines() == [line.format(p=path) for line in lines] + [count]


def test_a_failed_request_writes_nothing(data: Path, server: LocalServer, cli) -> None:
    url = server.route("/CA/Communications", Reply(404, b"<html>gone</html>", HTML))
    before = snapshot(data)
    result = cli("discover", url, "--data", data)
    assert result.exit_code == 1 and snapshot(data) == before
    assert result.stderr == f"error: {url}: HTTP 404 Not Found (not retried)\n"


def test_a_broken_sources_file_stops_before_any_request(data: Path, server: LocalServer,
                                                        cli) -> None:
    url = server.route("/CA/Communications", Reply(200, WIKI_TEXT, HTML))
    (data / SOURCES_FILE).write_text('{"sources": [{"id": "x"}]}')
    result = cli("discover", url, "--data", data)
    assert result.exit_code == 1 and server.seen == []
    assert "sources[0]: survey: missing-key: required key is missing" in result.stderr


def test_a_broken_catalog_stops_before_any_request(data: Path, server: LocalServer,
                                                  cli) -> None:
    url = server.route("/CA/Communications", Reply(200, WIKI_TEXT, HTML))
    catalog = data / "catalog" / "communications.csv"
    line = len(catalog.read_bytes().splitlines()) + 1
    catalog.write_bytes(catalog.read_bytes() + b"x\xff,y\nx,y\n")
    before = snapshot(data)
    result = cli("discover", url, "--data", data)
    assert result.exit_code == 1 and server.seen == [] and snapshot(data) == before
    header = catalog.read_bytes().split(b"\n", 1)[0].count(b",") + 1
    assert result.stderr.splitlines() == [
        f"{catalog}:{line}:2: -: invalid-utf8: {SKIPPED} (got 'ff')",
        f"{catalog}:{line + 1}: -: ragged-row: row has 2 fields, header has {header} "
        "(got 'x,y')",
        "2 problems found"]


# -- the scheduled workflow ------------------------------------------------------------------

def test_the_fetch_workflow_discovers_first_and_a_failed_discover_does_not_stop_it() -> None:
    fetch = steps(load("fetch.yml")["jobs"]["fetch"])
    ids = [s.get("id") for s in fetch]
    discover = fetch[ids.index("discover")]["run"]
    assert ids.index("discover") < ids.index("fetch")
    assert "builder discover https://wiki.mozilla.org/CA/Communications --data data" in discover
    assert discover.lstrip().startswith("set +e") and "PIPESTATUS[0]" in discover
    assert not fetch[ids.index("discover")].get("if")
    assert "steps.discover.outputs.status != '0'" in fetch[-1]["if"]  # the run is marked failed


def test_a_survey_sample_source_is_fetched_as_an_html_page(tmp_path: Path,
                                                           server: LocalServer) -> None:
    """What fetch checks of an HTML page (here: that it is whole) it checks of a survey
    sample page too; it is not refused as 'an HTML page where an export was expected'."""
    from test_fetch import SETTINGS

    from builder.ingest.fetch import fetch_all

    data = tmp_path / "data"
    data.mkdir()
    path = f"mozillacommunications/CACommunicationSurveySample?CACommunicationId={NEW_ID}"
    url = server.route("/" + path, Reply(200, wiki_page("<p>x</p>")[:-20], HTML))
    (data / SOURCES_FILE).write_text(json.dumps({"sources": [{
        "id": "june-2031-survey-sample", "survey": NEW, "format": "survey-sample-html",
        "base_urls": [server.url("/")], "path": path}]}))
    report = fetch_all(data, settings=SETTINGS)
    assert report.lines() == [f"june-2031-survey-sample: failed: {url}: the page does not end "
                              "with </html>: truncated?"]
