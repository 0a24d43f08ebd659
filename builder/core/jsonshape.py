"""One home for JSON read from a file: its syntax errors and the types of an object's keys.

Every JSON input (an export, the store's records, data/sources.json, the fetch state)
reports a text that does not parse as "json-syntax", and an object whose keys are
missing, unknown or of the wrong type as "missing-key", "unknown-key" or "wrong-type",
each with the file, line and column where known.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.core.errors import Issue

NULL = type(None)

Where = tuple[str, int | None, int | None]
"""(file or URL, line, column) of an object, as an Issue starts."""


def syntax_issue(where: Where, message: str, value: str | None = None) -> Issue:
    """The "json-syntax" issue: the text at `where` is not JSON."""
    return Issue(*where, "-", "json-syntax", message, value)


def decode_issue(path: str, exc: ValueError, note: str = "") -> Issue:
    """The "json-syntax" issue of a whole file that failed to decode (or was not UTF-8)."""
    where = (path, getattr(exc, "lineno", None), getattr(exc, "colno", None))
    return syntax_issue(where, f"{exc}{note}")


def read_json(path: Path, note: str = "") -> tuple[Any, Issue | None]:
    """The JSON value of a UTF-8 file, or None and its "json-syntax" issue.

    `note` is added to the message (what to do about it). A missing file raises
    FileNotFoundError: what that means is the caller's to say.
    """
    return json_of(str(path), path.read_bytes(), note)


def json_of(path: str, data: bytes, note: str = "") -> tuple[Any, Issue | None]:
    """read_json of the bytes `data` already read from the file `path`."""
    try:
        return json.loads(text_of(data)), None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, decode_issue(path, exc, note)


def text_of(data: bytes) -> str:
    """The text of a UTF-8 file's bytes as Path.read_text gives it (the same errors, and
    "\r\n" and "\r" read as "\n"), for a caller that keeps the bytes it parsed."""
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


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

