"""A survey's survey.json as `builder validate` and `builder build` read it: each bad key
named at its own line and column, with the rules an import applies, and the survey's other
files checked all the same."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builder.core.errors import Issue
from builder.store.records import read_store, survey_dir_name
from conftest import FIXTURES, ROOT

APRIL = "April 2017 CA Communication"
FOLDER = Path("surveys") / survey_dir_name(APRIL)
"""The bundled survey edited below. Its survey.json is written with sort_keys and indent=2:
communication_id on line 2, deadline 3, demo 4, key 5, partial 8, sent 9, title 13."""
ID_RULE = "a CCADB CommunicationId is 15 or 18 letters and digits"
DATE_RULE = "expected an ISO 8601 date or date-time"
SENT_RULE = "expected an ISO 8601 date or date-time, or a year and month (2017-04)"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def survey_issues(data: Path) -> list[Issue]:
    """The problems read_store finds in the April survey's folder."""
    return [i for i in read_store(data)[1] if i.path.startswith(str(data / FOLDER))]


# -- where: the line and column of the key's value ------------------------------------------

def test_a_survey_json_problem_is_reported_at_its_key_line_and_column(data: Path) -> None:
    survey = data / FOLDER / "survey.json"
    edit(survey, '"partial": true', '"partial": "yes"')
    edit(survey, '"demo": false,', '"demo": false, "colour": "blue",')
    assert survey_issues(data) == [
        Issue(str(survey), 4, 18, "colour", "unknown-key", "not a known key", "colour"),
        Issue(str(survey), 8, 14, "partial", "wrong-type", "expected bool", '"yes"'),
    ]


def test_a_missing_key_is_reported_where_the_object_starts(data: Path) -> None:
    survey = data / FOLDER / "survey.json"
    edit(survey, ',\n  "title": "April 2017 CA Communication"', "")
    survey.write_text("\n\n" + survey.read_text(encoding="utf-8"), encoding="utf-8")
    assert survey_issues(data) == [
        Issue(str(survey), 3, 1, "title", "missing-key", "required key is missing"),
    ]


def test_a_misfiled_survey_is_reported_at_its_key(data: Path) -> None:
    moved = data / "surveys" / "april-2017"
    (data / FOLDER).rename(moved)
    assert read_store(data)[1] == [
        Issue(str(moved / "survey.json"), 5, 10, "key", "misplaced-survey",
              f"a survey with this key belongs in surveys/{survey_dir_name(APRIL)}/", APRIL)]


# -- what: the rules an import applies to the same values ------------------------------------

@pytest.mark.parametrize(("line", "column", "name", "bad", "code", "message"), [
    (3, 15, "deadline", "not a date", "invalid-date", DATE_RULE),
    (3, 15, "deadline", "2017-02-30", "invalid-date", DATE_RULE),
    (3, 15, "deadline", "2017-04-28T25:00Z", "invalid-date", DATE_RULE),
    (9, 11, "sent", "April-ish", "invalid-date", SENT_RULE),
    (9, 11, "sent", "2017-13", "invalid-date", SENT_RULE),
    (2, 23, "communication_id", '"><script>alert(1)</script>', "invalid-survey-id", ID_RULE),
    (2, 23, "communication_id", "a05o000003WrzBC\n", "invalid-survey-id", ID_RULE),
])
def test_a_survey_json_value_an_import_would_refuse_is_refused(
        data: Path, line: int, column: int, name: str, bad: str, code: str,
        message: str) -> None:
    survey = data / FOLDER / "survey.json"
    old = {"deadline": "2017-04-28", "sent": "2017-04", "communication_id": "a05o000003WrzBC"}
    edit(survey, f'"{name}": "{old[name]}"', f'"{name}": {json.dumps(bad)}')
    assert survey_issues(data) == [Issue(str(survey), line, column, name, code, message, bad)]


def test_each_bad_survey_json_value_is_its_own_problem(cli, data: Path) -> None:
    survey = data / FOLDER / "survey.json"
    edit(survey, '"communication_id": "a05o000003WrzBC"', '"communication_id": "x"')
    edit(survey, '"deadline": "2017-04-28"', '"deadline": "2017-02-30"')
    edit(survey, '"sent": "2017-04"', '"sent": "April-ish"')
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{survey}:2:23: communication_id: invalid-survey-id: {ID_RULE} (got 'x')",
        f"{survey}:3:15: deadline: invalid-date: {DATE_RULE} (got '2017-02-30')",
        f"{survey}:9:11: sent: invalid-date: {SENT_RULE} (got 'April-ish')"]


@pytest.mark.parametrize(("name", "good"), [
    ("deadline", "2017-04-28T12:00:00Z"), ("deadline", None), ("sent", "2017-04-01"),
    ("sent", None), ("communication_id", "a05o000003WrzBCAAQ"), ("communication_id", None)])
def test_the_values_an_import_accepts_are_accepted(
        data: Path, name: str, good: str | None) -> None:
    survey = data / FOLDER / "survey.json"
    old = {"deadline": "2017-04-28", "sent": "2017-04", "communication_id": "a05o000003WrzBC"}
    edit(survey, f'"{name}": "{old[name]}"',
         f'"{name}": {"null" if good is None else json.dumps(good)}')
    assert survey_issues(data) == []


