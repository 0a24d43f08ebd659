"""The Downloads page: every open-data file with its size and SHA-256; a survey or
question without answers has no file, and the page says so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
from builder.publish.pages.site import SiteIndex
from builder.publish.pages.template import Page
from builder.publish.paths import question_page, survey_page, surveys_newest_first
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


@dataclass(frozen=True)
class DownloadFile:
    path: str | None
    """None: a question without answers, so no file."""
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
    answered: bool
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


def build_downloads(site: SiteIndex, files: Mapping[str, FileInfo]) -> Page:
    """`files`: what opendata.produce.write_downloads wrote for the same store."""
    def entry(path: str, name: str | None = None, **extra: str | None) -> DownloadFile | None:
        info = files.get(path)
        return None if info is None else DownloadFile(
            path, name or path.rsplit("/", 1)[-1], human_size(info.size), info.size,
            info.sha256, **extra)

    dataset = [e for name, what in DATASET_FILES
               if (e := entry(f"{ROOT}/{name}", name, what=what))]
    surveys = []
    for data in surveys_newest_first(site.store):
        page = survey_page(data.survey.key)
        rows = [entry(survey_file(page, ext)) for ext in ("csv", "json")]
        for q in data.sorted_questions():
            q_page = question_page(data.survey.key, q.id)
            rows.append(entry(question_file(q_page), question=site.memo.label(q, 60),
                              question_page=q_page)
                        or DownloadFile(None, "", "", 0, "", question=site.memo.label(q, 60),
                                               question_page=q_page))
        surveys.append(SurveyDownloads(data.survey.title, page, bool(data.answers),
                                       [r for r in rows if r is not None]))
    return Page(PAGE, "downloads.md.j2", "Downloads", DownloadsPage(
        dataset, surveys, human_size(sum(f.size for f in files.values())), len(files)))
