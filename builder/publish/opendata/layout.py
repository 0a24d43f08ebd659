"""Where the downloads go: every path of an open-data file, relative to docs/."""

from __future__ import annotations

ROOT = "downloads"
PAGE = "downloads/index.md"
SQLITE_FILE = "ca-communications.sqlite"
"""The SQLite database (published gzipped, as SQLITE_FILE + GZ)."""
RECORD_SCHEMA_FILE = "schemas/answer-records.json"


def download_stem(page: str) -> str:
    """Where the data of a survey or question page (a path made by builder.publish.paths) goes.

    `surveys/<dir>/index.md` -> `surveys/<dir>/answers`; `surveys/<dir>/<qid>.md` ->
    `surveys/<dir>/<qid>` (relative to downloads/; add `.csv` or `.json`). The survey and
    question templates build the same paths from their own `page`.
    """
    stem = page.removesuffix(".md")
    return stem.removesuffix("index") + "answers" if stem.endswith("/index") else stem


def page_download(page: str, ext: str) -> str:
    """The docs-relative path of a survey or question page's CSV or JSON file."""
    return f"{ROOT}/{download_stem(page)}.{ext}"


GZ = ".gz"
"""Files of more than one question (a whole survey, the whole dataset) are gzip-compressed;
one question's answers stay a plain CSV file that opens in a spreadsheet."""
STATE = ".downloads-state.json"
"""In the work folder (hidden, so MkDocs leaves it out): what each group of downloads was
made from, so that an unchanged survey's files are not made again."""


def survey_file(page: str, ext: str) -> str:
    """The docs-relative path of a survey page's answers (`csv` or `json`), gzipped."""
    return page_download(page, ext) + GZ


def question_file(page: str) -> str:
    """The docs-relative path of a question page's answers: one plain CSV file."""
    return page_download(page, "csv")
