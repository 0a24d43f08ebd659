"""The data store in data/: plain UTF-8 text, one record per line, in a stable order.

    data/dataset.json                       what this dataset is (real or demo)
    data/catalog/*.csv                      known communications and questions (reference)
    data/surveys/<name>/survey.json         one survey
    data/surveys/<name>/questions.jsonl     its questions, in survey order
    data/surveys/<name>/answers.jsonl       latest answer per question x CA owner
    data/surveys/<name>/history.jsonl       append-only record of every change

A git diff of two imports shows exactly the answers that changed. A save is all or
nothing, even if the process is killed (builder.store.durable), and commands that change the
store take turns (store_lock).
"""

from __future__ import annotations

import csv
import functools
import gc
import inspect
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from builder.core.errors import InputRejected, Issue
from builder.core.jsonshape import read_json
from builder.core.model import (
    QUESTION_TYPES,
    Answer,
    Change,
    Question,
    Store,
    Survey,
    SurveyData,
    Topic,
)
from builder.core.text import canonical_key, page_name
from builder.store.durable import write_files
from builder.store.jsonl import dumps as dumps  # still importable from here (pages use it)
from builder.store.jsonl import is_canonical, read_json_lines, record_dict, to_record
from builder.store.lock import folder_lock

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache(maxsize=1 << 12)  # asked for on every page that links a survey
def survey_dir_name(survey_key: str) -> str:
    return page_name(survey_key, "survey")


# -- reading ---------------------------------------------------------------------------


def _read_survey(folder: Path, issues: list[Issue]) -> SurveyData | None:
    survey_path = folder / "survey.json"
    if not survey_path.exists():
        issues.append(Issue(str(survey_path), None, None, "-", "missing-survey",
                            "each survey folder needs a survey.json"))
        return None
    obj, bad = read_json(survey_path)
    if bad:
        issues.append(bad)
        return None
    survey = to_record(Survey, obj, str(survey_path), 1, issues)
    if survey is None:
        return None
    data = SurveyData(survey)
    if folder.name != survey_dir_name(data.survey.key):
        issues.append(Issue(str(survey_path), None, None, "key", "misplaced-survey",
                            f"a survey with this key belongs in surveys/"
                            f"{survey_dir_name(data.survey.key)}/", data.survey.key))
    _read_questions(data, folder / "questions.jsonl", issues)
    _read_answers(data, folder / "answers.jsonl", issues)
    history = folder / "history.jsonl"
    if history.exists():
        changes = read_json_lines(history, Change, issues)
        for line, c in changes:
            issues += _line_issues(data, str(history), line, c, None, {})
        data.history = [c for _, c in changes]
    return data


def _read_questions(data: SurveyData, file: Path, issues: list[Issue]) -> None:
    path = str(file)
    for line, q in read_json_lines(file, Question, issues):
        issues += _line_issues(data, path, line, q, q.id, data.questions)
        if q.type not in QUESTION_TYPES:
            issues.append(Issue(path, line, None, "type", "unknown-question-type",
                                "not a CCADB question type", q.type))
        data.questions[q.id] = q


def _read_answers(data: SurveyData, file: Path, issues: list[Issue]) -> None:
    path = str(file)
    for line, a in read_json_lines(file, Answer, issues):
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


def _read_topics(path: Path, issues: list[Issue]) -> list[Topic]:
    """data/topics.json: [{"topic": NAME, "questions": [{"survey": TITLE, "question_id": ID}]}]."""
    raw, bad = read_json(path)
    if bad:
        issues.append(bad)
        return []
    topics = []
    for number, item in enumerate(raw if isinstance(raw, list) else [None], start=1):
        try:
            refs = tuple((canonical_key(q["survey"]), str(q["question_id"]))
                         for q in item["questions"])
            topics.append(Topic(str(item["topic"]), refs))
        except (TypeError, KeyError) as exc:
            issues.append(Issue(str(path), None, None, f"topic {number}", "invalid-topic",
                                f"expected {{'topic': name, 'questions': [{{'survey': title, "
                                f"'question_id': id}}, ...]}} ({exc})",
                                json.dumps(item, ensure_ascii=False)[:80]))
    return topics


def read_store(data_dir: Path) -> tuple[Store, list[Issue]]:
    """Read the whole store; problems are returned, not raised."""
    with store_lock(data_dir, shared=True):
        return _read_store(data_dir)


