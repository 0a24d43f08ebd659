"""Bad input: every problem listed as PATH:LINE[:COLUMN]: FIELD: CODE: message, exit 1,
and the data folder left exactly as it was.

Each file in tests/fixtures/bad/ is imported from that folder (so PATH is its name) into a
copy of data/, and the output must equal its `<name>.expected.txt`. Refresh those after an
intended change of a message with:

    UPDATE_EXPECTED=1 python3 dev.py test tests/ingest/test_bad_input.py

then read the diff of tests/fixtures/bad/ before committing it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from storecheck import answers, listing, snapshot

BAD = FIXTURES / "bad"
FORMATS = FIXTURES / "formats"
BAD_INPUTS = sorted(p for p in BAD.iterdir() if not p.name.endswith(".expected.txt"))
EXTRA_ARGS = {
    "report-empty-owner.html": ["--question-ids", "Q00028"],
    "report-csv-bad-header.csv": ["--format", "report-csv", "--question-ids", "Q00028"],
}
"""Options a case needs to get past the problems it is not about."""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the real store."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def rejected(cli, data: Path, source: str | Path, *args: str) -> str:
    """Import `source`, which must fail and leave `data` exactly as it was; the output."""
    before, names = snapshot(data), listing(data)
    result = cli("import", source, "--data", data, *args)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # the problems go to stderr, nothing claims success
    assert snapshot(data) == before
    assert listing(data) == names  # no temporary file or new folder left behind
    return result.output


def test_every_bad_input_has_its_expected_output() -> None:
    assert len(BAD_INPUTS) >= 20
    for path in BAD_INPUTS:
        assert (BAD / f"{path.name}.expected.txt").exists(), path.name
    expected = {p.name.removesuffix(".expected.txt") for p in BAD.glob("*.expected.txt")}
    assert expected == {p.name for p in BAD_INPUTS}


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.name)
def test_bad_input_is_rejected_with_exactly_the_expected_lines(
        cli, data: Path, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.chdir(BAD)
    output = rejected(cli, data, path.name, *EXTRA_ARGS.get(path.name, []))
    expected = BAD / f"{path.name}.expected.txt"
    if os.environ.get("UPDATE_EXPECTED"):
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")


def problems(cli, data: Path, name: str) -> list[list[str]]:
    """Each problem of the bad input `name` as [PATH:LINE:COLUMN, FIELD, CODE], after
    checking the count that ends the output."""
    lines = rejected(cli, data, name).splitlines()
    assert lines[-1] == f"{len(lines) - 1} problems found"
    return [line.split(": ")[:3] for line in lines[:-1]]


def test_several_problems_of_one_file_are_all_listed(
        cli, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record problems (a wrong type) and validation problems (a type, a name, a date) at once."""
    monkeypatch.chdir(BAD)
    assert problems(cli, data, "broken.json") == [
        ["broken.json:2:3", "option_number", "wrong-type"],
        ["broken.json:6:3", "question_type", "unknown-question-type"],
        ["broken.json:10:3", "ca_owner", "empty-owner"],
        ["broken.json:10:3", "submitted_at", "invalid-date"],
    ]


