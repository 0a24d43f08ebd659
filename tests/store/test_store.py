"""The store across imports: nothing rewritten for nothing, latest submission wins, every
change kept in history.jsonl, and `builder validate` pointing at the broken line."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest

from builder.store.records import survey_dir_name
from conftest import APRIL_2017_URL, CCADB, FIXTURES, MAY_2020_URL, ROOT
from storecheck import answers, listing, snapshot

FORMATS = FIXTURES / "formats"
SURVEY = "Example 2030 CA Communication (fictitious)"
FOLDER = f"surveys/{survey_dir_name(SURVEY)}"
EXAMPLE, UNICODE, NEW = "Fictitious Example CA", "Fictitious Ünïcode CA", "Fictitious New CA"
V1_AT, V2_AT = "2030-12-02T00:00:00Z", "2031-01-05T12:00:00Z"

EXPORTS = [
    (CCADB / "CACommResponsesOnlyReport-april-2017-Q00028.html",
     ["--source-url", APRIL_2017_URL]),
    (CCADB / "CACommResponsesOnlyReport-may-2020-Q00101-Q00102.html",
     ["--source-url", MAY_2020_URL]),
    (CCADB / "report-may-2020-Q00101-Q00102.csv",
     ["--survey", "May 2020 CA Communication", "--question-ids", "Q00101,Q00102"]),
    (FORMATS / "ccadb-export.csv", []),
    (FORMATS / "api-export.json", []),
    (FORMATS / "summary-report.html", []),
]


def import_ok(cli, data: Path, source: Path, *args: str) -> str:
    result = cli("import", source, "--data", data, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def age(folder: Path) -> None:
    """Set every file's mtime far in the past, so that any rewrite shows."""
    for path in folder.rglob("*"):
        os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))


