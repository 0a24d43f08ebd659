"""A store file broken by hand (bytes that are not UTF-8, a catalog row of the wrong length,
a quote never closed): each problem is an issue naming the file, the line (and column) and
what was found there, every one is listed, the command exits 1 (no traceback), and a line
that cannot be read is not reported again as the consequences of its absence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_jsonl import ANSWER

from builder.core.errors import Issue
from builder.core.model import Answer
from builder.core.utf8 import SKIPPED, decode_utf8
from builder.store.jsonl import dumps, read_json_lines
from builder.store.records import read_store, survey_dir_name
from conftest import ROOT

CATALOGS = ("communications.csv", "questions.csv")
APRIL = f"surveys/{survey_dir_name('April 2017 CA Communication')}"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled store (which validates)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def append(path: Path, data: bytes) -> int:
    """Add `data` at the end of the file; the number of the line it starts."""
    old = path.read_bytes()
    path.write_bytes(old + data)
    return len(old.splitlines()) + 1


def store_issues(data: Path) -> list[Issue]:
    return read_store(data)[1]


def test_lines_that_are_not_utf8_are_each_located_and_the_others_decoded() -> None:
    text, issues = decode_utf8(b"ok\r\nx\xff,y\rfine \xe2\x82\nlast", "f.csv")
    assert text == "ok\r\n\r\nlast"  # the bad lines read as empty, their line ends kept
    assert issues == [Issue("f.csv", 2, 2, "-", "invalid-utf8", SKIPPED, "ff"),
                      Issue("f.csv", 3, 6, "-", "invalid-utf8", SKIPPED, "e2 82")]
    assert decode_utf8("é\n".encode(), "f.csv") == ("é\n", [])


@pytest.mark.parametrize("name", CATALOGS)
def test_a_catalog_that_is_not_utf8_is_a_located_problem_not_a_crash(
        cli, data: Path, name: str) -> None:
    path = data / "catalog" / name
    line = append(path, b"x\xff,y\n")
    assert store_issues(data) == [Issue(str(path), line, 2, "-", "invalid-utf8", SKIPPED, "ff")]
    for args in (["validate"], ["import", ROOT / "tests/fixtures/formats/ccadb-export.csv"]):
        result = cli(*args, "--data", data)
        assert result.exit_code == 1
        assert result.output == (f"{path}:{line}:2: -: invalid-utf8: {SKIPPED} (got 'ff')\n"
                                 "1 problem found\n")


def test_each_catalog_row_of_the_wrong_length_or_never_closed_is_a_problem(
        cli, data: Path) -> None:
    communications, questions = (data / "catalog" / name for name in CATALOGS)
    rows = len(read_store(data)[0].catalog)
    first = append(communications, b"x,y,z\nonly one\n")
    quote = append(questions, b'Q,"never closed,z\nmore\n')
    header = communications.read_text(encoding="utf-8").split("\n", 1)[0].count(",") + 1
    expected = [
        Issue(str(communications), first, None, "-", "ragged-row",
              f"row has 3 fields, header has {header}", "x,y,z"),
        Issue(str(communications), first + 1, None, "-", "ragged-row",
              f"row has 1 fields, header has {header}", "only one"),
        Issue(str(questions), quote, None, "-", "unbalanced-quote",
              "a quoted field is never closed; every later row would be swallowed into it",
              'Q,"never closed,z')]
    store, issues = read_store(data)
    assert issues == expected
    assert len(store.catalog) == rows  # the bad rows are left out, never half read
    assert all(None not in row and None not in row.values() for row in store.catalog)
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output == "".join(f"{i}\n" for i in expected) + "3 problems found\n"


def test_a_jsonl_line_that_is_not_utf8_names_its_line_column_and_bytes(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    line = dumps(ANSWER).encode()
    path.write_bytes(line + b"\r\n" + line[:9] + b"\xc3(" + line[11:] + b"\r\n" + line + b"\r\n")
    issues: list[Issue] = []
    records = read_json_lines(path, Answer, issues)
    assert issues == [Issue(str(path), 2, 10, "-", "invalid-utf8", SKIPPED, "c3")]
    assert [n for n, _ in records] == [1, 3]  # the other lines are read


@pytest.mark.parametrize("name", ["values.jsonl", "history.jsonl", "copies.jsonl"])
def test_one_bad_byte_in_the_ca_information_is_one_problem_not_hundreds(
        cli, data: Path, name: str) -> None:
    path = data / "ca-information" / name
    lines = path.read_bytes().split(b"\n")
    lines[1] = b"\xfe" + lines[1]
    path.write_bytes(b"\n".join(lines))
    # Without copies.jsonl's line 2, hundreds of changes would name a copy not listed;
    # without a line of values or history, the replay would not match.
    assert store_issues(data) == [Issue(str(path), 2, 1, "-", "invalid-utf8", SKIPPED, "fe")]
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output == f"{path}:2:1: -: invalid-utf8: {SKIPPED} (got 'fe')\n" \
                            "1 problem found\n"


def test_a_question_that_cannot_be_read_is_not_reported_again_at_each_answer(
        data: Path) -> None:
    questions, answers = data / APRIL / "questions.jsonl", data / APRIL / "answers.jsonl"
    questions.write_bytes(b"\xff" + questions.read_bytes())
    line = append(answers, b"\xff\n")
    assert store_issues(data) == [
        Issue(str(questions), 1, 1, "-", "invalid-utf8", SKIPPED, "ff"),
        Issue(str(answers), line, 1, "-", "invalid-utf8", SKIPPED, "ff")]


def test_a_json_file_that_is_not_utf8_names_the_line_column_and_bytes(cli, data: Path) -> None:
    """survey.json is read whole, so it is not read at all; but its issue still names
    where its first bad byte is (line 2, after the 3 characters "  é" before it, counted
    as characters) and how many other lines are bad, as every other store file does."""
    path = data / APRIL / "survey.json"
    lines = path.read_bytes().split(b"\n")
    lines[1] = "  é".encode() + b"\xff\xfe" + lines[1].lstrip()
    lines[3] += b"\xc3"
    path.write_bytes(b"\n".join(lines))
    result = cli("validate", "--data", data)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"{path}:2:4: -: invalid-utf8: the file is not valid UTF-8, so it is not read as JSON "
        "(1 more line(s) are not UTF-8 either) (got 'ff')")


def test_validate_checks_the_files_only_fetch_reads_and_lists_every_problem(
        cli, data: Path) -> None:
    """A broken sources.json or fetch-state.json was found only by the next daily fetch,
    after `validate` said ok: now each problem is listed with the store's, exit 1."""
    result = cli("validate", "--data", data)
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("; 13 source(s) to fetch")
    sources, state = data / "sources.json", data / "fetch-state.json"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace('"format": "summary-html"', '"format": "summary"', 1),
                       encoding="utf-8")
    state.write_text('{"x": 1}', encoding="utf-8")
    append(data / "catalog" / "questions.csv", b"x\xff,y\n")
    result = cli("validate", "--data", data)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{data / 'catalog' / 'questions.csv'}:16:2: -: invalid-utf8: ")
    assert lines[1].startswith(f"{sources}: sources[2]: format: unknown-format: one of: ")
    assert lines[1].endswith("""(got '"summary"')""")
    assert lines[2] == (f"{state}: -: wrong-type: expected an object of objects (delete the "
                        "file to start over)")
    assert lines[3:] == ["3 problems found"]
