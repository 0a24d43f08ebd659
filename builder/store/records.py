"""The data store in data/: plain UTF-8 text, one record per line, in a stable order.

    data/dataset.json                       what this dataset is (real or demo)
    data/catalog/*.csv                      known communications and questions (reference)
    data/surveys/<name>/survey.json         one survey
    data/surveys/<name>/questions.jsonl     its questions, in survey order
    data/surveys/<name>/answers.jsonl       latest answer per question x CA owner
    data/surveys/<name>/history.jsonl       append-only record of every change

A git diff of two imports shows exactly the answers that changed. A save is all or
nothing, even if the process is killed (builder.store.durable), and commands that change the
store take turns (store_lock). One survey's folder is read and rendered by
builder.store.surveys; an import reads only the surveys it touches (load_store(surveys=)).
"""

from __future__ import annotations

import functools
import gc
import inspect
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import ParamSpec, TypeVar

from builder.core.csvrows import csv_rows, data_rows
from builder.core.errors import InputRejected, Issue
from builder.core.jsonshape import read_json
from builder.core.model import Store, Topic
from builder.core.text import canonical_key
from builder.core.utf8 import decode_utf8
from builder.store.cache import SurveyCache
from builder.store.durable import write_files
from builder.store.jsonl import dumps as dumps  # still importable from here (pages use it)
from builder.store.lock import LOCK_FILE, folder_lock
from builder.store.surveys import read_survey, render_survey_files
from builder.store.surveys import survey_dir_name as survey_dir_name  # importable from here

P = ParamSpec("P")
R = TypeVar("R")


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


def read_store(data_dir: Path, *, surveys: Iterable[str] | None = None,
               cache: SurveyCache | None = None) -> tuple[Store, list[Issue]]:
    """Read the whole store, or with `surveys` (keys) all of it but the other surveys
    (Store.surveys_read); problems are returned, not raised. With `cache` (a whole read
    only: it forgets the surveys not read), unchanged surveys come from it."""
    if cache is not None and surveys is not None:
        raise ValueError("a survey cache is for reading the whole store")
    with store_lock(data_dir, shared=True):
        return _read_store(data_dir, None if surveys is None else frozenset(surveys), cache)


def _read_store(data_dir: Path, surveys: frozenset[str] | None,
                cache: SurveyCache | None) -> tuple[Store, list[Issue]]:
    issues: list[Issue] = []
    store = Store(surveys_read=surveys)
    meta = data_dir / "dataset.json"
    if meta.exists():
        obj, bad = read_json(meta)
        if bad or not isinstance(obj, dict):
            issues.append(bad or Issue(str(meta), None, None, "-", "not-an-object",
                                       "expected a JSON object", json.dumps(obj)[:60]))
        else:
            store.demo = bool(obj.get("demo", False))
    store.catalog = read_catalog(data_dir / "catalog" / "communications.csv", issues)
    store.question_catalog = read_catalog(data_dir / "catalog" / "questions.csv", issues)
    topics = data_dir / "topics.json"
    if topics.exists():
        store.topics = _read_topics(topics, issues)
    folders = _survey_folders(data_dir / "surveys", surveys)
    # Reading makes many long-lived records and no reference cycles: the cyclic garbage
    # collector would only walk the growing store again and again (a sixth of the
    # reading time at the large demo size), so it is paused while the surveys are read
    # (or unpickled: half the time with it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        read = [read_survey(folder, issues) for folder in folders] if cache is None \
            else cache.read_all(folders, issues)
        for data in read:
            if data is not None:
                store.surveys[data.survey.key] = data
    finally:
        if collecting:
            gc.enable()
    from builder.store.cainfo import read_ca_information  # its own record (not a survey)

    store.ca_information = read_ca_information(data_dir, issues)
    return store, issues


def _survey_folders(surveys_dir: Path, keys: frozenset[str] | None) -> list[Path]:
    """Every survey folder, or those of `keys` that exist: a folder's name is a function
    of its survey's key, so no other folder is looked at."""
    if not surveys_dir.is_dir():
        return []
    if keys is None:
        return sorted(p for p in surveys_dir.iterdir() if p.is_dir())
    return sorted(p for p in (surveys_dir / survey_dir_name(k) for k in keys) if p.is_dir())


