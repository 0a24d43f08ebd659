"""The JSON API export: an array of objects with exactly the ten record keys."""

from __future__ import annotations

import json
from typing import Any

from builder.core.errors import Issue
from builder.core.jsonshape import NULL, Shape, json_names, syntax_issue
from builder.core.model import RECORD_FIELDS
from builder.core.text import SURROGATE
from builder.ingest.formats.common import Export, RawRecord


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as read: its key/value pairs in order, duplicates included."""


class _Constant:
    """NaN, Infinity or -Infinity, which Python's json accepts and JSON does not."""

    def __init__(self, name: str) -> None:
        self.name = name


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Pairs:
    """A dict, but where a key appears twice: then the pairs, for _strict to report."""
    obj = dict(pairs)
    return obj if len(obj) == len(pairs) else _Pairs(pairs)


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_Constant)
_PLAIN = (str, int, float, bool, type(None))
"""The values a record usually holds, which _strict has nothing to check in."""


def _checked(value: Any, where: tuple[str, int, int], issues: list[Issue]) -> Any:
    """_strict's result, without walking a plain flat object (nearly every record)."""
    if type(value) is dict and all(type(v) in _PLAIN for v in value.values()):
        strings = "".join(v for v in value.values() if type(v) is str)
        if not SURROGATE.search(strings):  # lone surrogates stay lone when joined
            return value
    return _strict(value, "-", where, issues)


def _strict(value: Any, key: str, where: tuple[str, int, int], issues: list[Issue]) -> Any:
    """Refuse duplicate keys and NaN/Infinity (each one listed); objects become dicts."""
    if isinstance(value, _Constant):
        issues.append(Issue(*where, key, "json-constant", f"{value.name} is not valid JSON",
                            value.name))
        return None
    if isinstance(value, _Pairs):
        obj: dict[str, Any] = {}
        for name, item in value:  # a key appears twice: each repeat is listed
            if name in obj:
                issues.append(Issue(*where, name, "duplicate-key",
                                    "a key appears twice in one object", name))
            obj[name] = _strict(item, name, where, issues)
        return obj
    if isinstance(value, dict):  # an object without repeated keys
        return {name: _strict(item, name, where, issues) for name, item in value.items()}
    if isinstance(value, list):
        return [_strict(item, key, where, issues) for item in value]
    if isinstance(value, str) and SURROGATE.search(value):
        issues.append(Issue(*where, key, "lone-surrogate",
                            "a \\u escape names half of a surrogate pair, not a character",
                            value))
    return value


class _Positions:
    """Line and column (1-based) of offsets into one text, each counted on from the one
    asked for before: counting from the start for every record made an export of n
    records take n² steps (160,000 records: 17 minutes)."""

    def __init__(self, text: str) -> None:
        self.text, self.index, self.line, self.line_start = text, 0, 1, 0

    def __call__(self, index: int) -> tuple[int, int]:
        if index < self.index:  # never asked for by the reader; correct all the same
            self.index, self.line, self.line_start = 0, 1, 0
        self.line += self.text.count("\n", self.index, index)
        newline = self.text.rfind("\n", self.index, index)
        if newline >= 0:
            self.line_start = newline + 1
        self.index = index
        return self.line, index - self.line_start + 1


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _decode_at(text: str, i: int, where: tuple[str, int, int],
               issues: list[Issue]) -> tuple[Any, int] | None:
    """The element starting at `i`, checked, and where it ends; None (with the issue) when
    it cannot be read, which ends the reading of the whole export."""
    try:
        value, end = _DECODER.raw_decode(text, i)
        return _checked(value, where, issues), end
    except json.JSONDecodeError as exc:
        issues.append(syntax_issue((where[0], exc.lineno, exc.colno), exc.msg,
                                   text[exc.pos:exc.pos + 20]))
    except (RecursionError, ValueError) as exc:  # Python's limits: depth, integer digits
        what = ("arrays or objects nested too deeply to read" if isinstance(
            exc, RecursionError) else "a number with too many digits to read")
        issues.append(Issue(*where, "-", "json-limit", what, text[i:i + 20]))
    return None


def load_json_export(text: str, origin: str) -> Export:
    """Decode element by element so each record keeps the line it starts on."""
    issues: list[Issue] = []
    _position = _Positions(text)
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "[":
        return Export([], [Issue(origin, *_position(i), "-", "not-an-array",
                                 "the JSON export must be an array of objects", text[i:i + 20])])
    i = _skip_ws(text, i + 1)
    records: list[RawRecord] = []
    expect_value = True
    elements = 0
    while i < len(text):
        if text[i] == "]" and (expect_value is False or elements == 0):
            i = _skip_ws(text, i + 1)
            if i < len(text):
                issues.append(syntax_issue((origin, *_position(i)), "extra data after the array",
                                           text[i:i + 20]))
            break
        line, col = _position(i)
        found = len(issues)
        decoded = _decode_at(text, i, (origin, line, col), issues)
        if decoded is None:
            return Export([], issues)
        value, end = decoded
        elements += 1
        if len(issues) == found:
            records.extend(_record(value, origin, line, col, issues))
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
            expect_value = True
            continue
        expect_value = False
        if i >= len(text) or text[i] != "]":
            issues.append(syntax_issue((origin, *_position(min(i, len(text)))),
                                       "expected ',' or ']' in the array", text[i:i + 20]))
            return Export([], issues)
    else:
        issues.append(syntax_issue((origin, *_position(len(text))), "the array is never closed"))
        return Export([], issues)
    if elements == 0 and not issues:
        issues.append(Issue(origin, None, None, "-", "empty-export", "the array is empty"))
    return Export(records, issues)


_RECORD = Shape({
    "survey": (str,), "survey_id": (str, NULL), "question_id": (str,),
    "question_order": (int, NULL), "question_type": (str, NULL),
    "question_text": (str, NULL), "ca_owner": (str,), "response": (str, NULL),
    "option_number": (int, NULL), "submitted_at": (str, NULL),
}, missing="every object must have the ten record keys",
    unknown="not one of the ten record keys", describe=json_names)


def _record(value: Any, origin: str, line: int, col: int, issues: list[Issue]) -> list[RawRecord]:
    if not isinstance(value, dict):
        issues.append(Issue(origin, line, col, "-", "not-an-object",
                            "every element must be an object", json.dumps(value)[:60]))
        return []
    found = _RECORD.issues(value, (origin, line, col))
    if found:
        issues += found
        return []
    rec = RawRecord(origin, line, column=col)
    for key in RECORD_FIELDS:
        setattr(rec, key, value[key])
    return [rec]
