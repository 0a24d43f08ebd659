"""One home for JSON read from a file: its syntax errors and the types of an object's keys.

Every JSON input (an export, the store's records, data/sources.json, the fetch state)
reports a text that does not parse as "json-syntax", and an object whose keys are
missing, unknown or of the wrong type as "missing-key", "unknown-key" or "wrong-type",
each with the file, line and column where known.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from builder.core.errors import Issue
from builder.core.utf8 import decode_utf8

NULL = type(None)

Where = tuple[str, int | None, int | None]
"""(file or URL, line, column) of an object, as an Issue starts."""


def syntax_issue(where: Where, message: str, value: str | None = None) -> Issue:
    """The "json-syntax" issue: the text at `where` is not JSON."""
    return Issue(*where, "-", "json-syntax", message, value)


def decode_issue(path: str, exc: ValueError, note: str = "") -> Issue:
    """The "json-syntax" issue of a whole file that is not JSON."""
    where = (path, getattr(exc, "lineno", None), getattr(exc, "colno", None))
    return syntax_issue(where, f"{exc}{note}")


def read_json(path: Path, note: str = "") -> tuple[Any, Issue | None]:
    """The JSON value of a UTF-8 file, or None and its "json-syntax" issue.

    `note` is added to the message (what to do about it). A missing file raises
    FileNotFoundError: what that means is the caller's to say.
    """
    return json_of(str(path), path.read_bytes(), note)


def json_of(path: str, data: bytes, note: str = "") -> tuple[Any, Issue | None]:
    """read_json of the bytes `data` already read from the file `path`. A file that is
    not UTF-8 is not read at all: its issue is "invalid-utf8" (builder.core.utf8), at the
    line and column of its first byte that is not, with those bytes as the value."""
    try:
        text = text_of(data)
    except UnicodeDecodeError:
        return None, not_utf8(path, data, note)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, decode_issue(path, exc, note)


def not_utf8(path: str, data: bytes, note: str = "") -> Issue:
    """The issue of a JSON file that is not UTF-8: where its first bad line is, and how
    many more lines are bad (it is not read, so one issue says it all)."""
    issues = decode_utf8(data, path)[1]
    more = f" ({len(issues) - 1} more line(s) are not UTF-8 either)" if len(issues) > 1 else ""
    return replace(issues[0], message=f"the file is not valid UTF-8, so it is not read as "
                                      f"JSON{more}{note}")


def text_of(data: bytes) -> str:
    """The text of a UTF-8 file's bytes as Path.read_text gives it (the same errors, and
    "\r\n" and "\r" read as "\n"), for a caller that keeps the bytes it parsed."""
    return lf_only(data.decode("utf-8"))


def lf_only(text: str) -> str:
    """`text` with "\r\n" and "\r" read as "\n", as Path.read_text reads them."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


Position = tuple[int, int]
"""1-based (line, column) in a text, as JSONDecodeError counts them (characters)."""


def object_positions(text: str) -> tuple[Position, dict[str, tuple[Position, Position]]] | None:
    """Where the JSON object `text` holds starts, and where each of its keys and that
    key's value starts (the last of a repeated key, as json.loads keeps); None if the
    text is not one JSON object. Read again only when there is a problem to place."""
    decode = json.JSONDecoder().raw_decode
    members: dict[str, tuple[int, int]] = {}
    try:
        start = i = _skip_ws(text, 0)
        if text[i:i + 1] != "{":
            return None
        i = _skip_ws(text, i + 1)
        while text[i:i + 1] == '"':
            name, end = decode(text, i)  # the key: a JSON string
            colon = _skip_ws(text, end)
            if text[colon:colon + 1] != ":":
                return None
            value_at = _skip_ws(text, colon + 1)
            members[name] = (i, value_at)
            i = _skip_ws(text, decode(text, value_at)[1])
            if text[i:i + 1] == ",":
                i = _skip_ws(text, i + 1)
    except (ValueError, RecursionError):  # not JSON after all (json_of said so first)
        return None
    return _position(text, start), {name: (_position(text, k), _position(text, v))
                                    for name, (k, v) in members.items()}