@pytest.mark.parametrize(("source", "args"), EXPORTS, ids=lambda v: getattr(v, "name", ""))
def test_reimport_of_the_same_export_changes_no_file(
        cli, tmp_path: Path, source: Path, args: list[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    import_ok(cli, data, source, *args, "--observed-at", V1_AT)
    age(data)
    before, names = snapshot(data), listing(data)
    out = import_ok(cli, data, source, *args, "--observed-at", V2_AT)
    assert out.endswith("answers 0 added, 0 changed, 0 withdrawn; 0 file(s) written\n")
    assert snapshot(data) == before  # bytes and mtimes
    assert listing(data) == names


def write_export(path: Path, edit) -> Path:
    """The fixture ccadb-csv export with `edit(rows)` applied, written with csv."""
    with (FORMATS / "ccadb-export.csv").open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    records = [dict(zip(header, row, strict=True)) for row in rows]
    records = edit(records)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def second_submission(records: list[dict]) -> list[dict]:
    """Example CA re-takes the survey (ACTION 2 now 'No'); Ünïcode CA is gone; New CA answers."""
    kept = [r for r in records if r["ca_owner"] != UNICODE]
    for r in kept:
        if r["question_id"] == "Q09003":
            r.update(response="No", option_number="2", submitted_at="2031-01-04")
    new = dict(kept[0], ca_owner=NEW, response="Email", option_number="1")
    return [*kept, new]


def history(data: Path) -> list[dict]:
    lines = (data / FOLDER / "history.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_newer_full_export_replaces_answers_and_records_each_change(
        cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_ok(cli, data, FORMATS / "ccadb-export.csv", "--observed-at", V1_AT)
    first = (data / FOLDER / "history.jsonl").read_bytes()
    assert [(h["kind"], h["observed_at"]) for h in history(data)] == [("added", V1_AT)] * 8
    v2 = write_export(tmp_path / "v2.csv", second_submission)
    out = import_ok(cli, data, v2, "--observed-at", V2_AT)
    assert out == (f"{v2}: ccadb-csv, 6 record(s); answers 1 added, 1 changed, 4 withdrawn; "
                   "2 file(s) written\n")
    found = answers(data)
    assert found[("Q09003", EXAMPLE)] == (("No",), (2,))
    assert found[("Q09001", NEW)] == (("Email",), (1,))
    assert not [key for key in found if key[1] == UNICODE]
    assert len(found) == 5

    after = (data / FOLDER / "history.jsonl").read_bytes()
    assert after.startswith(first)  # append-only
    appended = history(data)[8:]
    assert sorted((h["kind"], h["question_id"], h["owner_name"]) for h in appended) == [
        ("added", "Q09001", NEW), ("changed", "Q09003", EXAMPLE),
        ("withdrawn", "Q09001", UNICODE), ("withdrawn", "Q09002", UNICODE),
        ("withdrawn", "Q09003", UNICODE), ("withdrawn", "Q09004", UNICODE)]
    changed = next(h for h in appended if h["kind"] == "changed")
    assert (changed["old"], changed["new"]) == (["Yes"], ["No"])
    assert {(h["observed_at"], h["source"]) for h in appended} == {(V2_AT, str(v2))}
    withdrawn = [h for h in appended if h["kind"] == "withdrawn"]
    assert {tuple(h["old"]) for h in withdrawn} == {
        ("Other (please describe below)",), ("See https://example.invalid/cps",), ("No",),
        ("2031 Jan 15",)}
    assert all(h["new"] is None for h in withdrawn)
    unchanged = [a for a in (data / FOLDER / "answers.jsonl").read_text().splitlines()
                 if f'"owner_name":"{EXAMPLE}"' in a and '"Q09001"' in a]
    assert f'"observed_at":"{V1_AT}"' in unchanged[0]  # an unchanged answer keeps its time


def test_a_full_export_of_one_question_withdraws_only_from_that_question(
        cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_ok(cli, data, FORMATS / "ccadb-export.csv", "--observed-at", V1_AT)
    only = write_export(tmp_path / "q3.csv", lambda rs: [
        r for r in rs if r["question_id"] == "Q09003" and r["ca_owner"] == EXAMPLE])
    out = import_ok(cli, data, only, "--observed-at", V2_AT)
    assert "answers 0 added, 0 changed, 1 withdrawn;" in out
    found = answers(data)
    assert ("Q09003", UNICODE) not in found
    assert ("Q09001", UNICODE) in found and ("Q09004", UNICODE) in found


def test_partial_import_adds_and_updates_but_never_withdraws(cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_ok(cli, data, FORMATS / "ccadb-export.csv", "--observed-at", V1_AT)
    v2 = write_export(tmp_path / "v2.csv", second_submission)
    out = import_ok(cli, data, v2, "--partial", "--observed-at", V2_AT)
    assert out.endswith("answers 1 added, 1 changed, 0 withdrawn; 2 file(s) written\n")
    found = answers(data)
    assert found[("Q09003", EXAMPLE)] == (("No",), (2,))
    assert found[("Q09003", UNICODE)] == (("No",), (2,))
    assert len(found) == 9
    assert not [h for h in history(data) if h["kind"] == "withdrawn"]
    # an empty partial page withdraws nothing either
    header = write_export(tmp_path / "one.csv", lambda rs: rs[:1])
    import_ok(cli, data, header, "--partial", "--observed-at", V2_AT)
    assert len(answers(data)) == 9


def test_a_survey_imported_as_partial_is_marked_partial(cli, tmp_path: Path) -> None:
    import_ok(cli, tmp_path / "p", FORMATS / "ccadb-export.csv", "--partial")
    import_ok(cli, tmp_path / "f", FORMATS / "ccadb-export.csv")
    survey = json.loads((tmp_path / "p" / FOLDER / "survey.json").read_text())
    assert survey["partial"] is True
    assert json.loads((tmp_path / "f" / FOLDER / "survey.json").read_text())["partial"] is False


def test_the_same_owner_written_two_ways_is_one_answer(cli, tmp_path: Path) -> None:
    """NFD spelling and a zero-width space: the second export changes nothing."""
    data = tmp_path / "data"
    import_ok(cli, data, FORMATS / "ccadb-export.csv", "--observed-at", V1_AT)
    respelled = write_export(tmp_path / "nfd.csv", lambda rs: [
        dict(r, ca_owner=unicodedata.normalize("NFD", r["ca_owner"]).replace(" ", " \u200b"))
        for r in rs])
    assert respelled.read_text(encoding="utf-8") != (FORMATS / "ccadb-export.csv").read_text(
        encoding="utf-8")
    out = import_ok(cli, data, respelled, "--observed-at", V2_AT)
    assert out.endswith("answers 0 added, 0 changed, 0 withdrawn; 0 file(s) written\n")


# -- builder validate ----------------------------------------------------------------------

def test_validate_reports_ok_with_counts(cli, tmp_path: Path) -> None:
    import_ok(cli, tmp_path, FORMATS / "ccadb-export.csv")
    result = cli("validate", "--data", tmp_path)
    assert result.exit_code == 0
    assert result.output == f"{tmp_path}: ok: 1 survey(s), 4 question(s), 8 answer(s)\n"


def test_validate_reports_each_hand_broken_line_with_its_path_and_line(
        cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_ok(cli, data, FORMATS / "ccadb-export.csv")
    questions, answers_file = data / FOLDER / "questions.jsonl", data / FOLDER / "answers.jsonl"
    q = questions.read_text(encoding="utf-8").splitlines()
    q[3] = q[3].replace('"type":"Date Type"', '"type":"Slider"')
    questions.write_text("\n".join(q) + "\n", encoding="utf-8")
    a = answers_file.read_text(encoding="utf-8").splitlines()
    a[1] = a[1][:40]  # cut short by a bad edit
    a[4] = a[4].replace(f'"owner_key":"{EXAMPLE}"', '"owner_key":"Fictitious  Example CA"')
    a[5] = a[5].replace('"values":["No"]', '"values":[2]')
    a.append(a[2])  # the same answer twice
    answers_file.write_text("\n".join(a) + "\n", encoding="utf-8")
    before = snapshot(data)
    cut_at = a[1].rindex('"') + 1  # the string the cut leaves open

    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    where = f"{data / FOLDER}"
    assert result.output == (
        f"{where}/questions.jsonl:4: type: unknown-question-type: not a CCADB question type "
        "(got 'Slider')\n"
        f"{where}/answers.jsonl:2:{cut_at}: -: json-syntax: "
        f"Unterminated string starting at (got '{a[1]}')\n"
        f"{where}/answers.jsonl:5: owner_key: not-canonical: owner_key must be the canonical "
        "form of the name (got 'Fictitious  Example CA')\n"
        f"{where}/answers.jsonl:6: values: wrong-type: expected list of str (got '[2]')\n"
        f"{where}/answers.jsonl:9: -: duplicate-record: an earlier line already holds this "
        f"record; one line each (got 'Q09002 / {EXAMPLE}')\n"
        "5 problems found\n")
    # an import into the broken store is refused and changes nothing
    refused = cli("import", FORMATS / "api-export.json", "--data", data)
    assert refused.exit_code == 1
    assert refused.output.endswith("5 problems found\n")
    assert snapshot(data) == before


def test_validate_reports_a_missing_file_and_a_record_of_another_survey(
        cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    april = data / "surveys" / survey_dir_name("April 2017 CA Communication")
    may = data / "surveys" / survey_dir_name("May 2020 CA Communication")
    (may / "answers.jsonl").unlink()
    with (april / "answers.jsonl").open("a", encoding="utf-8") as fh:
        fh.write((ROOT / "data" / may.relative_to(data) / "answers.jsonl").read_text(
            encoding="utf-8").splitlines()[0] + "\n")
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{april}/answers.jsonl:7: survey_key: wrong-survey: this folder holds the survey "
        "'April 2017 CA Communication' (got 'May 2020 CA Communication')",
        f"{april}/answers.jsonl:7: question_id: unknown-question: answer to a question the "
        "survey does not have (got 'Q00101')",
        f"{may}/answers.jsonl: -: missing-file: each survey folder needs this file (it may be "
        "empty)",
        "3 problems found"]


def test_the_bundled_store_validates(cli) -> None:
    result = cli("validate", "--data", ROOT / "data")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{ROOT / 'data'}: ok: ")
