"""What can be found: one record per CA owner page, per CA information page, per answer,
per survey, per question page and per hand-written page, in the order results are listed
(names first, answers last)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from builder.core.cainfo_fields import FIELDS
from builder.core.cainfo_fields import TITLE as CA_TITLE
from builder.core.model import CaInformation, Store, SurveyData, is_blank
from builder.core.text import fold_whitespace
from builder.publish.history_view import row_anchor
from builder.publish.owners import owner_names, report_owner_names
from builder.publish.paths import (
    CA_INFORMATION,
    ca_field_page,
    owner_page,
    question_page,
    survey_page,
    surveys_newest_first,
    url_of,
)
from builder.publish.words import public_id, question_title

KINDS = ("owner", "page", "survey", "question", "answer")
"""Record kinds, in the order their results are listed."""
SHOWN_TEXT = 600
"""Characters of a record's text kept for its result (every word is still indexed)."""


@dataclass(frozen=True)
class Record:
    kind: str
    """One of KINDS."""
    title: str
    """What the result is called: a CA owner's name, a page's title."""
    context: str
    """Where it is: for an answer, the survey and the question label."""
    url: str
    """Site-root-relative URL built by the builder (never taken from the data)."""
    text: str
    """The text shown and searched (an answer's values), plain text."""
    terms_from: str = ""
    """Further plain text that is searched but not shown (e.g. an answer's question)."""


@lru_cache(maxsize=1 << 16)  # answers repeat a lot
def _answer_text(values: tuple[str, ...]) -> str:
    return " · ".join(fold_whitespace(value) for value in values)


def all_owner_names(store: Store, names: Mapping[str, str]) -> dict[str, str]:
    """Every CA owner that has a page, by name: those of the surveys (`names`:
    publish.owners.owner_names) and those known only from the CCADB CA information report
    (pages.cainfo.CaPages.report_only_owners), as the owners' pages name them."""
    return {**report_owner_names(store.ca_information), **names}


def owner_records(names: Mapping[str, str]) -> Iterator[Record]:
    """One per CA owner, by name (`names`: all_owner_names)."""
    for key, name in sorted(names.items(), key=lambda item: (item[1].casefold(), item[0])):
        yield Record("owner", name, "CA owner", url_of(owner_page(key)), "")


def ca_information_records(record: CaInformation) -> Iterator[Record]:
    """The CCADB CA information pages: its index, and a page per field while the record
    is not empty (pages.cainfo: CaPages.index, CaPages.field_pages), by title."""
    yield Record("page", CA_TITLE, "Page", url_of(CA_INFORMATION),
                 "The CCADB's CA information report: field values of every CA owner, in "
                 "dated copies, and what changed between them.")
    if not record.copies and not record.values and not record.history:
        return
    for f in FIELDS:
        yield Record("page", f.column, CA_TITLE, url_of(ca_field_page(f.id)),
                     f"Field {f.column} of the {CA_TITLE} report: every CA owner's value, "
                     "by copy date.")


def survey_records(surveys: Iterable[SurveyData]) -> Iterator[Record]:
    for data in surveys:
        yield Record("survey", data.survey.title, "Survey", url_of(survey_page(data.survey.key)),
                     fold_whitespace(data.survey.letter or ""))


def question_records(data: SurveyData) -> Iterator[Record]:
    """One survey's questions, in question order (made from that survey's data alone)."""
    for q in data.sorted_questions():
        yield Record("question", question_title(q, 90), data.survey.title,
                     url_of(question_page(data.survey.key, q.id)), fold_whitespace(q.text))


def answer_records(data: SurveyData, names: Mapping[str, str]) -> Iterator[Record]:
    """One survey's answers with a value, in question order (its data and the names)."""
    labels = {q.id: question_title(q, 90) for q in data.questions.values()}
    for answer in data.sorted_answers():
        if is_blank(answer.values):
            continue
        label = labels.get(answer.question_id, public_id(answer.question_id) or "a question")
        page = url_of(question_page(data.survey.key, answer.question_id))
        yield Record("answer", names.get(answer.owner_key, answer.owner_name),
                     f"{data.survey.title} · {label}",
                     f"{page}#{row_anchor(answer.owner_key)}",
                     _answer_text(answer.values), terms_from=label)


def store_records(store: Store) -> Iterator[Record]:
    """Owners, the CA information pages, surveys, questions and answers (newest survey
    first, in question order)."""
    names = owner_names(store)
    surveys = surveys_newest_first(store)
    yield from owner_records(all_owner_names(store, names))
    yield from ca_information_records(store.ca_information)
    yield from survey_records(surveys)
    for data in surveys:
        yield from question_records(data)
    for data in surveys:
        yield from answer_records(data, names)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[ \t]*$",
                    re.MULTILINE | re.DOTALL)
"""A fenced code block (group 2: its code)."""
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_EMPHASIS = re.compile(r"[*`]+|(?<!\w)_+|_+(?!\w)")
"""Emphasis and code marks; an underscore inside a word (owner_names) stays."""
_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$"
                   r"|^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$", re.MULTILINE)