def placed(issues: Iterable[Issue], text: str) -> list[Issue]:
    """The issues of the one JSON object `text` holds, each moved to where its key's value
    starts (the key itself, for an unknown key); one of no key present (a missing key,
    not an object) to where the object starts."""
    found = object_positions(text)
    if found is None:
        return list(issues)
    start, members = found
    out = []
    for issue in issues:
        key, value = members.get(issue.field, (start, start))
        line, column = key if issue.code == "unknown-key" else value
        out.append(replace(issue, line=line, column=column))
    return out


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _position(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def python_names(types: tuple[type, ...]) -> str:
    """'str/NoneType': the types as Python names them (the store's own files)."""
    return "/".join(t.__name__ for t in types)


_JSON_NAMES = {"str": "string", "int": "integer", "bool": "boolean", "list": "array",
               "dict": "object", "NoneType": "null"}


def json_names(types: tuple[type, ...]) -> str:
    """'string or null': the types as JSON names them (an export from outside)."""
    return " or ".join(_JSON_NAMES[t.__name__] for t in types)


def is_a(value: Any, types: tuple[type, ...]) -> bool:
    """isinstance, except that a JSON true/false is not an integer."""
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


@dataclass(frozen=True)
class Shape:
    """The keys a JSON object may have, the types of their values, and the wording."""

    types: Mapping[str, tuple[type, ...]]
    """Each known key and the types its value may have."""
    optional: frozenset[str] = frozenset()
    """Known keys that may be absent."""
    items: Mapping[str, tuple[type, ...]] = field(default_factory=dict)
    """For list values: the types of their items (strings where not said)."""
    missing: str = "required key is missing"
    unknown: str = "not a known key"
    describe: Callable[[tuple[type, ...]], str] = python_names

    def issues(self, obj: Mapping[str, Any], where: Where) -> list[Issue]:
        """Every missing or wrongly typed key (in the shape's order), then every unknown one."""
        if self._plain_and_complete(obj):
            return []  # the usual case: one pass, no issue objects
        found = []
        for name in self.types:
            if name not in obj:
                if name not in self.optional:
                    found.append(Issue(*where, name, "missing-key", self.missing))
            elif not self._fits(name, obj[name]):
                found.append(Issue(*where, name, "wrong-type",
                                   f"expected {self._expected(name)}",
                                   json.dumps(obj[name], ensure_ascii=False)))
        found += [Issue(*where, name, "unknown-key", self.unknown, name)
                  for name in obj if name not in self.types]
        return found

    def _plain_and_complete(self, obj: Mapping[str, Any]) -> bool:
        """No key missing or unknown, and each value (and list item) exactly of a type
        allowed (type(True) is bool, so a true/false never passes for an integer)."""
        exact, items = self._exact_types
        if not self._required <= obj.keys() <= exact.keys():
            return False
        for name, value in obj.items():
            kind = type(value)
            if kind not in exact[name]:
                return False
            if kind is list:
                allowed = items[name]
                for item in value:
                    if type(item) not in allowed:
                        return False
        return True

    @functools.cached_property
    def _required(self) -> frozenset[str]:
        return frozenset(self.types) - self.optional

    @functools.cached_property
    def _exact_types(self) -> tuple[dict[str, frozenset[type]], dict[str, frozenset[type]]]:
        """The types per key, and per list key the types of its items, for the quick
        check."""
        return ({name: frozenset(types) for name, types in self.types.items()},
                {name: frozenset(self.items.get(name, (str,))) for name, types
                 in self.types.items() if list in types})

    def _fits(self, name: str, value: Any) -> bool:
        if not is_a(value, self.types[name]):
            return False
        items = self.items.get(name, (str,))
        return not isinstance(value, list) or all(is_a(item, items) for item in value)

    def _expected(self, name: str) -> str:
        expected = self.describe(self.types[name])
        if list in self.types[name]:
            expected += " of " + self.describe(self.items.get(name, (str,)))
        return expected

