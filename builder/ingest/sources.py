"""data/sources.json: the exports `builder fetch` follows, each a Source, read and checked
(every problem listed) before anything is downloaded. `builder discover` adds to it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.core.errors import BuilderError, InputRejected, Issue
from builder.core.jsonshape import Shape, read_json
from builder.core.text import canonical_key
from builder.ingest.formats import Format

SOURCES_FILE = "sources.json"
SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass(frozen=True)
class Source:
    """One entry of data/sources.json."""

    id: str
    """Short stable name, e.g. 'april-2017-q00028'; keys data/fetch-state.json."""
    survey: str
    """The survey title the export must carry (or, for report-csv, is given)."""
    format: Format
    """The layout expected; never auto-detected, so a wrong page is refused."""
    urls: tuple[str, ...]
    """Each base URL joined with the path, tried in order."""
    partial: bool = False
    """The export is known to be cut short: add and update, never withdraw."""
    question_ids: tuple[str, ...] = ()
    """Question ids by position, for layouts whose URL does not carry QuestionId=."""


_SOURCE_KEYS: dict[str, tuple[type, ...]] = {
    "id": (str,), "survey": (str,), "format": (str,), "base_urls": (list,), "path": (str,),
    "partial": (bool,), "question_ids": (list,), "note": (str,)}
_SOURCE = Shape(_SOURCE_KEYS, optional=frozenset({"partial", "question_ids", "note"}),
                unknown="not a known key: " + ", ".join(_SOURCE_KEYS))


def _parse_source(obj: Any, where: str, issues: list[Issue]) -> Source | None:
    def bad(name: str, code: str, message: str, value: object = None) -> None:
        issues.append(Issue(where, None, None, name, code, message,
                            None if value is None else json.dumps(value)))

    if not isinstance(obj, dict):
        bad("-", "not-an-object", "each source is a JSON object", obj)
        return None
    shape_issues = _SOURCE.issues(obj, (where, None, None))
    if shape_issues:
        issues += shape_issues
        return None
    before = len(issues)
    if not SOURCE_ID.match(obj["id"]):
        bad("id", "invalid-id", "lower-case letters, digits and '-'", obj["id"])
    if obj["format"] not in {f.value for f in Format} - {"auto"}:
        bad("format", "unknown-format", "one of: " + ", ".join(
            f.value for f in Format if f is not Format.AUTO), obj["format"])
    if not obj["base_urls"] or not all(isinstance(u, str) and u.startswith(
            ("http://", "https://")) for u in obj["base_urls"]):
        bad("base_urls", "invalid-url", "a non-empty list of http(s) URLs", obj["base_urls"])
    ids = obj.get("question_ids", [])
    if len(issues) > before:
        return None
    urls = tuple(base.rstrip("/") + "/" + obj["path"].lstrip("/") for base in obj["base_urls"])
    return Source(obj["id"], obj["survey"], Format(obj["format"]), urls,
                  obj.get("partial", False), tuple(ids))


def read_sources(path: Path) -> list[Source]:
    """Every source of data/sources.json; InputRejected lists every problem."""
    try:
        obj, bad = read_json(path)
    except FileNotFoundError as exc:
        raise BuilderError(f"{path}: no such file: list the sources to fetch there "
                           "(see README, 'Fetching and publishing')") from exc
    if bad:
        raise InputRejected([bad])
    if not isinstance(obj, dict) or not isinstance(obj.get("sources"), list):
        raise InputRejected([Issue(str(path), None, None, "sources", "missing-key",
                                   'expected an object with a "sources" list')])
    issues: list[Issue] = []
    sources: list[Source] = []
    for n, item in enumerate(obj["sources"]):
        source = _parse_source(item, f"{path}: sources[{n}]", issues)
        if source is not None and source.id in {s.id for s in sources}:
            issues.append(Issue(f"{path}: sources[{n}]", None, None, "id", "duplicate-id",
                                "another source has this id", source.id))
        elif source is not None:
            sources.append(source)
    if issues:
        raise InputRejected(issues)
    return sources


def select_sources(sources: list[Source], only: str | None, path: Path) -> list[Source]:
    if only is None:
        return sources
    key = canonical_key(only).casefold()
    chosen = [s for s in sources if key in (s.id, canonical_key(s.survey).casefold())]
    if not chosen:
        raise BuilderError(f"--only {only!r}: no source in {path} has that survey title or "
                           "id (known: " + ", ".join(s.id for s in sources) + ")")
    return chosen
