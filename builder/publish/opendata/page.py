"""The Downloads page: every open-data file with its size and SHA-256."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
from markupsafe import Markup

from builder.core.model import Store
from builder.publish.encode import front_matter, link
from builder.publish.opendata.layout import (
    GZ,
    PAGE,
    RECORD_SCHEMA_FILE,
    ROOT,
    SQLITE_FILE,
    question_file,
    survey_file,
)
from builder.publish.opendata.tables import TABLES
from builder.publish.paths import question_page, rel, survey_page, surveys_newest_first
from builder.publish.render import make_environment, render_template
from builder.publish.write import FileInfo

DATASET_FILES = (
    ("answers.csv.gz", "Every answer, one row per CA owner × question × chosen option, in the "
                       "ten-column ccadb-csv layout."),
    ("answers.json.gz", "The same records in the json import format (exact text)."),
    ("dataset.json.gz", "All six tables in one JSON file (exact text)."),
    (SQLITE_FILE + GZ, "All six tables in one SQLite database, with keys, indexes, full-text "
                       "search over answers (answers_fts) and the view answer_records."),
    *((f"tables/{t.name}.csv.gz", t.description) for t in TABLES),
    ("datapackage.json", "Frictionless Data Package: every file's fields, types, keys, "
                         "size and checksum; licence and sources."),
    (RECORD_SCHEMA_FILE, "Table Schema of the answer records (all answers.* and per-question "
                         "files)."),
)


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "kB"
    if value >= 1000:
        value, unit = value / 1000, "MB"
    return f"{value:.1f} {unit}"


def render_downloads_page(files: Mapping[str, FileInfo], store: Store,
                          templates_dir: Path) -> dict[str, str]:
    """The Downloads page: every file with its size and SHA-256; a survey or question
    without answers has no file, and the page says so."""
    def entry(path: str, **extra: object) -> dict[str, object] | None:
        info = files.get(path)
        return None if info is None else {
            "path": path, "name": path.rsplit("/", 1)[-1], "size": human_size(info.size),
            "bytes": info.size, "sha256": info.sha256} | extra

    dataset = [e for name, what in DATASET_FILES
               if (e := entry(f"{ROOT}/{name}", what=what, name=name))]
    surveys = []
    for data in surveys_newest_first(store):
        page = survey_page(data.survey.key)
        rows = [entry(survey_file(page, ext), question=None) for ext in ("csv", "json")]
        for q in data.sorted_questions():
            q_page = question_page(data.survey.key, q.id)
            rows.append(entry(question_file(q_page), question=q.id, question_page=q_page)
                        or {"question": q.id, "question_page": q_page, "path": None})
        surveys.append({"title": data.survey.title, "page": page, "answered": bool(data.answers),
                        "files": [r for r in rows if r is not None]})
    return {PAGE: _render(make_environment(templates_dir), "downloads.md.j2", "Downloads",
                          demo=store.demo, dataset=dataset, surveys=surveys,
                          total=human_size(sum(f.size for f in files.values())),
                          count=len(files))}


def _render(env: jinja2.Environment, template: str, title: str, **context: object) -> str:
    def a(target: str, text: object) -> Markup:
        """A link from the Downloads page to a page or file (a docs-relative path)."""
        return link(rel(PAGE, target), text)

    body = render_template(env, template, PAGE, a=a, feed=None, **context)
    return f"{front_matter(title)}\n{body}"
