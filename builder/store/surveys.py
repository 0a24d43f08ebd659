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
from dataclasses import asdict, dataclass
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
    problem of its files added to `issues`. A broken survey.json does not stop the reading
    of the other files: their problems are listed too (the survey is then None)."""
    files = survey_bytes(folder, issues) if files is None else files
    survey, key = _read_survey_json(folder, files, issues)
    home = _Home(folder.name, key)
    questions, whole = _read_questions(home, folder / "questions.jsonl",
                                       files.get("questions.jsonl"), issues)
    lost = b"" if whole else files.get("questions.jsonl") or b""
    answers = _read_answers(home, questions if "questions.jsonl" in files else None,
                            folder / "answers.jsonl", files.get("answers.jsonl"), issues, lost)
    history: list[Change] = []
    if "history.jsonl" in files:
        path = str(folder / "history.jsonl")
        changes = json_lines(path, files["history.jsonl"], Change, issues)
        for line, c in changes:
            issues += _line_issues(home, path, line, c, None, {})
        history = [c for _, c in changes]
    if survey is None:
        return None
    return SurveyData(survey, questions, answers, history)


def _read_survey_json(folder: Path, files: SurveyBytes,
                      issues: list[Issue]) -> tuple[Survey | None, str | None]:
    """The survey of survey.json, or None; and its key, if that much can be read (to check
    the other files' records against)."""
    path = str(folder / "survey.json")
    if "survey.json" not in files:
        issues.append(Issue(path, None, None, "-", "missing-survey",
                            "each survey folder needs a survey.json"))
        return None, None
    obj, bad = json_of(path, files["survey.json"])
    if bad:
        issues.append(bad)
        return None, None
    key = obj.get("key") if isinstance(obj, dict) else None
    key = key if isinstance(key, str) else None
    found: list[Issue] = []
    survey = to_record(Survey, obj, path, 1, found)
    if isinstance(obj, dict):
        found += _value_issues(obj, path)
    broken = bool(found)
    if key is not None and folder.name != survey_dir_name(key):  # whole, only misfiled
        found.append(Issue(path, 1, None, "key", "misplaced-survey",
                           f"a survey with this key belongs in surveys/{survey_dir_name(key)}/",
                           key))
    if found:
        issues += sorted(placed(found, text_of(files["survey.json"])), key=_position)
    return (None if broken else survey), key


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


@dataclass(frozen=True)
class _Home:
    """The folder a survey's records are read from, and its survey's key if known."""

    folder: str
    key: str | None


def _read_questions(home: _Home, path: Path, text: bytes | None,
                    issues: list[Issue]) -> tuple[dict[str, Question], bool]:
    """The questions, and whether every line of the file could be read."""
    questions: dict[str, Question] = {}
    before = len(issues)
    records = _records(path, text, Question, issues)
    whole = len(issues) == before
    for line, q in records:
        issues += _line_issues(home, str(path), line, q, q.id, questions)
        if q.type not in QUESTION_TYPES:
            issues.append(Issue(str(path), line, None, "type", "unknown-question-type",
                                "not a CCADB question type", q.type))
        questions[q.id] = q
    return questions, whole


def _read_answers(home: _Home, questions: dict[str, Question] | None, path: Path,
                  text: bytes | None, issues: list[Issue],
                  lost: bytes = b"") -> dict[tuple[str, str], Answer]:
    """The answers; each to a question of `questions` (None: not known, the questions
    file being missing or unreadable, so not checked). `lost`: the questions file's text
    when some of its lines could not be read: an answer whose question id appears in it
    is not reported again (its question's line was)."""
    answers: dict[tuple[str, str], Answer] = {}
    for line, a in _records(path, text, Answer, issues):
        issues += _line_issues(home, str(path), line, a, (a.question_id, a.owner_key), answers)
        if questions is not None and a.question_id not in questions \
                and json.dumps(a.question_id).encode() not in lost:
            issues.append(Issue(str(path), line, None, "question_id", "unknown-question",
                                "answer to a question the survey does not have",
                                a.question_id))
        if not is_canonical(a.owner_key):
            issues.append(Issue(str(path), line, None, "owner_key", "not-canonical",
                                "owner_key must be the canonical form of the name", a.owner_key))
        answers[(a.question_id, a.owner_key)] = a
    return answers


def _records(path: Path, text: bytes | None, cls: type,
             issues: list[Issue]) -> list[tuple[int, Any]]:
    """json_lines of a file of the survey; nothing for one that is there but could not be
    read (survey_bytes has said so)."""
    if text is None and path.exists():
        return []
    return json_lines(str(path), text, cls, issues)


def _line_issues(home: _Home, path: str, line: int, record: Any, key: Any,
                 seen: dict[Any, Any]) -> list[Issue]:
    """A record of another survey, or a second record for the same question or answer.
    Without the survey's key (survey.json broken), a record is of another survey when
    its survey_key does not name this folder."""
    issues = []
    if home.key is not None and record.survey_key != home.key:
        issues.append(Issue(path, line, None, "survey_key", "wrong-survey",
                            f"this folder holds the survey {home.key!r}", record.survey_key))
    elif home.key is None and survey_dir_name(record.survey_key) != home.folder:
        issues.append(Issue(path, line, None, "survey_key", "wrong-survey",
                            "a survey with this key belongs in surveys/"
                            f"{survey_dir_name(record.survey_key)}/", record.survey_key))
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
