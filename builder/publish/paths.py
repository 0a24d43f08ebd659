"""Where every generated page lives, and the relative URLs between them."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable

from builder.core.model import Store, Survey, SurveyData
from builder.core.text import ascii_slug, page_name
from builder.store.records import survey_dir_name

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}


def survey_page(survey_key: str) -> str:
    return f"surveys/{survey_dir_name(survey_key)}/index.md"


def question_page(survey_key: str, question_id: str) -> str:
    # Question ids are checked against a strict pattern on import: [A-Za-z0-9-] only.
    return f"surveys/{survey_dir_name(survey_key)}/{question_id.lower()}.md"


def owner_page(owner_key: str) -> str:
    return f"owners/{page_name(owner_key, 'ca-owner')}.md"


CA_INFORMATION = "ca-information/index.md"
"""The CA information record's index page (pages/cainfo.py)."""


def ca_field_page(field_id: str) -> str:
    return f"ca-information/{field_id}.md"  # field ids are the builder's own: [a-z-]


def readable_slugs(keys: Iterable[str], fallback: str) -> dict[str, str]:
    """A short, readable id per key for addresses people share (Compare's ?ca=): the
    slug alone, with page_name's hash only where two keys share a slug (or it is empty,
    or it would equal another key's hashed id), so every id is still unique."""
    keys = sorted(set(keys))
    sharing = Counter(ascii_slug(k) for k in keys)
    ids = {k: ascii_slug(k) if ascii_slug(k) and sharing[ascii_slug(k)] == 1
           else page_name(k, fallback) for k in keys}
    taken = Counter(ids.values())
    # a slug can only meet a hashed id of another key ("x" + "-" + hash): hash it too
    return {k: page_name(k, fallback) if taken[v] > 1 else v for k, v in ids.items()}


def url_of(page: str) -> str:
    """The site URL (directory style) of a docs-relative Markdown path."""
    if page == "index.md":
        return ""
    if page.endswith("/index.md"):
        return page[: -len("index.md")]
    return page[: -len(".md")] + "/"


def rel(from_page: str, to: str) -> str:
    """Relative link from one page to another page or site file (with directory URLs)."""
    base = url_of(from_page) or "."
    target = url_of(to) if to.endswith(".md") else to
    path = posixpath.relpath(target or ".", base)
    if to.endswith(".md") and not path.endswith("/"):
        path = "./" if path == "." else path + "/"
    return path


def survey_date(survey: Survey) -> str:
    """A sortable date for a survey: its sent date, else month and year from its title."""
    if survey.sent and re.match(r"^\d{4}-\d{2}", survey.sent):
        return survey.sent[:10]
    match = re.search(r"\b([A-Za-z]+)\s+(\d{4})\b", survey.title)
    if match and match.group(1).lower() in MONTHS:
        return f"{match.group(2)}-{MONTHS[match.group(1).lower()]:02d}"
    return ""


def surveys_newest_first(store: Store) -> list[SurveyData]:
    """The store's surveys, the newest first (by survey_date, then key): every list of
    surveys on the site, and whatever else takes "the latest" survey, uses this order."""
    return sorted(store.surveys.values(),
                  key=lambda d: (survey_date(d.survey), d.survey.key), reverse=True)
