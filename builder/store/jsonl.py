"""One record of the store as a line of JSON: decoded and checked, or encoded canonically.

Every .jsonl file of data/ (answers, questions, history, the CA information record) holds
one such record a line; builder.store.records and builder.store.cainfo read and write
whole files of them.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from builder.core.errors import Issue
from builder.core.jsonshape import NULL, Shape, lf_only, syntax_issue
from builder.core.model import (
    MAX_INTEGER,
    Answer,
    Change,
    FieldChange,
    FieldValue,
    Question,
    ReportCopy,
    Survey,
)
from builder.core.text import canonical_key
from builder.core.utf8 import decode_utf8

_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""One encoder for every record (json.dumps with options makes one per call)."""


def dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, no ASCII escaping, so diffs show real text."""
    return _CANONICAL.encode(obj)


_SPECS: dict[type, dict[str, tuple[type, ...]]] = {
    Survey: {"key": (str,), "title": (str,), "communication_id": (str, type(None)),
             "sent": (str, type(None)), "deadline": (str, type(None)),
             "letter": (str, type(None)), "source_urls": (list,), "partial": (bool,),
             "demo": (bool,), "note": (str, type(None))},
    Question: {"survey_key": (str,), "id": (str,), "order": (int, type(None)), "type": (str,),
               "text": (str,), "options": (list,), "source": (str, type(None)),
               "required": (bool, type(None)), "truncated": (bool,)},
    Answer: {"survey_key": (str,), "question_id": (str,), "owner_key": (str,),
             "owner_name": (str,), "values": (list,), "option_numbers": (list,),
             "source": (str,), "observed_at": (str,), "submitted_at": (str, type(None)),
             "captured_at": (str, type(None)), "live": (bool,)},
    Change: {"survey_key": (str,), "question_id": (str,), "owner_key": (str,),
             "owner_name": (str,), "kind": (str,), "old": (list, type(None)),
             "new": (list, type(None)), "observed_at": (str,), "source": (str,),
             "captured_at": (str, type(None)), "live": (bool,)},
    FieldValue: {"field": (str,), "owner_key": (str,), "owner_name": (str,), "value": (str,),
                 "source": (str,), "archived_copy": (str, type(None)),
                 "captured_at": (str, type(None)), "live": (bool,), "observed_at": (str,)},
    FieldChange: {"field": (str,), "owner_key": (str,), "owner_name": (str,), "kind": (str,),
                  "old": (str, type(None)), "new": (str, type(None)), "observed_at": (str,),
                  "source": (str,), "archived_copy": (str, type(None)),
                  "captured_at": (str, type(None)), "live": (bool,)},
    ReportCopy: {"source": (str,), "archived_copy": (str, type(None)), "observed_at": (str,),
                 "owners": (int,), "captured_at": (str, type(None)), "live": (bool,)},
}

_OPTIONAL = {"captured_at", "live", "required", "truncated"}
"""Keys added after the first stores were written: absent means the dataclass default
(capture date unknown, not a live capture; not known to be required, text complete)."""


_SHAPES = {cls: Shape(types, frozenset(_OPTIONAL), {"option_numbers": (int, NULL)})
           for cls, types in _SPECS.items()}
"""What each record's JSON object holds; the lists hold strings but option_numbers."""


_INTEGER_KEYS = {"order", "option_numbers"}
"""The keys that hold integers (bounded by MAX_INTEGER)."""

_LISTS = {cls: tuple(k for k, types in spec.items() if list in types)
          for cls, spec in _SPECS.items()}
"""Per record class, the keys whose JSON arrays become tuples."""

_INTEGERS = {cls: tuple(_INTEGER_KEYS & spec.keys()) for cls, spec in _SPECS.items()}


def to_record(cls: type, obj: Any, path: str, line: int, issues: list[Issue]) -> Any:
    """The record of class `cls` that `obj` holds, or None with its problems in `issues`.
    `obj` is used up (its lists become the record's tuples)."""
    if not isinstance(obj, dict):
        issues.append(Issue(path, line, None, "-", "not-an-object", "expected a JSON object"))
        return None
    found = _SHAPES[cls].issues(obj, (path, line, None))
    for name in _INTEGERS[cls]:
        if name in obj and any(isinstance(v, int) and abs(v) > MAX_INTEGER for v in (
                obj[name] if isinstance(obj[name], list) else [obj[name]])):
            # Beyond what every later stage (SQLite: 64 bits) can hold: refused here.
            found.append(Issue(path, line, None, name, "integer-out-of-range",
                               f"expected whole numbers from -{MAX_INTEGER} to {MAX_INTEGER}",
                               json.dumps(obj[name])))
    if found:
        issues += found
        return None
    for name in _LISTS[cls]:
        if isinstance(value := obj.get(name), list):
            obj[name] = tuple(value)
    # Through the constructor: a record whose __dict__ was filled from outside keeps a
    # dict of its own, twice the memory of the shared-key one __init__ gives (846 against
    # 429 MiB for the store at ten times the realistic size), and was no faster.
    return cls(**obj)


_decode = json.JSONDecoder().raw_decode


def read_json_lines(path: Path, cls: type, issues: list[Issue]) -> list[tuple[int, Any]]:
    """The records of a .jsonl file, each with its line number."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = None
    return json_lines(str(path), data, cls, issues)


def json_lines(name: str, data: bytes | None, cls: type,
               issues: list[Issue]) -> list[tuple[int, Any]]:
    """The records of the bytes `data` read from the .jsonl file `name` (None: there was
    no such file), each with its line number."""
    if data is None:
        issues.append(Issue(name, None, None, "-", "missing-file",
                            "each survey folder needs this file (it may be empty)"))
        return []
    text, bad = decode_utf8(data, name)
    issues += bad
    text = lf_only(text)
    records = []
    # Records end at "\n" only: str.splitlines() would also split at U+2028, U+2029, NEL
    # and other characters that json.dumps(ensure_ascii=False) leaves inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        try:
            obj, end = _decode(line)  # a third faster than json.loads on a line this size
        except json.JSONDecodeError:
            end = -1
        if end != len(line):  # blank, spaces around it, or not JSON: as json.loads says
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                issues.append(syntax_issue((name, number, exc.colno), exc.msg, line[:60]))
                continue
        record = to_record(cls, obj, name, number, issues)
        if record is not None:
            records.append((number, record))
    return records


@lru_cache(maxsize=1 << 16)  # one check per CA owner, not one per answer
def is_canonical(owner_key: str) -> bool:
    return bool(owner_key) and canonical_key(owner_key) == owner_key


_QUESTION_DEFAULTS = {"required": None, "truncated": False}
"""Question keys written only when they say something, so older stores stay unchanged."""


_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in _SPECS}
"""Each record class's fields, in order (dataclasses.fields() is slow to ask per record)."""


def record_dict(record: Any) -> dict[str, Any]:
    out = {name: list(v) if isinstance(v := getattr(record, name), tuple) else v
           for name in _FIELD_NAMES[type(record)]}
    if isinstance(record, Question):
        for name, default in _QUESTION_DEFAULTS.items():
            if out[name] is default:  # None and False are singletons
                del out[name]
    return out