def read_catalog(path: Path, issues: list[Issue]) -> list[dict[str, str]]:
    """The rows of a reference table of data/catalog/ (none when it is absent), each by
    the header's names. A line that is not UTF-8, a row of another length than the
    header and a quote never closed are problems added to `issues` (builder.core.utf8,
    builder.core.csvrows: the rules of an import's CSV), and such a row is left out."""
    if not path.exists():
        return []
    name = str(path)
    text, bad = decode_utf8(path.read_bytes(), name)
    issues += bad
    rows = csv_rows(text, name, issues)
    first = next(rows, None)
    if first is None:
        return []
    line, header = first
    if not header:  # every row would be reported as of the wrong length
        if not any(i.line == line for i in bad):
            issues.append(Issue(name, line, None, "-", "missing-header",
                                "the first line must name the columns"))
        return []
    return [dict(zip(header, row, strict=True))
            for _, row in data_rows(rows, header, name, issues)]


def load_store(data_dir: Path, *, must_exist: bool = False,
               surveys: Iterable[str] | None = None, cache: SurveyCache | None = None) -> Store:
    """Read the store and check it; raises InputRejected listing every problem.
    must_exist: for commands that only read a store, a missing folder is a mistake (a
    mistyped --data), not an empty store. surveys: the keys of the only surveys to read
    (an import's: see Store.surveys_read); the other survey folders are not opened, so
    their problems are left to `builder validate` and `builder build`. cache: see
    read_store (the build's; its save() is the caller's)."""
    if must_exist and not data_dir.is_dir():
        raise InputRejected([Issue(str(data_dir), None, None, "-", "missing-folder",
                                   "the data folder does not exist (a mistyped --data?)")])
    store, issues = read_store(data_dir, surveys=surveys, cache=cache)
    issues += check_store(store, data_dir)
    if any(not i.warning for i in issues):
        files: dict[str, int] = {}
        for issue in issues:
            files.setdefault(issue.path, len(files))
        raise InputRejected(sorted(issues, key=lambda i: (files[i.path], i.line or 0,
                                                          i.column or 0)))
    return store


def check_store(store: Store, data_dir: Path) -> list[Issue]:
    """Integrity rules across surveys (each survey's own files are checked as read).
    Of a store read in part, the surveys not read are not checked: an import cannot
    change them (it only adds questions)."""
    issues: list[Issue] = []
    read = store.surveys_read
    for number, topic in enumerate(store.topics, start=1):
        for survey_key, qid in topic.questions:
            if read is not None and survey_key not in read:
                continue
            known = store.surveys.get(survey_key)
            if known is None or qid not in known.questions:
                issues.append(Issue(str(data_dir / "topics.json"), None, None,
                                    f"topic {number}", "unknown-question",
                                    f"topic {topic.name!r} names a question the store does not "
                                    "have", f"{survey_key} / {qid}"))
    return issues


# -- writing ---------------------------------------------------------------------------

def store_files(store: Store, data_dir: Path) -> dict[str, str]:
    """The text of every file the store is saved as, keyed by path relative to data/
    (of a store read in part: all but the surveys not read)."""
    from builder.store.cainfo import render_ca_information

    files: dict[str, str] = {}
    for data in store.sorted_surveys():
        files.update(render_survey_files(data))
    files.update(render_ca_information(store.ca_information))
    if store.demo or (data_dir / "dataset.json").exists():
        files["dataset.json"] = dumps({"demo": store.demo}) + "\n"
    return files


def save_store(store: Store, data_dir: Path) -> list[str]:
    """Write every survey of the store (of a store read in part, those read or new), all
    or nothing; unchanged files are not touched.

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


def store_lock(data_dir: Path, *, wait: float = 0.0,
               shared: bool = False) -> AbstractContextManager[None]:
    """Hold the store for one command: every writer holds it, exclusively, from before it
    reads the store until it has saved, so two writers never work from the same copy; a
    reader holds it shared. Waits up to `wait` seconds for another holder, then raises
    LockBusy. A save cut short by a crash is completed first (builder.store.lock)."""
    busy = f"{data_dir}: another command is {{doing}} the store ({{holder}}); try again " \
           "when it has finished" + ("" if shared else ", or pass --wait SECONDS")
    return folder_lock(data_dir, LOCK_FILE, shared=shared, wait=wait, busy=busy)
