"""The changes the benchmark publishes, each as `builder import` receives it.

Two ways in: change_one_answer() re-submits one answer through the merge code (as the
demo import does); write_change_exports() writes real export files of the newest survey,
in the json and ccadb-csv import layouts, each one answer away from the store it will
be imported into, so that the one-change path is timed from `builder import` on.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from builder.core.errors import BuilderError
from builder.core.model import Answer, Store
from builder.store.records import writes_store

CHANGE_OBSERVED_AT = "2099-01-01T00:00:00Z"
CHANGE_SOURCE = "demo://benchmark/one-changed-answer"
CHANGE_SUFFIX = " (edited for the benchmark)"
AGAIN_SUFFIX = " (edited again for the benchmark)"

EXPORTS = {"import_csv": "csv", "import_json": "json"}
"""The import of the whole dataset as one export, per layout: the open-data download
answers.csv / answers.json, which is written in the ccadb-csv / json import layouts."""

CHANGE_STEPS = (("change_json", "json", "edited"), ("change_csv", "csv", "edited again"),
                ("withdrawn", "json", "withdrawn"), ("added", "csv", "added"))
"""The import path's steps, in order, each one answer away from the one before: the
answer edited (json export), edited again (csv export), left out of the export
(withdrawn), and the same answer submitted again (added)."""


def target_answer(store: Store) -> Answer:
    """The answer every change is made to. Deterministic: the first free-text question
    (not a COMMENTS one) of the newest survey, and its first CA owner (by key) with a
    non-blank answer."""
    from builder.core.comments import is_comments
    from builder.core.model import FREE_TEXT, is_blank
    from builder.publish.paths import surveys_newest_first

    for data in surveys_newest_first(store):
        for question in data.sorted_questions():
            if question.type != FREE_TEXT or is_comments(question.text):
                continue
            answers = sorted((a for a in data.answers.values()
                              if a.question_id == question.id and not is_blank(a.values)),
                             key=lambda a: a.owner_key)
            if answers:
                return answers[0]
    raise BuilderError("the demo dataset has no free-text answer to change")


@writes_store
def change_one_answer(data_dir: Path, suffix: str = CHANGE_SUFFIX,
                      observed_at: str = CHANGE_OBSERVED_AT) -> dict[str, Any]:
    """Re-submit the target answer, edited (`suffix` added to its text), as a partial
    import through the merge code, observed at `observed_at`."""
    from builder.core.model import SurveyData
    from builder.ingest.merge import merge
    from builder.ingest.validate import ImportBundle
    from builder.store.records import load_store, save_store

    store = load_store(data_dir)
    old = target_answer(store)
    data = store.surveys[old.survey_key]
    question = data.questions[old.question_id]
    new = replace(old, values=(old.values[0] + suffix,), option_numbers=(),
                  source=CHANGE_SOURCE, observed_at=observed_at)
    bundle = SurveyData(data.survey, {question.id: question},
                        {(question.id, old.owner_key): new})
    merged, changes = merge(store, ImportBundle({data.survey.key: bundle}, []),
                            partial=True, observed_at=observed_at)
    written = save_store(merged, data_dir)
    return {"survey": data.survey.title, "question": question.id,
            "owner": old.owner_name, "changes": len(changes), "data_files_written": written}


@dataclass(frozen=True)
class Target:
    survey: str
    question: str
    owner: str
    text: str


def _rows(layout: str, raw: bytes) -> list[dict[str, Any]]:
    text = raw.decode("utf-8")
    if layout == "json":
        rows: list[dict[str, Any]] = json.loads(text)
        return rows
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _dump(layout: str, rows: list[dict[str, Any]]) -> bytes:
    if layout == "json":
        return ("[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
                + "\n]\n").encode("utf-8")
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _step_rows(rows: list[dict[str, Any]], target: Target, step: str) -> list[dict[str, Any]]:
    """The newest survey's records as that step's export holds them."""
    def is_target(row: dict[str, Any]) -> bool:
        return (row["question_id"], row["ca_owner"]) == (target.question, target.owner)

    suffix = {"edited": CHANGE_SUFFIX, "edited again": AGAIN_SUFFIX, "added": AGAIN_SUFFIX}
    if step == "withdrawn":
        return [r for r in rows if not is_target(r)]
    return [{**r, "response": target.text + suffix[step]} if is_target(r) else r
            for r in rows]


def write_change_exports(store: Store, downloads: dict[str, bytes], target_dir: Path
                         ) -> dict[str, Any]:
    """One export file per step of CHANGE_STEPS (the newest survey whole, as the CCADB
    publishes one survey), made from the whole-dataset downloads in both layouts."""
    answer = target_answer(store)
    target = Target(store.surveys[answer.survey_key].survey.title, answer.question_id,
                    answer.owner_name, answer.values[0])
    files = {}
    for name, layout, step in CHANGE_STEPS:
        rows = [r for r in _rows(layout, gzip.decompress(downloads[layout]))
                if r["survey"] == target.survey]
        path = target_dir / f"{name}.{layout}"
        path.write_bytes(_dump(layout, _step_rows(rows, target, step)))
        files[name] = path.name
    return {"survey": target.survey, "question": target.question, "owner": target.owner,
            "files": files}
