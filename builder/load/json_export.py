"""The JSON API export: an array of objects with exactly the ten record keys."""

from __future__ import annotations

import json
from typing import Any

from builder.errors import Issue
from builder.load.common import RECORD_FIELDS, Export, RawRecord


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def load_json_export(text: str, origin: str) -> Export:
    """Decode element by element so each record keeps the line it starts on."""
    issues: list[Issue] = []
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "[":
        line, col = _position(text, i)
        issues.append(Issue(origin, line, col, "-", "not-an-array",
                            "the JSON export must be an array of objects", text[i:i + 20]))
        return Export([], issues)
    i = _skip_ws(text, i + 1)
    records: list[RawRecord] = []
    expect_value = True
    elements = 0
    while i < len(text):
        if text[i] == "]" and (expect_value is False or elements == 0):
            i = _skip_ws(text, i + 1)
            if i < len(text):
                line, col = _position(text, i)
                issues.append(Issue(origin, line, col, "-", "json-syntax",
                                    "extra data after the array", text[i:i + 20]))
            break
        line, col = _position(text, i)
        try:
            value, end = _DECODER.raw_decode(text, i)
        except _DuplicateKey as exc:
            issues.append(Issue(origin, line, col, exc.key, "duplicate-key",
                                "a key appears twice in one object", exc.key))
            return Export([], issues)
        except json.JSONDecodeError as exc:
            issues.append(Issue(origin, exc.lineno, exc.colno, "-", "json-syntax", exc.msg,
                                text[exc.pos:exc.pos + 20]))
            return Export([], issues)
        except ValueError as exc:
            issues.append(Issue(origin, line, col, "-", "json-constant", str(exc),
                                text[i:i + 40]))
            return Export([], issues)
        elements += 1
        records.extend(_record(value, origin, line, col, issues))
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
            expect_value = True
            continue
        expect_value = False
        if i >= len(text) or text[i] != "]":
            line, col = _position(text, min(i, len(text)))
            issues.append(Issue(origin, line, col, "-", "json-syntax",
                                "expected ',' or ']' in the array", text[i:i + 20]))
            return Export([], issues)
    else:
        line, col = _position(text, len(text))
        issues.append(Issue(origin, line, col, "-", "json-syntax", "the array is never closed"))
        return Export([], issues)
    if elements == 0 and not issues:
        issues.append(Issue(origin, None, None, "-", "empty-export", "the array is empty"))
    return Export(records, issues)


_EXPECTED = {
    "survey": (str,), "survey_id": (str, type(None)), "question_id": (str,),
    "question_order": (int, type(None)), "question_type": (str, type(None)),
    "question_text": (str, type(None)), "ca_owner": (str,), "response": (str, type(None)),
    "option_number": (int, type(None)), "submitted_at": (str, type(None)),
}


def _record(value: Any, origin: str, line: int, col: int, issues: list[Issue]) -> list[RawRecord]:
    if not isinstance(value, dict):
        issues.append(Issue(origin, line, col, "-", "not-an-object",
                            "every element must be an object", json.dumps(value)[:60]))
        return []
    ok = True
    for key in RECORD_FIELDS:
        if key not in value:
            issues.append(Issue(origin, line, col, key, "missing-key",
                                "every object must have the ten record keys"))
            ok = False
    for key in value:
        if key not in RECORD_FIELDS:
            issues.append(Issue(origin, line, col, key, "unknown-key",
                                "not one of the ten record keys", key))
            ok = False
    for key, types in _EXPECTED.items():
        if key in value and (not isinstance(value[key], types) or isinstance(value[key], bool)):
            names = " or ".join("null" if t is type(None) else
                                {"str": "string", "int": "integer"}[t.__name__] for t in types)
            issues.append(Issue(origin, line, col, key, "wrong-type", f"expected {names}",
                                json.dumps(value[key], ensure_ascii=False)))
            ok = False
    if not ok:
        return []
    rec = RawRecord(origin, line, column=col)
    for key in RECORD_FIELDS:
        setattr(rec, key, value[key])
    return [rec]
