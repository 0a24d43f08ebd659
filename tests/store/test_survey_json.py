"""A survey's survey.json as `builder validate` and `builder build` read it: each bad key
named at its own line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.core.errors import Issue
from builder.store.records import read_store, survey_dir_name
from conftest import ROOT

APRIL = "April 2017 CA Communication"
FOLDER = Path("surveys") / survey_dir_name(APRIL)
"""The bundled survey edited below. Its survey.json is written with sort_keys and indent=2:
communication_id on line 2, deadline 3, demo 4, key 5, partial 8, sent 9, title 13."""


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
