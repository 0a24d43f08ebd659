"""Fuzzing the importers: random bytes and mutated real exports, in every layout.

Whatever the bytes, `builder.ingest.formats.load_export` either returns the records or raises
`InputRejected`, whose every issue renders on one printable line as
`PATH[:LINE[:COLUMN]]: FIELD: CODE: message (got 'VALUE')`; never another exception.
A smaller run goes through the whole import (validation, merge, store) and checks that
what it writes can be read back, that importing it again changes nothing, and that a
refused import writes nothing.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from builder.core.errors import InputRejected, Issue, format_issues
from builder.ingest.formats import Format, LoadOptions, load_export
from builder.ingest.importer import import_bytes
from builder.store.records import load_store
from conftest import CCADB, FIXTURES

SEEDS = sorted(p for p in CCADB.iterdir() if p.suffix in (".html", ".csv")) + sorted(
    p for p in (FIXTURES / "formats").glob("*") if p.suffix in (".html", ".csv", ".json"))
"""Real exports (tests/fixtures/ccadb/) and one example of each other layout."""
SEED_BYTES = [p.read_bytes() for p in SEEDS]
ORIGIN = "fuzz/export.bin"
ISSUE_LINE = re.compile(
    r"^(?P<path>fuzz/export\.bin)(?::(?P<line>[1-9]\d*)(?::(?P<column>[1-9]\d*))?)?"
    r": (?P<field>.+?): (?P<code>[a-z0-9]+(?:-[a-z0-9]+)*): (?P<message>\S.*?)"
    r"(?: \(got (?P<value>'.*'|\".*\")\))?$")
"""The documented error line (README, 'Bad input'); LINE is left out for problems of the
whole input, such as an empty export or a missing --survey."""

TOKENS = [
    b"<", b">", b"</table>", b"<table>", b"<tr>", b"</tr>", b"<td>", b"<th>", b"</td>",
    b"<h1>", b"</h1>", b"<h2>", b"<br>", b"<script>", b"</script>", b"<style>", b"<!--",
    b"-->", b"<![CDATA[", b"&#0;", b"&#xD800;", b"&#1114112;", b"&amp", b"CA Owner",
    b"Response", b"CA Responses to ", b"Action", b'"', b'""', b",", b"\n", b"\r", b"\r\n",
    b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xc3", b"\xed\xa0\x80", b"[", b"]", b"{", b"}",
    b":", b"NaN", b"-Infinity", b"1e999", b"9" * 5000, b'\\ud800', b'"option_number": 13',
    b'"question_type": "Slider"', b'"ca_owner": ""', b"\\u0000", b"[" * 3000, b"Q00028",
    b"local-x", b"\t", b"\x1b[2J", b"\xe2\x80\xa8", b"\xc2\x85", b"=1+1",
    b'"CA Owner Name"', b'"Problem Reporting Mechanism"',
]
"""Bytes that matter to one layout or another."""

SEED_OPTIONS = {
    "CACommResponsesOnlyReport-april-2017-Q00028.html": ("report-html", ("Q00028",)),
    "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html": ("report-html",
                                                              ("Q00101", "Q00102")),
    "report-april-2017-Q00028.csv": ("report-csv", ("Q00028",)),
    "report-may-2020-Q00101-Q00102.csv": ("report-csv", ("Q00101", "Q00102")),
    "report-multi-select.html": ("report-html", ("Q09001", "Q09002")),
    "summary-report.html": ("summary-html", ()),
    "CACommSummaryReport-march-2016.html": ("summary-html", ()),
    "CACommunicationSurveySample-september-2018.html": ("survey-sample-html", ()),
    "CACommunicationSurveySample-january-2020.html": ("survey-sample-html", ()),
    "ccadb-export.csv": ("ccadb-csv", ()),
    "api-export.json": ("json", ()),
    "ca-information.csv": ("ca-information-csv", ()),
}
"""The layout of each seed and the question ids it needs."""


@st.composite
def options_for(draw, seed: Path | None) -> LoadOptions:  # type: ignore[no-untyped-def]
    """Mostly the options that fit the seed (so the fuzzing gets past the header checks),
    sometimes any."""
    fmt, ids = SEED_OPTIONS.get(seed.name if seed else "", ("auto", ()))
    return LoadOptions(
        format=draw(st.sampled_from([Format(fmt)] * 6 + [Format.AUTO] * 2 + list(Format))),
        survey=draw(st.sampled_from(["S", "S", "<b>S</b>", "\u200b", None])),
        question_ids=draw(st.sampled_from([ids] * 6 + [(), ("Q00028",), ("bad id",),
                                                        ("Q00001", "Q00002", "Q00003")])),
        encoding=draw(st.sampled_from([None] * 6 + ["cp1252", "utf-16", "no-such-codec"])),
        source_url=draw(st.sampled_from(
            [None] * 6 + ["https://example.invalid/r?QuestionId=Q00028",
                          "https://example.invalid/r?QuestionId=,,&CommunicationId=%00",
                          "https://example.invalid/r?CommunicationId=a05o000003WrzBC"])))


@st.composite
def mutated(draw) -> tuple[bytes, LoadOptions]:  # type: ignore[no-untyped-def]
    """A real export with a few bytes cut, inserted, replaced or repeated."""
    index = draw(st.integers(0, len(SEEDS) - 1))
    data = bytearray(SEED_BYTES[index])
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        size = draw(st.integers(0, 32))
        action = draw(st.sampled_from(["cut", "insert", "insert", "replace", "repeat",
                                       "truncate"]))
        piece = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        if action == "cut":
            del data[at:at + size]
        elif action == "insert":
            data[at:at] = piece
        elif action == "replace":
            data[at:at + len(piece)] = piece
        elif action == "repeat":
            data[at:at] = data[at:at + size] * draw(st.integers(1, 3))
        else:
            del data[at:]
    return bytes(data), draw(options_for(SEEDS[index]))


PREFIXES = [b"", b"[", b"[{", b"<table>", b"<h1>CA Responses to x</h1>", b"CA Owner,Response\n",
            b"survey,survey_id,question_id,question_order,question_type,question_text,"
            b"ca_owner,response,option_number,submitted_at\n"]
random_bytes = st.tuples(
    st.builds(lambda prefix, body: prefix + body, st.sampled_from(PREFIXES),
              st.binary(max_size=600)), options_for(None))
inputs = st.one_of(mutated(), mutated(), mutated(), random_bytes)
FUZZ = settings(max_examples=1000, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


def check_issue(issue: Issue) -> None:
    """One problem: one printable line in the documented format, saying where and why."""
    line = str(issue)
    assert line.isprintable(), line  # no newline, no terminal control sequence
    match = ISSUE_LINE.match(line)
    assert match, line
    assert match["code"] == issue.code and match["field"], line
    assert (issue.line is None) == (match["line"] is None), line
    assert issue.column is None or issue.line is not None, line


def check_rejection(exc: InputRejected) -> None:
    assert exc.issues, "InputRejected without any issue"
    for issue in exc.issues:
        check_issue(issue)
    assert any(not i.warning for i in exc.issues)
    lines = format_issues(exc.issues).split("\n")
    assert re.fullmatch(r"\d+ problems? found", lines[-1]), lines[-1]


@FUZZ
@given(case=inputs)
def test_every_importer_reads_or_refuses_cleanly(case: tuple[bytes, LoadOptions]) -> None:
    data, options = case
    try:
        export = load_export(data, ORIGIN, options)
    except InputRejected as exc:
        check_rejection(exc)
        event("refused: " + exc.issues[0].code)
        return
    event(f"read: {export.format}")
    for issue in export.issues:
        assert issue.warning
        check_issue(issue)


@settings(FUZZ, max_examples=300)
@given(case=inputs)
def test_a_whole_import_stores_what_it_can_read_back_or_writes_nothing(
        case: tuple[bytes, LoadOptions]) -> None:
    data, options = case
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "data"
        try:
            import_bytes(data, ORIGIN, store, options, observed_at="2026-01-01T00:00:00Z")
        except InputRejected as exc:
            check_rejection(exc)
            event("refused")
            assert not store.exists() or not any(store.rglob("*")), sorted(store.rglob("*"))
            return
        load_store(store)  # what was written can be read again
        event("imported")
        again = import_bytes(data, ORIGIN, store, options, observed_at="2026-02-01T00:00:00Z")
        assert again.written == [] and again.changes == []  # a re-import changes nothing


def test_the_seeds_import_as_they_are() -> None:
    """The fuzzing starts from real, valid exports (else it would only test refusals)."""
    assert {p.name for p in SEEDS} == set(SEED_OPTIONS)
    for path, data in zip(SEEDS, SEED_BYTES, strict=True):
        fmt, ids = SEED_OPTIONS[path.name]
        load_export(data, ORIGIN, LoadOptions(Format(fmt), survey="S", question_ids=ids))