def test_a_row_with_a_bad_question_id_or_no_survey_has_its_other_fields_checked(
        cli, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad question id used to hide the row's order and type, a missing survey title its
    owner and date: each took another run to find."""
    monkeypatch.chdir(BAD)
    name = "several-problems-in-a-row.csv"
    assert problems(cli, data, name) == [
        [f"{name}:2:3", "question_id", "invalid-question-id"],
        [f"{name}:2:4", "question_order", "not-an-integer"],
        [f"{name}:2:5", "question_type", "unknown-question-type"],
        [f"{name}:3:1", "survey", "missing-survey"],
        [f"{name}:3:7", "ca_owner", "empty-owner"],
        [f"{name}:3:10", "submitted_at", "invalid-date"],
    ]


def test_into_an_empty_folder_a_bad_input_creates_nothing(cli, tmp_path: Path) -> None:
    rejected(cli, tmp_path, BAD / "wrong-types.json")
    assert list(tmp_path.iterdir()) == []


# -- encodings -----------------------------------------------------------------------------

def test_fallback_encoding_decodes_with_a_warning(
        cli, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    result = cli("import", "invalid-utf8.csv", "--encoding", "cp1252", "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: invalid-utf8.csv:3:133: -: fallback-encoding: not UTF-8; decoded as cp1252 "
        "as asked (got 'dc')\n")
    assert result.stdout == ("invalid-utf8.csv: ccadb-csv, 2 record(s); answers 2 added, "
                             "0 changed, 0 withdrawn; 4 file(s) written\n")
    found = answers(data)
    assert found[("Q09003", "Fictitious Example CA")] == (("Yes",), (1,))
    assert found[("Q09003", "Fictitious Ünïcode CA")] == (("No",), (2,))


def test_a_fallback_that_cannot_decode_either_is_refused(
        cli, data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    assert rejected(cli, data, "invalid-utf8.csv", "--encoding", "ascii") == (
        "invalid-utf8.csv:3:133: -: invalid-encoding: not UTF-8, and not ascii either: 'ascii' "
        "codec can't decode byte 0xdc in position 409: ordinal not in range(128) (got 'dc')\n"
        "1 problem found\n")


def test_the_fallback_is_not_used_for_valid_utf8(cli, data: Path) -> None:
    result = cli("import", FORMATS / "ccadb-export.csv", "--encoding", "cp1252", "--data", data)
    assert result.exit_code == 0 and result.stderr == ""
    assert ("Q09001", "Fictitious Ünïcode CA") in answers(data)


def with_crlf(name: str, raw: bytes) -> bytes:
    """The export with CR LF line ends, as a Windows tool would write it."""
    if not name.endswith(".csv"):
        return raw.replace(b"\n", b"\r\n")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # between rows only
    return out.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", ["ccadb-export.csv", "api-export.json",
                                  "summary-report.html"])
@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf"])
def test_a_utf8_bom_and_crlf_line_ends_are_accepted(
        cli, tmp_path: Path, name: str, variant: str) -> None:
    raw = (FORMATS / name).read_bytes()
    body = with_crlf(name, raw) if "crlf" in variant else raw
    body = b"\xef\xbb\xbf" + body if "bom" in variant else body
    assert body != raw
    args = ["--question-ids", "Q09001,Q09002,Q09003,Q09004"] if name.endswith(".html") else []
    (tmp_path / name).write_bytes(body)
    result = cli("import", tmp_path / name, "--data", tmp_path / "variant", *args)
    assert result.exit_code == 0, result.output
    assert cli("import", FORMATS / name, "--data", tmp_path / "plain", *args).exit_code == 0
    assert answers(tmp_path / "variant") == answers(tmp_path / "plain")
    assert len(answers(tmp_path / "plain")) == 8


def test_crlf_inside_a_quoted_field_is_kept_verbatim(cli, tmp_path: Path) -> None:
    """Only the row ends are line ends; a value's own CR LF is part of the answer."""
    raw = (FORMATS / "ccadb-export.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    rows[3][7] = rows[3][7].replace("\n", "\r\n")
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (tmp_path / "x.csv").write_text(out.getvalue(), encoding="utf-8", newline="")
    assert cli("import", tmp_path / "x.csv", "--data", tmp_path / "d").exit_code == 0
    assert answers(tmp_path / "d")[("Q09002", "Fictitious Example CA")][0] == (
        'We answer within 24 hours, "always".\r\nSecond line, with a comma.',)


# -- sizes -------------------------------------------------------------------------------

@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_a_million_characters_is_refused(
        cli, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quoted: bool) -> None:
    huge = "x" * 1_000_001
    cell = f'"{huge}"' if quoted else huge
    (tmp_path / "huge.csv").write_text(
        f"CA Owner,Response\nFictitious Example CA,ok\nFictitious Other CA,{cell}\n"
        "Fictitious Third CA,ok\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert rejected(cli, data, "huge.csv", "--survey", "S", "--question-ids", "Q00001") == (
        "huge.csv:3:2: Response: field-too-large: a field is longer than 1,000,000 "
        f"characters (this one has 1,000,001) (got {'x' * 79 + '…'!r})\n"
        "1 problem found\n")


def test_a_field_of_exactly_a_million_characters_is_read(tmp_path: Path) -> None:
    from builder.ingest.formats import Format, LoadOptions, load_export

    text = "CA Owner,Response\nFictitious Example CA," + "x" * 1_000_000 + "\n"
    export = load_export(text.encode(), "big.csv", LoadOptions(
        Format.REPORT_CSV, "S", ("Q00001",)))
    assert len(export.records[0].response) == 1_000_000


def test_a_blank_file_is_an_empty_export(cli, data: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "blank.json").write_text(" \r\n\t\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert rejected(cli, data, "blank.json") == (
        "blank.json: -: empty-export: the export is empty\n1 problem found\n")


def test_a_file_that_does_not_exist(cli, data: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    assert rejected(cli, data, missing) == (
        f"error: {missing}: cannot read: No such file or directory\n")


def test_a_lone_surrogate_escape_in_json_is_refused(
        cli, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's json accepts "\\ud800"; it is no character and could not be written."""
    text = (FORMATS / "api-export.json").read_text(encoding="utf-8")
    text = text.replace("Fictitious Example CA", "Fictitious \\ud800 CA", 1)
    (tmp_path / "surrogate.json").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert rejected(cli, data, "surrogate.json") == (
        "surrogate.json:2:3: ca_owner: lone-surrogate: a \\u escape names half of a surrogate "
        "pair, not a character (got 'Fictitious \\ud800 CA')\n1 problem found\n")


@pytest.mark.parametrize("when", ["yesterday", "2030-12-02", "2030-12-02T10:00:00"])
def test_observed_at_must_be_a_time_with_its_offset(cli, data: Path, when: str) -> None:
    assert rejected(cli, data, FORMATS / "api-export.json", "--observed-at", when) == (
        "error: --observed-at must be an ISO 8601 time with its offset, e.g. "
        f"2030-12-02T09:00:00Z (got {when!r})\n")


def test_observed_at_is_recorded_in_utc(cli, tmp_path: Path) -> None:
    result = cli("import", FORMATS / "api-export.json", "--data", tmp_path,
                 "--observed-at", "2030-12-02T10:00:00.25+02:00")
    assert result.exit_code == 0
    history = next(tmp_path.rglob("history.jsonl")).read_text(encoding="utf-8")
    assert history.count('"observed_at":"2030-12-02T08:00:00Z"') == 8


def test_csv_problems_are_placed_by_the_lines_the_reader_counts() -> None:
    """A line separator that only str.splitlines knows (U+2028, VT) inside a field does not
    move the line a problem is reported on, nor the text shown with it."""
    from builder.core.csvrows import MAX_FIELD_CHARS, csv_rows
    from builder.core.errors import Issue

    issues: list[Issue] = []
    text = 'name,answer\na,"one\u2028two\x0bthree"\nb,"never closed\nc,d\n'
    assert list(csv_rows(text, "t.csv", issues)) == [
        (1, ["name", "answer"]), (2, ["a", "one\u2028two\x0bthree"])]
    assert [(i.line, i.code, i.value) for i in issues] == [
        (3, "unbalanced-quote", 'b,"never closed')]
    issues.clear()
    text = f'name,answer\na,"x\u2028y"\nb,{"z" * (MAX_FIELD_CHARS + 1)}\n'
    assert len(list(csv_rows(text, "t.csv", issues))) == 2
    assert [(i.line, i.column, i.field, i.code) for i in issues] == [
        (3, 2, "answer", "field-too-large")]