def _read_store(data_dir: Path) -> tuple[Store, list[Issue]]:
    issues: list[Issue] = []
    store = Store()
    meta = data_dir / "dataset.json"
    if meta.exists():
        obj, bad = read_json(meta)
        if bad or not isinstance(obj, dict):
            issues.append(bad or Issue(str(meta), None, None, "-", "not-an-object",
                                       "expected a JSON object", json.dumps(obj)[:60]))
        else:
            store.demo = bool(obj.get("demo", False))
    store.catalog = _read_catalog(data_dir / "catalog" / "communications.csv")
    store.question_catalog = _read_catalog(data_dir / "catalog" / "questions.csv")
    topics = data_dir / "topics.json"
    if topics.exists():
        store.topics = _read_topics(topics, issues)
    surveys_dir = data_dir / "surveys"
    folders = sorted(p for p in surveys_dir.iterdir() if p.is_dir()) \
        if surveys_dir.is_dir() else []
    # Reading makes many long-lived records and no reference cycles: the cyclic garbage
    # collector would only walk the growing store again and again (a sixth of the
    # reading time at the large demo size), so it is paused while the surveys are read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for folder in folders:
            data = _read_survey(folder, issues)
            if data is not None:
                store.surveys[data.survey.key] = data
    finally:
        if collecting:
            gc.enable()
    from builder.store.cainfo import read_ca_information  # its own record (not a survey)

    store.ca_information = read_ca_information(data_dir, issues)
    return store, issues


def _read_catalog(path: Path) -> list[dict[str, str]]:
    """The rows of a reference table of data/catalog/ (none when it is absent)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_store(data_dir: Path, *, must_exist: bool = False) -> Store:
    """Read the store and check it; raises InputRejected listing every problem.
    must_exist: for commands that only read a store, a missing folder is a mistake (a
    mistyped --data), not an empty store."""
    if must_exist and not data_dir.is_dir():
        raise InputRejected([Issue(str(data_dir), None, None, "-", "missing-folder",
                                   "the data folder does not exist (a mistyped --data?)")])
    store, issues = read_store(data_dir)
    issues += check_store(store, data_dir)
    if any(not i.warning for i in issues):
        files: dict[str, int] = {}
        for issue in issues:
            files.setdefault(issue.path, len(files))
        raise InputRejected(sorted(issues, key=lambda i: (files[i.path], i.line or 0,
                                                          i.column or 0)))
    return store


def check_store(store: Store, data_dir: Path) -> list[Issue]:
    """Integrity rules across surveys (each survey's own files are checked as read)."""
    issues: list[Issue] = []
    for number, topic in enumerate(store.topics, start=1):
        for survey_key, qid in topic.questions:
            known = store.surveys.get(survey_key)
            if known is None or qid not in known.questions:
                issues.append(Issue(str(data_dir / "topics.json"), None, None,
                                    f"topic {number}", "unknown-question",
                                    f"topic {topic.name!r} names a question the store does not "
                                    "have", f"{survey_key} / {qid}"))
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


def store_files(store: Store, data_dir: Path) -> dict[str, str]:
    """The text of every file the store is saved as, keyed by path relative to data/."""
    from builder.store.cainfo import render_ca_information

    files: dict[str, str] = {}
    for data in store.sorted_surveys():
        files.update(render_survey_files(data))
    files.update(render_ca_information(store.ca_information))
    if store.demo or (data_dir / "dataset.json").exists():
        files["dataset.json"] = dumps({"demo": store.demo}) + "\n"
    return files


def save_store(store: Store, data_dir: Path) -> list[str]:
    """Write every survey of the store, all or nothing; unchanged files are not touched.

    The caller holds store_lock(data_dir) since before it read the store."""
    with store_lock(data_dir):
        return write_files(data_dir, store_files(store, data_dir))


def writes_store(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a function that changes the store named by its `data_dir` argument:
    it runs holding store_lock, from before it reads the store until it has saved."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def holding_the_lock(*args: P.args, **kwargs: P.kwargs) -> R:
        with store_lock(Path(signature.bind(*args, **kwargs).arguments["data_dir"])):
            return func(*args, **kwargs)

    return holding_the_lock


LOCK_FILE = ".lock"
"""data/.lock while a command uses the store (removed after): flock'ed, exclusively by a
writer (holding its pid and start time), shared by readers."""


def store_lock(data_dir: Path, *, wait: float = 0.0,
               shared: bool = False) -> AbstractContextManager[None]:
    """Hold the store for one command: every writer holds it, exclusively, from before it
    reads the store until it has saved, so two writers never work from the same copy; a
    reader holds it shared. Waits up to `wait` seconds for another holder, then raises
    LockBusy. A save cut short by a crash is completed first (builder.store.lock)."""
    busy = f"{data_dir}: another command is {{doing}} the store ({{holder}}); try again " \
           "when it has finished" + ("" if shared else ", or pass --wait SECONDS")
    return folder_lock(data_dir, LOCK_FILE, shared=shared, wait=wait, busy=busy)