"""A table's delimiter row, a horizontal rule."""
_MARKUP = re.compile(r"[#|]+|^[ \t]*>+|^[ \t]*(?:[-+*]|\d+[.)])[ \t]+(?=\S)|^!!!.*$"
                     r"|\{:?[ \t]*[#.][^{}\n]*\}", re.MULTILINE)
"""Headings, table cells, quotes, list marks, admonitions' first lines, attribute lists."""
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_ANY_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
"""An ATX heading of any level (group 1: its marks, group 2: its text)."""


def _plain(markdown: str) -> str:
    """Markdown as the words it shows, without its markup."""
    text = _LINK.sub(r"\1", _TAG.sub(" ", _RULE.sub(" ", markdown)))
    return fold_whitespace(_MARKUP.sub(" ", _EMPHASIS.sub("", text)))


def handwritten_records(pages: Mapping[str, bytes]) -> Iterator[Record]:
    """The hand-written Markdown pages: the title MkDocs gives them (front matter's title,
    else the first heading) with the text before their first section, then a result for
    each section (a second- or third-level heading) that lands on its heading; text
    without front matter and markup, the code blocks searched but not shown."""
    from mkdocs.utils.meta import get_data  # how MkDocs reads the front matter

    for path, content in sorted(pages.items()):
        if not path.endswith(".md"):
            continue
        body, meta = get_data(content.decode("utf-8", "replace"))
        heading = _HEADING.search(body)
        title = meta.get("title") if isinstance(meta.get("title"), str) else None
        title = (title or (heading.group(1) if heading else "")).strip() or path[:-3]
        url = url_of(path)
        sections = _sections(body)
        intro = body[:sections[0].heading] if sections else body
        if heading and heading.group(1).strip() == title:  # shown as the result's title
            intro = intro.replace(heading.group(0), "", 1)
        yield _page_record(title, "Page", url, intro)
        for section in sections:
            yield _page_record(section.name, title, f"{url}#{section.anchor}",
                               body[section.start:section.end], title)


def _page_record(title: str, context: str, url: str, markdown: str,
                 terms_from: str = "") -> Record:
    code = [match.group(2) for match in _FENCE.finditer(markdown)]
    return Record("page", title, context, url, _plain(_FENCE.sub(" ", markdown)),
                  terms_from=_plain(" ".join([terms_from, *code])))


@dataclass(frozen=True)
class _Section:
    name: str
    anchor: str
    """The id Python-Markdown's toc extension gives its heading."""
    heading: int
    """Where its heading's line starts in the page's Markdown"""
    start: int
    end: int
    """and its text (from the end of that line to the next section's heading)."""


def _sections(body: str) -> list[_Section]:
    """The sections of body: one per second- or third-level heading. The ids are made as
    MkDocs' toc extension makes them (its slugify, and unique over every heading of the
    page in order); a heading inside a code block is none."""
    from markdown.extensions.toc import slugify, unique  # type: ignore[import-untyped]

    fences = [match.span() for match in _FENCE.finditer(body)]
    used: set[str] = set()
    found = []
    for match in _ANY_HEADING.finditer(body):
        if any(a <= match.start() < b for a, b in fences):
            continue
        name = _inline_text(match.group(2))
        anchor = unique(slugify(name, "-"), used)
        if len(match.group(1)) in (2, 3):
            found.append(_Section(name, anchor, match.start(), match.end(), len(body)))
    return [replace(s, end=found[k + 1].heading) if k + 1 < len(found) else s
            for k, s in enumerate(found)]


def _inline_text(markdown: str) -> str:
    """One line of Markdown (a heading) as the text it shows: links, tags and emphasis
    marks taken out, every other character kept ("Issue #16")."""
    text = _LINK.sub(r"\1", _TAG.sub(" ", _EMPHASIS.sub("", markdown)))
    return fold_whitespace(html.unescape(text))  # "&amp;" shows, and is slugged, as "&"


def listed_last(content: bytes) -> bool:
    """Whether a hand-written page's results come after every survey, question and answer:
    its front matter gives `search: {boost: N}` with N below 1 (the key mkdocs-material's
    own search reads), as the developers' pages do: a reader who searches for "SHA-1"
    wants the SHA-1 questions first, not Architecture's "SHA-256"."""
    from mkdocs.utils.meta import get_data

    search = get_data(content.decode("utf-8", "replace"))[1].get("search")
    boost = search.get("boost") if isinstance(search, dict) else None
    return isinstance(boost, int | float) and not isinstance(boost, bool) and boost < 1


def split_pages(pages: Mapping[str, bytes]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The hand-written pages listed among the pages, and those listed last (listed_last)."""
    last = {path: content for path, content in pages.items()
            if path.endswith(".md") and listed_last(content)}
    return {path: c for path, c in pages.items() if path not in last}, last


def all_records(store: Store, handwritten: Mapping[str, bytes]) -> list[Record]:
    """Every record, in result order: KINDS order, each kind in the order made above, then
    the pages listed last."""
    first, last = split_pages(handwritten)
    records = [*store_records(store), *handwritten_records(first)]
    return [*sorted(records, key=lambda record: KINDS.index(record.kind)),
            *handwritten_records(last)]
