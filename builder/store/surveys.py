"""One survey's folder of data/: read and checked, or rendered as the text of its files.

    data/surveys/<name>/survey.json         the survey
    data/surveys/<name>/questions.jsonl     its questions, in survey order
    data/surveys/<name>/answers.jsonl       latest answer per question x CA owner
    data/surveys/<name>/history.jsonl       append-only record of every change

<name> is a function of the survey's key (survey_dir_name), so a survey is found by its
key without reading any other folder (an import reads only the surveys it touches).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder.core.errors import Issue
from builder.core.jsonshape import json_of, placed, text_of
from builder.core.model import QUESTION_TYPES, Answer, Change, Question, Survey, SurveyData
from builder.core.text import page_name
from builder.core.values import (
    COMMUNICATION_ID_RULE,
    DATE_TIME_RULE,
    SENT_RULE,
    is_communication_id,
    is_date_time,
    is_sent_date,
)
from builder.store.jsonl import dumps, is_canonical, json_lines, record_dict, to_record


@lru_cache(maxsize=1 << 12)  # asked for on every page that links a survey
def survey_dir_name(survey_key: str) -> str:
    return page_name(survey_key, "survey")


# -- reading ---------------------------------------------------------------------------


SURVEY_FILES = ("survey.json", "questions.jsonl", "answers.jsonl", "history.jsonl")
"""The files of a survey's folder that it is read from (any other file is not read)."""

SurveyBytes = dict[str, bytes]
"""The bytes of each of SURVEY_FILES that the folder has, by name."""


def survey_bytes(folder: Path, issues: list[Issue]) -> SurveyBytes:
    """Each file of the survey read once: what is parsed is what a cache key hashes. A
    file that cannot be read (a folder in its place, no permission) is a problem added
    to `issues`, and left out."""
    found = {}
    for name in SURVEY_FILES:
        path = folder / name
        try:
            found[name] = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            issues.append(Issue(str(path), None, None, "-", "unreadable-file",
                                f"cannot be read: {exc.strerror or exc}"))
    return found


def read_survey(folder: Path, issues: list[Issue],
                files: SurveyBytes | None = None) -> SurveyData | None:
    """The survey in `folder` (from `files`, its survey_bytes, if given), or None; every
    problem of its files added to `issues`."""
    files = survey_bytes(folder, issues) if files is None else files
    survey_path = folder / "survey.json"
    if "survey.json" not in files:
        issues.append(Issue(str(survey_path), None, None, "-", "missing-survey",
                            "each survey folder needs a survey.json"))
        return None
    obj, bad = json_of(str(survey_path), files["survey.json"])
    if bad:
        issues.append(bad)
        return None
    found: list[Issue] = []
    survey = to_record(Survey, obj, str(survey_path), 1, found)
    if isinstance(obj, dict):
        found += _value_issues(obj, str(survey_path))
    if found:
        survey = None
    if survey is not None and folder.name != survey_dir_name(survey.key):  # only misfiled
        found.append(Issue(str(survey_path), 1, None, "key", "misplaced-survey",
                           f"a survey with this key belongs in surveys/"
                           f"{survey_dir_name(survey.key)}/", survey.key))
    if found:  # each at its key's line and column
        issues += sorted(placed(found, text_of(files["survey.json"])), key=_position)
    if survey is None:
        return None
    data = SurveyData(survey)
    _read_questions(data, str(folder / "questions.jsonl"), files.get("questions.jsonl"),
                    issues)
    _read_answers(data, str(folder / "answers.jsonl"), files.get("answers.jsonl"), issues)
    if "history.jsonl" in files:
        history = str(folder / "history.jsonl")
        changes = json_lines(history, files["history.jsonl"], Change, issues)
        for line, c in changes:
            issues += _line_issues(data, history, line, c, None, {})
        data.history = [c for _, c in changes]
    return data


def _position(issue: Issue) -> tuple[int, int]:
    return issue.line or 0, issue.column or 0


_SURVEY_VALUES: tuple[tuple[str, Callable[[str], bool], str, str], ...] = (
    ("communication_id", is_communication_id, "invalid-survey-id", COMMUNICATION_ID_RULE),
    ("sent", is_sent_date, "invalid-date", SENT_RULE),
    ("deadline", is_date_time, "invalid-date", DATE_TIME_RULE),
)
"""survey.json's keys whose text an import would check, each with the import's rule."""


def _value_issues(obj: dict[str, Any], path: str) -> list[Issue]:
    """Each text of survey.json that breaks its rule (one issue per key)."""
    return [Issue(path, 1, None, name, code, message, value)
            for name, rule, code, message in _SURVEY_VALUES
            if isinstance(value := obj.get(name), str) and not rule(value)]


def _read_questions(data: SurveyData, path: str, text: bytes | None,
                    issues: list[Issue]) -> None:
    for line, q in json_lines(path, text, Question, issues):
        issues += _line_issues(data, path, line, q, q.id, data.questions)
        if q.type not in QUESTION_TYPES:
            issues.append(Issue(path, line, None, "type", "unknown-question-type",
                                "not a CCADB question type", q.type))
        data.questions[q.id] = q


def _read_answers(data: SurveyData, path: str, text: bytes | None,
                  issues: list[Issue]) -> None:
    for line, a in json_lines(path, text, Answer, issues):
        issues += _line_issues(data, path, line, a, (a.question_id, a.owner_key), data.answers)
        if a.question_id not in data.questions:
            issues.append(Issue(path, line, None, "question_id", "unknown-question",
                                "answer to a question the survey does not have",
                                a.question_id))
        if not is_canonical(a.owner_key):
            issues.append(Issue(path, line, None, "owner_key", "not-canonical",
                                "owner_key must be the canonical form of the name", a.owner_key))
        data.answers[(a.question_id, a.owner_key)] = a


def _line_issues(data: SurveyData, path: str, line: int, record: Any, key: Any,
                 seen: dict[Any, Any]) -> list[Issue]:
    """A record of another survey, or a second record for the same question or answer."""
    issues = []
    if record.survey_key != data.survey.key:
        issues.append(Issue(path, line, None, "survey_key", "wrong-survey",
                            f"this folder holds the survey {data.survey.key!r}",
                            record.survey_key))
    if key is not None and key in seen:
        issues.append(Issue(path, line, None, "-", "duplicate-record",
                            "an earlier line already holds this record; one line each",
                            " / ".join(key) if isinstance(key, tuple) else key))
    return issues


# -- writing ---------------------------------------------------------------------------

def render_survey_files(data: SurveyData) -> dict[str, str]:
    """The text of one survey's files, keyed by path relative to data/."""
    folder = f"surveys/{survey_dir_name(data.survey.key)}"

    def lines(records: list[Any]) -> str:
        return "".join(dumps(record_dict(r)) + "\n" for r in records)

    files = {
        f"{folder}/survey.json": json.dumps(asdict(data.survey), ensure_ascii=False,
                                            sort_keys=True, indent=2) + "\n",
        f"{folder}/questions.jsonl": lines(data.sorted_questions()),
        f"{folder}/answers.jsonl": lines(data.sorted_answers()),
    }
    if data.history:
        files[f"{folder}/history.jsonl"] = lines(data.history)
    return files
