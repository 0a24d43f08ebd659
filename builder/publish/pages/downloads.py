"""The Downloads page: every open-data file with its size and SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from builder.publish.opendata.layout import (
    PAGE,
    RECORD_SCHEMA_FILE,
    ROOT,
    SQLITE_FILE,
    page_download,
)
from builder.publish.opendata.tables import TABLES
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_page

DATASET_FILES = (
    ("answers.csv", "Every answer, one row per CA owner × question × chosen option, in the "
                    "ten-column ccadb-csv layout."),
    ("answers.json", "The same records in the json import format (exact text)."),
    ("dataset.json", "All six tables in one JSON file (exact text)."),
    (SQLITE_FILE, "All six tables in one SQLite database, with keys, indexes, full-text "
                  "search over answers (answers_fts) and the view answer_records."),
    *((f"tables/{t.name}.csv", t.description) for t in TABLES),
    ("datapackage.json", "Frictionless Data Package: every file's fields, types, keys, "
                         "size and checksum; licence and sources."),
    (RECORD_SCHEMA_FILE, "Table Schema of the answer records (all answers.* and per-question "
                         "files)."),
)


@dataclass(frozen=True)
class DownloadFile:
    path: str
    name: str
    size: str
    bytes: int
    sha256: str
    what: str | None = None
    """What the file holds (the whole dataset's files)."""
    question: str | None = None
    """The question's label (a question's files; None: the whole survey's)."""
    question_page: str | None = None


@dataclass(frozen=True)
class SurveyDownloads:
    title: str
    page: str
    files: list[DownloadFile]


@dataclass(frozen=True)
class DownloadsPage:
    """downloads.md.j2."""

    dataset: list[DownloadFile]
    surveys: list[SurveyDownloads]
    total: str
    count: int


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "kB"
    if value >= 1000:
        value, unit = value / 1000, "MB"
    return f"{value:.1f} {unit}"


def build_downloads(site: SiteIndex, files: dict[str, bytes]) -> Page:
    """`files`: builder.publish.opendata.files.render_downloads of the same store."""
    def entry(path: str, name: str | None = None, **extra: str | None) -> DownloadFile:
        data = files[path]
        return DownloadFile(path, name or path.rsplit("/", 1)[-1], human_size(len(data)),
                            len(data), hashlib.sha256(data).hexdigest(), **extra)

    dataset = [entry(f"{ROOT}/{name}", name, what=what) for name, what in DATASET_FILES]
    surveys = []
    for data in site.surveys:  # newest first, as every list of surveys
        page = survey_page(data.survey.key)
        rows = [entry(page_download(page, ext)) for ext in ("csv", "json")]
        for q in data.sorted_questions():
            q_page = question_page(data.survey.key, q.id)
            rows += [entry(page_download(q_page, ext), question=site.memo.label(q, 60),
                           question_page=q_page)
                     for ext in ("csv", "json")]
        surveys.append(SurveyDownloads(data.survey.title, page, rows))
    return Page(PAGE, "downloads.md.j2", "Downloads", DownloadsPage(
        dataset, surveys, human_size(sum(len(d) for d in files.values())), len(files)))