def test_an_import_refuses_a_date_not_on_the_calendar(cli, tmp_path: Path) -> None:
    """The one date rule, shared with the store: 2030-02-30 has the form but is no day."""
    export = tmp_path / "export.csv"
    text = (FIXTURES / "formats" / "ccadb-export.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",2030-11-30", ",2030-02-30")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", export, "--data", tmp_path / "data")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{export}:2:10: submitted_at: invalid-date: {DATE_RULE} (got '2030-02-30')",
        "1 problem found"]


# -- all at once: a broken survey.json hides nothing of the other files ----------------------

def break_questions_and_answers(folder: Path) -> tuple[list[str], int]:
    """A second question whose order is a word; the second answer cut short, the third
    to a question the survey does not have. The answer lines, and the column where the
    cut leaves a string open."""
    questions = folder / "questions.jsonl"
    first = questions.read_text(encoding="utf-8").splitlines()[0]
    second = first.replace('"id":"Q00028"', '"id":"Q00029"').replace(
        '"order":12', '"order":"twelve"')
    questions.write_text(f"{first}\n{second}\n", encoding="utf-8")
    answers = folder / "answers.jsonl"
    lines = answers.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:40]
    lines[2] = lines[2].replace('"question_id":"Q00028"', '"question_id":"Q00099"')
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines, lines[1].rindex('"') + 1


def test_every_problem_of_a_survey_is_listed_with_a_broken_survey_json(
        cli, data: Path) -> None:
    folder = data / FOLDER
    edit(folder / "survey.json", '"partial": true', '"partial": "yes"')
    lines, cut_at = break_questions_and_answers(folder)
    result = cli("validate", "--data", data)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{folder}/survey.json:8:14: partial: wrong-type: expected bool (got '\"yes\"')",
        f"{folder}/questions.jsonl:2: order: wrong-type: expected int/NoneType "
        "(got '\"twelve\"')",
        f"{folder}/answers.jsonl:2:{cut_at}: -: json-syntax: Unterminated string starting "
        f"at (got '{lines[1]}')",
        f"{folder}/answers.jsonl:3: question_id: unknown-question: answer to a question "
        "the survey does not have (got 'Q00099')",
        # the survey is not read, so the topic naming its question is one more problem
        f"{data}/topics.json: topic 1: unknown-question: topic 'Problem reporting "
        f"mechanism' names a question the store does not have (got '{APRIL} / Q00028')",
        "5 problems found"]


def test_with_a_survey_json_broken_its_key_still_checks_the_records(data: Path) -> None:
    """The key can be read though another key is wrong: a record of another survey shows."""
    folder = data / FOLDER
    edit(folder / "survey.json", '"partial": true', '"partial": "yes"')
    edit(folder / "answers.jsonl", f'"survey_key":"{APRIL}"', '"survey_key":"Elsewhere"')
    issues = survey_issues(data)
    assert issues[0].code == "wrong-type"
    assert issues[1:] == [
        Issue(str(folder / "answers.jsonl"), n, None, "survey_key", "wrong-survey",
              f"this folder holds the survey {APRIL!r}", "Elsewhere") for n in range(1, 7)]


def test_a_survey_json_that_is_not_json_still_lets_the_records_be_checked(
        data: Path) -> None:
    """Without the survey's key, a record is of another survey when its survey_key is not
    this folder's; the records' own syntax and keys are checked as ever."""
    folder = data / FOLDER
    (folder / "survey.json").write_text('{"key": "April 2017 CA Communication"\n"title": ""}')
    lines, cut_at = break_questions_and_answers(folder)
    history = folder / "history.jsonl"
    edit(history, f'"survey_key":"{APRIL}"', '"survey_key":"May 2020 CA Communication"')
    may = survey_dir_name("May 2020 CA Communication")
    answers = str(folder / "answers.jsonl")
    assert survey_issues(data) == [
        Issue(str(folder / "survey.json"), 2, 1, "-", "json-syntax",
              "Expecting ',' delimiter: line 2 column 1 (char 38)"),
        Issue(str(folder / "questions.jsonl"), 2, None, "order", "wrong-type",
              "expected int/NoneType", '"twelve"'),
        Issue(answers, 2, cut_at, "-", "json-syntax", "Unterminated string starting at",
              lines[1]),
        Issue(answers, 3, None, "question_id", "unknown-question",
              "answer to a question the survey does not have", "Q00099"),
        *[Issue(str(history), n, None, "survey_key", "wrong-survey",
                f"a survey with this key belongs in surveys/{may}/",
                "May 2020 CA Communication") for n in range(1, 7)]]


def test_answers_are_not_checked_against_questions_that_cannot_be_read(data: Path) -> None:
    (data / FOLDER / "questions.jsonl").unlink()
    assert survey_issues(data) == [
        Issue(str(data / FOLDER / "questions.jsonl"), None, None, "-", "missing-file",
              "each survey folder needs this file (it may be empty)")]
